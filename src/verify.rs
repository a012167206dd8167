//! Proving fixes: runs the network check of a step the owner marked done and records each verdict
//! on the device (after a scan, [`crate::session`] re-checks the settled steps with its audit): a
//! pass makes the step verified, a failure makes it failed (a regression when it had been done), an
//! unknown leaves it as it was. The checks themselves live in [`crate::checks`]; this is the glue to the inventory.
//!
//! Factory logins are never tried by the scan's audit; here a check that tries logins runs only
//! when [`login_policy::login_run_for`] allows it (the owner's consent, and then a new device, a
//! firmware change or the owner's request, which marking a password step done makes); when it
//! runs, the device remembers it ([`apply`]).

use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::checks::login_policy::{self, LoginRun};
use crate::checks::{Check, CheckResult, Context, Target, Verdict, verify};
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
    /// The check tried factory logins (the device records when, see [`apply`]).
    pub tried_logins: bool,
}

/// Whether `check` may run on `device` now: a check that tries logins needs
/// [`login_policy::login_run_for`] to allow it; every other check always runs.
///
/// # Errors
/// Why a login check must not run now, as a "cannot check" result.
pub fn login_gate(check: &Check, device: &Device) -> Result<Option<LoginRun>, CheckResult> {
    if !check.needs_consent() {
        return Ok(None);
    }
    login_policy::login_run_for(device).map(Some).map_err(|hold| {
        let next = match hold {
            login_policy::LoginHold::NotAllowed => {
                "If this device is yours, allow the login check for it (L on the device): porchlight then tries a few factory logins that fit its maker and kind, once."
            }
            login_policy::LoginHold::AlreadyTried { .. } => {
                "Mark the password step done again after changing the password, and porchlight tries the factory logins once more."
            }
        };
        CheckResult::unknown(hold.reason()).with_next(next)
    })
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
/// has no address. A check that tries logins runs only when [`login_gate`] allows it (otherwise
/// the outcome says why it did not run).
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
    let run = match login_gate(check, d) {
        Ok(run) => run,
        Err(result) => {
            return Some(Outcome {
                device: device.clone(),
                step: step.clone(),
                result,
                tried_logins: false,
            });
        }
    };
    let mut ctx = context(inventory, local_nets, check.needs_mappings()).await;
    ctx.credentials_consent = run.is_some();
    let mut result = verify(check, &target, &ctx).await;
    if result.verdict != Verdict::Unknown
        && let Some(other) = someone_else_at(d).await
    {
        // The answer came from another device that holds the address now (this one moved, or
        // is off and its address was given away): it proves nothing about this one.
        result = CheckResult::unknown(format!(
            "cannot check now: {} belongs to another device (hardware address {other}); {}",
            target.ip,
            crate::checks::rules::NO_ANSWER
        ));
    }
    Some(Outcome {
        device: device.clone(),
        step: step.clone(),
        result,
        tried_logins: run.is_some(),
    })
}

/// The hardware address of another device that holds `device`'s address now, when the system's
/// neighbour table says so (read off the async runtime); `None` when it is the device itself, or
/// when either address is unknown.
async fn someone_else_at(device: &Device) -> Option<crate::model::MacAddr> {
    let (ip, mac) = (device.ip?, device.mac?);
    let table = tokio::task::spawn_blocking(crate::discovery::neighbours::read_table)
        .await
        .ok()?
        .ok()?;
    table
        .into_iter()
        .find(|n| n.ip == ip)
        .map(|n| n.mac)
        .filter(|seen| *seen != mac)
}

/// Records `outcome` on its device (and, when it tried logins, that they were tried now, so they
/// are not tried again until the firmware changes or the owner asks); returns true when it made a
/// done step fail (a regression).
pub fn apply(inventory: &mut Inventory, outcome: &Outcome, now: Timestamp) -> bool {
    let Some(device) = inventory.device_mut(&outcome.device) else {
        return false;
    };
    if outcome.tried_logins {
        login_policy::record_login_run(device, now);
    }
    apply_to(device, &outcome.step, &outcome.result, now)
}

