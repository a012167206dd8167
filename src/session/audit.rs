//! The audit: which network checks apply to a device (by its kind and by the evidence a scan
//! gathered: any device with MQTT, RTSP or telnet open gets that step's check), running them with
//! a cap on connections per device, and recording one [`Finding`] per (device, step) beside the
//! owner's progress. A settled step whose check now fails becomes failed: a regression.
//!
//! Logins are never tried here: a check that needs the owner's consent (factory logins) is
//! recorded as unknown, with the reason, and runs only when the owner asks for it on that device.

use std::sync::Arc;

use futures::StreamExt;
use jiff::Timestamp;
use tokio::sync::OnceCell;

use crate::catalog::{Catalog, Step};
use crate::checks::{Check, CheckResult, Context, PortMapping, Target, Verdict, verify};
use crate::model::{Device, DeviceId, Finding, FindingVerdict, StepId, StepState};
use crate::sanitize;

/// The most checks run at once on one device (each opens at most a few connections).
pub const CHECKS_PER_DEVICE: usize = 5;

/// Which steps the audit looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditMode {
    /// Every step that applies, whatever the owner's answer (the audit on every scan).
    Full,
    /// Only the steps the owner settled as done or verified (`scan --no-audit`: regressions only).
    SettledOnly,
}

/// The steps worth auditing on `device`: those of its kind, and those whose `audit_when_open`
/// names a port that answered on it, each once, in catalog order. Only steps with a check that
/// can give a verdict (not the informative ones).
pub fn audit_steps<'a>(catalog: &'a Catalog, device: &Device) -> Vec<&'a Step> {
    let open: Vec<u16> = device.open_ports.iter().map(|p| p.port).collect();
    catalog
        .steps()
        .iter()
        .filter(|step| {
            step.audited_for(device.category(), &open)
                && step.check.as_ref().is_some_and(|c| !c.is_informative())
        })
        .collect()
}

/// The router's UPnP port mappings, listed once per scan and shared by every device's checks
/// (a small router answers one listing, not one per device at once). `None` inside: no listing.
/// The listing, whether the router said it offers no UPnP, or why the router could not be asked
/// (then every check says so at once, rather than each asking a router that did not answer).
pub type SharedMappings = Arc<OnceCell<Result<(Vec<PortMapping>, bool), String>>>;

/// Work for the runner: the checks of some steps on one device.
#[derive(Debug, Clone)]
pub struct AuditJob {
    /// The device, as it was called when the job was made.
    pub device: DeviceId,
    /// The device as the scan saw it.
    pub target: Target,
    /// The steps and their checks, none of which tries a login.
    pub checks: Vec<(StepId, Check)>,
    /// Steps whose check tries logins: recorded as unknown (needs the owner's consent), never run.
    pub needs_consent: Vec<StepId>,
    /// What the checks may know besides the device (the router, the home's devices, limits).
    pub context: Context,
    /// The scan's one listing of the router's port mappings.
    pub mappings: SharedMappings,
}

/// Two jobs are the same work when they run the same checks on the same device as seen (the
/// context is derived from the inventory the same way for both).
impl PartialEq for AuditJob {
    fn eq(&self, other: &Self) -> bool {
        self.device == other.device
            && self.target == other.target
            && self.checks == other.checks
            && self.needs_consent == other.needs_consent
    }
}

impl Eq for AuditJob {}

/// What the runner found, to fold back through the workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDone {
    /// The device, as named in the job.
    pub device: DeviceId,
    /// One result per step of the job.
    pub results: Vec<(StepId, CheckResult)>,
    /// The device's kind when the job was made; results of checks that depend on the kind are
    /// dropped when it changed meanwhile (a newer job judges them). `None`: not known.
    pub kind: Option<crate::model::Category>,
}

/// Runs a job's checks, at most [`CHECKS_PER_DEVICE`] at once; each is bounded by its budget.
/// Logins are refused here whatever the job says: the context never carries consent.
pub async fn run_audit(job: AuditJob) -> AuditDone {
    let AuditJob {
        device,
        target,
        checks,
        needs_consent,
        mut context,
        mappings,
    } = job;
    context.credentials_consent = false;
    let kind = target.category;
    if context.mappings.is_none()
        && context.gateway.is_some()
        && checks.iter().any(|(_, c)| c.needs_mappings())
    {
        let base = context.clone();
        let listed = mappings
            .get_or_init(|| async move {
                let mut ctx = base;
                ctx.fetch_mappings().await?;
                Ok((ctx.mappings.unwrap_or_default(), ctx.router_upnp_off))
            })
            .await
            .clone();
        match listed {
            Ok((list, off)) => {
                context.mappings = Some(list);
                context.router_upnp_off = off;
            }
            Err(why) => context.mappings_error = Some(why),
        }
    }
    let (target, context) = (&target, &context);
    let mut results: Vec<(StepId, CheckResult)> = futures::stream::iter(checks)
        .map(|(step, check)| async move {
            let result = if check.needs_consent() {
                consent_needed()
            } else {
                verify(&check, target, context).await
            };
            (step, result)
        })
        .buffer_unordered(CHECKS_PER_DEVICE)
        .collect()
        .await;
    results.extend(
        needs_consent
            .into_iter()
            .map(|step| (step, consent_needed())),
    );
    results.sort_by(|a, b| a.0.cmp(&b.0));
    AuditDone {
        device,
        results,
        kind: Some(kind),
    }
}

/// The unknown result of a login check during a scan.
pub fn consent_needed() -> CheckResult {
    CheckResult::unknown(
        "needs your consent: porchlight tries factory logins only when you ask, on a device you allowed",
    )
}

/// The finding a check result makes.
pub fn finding_of(result: &CheckResult, now: Timestamp) -> Finding {
    Finding {
        verdict: match result.verdict {
            Verdict::Pass => FindingVerdict::Fine,
            Verdict::Fail => FindingVerdict::Problem,
            Verdict::Unknown => FindingVerdict::Unknown,
            Verdict::NotApplicable => FindingVerdict::NotApplicable,
        },
        evidence: sanitize::clean(&result.evidence, crate::checks::EVIDENCE_CHARS),
        checked_at: now,
    }
}

/// Records a check result for `step` on `device`: the finding always; and for a step the owner
/// settled as done or verified, the verdict too (a failure is a regression, returned as true). A
/// step still to do, accepted or not applicable keeps the owner's answer.
pub fn record(device: &mut Device, step: &StepId, result: &CheckResult, now: Timestamp) -> bool {
    device
        .findings
        .insert(step.clone(), finding_of(result, now));
    // An unknown (no answer, needs consent) leaves the owner's step and its last evidence alone.
    // A step the owner marked done (shown verified or failed by an earlier check) is re-checked:
    // what the check saw goes beside the answer, never into it.
    match device.progress.get(step).map(|p| &p.state) {
        Some(StepState::Done | StepState::Verified | StepState::Failed)
            if result.verdict != Verdict::Unknown =>
        {
            crate::verify::apply_to(device, step, result, now)
        }
        _ => false,
    }
}
