//! The safety score, 0 to 100, for a device and for the home, and what each open step costs.
//!
//! Every step that applies to a device carries a weight from the worst thing that could happen if
//! it were left undone (a takeover or a botnet weighs most). A device's score is the weight of its
//! done and verified steps over the weight of all its counted steps. Steps the owner marked not
//! applicable, or whose risk they accepted with a reason, are not counted at all, so they never
//! lower the score. A failed check earns nothing. The home's score is the weighted mean over its
//! devices, so a device with many important steps counts for more.

use serde::Serialize;

use crate::catalog::{Catalog, Step, Threat};
use crate::model::{Device, DeviceId, Inventory, StepState};

/// The weight of a step: 3 for takeover or botnet, 2 for spreading, privacy or unpatched holes,
/// 1 for eavesdropping alone.
pub fn weight(step: &Step) -> u32 {
    step.threats
        .iter()
        .map(|t| match t {
            Threat::Takeover | Threat::Botnet => 3,
            Threat::Spread | Threat::Privacy | Threat::Unpatched => 2,
            Threat::Eavesdropping => 1,
        })
        .max()
        .unwrap_or(1)
}

/// What one open step costs the device's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    /// The step.
    pub step: String,
    /// Its title.
    pub title: String,
    /// Points it would add when done (out of 100).
    pub points: f64,
    /// Whether its check failed (rather than simply not done yet).
    pub failed: bool,
}

/// A device's score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// 0 to 100.
    pub value: u8,
    /// Weight of the done and verified steps.
    pub earned: u32,
    /// Weight of all counted steps.
    pub possible: u32,
    /// Open steps, costliest first.
    pub costs: Vec<Cost>,
    /// Steps left out: not applicable, or risk accepted.
    pub excluded: usize,
}

/// Scores one device.
pub fn device_score(catalog: &Catalog, device: &Device) -> Score {
    let mut earned = 0;
    let mut possible = 0;
    let mut open = Vec::new();
    let mut excluded = 0;
    for step in catalog.steps_for(device.category) {
        let w = weight(step);
        match device.step_state(&step.id) {
            StepState::NotApplicable | StepState::Accepted { .. } => excluded += 1,
            StepState::Done | StepState::Verified => {
                earned += w;
                possible += w;
            }
            StepState::Todo => {
                possible += w;
                open.push((step, w, false));
            }
            StepState::Failed => {
                possible += w;
                open.push((step, w, true));
            }
        }
    }
    let value = percent(earned, possible);
    let mut costs: Vec<Cost> = open
        .into_iter()
        .map(|(step, w, failed)| Cost {
            step: step.id.to_string(),
            title: step.title.clone(),
            points: if possible == 0 {
                0.0
            } else {
                f64::from(w) * 100.0 / f64::from(possible)
            },
            failed,
        })
        .collect();
    costs.sort_by(|a, b| {
        b.failed
            .cmp(&a.failed)
            .then(b.points.total_cmp(&a.points))
            .then(a.step.cmp(&b.step))
    });
    Score {
        value,
        earned,
        possible,
        costs,
        excluded,
    }
}

/// The home's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomeScore {
    /// 0 to 100.
    pub value: u8,
    /// Each device's score, lowest first.
    pub devices: Vec<(DeviceId, String, u8)>,
}

/// Scores the whole home.
pub fn home_score(catalog: &Catalog, inventory: &Inventory) -> HomeScore {
    let mut earned = 0;
    let mut possible = 0;
    let mut devices = Vec::new();
    for d in &inventory.devices {
        let s = device_score(catalog, d);
        earned += s.earned;
        possible += s.possible;
        devices.push((d.id.clone(), d.name.clone(), s.value));
    }
    devices.sort_by(|a, b| a.2.cmp(&b.2).then(a.1.cmp(&b.1)));
    HomeScore {
        value: percent(earned, possible),
        devices,
    }
}

