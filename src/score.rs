//! The safety score, 0 to 100, for a device and for the home, and what each open step costs.
//!
//! Every step that applies to a device carries a weight from the worst thing that could happen if
//! it were left undone (a takeover or a botnet weighs most). A device's score is the weight of its
//! done and verified steps over the weight of all its counted steps. Steps the owner marked not
//! applicable, or whose risk they accepted with a reason, are not counted at all, so they never
//! lower the score. A failed check earns nothing; a problem the audit found earns nothing and
//! weighs double, so it costs more than a step not yet looked at. The home's score is the weighted mean over its
//! devices, so a device with many important steps counts for more.

use serde::Serialize;

use crate::catalog::{Catalog, Step, Threat};
use crate::model::{Device, DeviceId, FindingVerdict, Inventory, StepState};

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

/// How one step counts on one device.
enum Counted {
    /// Left out: not applicable, or risk accepted.
    Excluded,
    /// Counted with `earned` of `possible` points; `failed` when a check failed or found a problem.
    Points {
        earned: u32,
        possible: u32,
        failed: bool,
    },
}

/// How `step` counts on `device`. A problem the audit found weighs double and earns nothing,
/// whatever the owner marked (only an accepted risk or "not applicable" leaves it out): so finding
/// a problem never raises a score, and a found problem costs more than a step not yet checked.
fn count(step: &Step, device: &Device) -> Counted {
    let w = weight(step);
    let problem = device
        .findings
        .get(&step.id)
        .is_some_and(|f| f.verdict == FindingVerdict::Problem);
    match device.step_state(&step.id) {
        StepState::NotApplicable | StepState::Accepted { .. } => Counted::Excluded,
        _ if problem => Counted::Points {
            earned: 0,
            possible: 2 * w,
            failed: true,
        },
        StepState::Done | StepState::Verified => Counted::Points {
            earned: w,
            possible: w,
            failed: false,
        },
        StepState::Todo => Counted::Points {
            earned: 0,
            possible: w,
            failed: false,
        },
        StepState::Failed => Counted::Points {
            earned: 0,
            possible: w,
            failed: true,
        },
    }
}

/// The steps scored on `device`: those of its kind, and any other step the audit found a problem
/// on (MQTT open on a TV counts against the TV).
fn scored_steps<'a>(catalog: &'a Catalog, device: &'a Device) -> impl Iterator<Item = &'a Step> {
    let extra = device
        .findings
        .iter()
        .filter(|(_, f)| f.verdict == FindingVerdict::Problem)
        .filter_map(|(id, _)| catalog.step(id))
        .filter(|step| !step.applies(device.category()));
    catalog.steps_for(device.category()).chain(extra)
}

/// Scores one device.
pub fn device_score(catalog: &Catalog, device: &Device) -> Score {
    let mut earned = 0;
    let mut possible = 0;
    let mut open = Vec::new();
    let mut excluded = 0;
    for step in scored_steps(catalog, device) {
        match count(step, device) {
            Counted::Excluded => excluded += 1,
            Counted::Points {
                earned: e,
                possible: p,
                failed,
            } => {
                earned += e;
                possible += p;
                if e < p {
                    open.push((step, p - e, failed));
                }
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
        devices.push((d.id.clone(), d.name().to_string(), s.value));
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
        for step in scored_steps(catalog, d) {
            if let Counted::Points {
                earned: e,
                possible: p,
                ..
            } = count(step, d)
            {
                earned += e;
                possible += p;
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
        d.set_detected_category(Category::Camera);
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

    fn problem(d: &mut Device, step: &str) {
        d.findings.insert(
            StepId::new(step),
            crate::model::Finding {
                verdict: FindingVerdict::Problem,
                evidence: "seen".into(),
                checked_at: Timestamp::UNIX_EPOCH,
            },
        );
    }

    #[test]
    fn a_found_problem_costs_more_than_an_unchecked_step() {
        let catalog = Catalog::builtin().unwrap();
        let clean = camera();
        let mut found = camera();
        problem(&mut found, "G-02");
        let (a, b) = (
            device_score(&catalog, &clean),
            device_score(&catalog, &found),
        );
        let cost = |s: &Score| s.costs.iter().find(|c| c.step == "G-02").unwrap().points;
        assert!(cost(&b) > cost(&a), "{} vs {}", cost(&b), cost(&a));
        assert!(b.costs[0].failed && b.costs[0].step == "G-02");
        // Half the camera's steps done: the problem pulls the score below the same device without it.
        let mut half = camera();
        for step in catalog.steps_for(Category::Camera).step_by(2) {
            half.set_step_state(&step.id, StepState::Done, Timestamp::UNIX_EPOCH);
        }
        let mut half_found = half.clone();
        problem(&mut half_found, "G-02");
        assert!(device_score(&catalog, &half_found).value < device_score(&catalog, &half).value);
    }

    #[test]
    fn telnet_open_and_a_working_factory_login_never_score_higher() {
        let catalog = Catalog::builtin().unwrap();
        let steps: Vec<StepId> = catalog
            .steps_for(Category::Camera)
            .map(|s| s.id.clone())
            .collect();
        let states = [
            StepState::Todo,
            StepState::Done,
            StepState::Verified,
            StepState::Failed,
            StepState::NotApplicable,
            StepState::Accepted { reason: "r".into() },
        ];
        // Every owner answer on the two steps, and a mix on the rest of the checklist.
        let mut lower = 0;
        for (n, g01) in states.iter().enumerate() {
            for (m, g02) in states.iter().enumerate() {
                let mut without = camera();
                for (i, id) in steps.iter().enumerate() {
                    let state = states[(i + n + m) % states.len()].clone();
                    without.set_step_state(id, state, Timestamp::UNIX_EPOCH);
                }
                without.set_step_state(&StepId::new("G-01"), g01.clone(), Timestamp::UNIX_EPOCH);
                without.set_step_state(&StepId::new("G-02"), g02.clone(), Timestamp::UNIX_EPOCH);
                let mut with = without.clone();
                with.open_ports.push(crate::model::OpenPort {
                    port: 23,
                    service: "telnet".into(),
                    banner: Some("login:".into()),
                    tls: false,
                });
                problem(&mut with, "G-02");
                problem(&mut with, "G-01");
                // MQTT open too, found by evidence on a camera.
                problem(&mut with, "H-02");
                let (a, b) = (
                    device_score(&catalog, &with).value,
                    device_score(&catalog, &without).value,
                );
                assert!(a <= b, "{g01:?}/{g02:?}: {a} > {b}");
                lower += usize::from(a < b);
                let inv = |d: Device| Inventory {
                    devices: vec![d],
                    ..Inventory::default()
                };
                assert!(
                    home_value(&catalog, &inv(with.clone()))
                        <= home_value(&catalog, &inv(without.clone()))
                );
            }
        }
        assert!(
            lower > 20,
            "the problems lower the score in most cases ({lower} of 36)"
        );
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
        other.set_detected_name("Garden camera");
        let inventory = Inventory {
            devices: vec![done, other],
            ..Inventory::default()
        };
        let home = home_score(&catalog, &inventory);
        assert_eq!(home.value, 50);
        assert_eq!(home_value(&catalog, &inventory), 50);
        assert_eq!(home.devices[0].1, "Garden camera", "weakest first");
        assert_eq!(home_score(&catalog, &Inventory::default()).value, 100);
    }
}
