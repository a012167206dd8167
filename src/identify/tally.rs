//! The tally behind an identification: points and kinds of signal per category, the rule that a
//! kind is named only from two kinds of signal or one strong one, and the confidence formula.

use super::RuleKind;

/// Points per category, with the strongest single rule for breaking ties, the kinds of signal
/// behind them (a bit per [`RuleKind`], one more for a private address) and whether one rule was
/// strong enough to decide alone.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Tally {
    pub(super) score: u32,
    pub(super) strongest: u8,
    pub(super) kinds: u8,
    pub(super) strong: bool,
}

impl Tally {
    /// Enough to name the category: the asset's minimum of points, and either one strong rule or
    /// two different kinds of signal.
    pub(super) fn names_a_kind(&self, min_score: u32) -> bool {
        self.score >= min_score && (self.strong || self.kinds.count_ones() >= 2)
    }
}

/// The bit a kind of signal sets in [`Tally::kinds`].
pub(super) fn kind_bit(kind: RuleKind) -> u8 {
    match kind {
        RuleKind::MdnsService => 1,
        RuleKind::MdnsTxt => 1 << 1,
        RuleKind::Upnp => 1 << 2,
        RuleKind::Ports => 1 << 3,
        RuleKind::Name => 1 << 4,
        RuleKind::MacVendor => 1 << 5,
        RuleKind::Gateway => 1 << 6,
    }
}

/// The bit a private (randomised) hardware address sets: it is a kind of signal of its own.
pub(super) const PRIVATE_MAC_BIT: u8 = 1 << 7;

/// The confidence in a winner with `score` points over a runner-up with `runner_up`:
///
/// `confidence = min(score, 100) × (2·score − runner_up) / (2·score)`, rounded down.
///
/// Unopposed, it is the score itself (capped at 100); a tie halves it; a close second pulls it
/// towards half. So one strong rule alone (a HomeKit category, 70) gives 70, a Google Cast
/// receiver that is 40 points TV and 35 points speaker gives 22, and a box with 200 points for NAS
/// and 30 for computer gives 92.
pub fn confidence(score: u32, runner_up: u32) -> u8 {
    if score == 0 {
        return 0;
    }
    let runner_up = runner_up.min(score);
    let capped = u64::from(score.min(100));
    let twice = 2 * u64::from(score);
    let value = capped * (twice - u64::from(runner_up)) / twice;
    u8::try_from(value.min(100)).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(score: u32, kinds: &[RuleKind], strong: bool) -> Tally {
        Tally {
            score,
            strongest: 0,
            kinds: kinds.iter().fold(0, |bits, k| bits | kind_bit(*k)),
            strong,
        }
    }

    #[test]
    fn one_kind_of_signal_names_nothing_unless_it_is_strong() {
        // Two port rules (9100 and 631) are still one kind of signal.
        assert!(!tally(65, &[RuleKind::Ports, RuleKind::Ports], false).names_a_kind(20));
        assert!(tally(65, &[RuleKind::Ports, RuleKind::MacVendor], false).names_a_kind(20));
        assert!(tally(45, &[RuleKind::MdnsService], true).names_a_kind(20));
        // Points still matter: two weak kinds below the minimum stay unknown.
        assert!(!tally(15, &[RuleKind::Ports, RuleKind::MacVendor], false).names_a_kind(20));
        // A private address is a kind of its own.
        let mut t = tally(45, &[RuleKind::Ports], false);
        assert!(!t.names_a_kind(20));
        t.kinds |= PRIVATE_MAC_BIT;
        assert!(t.names_a_kind(20));
    }

    #[test]
    fn every_kind_of_signal_has_its_own_bit() {
        let kinds = [
            RuleKind::MdnsService,
            RuleKind::MdnsTxt,
            RuleKind::Upnp,
            RuleKind::Ports,
            RuleKind::Name,
            RuleKind::MacVendor,
            RuleKind::Gateway,
        ];
        let all = kinds.iter().fold(PRIVATE_MAC_BIT, |bits, k| {
            assert_eq!(bits & kind_bit(*k), 0, "{k:?} shares a bit");
            bits | kind_bit(*k)
        });
        assert_eq!(all.count_ones(), 8);
    }

    #[test]
    fn confidence_follows_the_documented_formula() {
        assert_eq!(confidence(0, 0), 0);
        assert_eq!(confidence(70, 0), 70);
        assert_eq!(confidence(40, 35), 22);
        assert_eq!(confidence(200, 30), 92);
        assert_eq!(confidence(50, 50), 25);
        assert_eq!(confidence(500, 0), 100);
        assert_eq!(confidence(u32::MAX, u32::MAX), 50);
        // A runner-up above the winner cannot happen, but must not underflow either.
        assert_eq!(confidence(10, 20), 5);
    }
}
