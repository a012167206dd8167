//! The report's opening section: the problems the audit found, riskiest first, each with its
//! device, the problem in plain words and the evidence (the Fix first list's problems).

use std::net::Ipv4Addr;

use jiff::Timestamp;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::model::{DeviceId, Inventory};
use crate::reminders::DueContext;
use crate::session::{FixKind, RiskRank, fix_first};

/// One problem the audit found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundProblem {
    /// The device's id.
    pub device_id: DeviceId,
    /// The device's name.
    pub device_name: String,
    /// Its address when checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// The step's id.
    pub step: String,
    /// The worst that could happen: `takeover`, `exposure` or `privacy`.
    pub risk: RiskRank,
    /// The problem in plain words.
    pub problem: String,
    /// What porchlight saw.
    pub evidence: String,
    /// When the audit saw it.
    pub found_at: Timestamp,
}

/// The problems of `inventory` at `now`, riskiest first (accepted or put-off steps left out).
pub fn found_problems(
    catalog: &Catalog,
    inventory: &Inventory,
    ctx: &DueContext,
    now: Timestamp,
) -> Vec<FoundProblem> {
    fix_first(catalog, inventory, ctx, now)
        .into_iter()
        .filter(|item| item.kind == FixKind::Problem)
        .filter_map(|item| {
            Some(FoundProblem {
                device_id: item.device,
                device_name: super::text(&item.device_name),
                ip: item.ip,
                step: item.step?.to_string(),
                risk: item.risk,
                problem: super::text(&item.problem),
                evidence: super::text(&item.evidence),
                found_at: item.since,
            })
        })
        .collect()
}