/// Records what the check of `step` saw on `device`, beside the owner's answer and never in it;
/// true when a done step now fails its check (a regression: "done, but the check now fails"). A
/// pass that covers part of the step keeps what the owner must still confirm. A step the owner
/// never answered gets nothing here (the audit's finding holds the result).
pub fn apply_to(device: &mut Device, step: &StepId, result: &CheckResult, now: Timestamp) -> bool {
    let before = device.step_state(step);
    let Some(p) = device.progress.get_mut(step) else {
        return false;
    };
    p.seen_at = Some(now);
    p.evidence = Some(result.evidence.clone());
    let passed = match result.verdict {
        // Nothing left to guard against (the service is gone): the step holds.
        Verdict::Pass | Verdict::NotApplicable => true,
        Verdict::Fail => false,
        Verdict::Unknown => {
            p.cannot_check = Some(result.evidence.clone());
            return false;
        }
    };
    // A pass confirms the step again (its re-check interval starts over); a failure that repeats
    // keeps the time it first failed. A step stored as failed before answers and checks were kept
    // apart has failed since it was stored so.
    let before_mark = p.check.or_else(|| {
        (p.state == StepState::Failed).then_some(crate::model::CheckMark {
            passed: false,
            at: p.changed_at,
            since: Some(p.changed_at),
        })
    });
    p.check = Some(crate::model::CheckMark::after(before_mark, passed, now));
    p.unconfirmed = if passed {
        result.unconfirmed.clone()
    } else {
        None
    };
    p.cannot_check = None;
    device.step_state(step) == StepState::Failed
        && matches!(before, StepState::Done | StepState::Verified)
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
        d.set_detected_category(Category::Camera);
        d
    }

    fn result(verdict: Verdict, evidence: &str) -> CheckResult {
        CheckResult {
            verdict,
            evidence: evidence.into(),
            next: None,
            unconfirmed: None,
            on_screen: None,
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
        // The owner's answer is untouched: still "done", from t1; failing since t2.
        assert_eq!(d.progress[&step].state, StepState::Done);
        assert_eq!(d.progress[&step].changed_at, t1);
        assert_eq!(d.progress[&step].failed_since(), Some(t2));
        // Failing again is not a new regression and keeps the first date.
        let t3: Timestamp = "2027-03-01T00:00:00Z".parse().unwrap();
        assert!(!apply_to(&mut d, &step, &fail, t3));
        assert_eq!(d.progress[&step].failed_since(), Some(t2));
        // The owner marks it done again after fixing it: the old failure says nothing of that.
        let t4: Timestamp = "2027-04-01T00:00:00Z".parse().unwrap();
        d.set_step_state(&step, StepState::Done, t4);
        assert_eq!(d.step_state(&step), StepState::Done);
    }

    #[test]
    fn a_check_never_changes_the_owners_answer() {
        let mut d = cam();
        let (na, todo) = (StepId::new("G-02"), StepId::new("G-04"));
        let t1: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        d.set_step_state(&na, StepState::NotApplicable, t1);
        let t2: Timestamp = "2027-02-01T00:00:00Z".parse().unwrap();
        let fail = result(Verdict::Fail, "telnet answers on 10.0.0.57:23");
        assert!(!apply_to(&mut d, &na, &fail, t2));
        assert_eq!(d.step_state(&na), StepState::NotApplicable);
        assert_eq!(d.progress[&na].changed_at, t1);
        assert_eq!(
            d.progress[&na].evidence.as_deref(),
            Some("telnet answers on 10.0.0.57:23")
        );
        // A step the owner never answered gets no answer from a check.
        assert!(!apply_to(&mut d, &todo, &result(Verdict::Pass, "fine"), t2));
        assert!(!d.progress.contains_key(&todo));
    }

    #[test]
    fn a_pass_in_part_keeps_what_the_owner_must_still_confirm() {
        let mut d = cam();
        let step = StepId::new("C-02");
        let t: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        d.set_step_state(&step, StepState::Done, t);
        let part = result(Verdict::Pass, "no UPnP mapping points at 10.0.0.57")
            .in_part("manual port forwards and a DMZ host");
        apply_to(&mut d, &step, &part, t);
        assert_eq!(d.step_state(&step), StepState::Verified);
        assert_eq!(
            d.progress[&step].unconfirmed.as_deref(),
            Some("manual port forwards and a DMZ host")
        );
        apply_to(&mut d, &step, &result(Verdict::Fail, "forwarded"), t);
        assert_eq!(d.progress[&step].unconfirmed, None);
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
        assert_eq!(
            d.progress[&step].cannot_check.as_deref(),
            Some("firmware 5.7 seen")
        );
        apply_to(&mut d, &step, &result(Verdict::Pass, "seen"), t);
        assert_eq!(d.progress[&step].cannot_check, None);
    }

    /// A router at loopback (nothing of the test listens on its standard login ports, so a run
    /// finds nothing to try; what matters is whether it runs) with RT-01 done.
    fn router(allowed: bool) -> (Inventory, DeviceId) {
        let mut d = Device::new(
            DeviceId::Ip("127.0.0.1".parse().unwrap()),
            "Router",
            Timestamp::UNIX_EPOCH,
        );
        d.set_detected_category(Category::Router);
        d.ip = Some("127.0.0.1".parse().unwrap());
        d.firmware = Some("1.0".into());
        d.login_check_allowed = allowed;
        let t: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        d.set_step_state(&StepId::new("RT-01"), StepState::Done, t);
        let id = d.id.clone();
        let inventory = Inventory {
            devices: vec![d],
            ..Inventory::default()
        };
        (inventory, id)
    }

    async fn rt01(catalog: &Catalog, inventory: &Inventory, id: &DeviceId) -> Outcome {
        verify_step(catalog, inventory, id, &StepId::new("RT-01"), Vec::new())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn logins_run_once_then_only_after_a_firmware_change_or_a_request() {
        let catalog = Catalog::builtin().unwrap();
        let now: Timestamp = "2027-01-02T00:00:00Z".parse().unwrap();

        // Without consent: never, and nothing is recorded.
        let (mut inventory, id) = router(false);
        let o = rt01(&catalog, &inventory, &id).await;
        assert!(!o.tried_logins);
        assert!(o.result.evidence.contains("not allowed"), "{o:?}");
        apply(&mut inventory, &o, now);
        assert!(inventory.device(&id).unwrap().login_check.is_empty());

        // With consent, never tried: it runs, and the device remembers.
        let (mut inventory, id) = router(true);
        let o = rt01(&catalog, &inventory, &id).await;
        assert!(o.tried_logins, "{o:?}");
        apply(&mut inventory, &o, now);
        assert_eq!(
            inventory.device(&id).unwrap().login_check.last_run,
            Some(now)
        );

        // Checked again with nothing changed (as a re-scan would): no login is tried.
        let o = rt01(&catalog, &inventory, &id).await;
        assert!(!o.tried_logins);
        assert!(o.result.evidence.contains("not tried again"), "{o:?}");
        assert!(
            o.result
                .next
                .unwrap()
                .contains("Mark the password step done again")
        );

        // After a firmware change: runs again, once.
        inventory.device_mut(&id).unwrap().firmware = Some("1.1".into());
        let o = rt01(&catalog, &inventory, &id).await;
        assert!(o.tried_logins);
        let later: Timestamp = "2027-01-03T00:00:00Z".parse().unwrap();
        apply(&mut inventory, &o, later);
        let d = inventory.device(&id).unwrap();
        assert_eq!(d.login_check.firmware.as_deref(), Some("1.1"));
        assert!(!rt01(&catalog, &inventory, &id).await.tried_logins);

        // On the owner's request: runs again, once.
        inventory.device_mut(&id).unwrap().login_check.requested = true;
        let o = rt01(&catalog, &inventory, &id).await;
        assert!(o.tried_logins);
        apply(&mut inventory, &o, later);
        assert!(!inventory.device(&id).unwrap().login_check.requested);
        assert!(!rt01(&catalog, &inventory, &id).await.tried_logins);
    }
}
