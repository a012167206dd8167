//! Where a step stands for the owner at a given moment: not started, open, postponed or settled.
//! This is the one definition that the TUI's header and wizard, the command line and the reports
//! all count by, so that they never disagree.

use jiff::Timestamp;

use crate::model::{Device, StepId};

/// Where one step of one device stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepStatus {
    /// Never touched: no answer, no snooze. It needs the owner (it counts as open).
    NotStarted,
    /// Started or answered but not settled (to do, or its check failed), and not put off. It needs
    /// the owner now.
    Open,
    /// Not settled, but put off ("later") until a time still to come. It does not need the owner
    /// until then, so it is not counted as open.
    Postponed,
    /// Done, verified, not applicable, or the risk accepted.
    Settled,
}

impl StepStatus {
    /// True when the step needs the owner now (not started, or open).
    pub fn needs_owner(self) -> bool {
        matches!(self, StepStatus::NotStarted | StepStatus::Open)
    }
}

/// Where `step` of `device` stands at `now`.
pub fn step_status(device: &Device, step: &StepId, now: Timestamp) -> StepStatus {
    let Some(progress) = device.progress.get(step) else {
        return StepStatus::NotStarted;
    };
    if progress.effective().is_settled() {
        StepStatus::Settled
    } else if progress.snoozed_until.is_some_and(|until| until > now) {
        StepStatus::Postponed
    } else {
        StepStatus::Open
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::model::StepState;

    #[test]
    fn each_status_from_the_owners_answers() {
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let mut device = crate::demo::household(now).unwrap().devices.remove(0);
        device.progress.clear();
        let (a, b, c, d) = (
            StepId::new("RT-01"),
            StepId::new("RT-02"),
            StepId::new("RT-03"),
            StepId::new("RT-04"),
        );
        device.set_step_state(&b, StepState::Failed, now);
        device.set_step_state(
            &c,
            StepState::Accepted {
                reason: "ok".into(),
            },
            now,
        );
        let week = now
            .checked_add(jiff::SignedDuration::from_hours(168))
            .unwrap();
        device.snooze_step(&d, week, now);
        assert_eq!(step_status(&device, &a, now), StepStatus::NotStarted);
        assert_eq!(step_status(&device, &b, now), StepStatus::Open);
        assert_eq!(step_status(&device, &c, now), StepStatus::Settled);
        assert_eq!(step_status(&device, &d, now), StepStatus::Postponed);
        // Once the snooze runs out, the step is open again.
        let later = week
            .checked_add(jiff::SignedDuration::from_hours(1))
            .unwrap();
        assert_eq!(step_status(&device, &d, later), StepStatus::Open);
        // A failed step put off is postponed too.
        device.snooze_step(&b, week, now);
        assert_eq!(step_status(&device, &b, now), StepStatus::Postponed);
    }
}
