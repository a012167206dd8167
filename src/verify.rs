//! Proving fixes: runs the network check of a step the owner marked done and records each verdict
//! on the device (after a scan, [`crate::session`] re-checks the settled steps with its audit): a
//! pass makes the step verified, a failure makes it failed (a regression when it had been done), an
//! unknown leaves it as it was. The checks themselves live in [`crate::checks`]; this is the glue to the inventory.

use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::checks::{CheckResult, Context, Target, Verdict, verify};
use crate::discovery::Ipv4Net;
use crate::model::{Device, DeviceId, Inventory, StepId, StepState};

/// One verdict, for one step of one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The device.
    pub device: DeviceId,
    /// The step.
    pub step: StepId,
    /// What the check found.
    pub result: CheckResult,
}

/// A check context for `inventory`: its router and its devices, this machine's networks, and the
/// router's UPnP port mappings when a check will need them.
async fn context(inventory: &Inventory, local_nets: Vec<Ipv4Net>, mappings: bool) -> Context {
    let mut ctx = Context::from_inventory(inventory, local_nets);
    if mappings {
        // No router, or no UPnP: the checks that need the list say so themselves.
        let _ = ctx.fetch_mappings().await;
    }
    ctx
}

/// Runs the check of `step` on `device`; `None` when the step has no network check or the device
/// has no address. `consent` allows the default-password check on this device.
pub async fn verify_step(
    catalog: &Catalog,
    inventory: &Inventory,
    device: &DeviceId,
    step: &StepId,
    local_nets: Vec<Ipv4Net>,
) -> Option<Outcome> {
    let d = inventory.device(device)?;
    let check = catalog.step(step)?.check.as_ref()?;
    let target = Target::from_device(d)?;
    let mut ctx = context(inventory, local_nets, check.needs_mappings()).await;
    ctx.credentials_consent = d.login_check_allowed;
    let result = verify(check, &target, &ctx).await;
    Some(Outcome {
        device: device.clone(),
        step: step.clone(),
        result,
    })
}

/// Records `outcome` on its device; returns true when it made a done step fail (a regression).
pub fn apply(inventory: &mut Inventory, outcome: &Outcome, now: Timestamp) -> bool {
    let Some(device) = inventory.device_mut(&outcome.device) else {
        return false;
    };
    apply_to(device, &outcome.step, &outcome.result, now)
}

/// Records `result` for `step` on `device`; true when a done or verified step now fails.
pub fn apply_to(device: &mut Device, step: &StepId, result: &CheckResult, now: Timestamp) -> bool {
    let before = device.step_state(step);
    let new_state = match result.verdict {
        Verdict::Pass => StepState::Verified,
        Verdict::Fail => StepState::Failed,
        Verdict::Unknown => {
            if let Some(p) = device.progress.get_mut(step) {
                p.evidence = Some(result.evidence.clone());
            }
            return false;
        }
    };
    let regression =
        new_state == StepState::Failed && matches!(before, StepState::Done | StepState::Verified);
    // A pass confirms the step again (its re-check interval starts over); a failure that repeats
    // keeps the date it first failed.
    if before == new_state && new_state == StepState::Failed {
        if let Some(p) = device.progress.get_mut(step) {
            p.evidence = Some(result.evidence.clone());
        }
        return false;
    }
    device.set_step_state(step, new_state, now);
    if let Some(p) = device.progress.get_mut(step) {
        p.evidence = Some(result.evidence.clone());
    }
    regression
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::model::Category;

    fn cam() -> Device {
        let mut d = Device::new(
            DeviceId::Ip("10.0.0.57".parse().unwrap()),
            "Camera",
            Timestamp::UNIX_EPOCH,
        );
        d.category = Category::Camera;
        d
    }

    fn result(verdict: Verdict, evidence: &str) -> CheckResult {
        CheckResult {
            verdict,
            evidence: evidence.into(),
            next: None,
        }
    }

    #[test]
    fn a_pass_verifies_and_a_later_failure_is_a_regression() {
        let mut d = cam();
        let step = StepId::new("G-02");
        let t1: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        d.set_step_state(&step, StepState::Done, t1);
        assert!(!apply_to(
            &mut d,
            &step,
            &result(Verdict::Pass, "telnet closed"),
            t1
        ));
        assert_eq!(d.step_state(&step), StepState::Verified);
        assert_eq!(d.progress[&step].evidence.as_deref(), Some("telnet closed"));
        let t2: Timestamp = "2027-02-01T00:00:00Z".parse().unwrap();
        let fail = result(Verdict::Fail, "telnet answers on 10.0.0.57:23");
        assert!(
            apply_to(&mut d, &step, &fail, t2),
            "verified -> failed is a regression"
        );
        assert_eq!(d.step_state(&step), StepState::Failed);
        assert_eq!(d.progress[&step].changed_at, t2);
        // Failing again is not a new regression and keeps the first date.
        let t3: Timestamp = "2027-03-01T00:00:00Z".parse().unwrap();
        assert!(!apply_to(&mut d, &step, &fail, t3));
        assert_eq!(d.progress[&step].changed_at, t2);
    }

    #[test]
    fn an_unknown_verdict_changes_nothing_but_the_evidence() {
        let mut d = cam();
        let step = StepId::new("G-06");
        let t: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        d.set_step_state(&step, StepState::Done, t);
        apply_to(
            &mut d,
            &step,
            &result(Verdict::Unknown, "firmware 5.7 seen"),
            t,
        );
        assert_eq!(d.step_state(&step), StepState::Done);
        assert_eq!(
            d.progress[&step].evidence.as_deref(),
            Some("firmware 5.7 seen")
        );
    }
}
