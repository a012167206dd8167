//! The home's progress over time, for every front end: the point a finished scan adds to the
//! history ([`snapshot`]), the household summary in three plain sentences ([`household`]) and
//! the score's sparkline ([`sparkline`]). The report and the TUI show the same words.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use super::fix_first::{FixKind, fix_first};
use crate::catalog::Catalog;
use crate::model::{HistoryPoint, Inventory};
use crate::reminders::{DueContext, Why, reminders};

/// The home as it stands at `now`: the point a finished scan keeps. Problems are the found
/// problems and undone fixes of the Fix first list (what the report opens with), one problem on
/// several devices counting once, as Fix first lists it.
pub fn snapshot(catalog: &Catalog, inventory: &Inventory, now: Timestamp) -> HistoryPoint {
    let steps_open = inventory
        .devices
        .iter()
        .map(|d| catalog.progress(d, now).open())
        .sum();
    let ctx = DueContext::new(inventory, TimeZone::UTC);
    let items = fix_first(catalog, inventory, &ctx, now);
    let problems = super::groups::entries(catalog, &items)
        .iter()
        .filter(|g| {
            g.items
                .first()
                .is_some_and(|i| matches!(i.kind, FixKind::Problem | FixKind::Regression))
        })
        .count();
    HistoryPoint {
        at: now,
        score: crate::score::home_value(catalog, inventory),
        problems,
        steps_open,
        devices: inventory.devices.len(),
    }
}

/// `7 Dec 2026` in the owner's time zone.
fn date(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone()).strftime("%-d %b %Y").to_string()
}

/// How safe a score reads, in two or three words.
fn level(score: u8) -> &'static str {
    match score {
        90.. => "well protected",
        70..=89 => "fairly safe",
        40..=69 => "partly protected",
        _ => "at risk",
    }
}

/// The first sentence: the score now, in words, and how it changed since the oldest point kept
/// (on an earlier day than `now`).
fn standing(catalog: &Catalog, inventory: &Inventory, now: Timestamp, tz: &TimeZone) -> String {
    if inventory.devices.is_empty() {
        return "porchlight knows none of your home's devices yet: a scan finds them.".to_string();
    }
    let score = crate::score::home_value(catalog, inventory);
    let today = now.to_zoned(tz.clone()).date();
    let first = inventory
        .history
        .iter()
        .find(|p| p.at.to_zoned(tz.clone()).date() < today);
    let change = match first {
        None => "the first score porchlight has kept".to_string(),
        Some(p) => {
            let when = date(p.at, tz);
            match i32::from(score) - i32::from(p.score) {
                0 => format!("the same as on {when}"),
                d if d > 0 => format!("up {d} point{} since {when}", if d == 1 { "" } else { "s" }),
                d => format!(
                    "down {} point{} since {when}",
                    -d,
                    if d == -1 { "" } else { "s" }
                ),
            }
        }
    };
    format!(
        "Your home is {} with a score of {score} out of 100 ({change}).",
        level(score)
    )
}

/// The second sentence: the riskiest open problem (the first of the Fix first order).
fn worst(catalog: &Catalog, inventory: &Inventory, ctx: &DueContext, now: Timestamp) -> String {
    let items = fix_first(catalog, inventory, ctx, now);
    let problems: Vec<_> = super::groups::entries(catalog, &items)
        .into_iter()
        .filter(|g| {
            g.items
                .first()
                .is_some_and(|i| matches!(i.kind, FixKind::Problem | FixKind::Regression))
        })
        .collect();
    match problems
        .first()
        .and_then(|g| g.items.first().map(|i| (g, i)))
    {
        None => "porchlight's checks found no open problem.".to_string(),
        Some((group, item)) => {
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" ({} more after it)", n - 1),
            };
            let names: Vec<&str> = group.items.iter().map(|i| i.device_name.as_str()).collect();
            let on = match group.items.len() {
                1 => item.device_name.clone(),
                n => format!("{n} devices ({})", super::groups::names_line(&names, 3)),
            };
            let problem = match (&group.key.step, group.household) {
                (Some(step), true) => catalog
                    .step(step)
                    .map_or_else(|| item.problem.clone(), |s| s.title.clone()),
                _ => item.problem.clone(),
            };
            format!(
                "The most dangerous open problem: {} on {on}{more}.",
                problem.trim_end_matches('.')
            )
        }
    }
}

