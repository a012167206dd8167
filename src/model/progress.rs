//! One step of one device: the owner's answer ([`StepState`] with its time, snooze and note) and,
//! kept apart from it, what porchlight's network check saw ([`CheckMark`], evidence). No IO.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::StepState;

/// One step of one device: the owner's answer, and apart from it what porchlight's network check
/// last saw. Machine results never write the owner's part; the merge of two writers takes each
/// part newest-first on its own (see `store::merge`), and what the owner reads
/// ([`StepProgress::effective`]) puts the two together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    /// The owner's answer: to do, done, not applicable or accepted (with "later" as
    /// `snoozed_until`). Files written before the split may hold `verified` or `failed` here.
    #[serde(flatten)]
    pub state: StepState,
    /// When the owner last answered.
    pub changed_at: Timestamp,
    /// Put off by the owner until this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<Timestamp>,
    /// A free note from the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The device's firmware version when the state was set, so a firmware change can make the
    /// step due again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    /// What porchlight's network check last found ("telnet still answers on 10.0.0.57:23").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// For a step the check verified in part: what the owner must still confirm ("manual port
    /// forwards and a DMZ host").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<String>,
    /// The last network check could not tell, and why ("the router offers no UPnP").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cannot_check: Option<String>,
    /// What the last check that could tell concluded, and since when (machine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckMark>,
    /// When porchlight last wrote what it saw of this step (`check`, `evidence`, `unconfirmed`,
    /// `cannot_check`): the merge keeps the newest of those together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<Timestamp>,
}

/// What porchlight's check of a step concluded, apart from the owner's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckMark {
    /// The check passed (the fix took); false: it failed.
    pub passed: bool,
    /// When a check last concluded this.
    pub at: Timestamp,
    /// Since when it has concluded this, check after check (a failure that repeats keeps the
    /// time it first failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
}

impl CheckMark {
    /// A conclusion reached at `now`, continuing `before` when that concluded the same.
    pub fn after(before: Option<CheckMark>, passed: bool, now: Timestamp) -> Self {
        let since = match before {
            Some(b) if b.passed == passed => b.since.unwrap_or(b.at),
            _ => now,
        };
        Self {
            passed,
            at: now,
            since: Some(since),
        }
    }
}

impl StepProgress {
    /// A progress record in `state`, changed at `now`.
    pub fn new(state: StepState, now: Timestamp) -> Self {
        Self {
            state,
            changed_at: now,
            snoozed_until: None,
            note: None,
            firmware: None,
            evidence: None,
            unconfirmed: None,
            cannot_check: None,
            check: None,
            seen_at: None,
        }
    }

    /// What the owner reads: their answer, with a done step shown as verified or failed when a
    /// check made after the answer says so ("done, but the check now fails" is failed). A check
    /// older than the answer says nothing of it, and no check ever changes another answer.
    pub fn effective(&self) -> StepState {
        match (&self.state, &self.check) {
            (StepState::Done | StepState::Verified | StepState::Failed, Some(mark))
                if mark.at >= self.changed_at =>
            {
                if mark.passed {
                    StepState::Verified
                } else {
                    StepState::Failed
                }
            }
            (state, _) => state.clone(),
        }
    }

    /// When the step was last settled or confirmed: the owner's answer, or a later passing check.
    pub fn confirmed_at(&self) -> Timestamp {
        match self.check {
            Some(mark) if mark.passed && mark.at > self.changed_at => mark.at,
            _ => self.changed_at,
        }
    }

    /// Since when the step fails its check, when it does ([`StepProgress::effective`] is failed):
    /// the first of the failures in a row, but never before the owner's answer.
    pub fn failed_since(&self) -> Option<Timestamp> {
        (self.effective() == StepState::Failed).then(|| match self.check {
            Some(mark) if !mark.passed => mark.since.unwrap_or(mark.at).max(self.changed_at),
            _ => self.changed_at,
        })
    }

    /// Takes the machine part (what porchlight saw) from `other`, keeping this one's answer.
    pub fn take_machine_part(&mut self, other: &StepProgress) {
        self.evidence.clone_from(&other.evidence);
        self.unconfirmed.clone_from(&other.unconfirmed);
        self.cannot_check.clone_from(&other.cannot_check);
        self.check = other.check;
        self.seen_at = other.seen_at;
    }

    /// Keeps this one's answer and, of what porchlight saw in `a` and `b`, the newest of each: the
    /// last observation (evidence, "cannot check") by when it was seen, and the last conclusion
    /// (passed or failed) by when it was reached, so a later "cannot tell" never drops a newer
    /// verdict seen elsewhere. Records written before observations carried their time count as
    /// oldest.
    pub fn take_newest_machine_part(&mut self, a: &StepProgress, b: &StepProgress) {
        let seen = if b.seen_at > a.seen_at { b } else { a };
        self.take_machine_part(seen);
        let at = |p: &StepProgress| p.check.map(|m| m.at);
        self.check = if at(b) > at(a) { b.check } else { a.check };
    }
}
