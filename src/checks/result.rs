//! What a check found: a three-valued [`Verdict`] and a [`CheckResult`] with one cleaned line of
//! evidence, what to try next and, for a pass, what the owner must still confirm. Plain data with
//! no IO, shared by the runtime that produces results and the store and screens that show them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::sanitize;

/// The longest evidence or advice line kept, in characters.
pub const EVIDENCE_CHARS: usize = 400;

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The fix took: what the step asks for is what the network shows.
    Pass,
    /// The fix did not take (or came undone): the evidence says what is still there.
    Fail,
    /// porchlight cannot tell (no answer, nothing to look at, or an informative check).
    Unknown,
    /// The device has no such service, and said so (every web port refused: no page to secure).
    /// Positive evidence like a pass, but nothing was fixed: the step does not apply here.
    NotApplicable,
}

impl Verdict {
    /// The verdict in the owner's words: `verified`, `failed` or `cannot check` (a pass that
    /// covers part of a step is "verified in part": see [`CheckResult::label`]).
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "verified",
            Verdict::Fail => "failed",
            Verdict::Unknown => "cannot check",
            Verdict::NotApplicable => "does not apply",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The outcome of one check: a verdict, one line of evidence, and what to try next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// What the check concluded.
    pub verdict: Verdict,
    /// What porchlight saw, one cleaned line ("telnet still answers on 10.0.0.57:23 (banner:
    /// login:)").
    pub evidence: String,
    /// What the owner could try next, in plain words; also names what a passing check could not
    /// see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// For a pass: what the check could not see and the owner must still confirm ("manual port
    /// forwards and a DMZ host"); a pass with this is "verified in part".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<String>,
    /// The evidence as shown on screen when it holds something never written to a file: a
    /// working factory password ("the factory login admin/admin still works"). `evidence` then
    /// names only the user ("the factory login for user admin still works (its factory
    /// password)"). Never serialised, so it reaches no state file, report or JSON output.
    #[serde(skip)]
    pub on_screen: Option<String>,
}

impl CheckResult {
    pub(super) fn new(verdict: Verdict, evidence: impl AsRef<str>) -> Self {
        Self {
            verdict,
            evidence: sanitize::clean(evidence.as_ref(), EVIDENCE_CHARS),
            next: None,
            unconfirmed: None,
            on_screen: None,
        }
    }

    /// Adds the evidence as shown on screen only (cleaned to one line); `evidence` stays what
    /// files and reports get.
    pub fn with_on_screen(mut self, shown: impl AsRef<str>) -> Self {
        self.on_screen = Some(sanitize::clean(shown.as_ref(), EVIDENCE_CHARS));
        self
    }

    /// The evidence for the screen: [`CheckResult::on_screen`] when there is one, else the
    /// evidence that files get.
    pub fn shown_evidence(&self) -> &str {
        self.on_screen.as_deref().unwrap_or(&self.evidence)
    }

    /// Marks a pass as "verified in part": `what` the owner must still confirm (cleaned to one
    /// line). Kept on any verdict, but only a pass shows it as "verified in part".
    pub fn in_part(mut self, what: impl AsRef<str>) -> Self {
        let what = sanitize::clean(what.as_ref(), EVIDENCE_CHARS);
        self.unconfirmed = (!what.is_empty()).then_some(what);
        self
    }

    /// A passing result with its evidence (cleaned to one line).
    pub fn pass(evidence: impl AsRef<str>) -> Self {
        Self::new(Verdict::Pass, evidence)
    }

    /// A failing result with its evidence (cleaned to one line).
    pub fn fail(evidence: impl AsRef<str>) -> Self {
        Self::new(Verdict::Fail, evidence)
    }

    /// An undecided result with its reason (cleaned to one line).
    pub fn unknown(evidence: impl AsRef<str>) -> Self {
        Self::new(Verdict::Unknown, evidence)
    }

    /// The device has no such service and said so; `what` names what was not found ("no web page
    /// found: ports 80, 443 refused").
    pub fn not_applicable(what: impl AsRef<str>) -> Self {
        Self::new(Verdict::NotApplicable, what)
    }

    /// Adds what to try next (cleaned to one line).
    pub fn with_next(mut self, next: impl AsRef<str>) -> Self {
        let next = sanitize::clean(next.as_ref(), EVIDENCE_CHARS);
        self.next = (!next.is_empty()).then_some(next);
        self
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn evidence_is_one_clean_line() {
        let r = CheckResult::fail("banner:\r\n\x1b[31mlogin:\x1b[0m  \n").with_next("try\tagain\n");
        assert_eq!(r.evidence, "banner: login:");
        assert_eq!(r.next.as_deref(), Some("try again"));
        let long = CheckResult::unknown("x".repeat(1000));
        assert!(long.evidence.chars().count() <= EVIDENCE_CHARS);
    }

    #[test]
    fn what_is_shown_on_screen_only_is_never_serialised() {
        let r = CheckResult::fail(
            "the factory login for user admin still works (its factory password)",
        )
        .with_on_screen("the factory login admin/s3cret still works");
        assert_eq!(
            r.shown_evidence(),
            "the factory login admin/s3cret still works"
        );
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("s3cret"), "{json}");
        let back: CheckResult = serde_json::from_str(&json).unwrap();
        assert_eq!(back.shown_evidence(), r.evidence);
    }
}