/// The home's score alone, without the per-device list (cheap enough for every frame).
pub fn home_value(catalog: &Catalog, inventory: &Inventory) -> u8 {
    let (mut earned, mut possible) = (0, 0);
    for d in &inventory.devices {
        for step in catalog.steps_for(d.category) {
            let w = weight(step);
            match d.progress.get(&step.id).map(|p| &p.state) {
                Some(StepState::NotApplicable | StepState::Accepted { .. }) => {}
                Some(StepState::Done | StepState::Verified) => {
                    earned += w;
                    possible += w;
                }
                None | Some(StepState::Todo | StepState::Failed) => possible += w,
            }
        }
    }
    percent(earned, possible)
}

/// `earned` over `possible` as a whole percentage; a device with nothing counted scores 100.
fn percent(earned: u32, possible: u32) -> u8 {
    if possible == 0 {
        return 100;
    }
    let p = (u64::from(earned) * 100 + u64::from(possible) / 2) / u64::from(possible);
    u8::try_from(p.min(100)).unwrap_or(100)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::model::{Category, StepId};

    fn camera() -> Device {
        let mut d = Device::new(
            DeviceId::Ip("192.168.1.64".parse().unwrap()),
            "Driveway camera",
            Timestamp::UNIX_EPOCH,
        );
        d.category = Category::Camera;
        d
    }

    #[test]
    fn nothing_done_scores_zero_and_everything_done_scores_100() {
        let catalog = Catalog::builtin().unwrap();
        let mut d = camera();
        let s = device_score(&catalog, &d);
        assert_eq!(s.value, 0);
        assert_eq!(s.costs.len(), catalog.steps_for(Category::Camera).count());
        let total: f64 = s.costs.iter().map(|c| c.points).sum();
        assert!(
            (total - 100.0).abs() < 1e-6,
            "costs add up to 100, got {total}"
        );
        for step in catalog.steps_for(Category::Camera) {
            d.set_step_state(&step.id, StepState::Done, Timestamp::UNIX_EPOCH);
        }
        let s = device_score(&catalog, &d);
        assert_eq!(s.value, 100);
        assert!(s.costs.is_empty());
    }

    #[test]
    fn accepted_and_not_applicable_steps_do_not_count_against_the_score() {
        let catalog = Catalog::builtin().unwrap();
        let mut d = camera();
        let steps: Vec<StepId> = catalog
            .steps_for(Category::Camera)
            .map(|s| s.id.clone())
            .collect();
        let (first, rest) = steps.split_first().unwrap();
        d.set_step_state(
            first,
            StepState::Accepted {
                reason: "on its own network".into(),
            },
            Timestamp::UNIX_EPOCH,
        );
        for id in rest {
            d.set_step_state(id, StepState::Done, Timestamp::UNIX_EPOCH);
        }
        let s = device_score(&catalog, &d);
        assert_eq!(s.value, 100);
        assert_eq!(s.excluded, 1);
    }

    #[test]
    fn a_failed_check_is_listed_first_and_heavier_steps_cost_more() {
        let catalog = Catalog::builtin().unwrap();
        let mut d = camera();
        d.set_step_state(
            &StepId::new("C-03"),
            StepState::Failed,
            Timestamp::UNIX_EPOCH,
        );
        let s = device_score(&catalog, &d);
        assert_eq!(s.costs[0].step, "C-03");
        assert!(s.costs[0].failed);
        // G-02 (telnet: botnet) weighs more than C-03 (privacy).
        let g02 = s.costs.iter().find(|c| c.step == "G-02").unwrap();
        let c03 = &s.costs[0];
        assert!(g02.points > c03.points);
    }

    #[test]
    fn the_home_score_weights_devices_by_their_steps() {
        let catalog = Catalog::builtin().unwrap();
        let mut done = camera();
        for step in catalog.steps_for(Category::Camera) {
            done.set_step_state(&step.id, StepState::Done, Timestamp::UNIX_EPOCH);
        }
        let mut other = camera();
        other.id = DeviceId::Ip("192.168.1.65".parse().unwrap());
        other.name = "Garden camera".into();
        let inventory = Inventory {
            devices: vec![done, other],
            scans: vec![],
        };
        let home = home_score(&catalog, &inventory);
        assert_eq!(home.value, 50);
        assert_eq!(home_value(&catalog, &inventory), 50);
        assert_eq!(home.devices[0].1, "Garden camera", "weakest first");
        assert_eq!(home_score(&catalog, &Inventory::default()).value, 100);
    }
}
