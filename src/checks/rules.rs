//! The evidence rules: what a check may conclude from what the device said. Every check and the
//! wizard's verification follow them; [`judge`] combines per-probe outcomes for the checks that
//! ask several ports the same question (`ports_closed`), and [`no_answer`] words silence for all.
//!
//! - `fine` (a pass, "verified" in the wizard) only on positive evidence from a device that
//!   answered during this check: a port the host refused (TCP RST), a broker that refused the
//!   anonymous CONNECT, a router that answered and lists no port-mapping service, a stream that
//!   asks for a login.
//! - A problem on positive evidence too: a port that accepted, a broker that let anyone in.
//! - Silence (a timeout, a host unreachable, no datagram back) proves nothing: `unknown`, with
//!   [`NO_ANSWER`]. On Wi-Fi frames are lost and devices doze; the probes retransmit within their
//!   time (see [`crate::discovery::ports::reach`]) before they call anything silent.

use std::fmt;

use super::{CheckResult, Verdict};

/// What one probe of a check heard from the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// The device answered and showed the problem (a risky port accepted, anyone let in).
    Problem,
    /// The device answered and showed the problem absent (refused, asks for a login).
    Absent,
    /// The device answered with something porchlight cannot read.
    Unclear,
    /// Nothing answered: no proof either way.
    Silent,
}

/// The verdict from what each probe of one check heard: any problem fails; a pass needs every
/// probe to have heard the device say the problem is absent; anything else (silence, an unclear
/// answer, nothing probed at all) is unknown.
pub fn judge(heard: &[Heard]) -> Verdict {
    if heard.contains(&Heard::Problem) {
        Verdict::Fail
    } else if !heard.is_empty() && heard.iter().all(|h| *h == Heard::Absent) {
        Verdict::Pass
    } else {
        Verdict::Unknown
    }
}

/// What silence means, said to the owner after what did not answer.
pub const NO_ANSWER: &str = "the device may be asleep or off; porchlight will look again";

/// The unknown result for silence: "no answer from `what`: the device may be asleep or off;
/// porchlight will look again".
pub fn no_answer(what: impl fmt::Display) -> CheckResult {
    CheckResult::unknown(format!("no answer from {what}: {NO_ANSWER}"))
}

#[cfg(test)]
mod tests {
    use super::Heard::{Absent, Problem, Silent, Unclear};
    use super::*;

    #[test]
    fn fine_needs_every_probe_answered_and_clean() {
        // (what the probes heard, the verdict the owner reads)
        let table: &[(&[Heard], Verdict)] = &[
            (&[Absent], Verdict::Pass),
            (&[Absent, Absent, Absent], Verdict::Pass),
            (&[Problem], Verdict::Fail),
            (&[Absent, Problem], Verdict::Fail),
            (&[Silent, Problem], Verdict::Fail),
            (&[Unclear, Problem], Verdict::Fail),
            (&[Silent], Verdict::Unknown),
            (&[Absent, Silent], Verdict::Unknown),
            (&[Absent, Absent, Silent], Verdict::Unknown),
            (&[Unclear], Verdict::Unknown),
            (&[Absent, Unclear], Verdict::Unknown),
            (&[], Verdict::Unknown),
        ];
        for (heard, verdict) in table {
            assert_eq!(judge(heard), *verdict, "{heard:?}");
        }
    }

    #[test]
    fn silence_reads_as_unknown_and_says_why() {
        let r = no_answer("telnet 23 on 10.0.0.1");
        assert_eq!(r.verdict, Verdict::Unknown);
        assert_eq!(
            r.evidence,
            "no answer from telnet 23 on 10.0.0.1: the device may be asleep or off; porchlight will look again"
        );
    }
}