/// The third sentence: what is due next apart from the problems (a new device, a fix that came
/// undone, a look again), or the next date something falls due.
fn next_due(catalog: &Catalog, inventory: &Inventory, ctx: &DueContext, now: Timestamp) -> String {
    let now_due: Vec<_> = reminders(catalog, inventory, ctx, now)
        .into_iter()
        .filter(|r| r.why != Why::Problem)
        .collect();
    if let Some(first) = now_due.first() {
        let more = match now_due.len() {
            1 => String::new(),
            n => format!(", then {} more", n - 1),
        };
        return format!(
            "Due next: {} ({}){more}.",
            first.title.trim_end_matches('.'),
            first.device_name
        );
    }
    let horizon = now
        .to_zoned(ctx.tz.clone())
        .checked_add(3.months())
        .map(|z| z.timestamp())
        .unwrap_or(now);
    let later = reminders(catalog, inventory, ctx, horizon)
        .into_iter()
        .filter(|r| r.why != Why::Problem && r.due > now)
        .min_by_key(|r| r.due);
    match later {
        Some(r) => format!(
            "Nothing else is due now; next: {} ({}) on {}.",
            r.title.trim_end_matches('.'),
            r.device_name,
            date(r.due, &ctx.tz)
        ),
        None => "Nothing else is due in the next three months.".to_string(),
    }
}

/// The household summary: how safe the home is now and how that changed, the most dangerous open
/// problem, and what is due next, as three plain sentences.
pub fn household(
    catalog: &Catalog,
    inventory: &Inventory,
    now: Timestamp,
    tz: &TimeZone,
) -> [String; 3] {
    let ctx = DueContext::new(inventory, tz.clone());
    [
        standing(catalog, inventory, now, tz),
        worst(catalog, inventory, &ctx, now),
        next_due(catalog, inventory, &ctx, now),
    ]
}

/// The score's sparkline: one block character per point (the newest `width`), its height the
/// score between the lowest and the highest shown (a span of at least 10 points, so that a
/// point or two up or down stays a small step). Empty with no history.
pub fn sparkline(history: &[HistoryPoint], width: usize) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown = &history[history.len().saturating_sub(width)..];
    let scores = shown.iter().map(|p| usize::from(p.score.min(100)));
    let (Some(low), Some(high)) = (scores.clone().min(), scores.max()) else {
        return String::new();
    };
    let (low, high) = if high - low >= 10 {
        (low, high)
    } else if low + 10 <= 100 {
        (low, low + 10)
    } else {
        (90, 100)
    };
    shown
        .iter()
        .map(|p| BLOCKS[(usize::from(p.score.min(100)) - low) * 7 / (high - low)])
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn point(day: i64, score: u8) -> HistoryPoint {
        HistoryPoint {
            at: Timestamp::from_second(1_790_000_000 + day * 86_400).unwrap(),
            score,
            problems: 0,
            steps_open: 0,
            devices: 1,
        }
    }

    #[test]
    fn a_scan_that_heard_nobody_keeps_no_point() {
        let catalog = Catalog::builtin().unwrap();
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let mut inventory = crate::demo::household(now).unwrap();
        inventory.history.clear();
        let mut scan = super::super::ScanWorkflow::new(
            "10.0.0.0/24",
            vec![],
            super::super::AuditMode::Full,
            now,
        );
        let done = crate::discovery::DiscoveryEvent::Done {
            elapsed: std::time::Duration::from_secs(2),
        };
        let (_, effects) = scan.on_event(&catalog, &mut inventory, None, &done, now);
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, super::super::Effect::Finished))
        );
        assert!(inventory.history.is_empty(), "{:?}", inventory.history);
    }

    #[test]
    fn the_sparkline_rises_with_the_score() {
        let history = [point(0, 0), point(1, 50), point(2, 100)];
        assert_eq!(sparkline(&history, 10), "▁▄█");
        assert_eq!(sparkline(&history, 2), "▁█");
        assert_eq!(sparkline(&[], 5), "");
        // A small rise still shows, on a span of at least ten points.
        let small = [point(0, 3), point(1, 8), point(2, 13)];
        assert_eq!(sparkline(&small, 10), "▁▄█");
        let flat = [point(0, 100), point(1, 100)];
        assert_eq!(sparkline(&flat, 10), "██");
    }

    #[test]
    fn the_summary_says_how_the_score_changed() {
        let catalog = Catalog::builtin().unwrap();
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let mut inventory = crate::demo::household(now).unwrap();
        let tz = TimeZone::UTC;
        inventory.history.clear();
        let [first, worst, due] = household(&catalog, &inventory, now, &tz);
        assert!(
            first.contains("the first score porchlight has kept"),
            "{first}"
        );
        assert!(
            worst.starts_with("The most dangerous open problem: "),
            "{worst}"
        );
        assert!(
            due.starts_with("Due next: ") || due.starts_with("Nothing"),
            "{due}"
        );
        let score = crate::score::home_value(&catalog, &inventory);
        inventory.history.push(HistoryPoint {
            at: "2026-11-01T12:00:00Z".parse().unwrap(),
            score: score.saturating_add(12),
            problems: 9,
            steps_open: 40,
            devices: 5,
        });
        let [first, ..] = household(&catalog, &inventory, now, &tz);
        assert!(first.contains("down 12 points since 1 Nov 2026"), "{first}");
        assert!(
            first.contains(&format!("score of {score} out of 100")),
            "{first}"
        );
        // A home with no devices is not called safe.
        let [first, ..] = household(&catalog, &Inventory::default(), now, &tz);
        assert!(
            first.contains("knows none of your home's devices"),
            "{first}"
        );
    }
}
