//! The home's progress over time: one point per finished scan (the score, the problems found,
//! the steps open and the devices), kept in the state file and bounded so that years of weekly
//! scans (or a watcher scanning every few minutes) never grow it past [`HISTORY_LIMIT`] points.
//!
//! Bounding keeps recent detail and thins the past: every point of the last
//! [`DETAILED_DAYS`] days (counted back from the newest point) is kept; older ones are thinned to
//! the last point of each UTC day; past [`HISTORY_LIMIT`] the oldest go.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The most points the state file keeps.
pub const HISTORY_LIMIT: usize = 400;

/// How many days back from the newest point every point is kept; older days keep one.
pub const DETAILED_DAYS: i64 = 30;

/// The home as one finished scan left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// When the scan (and its audit) finished.
    pub at: Timestamp,
    /// The home's score then, 0 to 100.
    pub score: u8,
    /// Steps whose check found a problem, over all devices.
    pub problems: usize,
    /// Steps that needed the owner (not settled and not put off).
    pub steps_open: usize,
    /// Devices known.
    pub devices: usize,
}

/// The UTC day of `at`, as days since 1970.
fn day(at: Timestamp) -> i64 {
    at.as_second().div_euclid(86_400)
}

/// Puts `points` in time order (one per moment: a later copy of the same moment wins) and bounds
/// them as the module says.
pub fn bound(points: &mut Vec<HistoryPoint>) {
    points.sort_by_key(|p| p.at);
    points.dedup_by(|later, earlier| {
        if later.at == earlier.at {
            *earlier = *later;
            true
        } else {
            false
        }
    });
    let Some(newest) = points.last().map(|p| day(p.at)) else {
        return;
    };
    let detailed_from = newest - DETAILED_DAYS;
    let mut kept: Vec<HistoryPoint> = Vec::with_capacity(points.len());
    for p in points.drain(..) {
        let d = day(p.at);
        if d < detailed_from
            && let Some(last) = kept.last_mut()
            && day(last.at) == d
        {
            // An older day keeps its last point.
            *last = p;
            continue;
        }
        kept.push(p);
    }
    let excess = kept.len().saturating_sub(HISTORY_LIMIT);
    kept.drain(..excess);
    *points = kept;
}

/// Both sides' points, bounded (the merge of two writers' histories).
pub fn merge(mine: &[HistoryPoint], disk: &[HistoryPoint]) -> Vec<HistoryPoint> {
    let mut all: Vec<HistoryPoint> = disk.iter().chain(mine).copied().collect();
    bound(&mut all);
    all
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn point(at: i64, score: u8) -> HistoryPoint {
        HistoryPoint {
            at: Timestamp::from_second(at).unwrap(),
            score,
            problems: 0,
            steps_open: 0,
            devices: 1,
        }
    }

    #[test]
    fn months_of_scans_every_ten_minutes_stay_bounded() {
        let mut points = Vec::new();
        let start = 1_780_000_000;
        // Two years of a watcher scanning every ten minutes, bounded as each point arrives.
        for n in 0..(2 * 365 * 144) {
            points.push(point(start + n * 600, (n % 100) as u8));
            bound(&mut points);
            assert!(points.len() <= HISTORY_LIMIT, "{} points", points.len());
        }
        assert_eq!(points.len(), HISTORY_LIMIT);
        let newest = points.last().unwrap().at;
        assert_eq!(newest.as_second(), start + (2 * 365 * 144 - 1) * 600);
        // 400 points are less than three days of ten-minute scans: the newest 400 are kept.
        assert!(points.windows(2).all(|w| w[0].at < w[1].at));
        assert!(newest.as_second() - points[0].at.as_second() < 86_400 * 3);
    }

    #[test]
    fn a_daily_scan_keeps_one_point_a_day_past_a_month() {
        let mut points = Vec::new();
        let start = 1_780_000_000 - 1_780_000_000 % 86_400;
        // Three scans a day for 200 days.
        for d in 0..200 {
            for h in [8, 12, 20] {
                points.push(point(start + d * 86_400 + h * 3600, 50));
                bound(&mut points);
            }
        }
        let newest = day(points.last().unwrap().at);
        let old: Vec<&HistoryPoint> = points
            .iter()
            .filter(|p| day(p.at) < newest - DETAILED_DAYS)
            .collect();
        let recent = points.len() - old.len();
        assert_eq!(recent, 31 * 3, "every point of the last month is kept");
        let mut days: Vec<i64> = old.iter().map(|p| day(p.at)).collect();
        days.dedup();
        assert_eq!(days.len(), old.len(), "one point per older day");
        assert!(old.iter().all(|p| p.at.as_second() % 86_400 == 20 * 3600));
        assert!(points.len() <= HISTORY_LIMIT);
        assert_eq!(points.len(), 31 * 3 + 169);
    }

    #[test]
    fn merging_keeps_both_sides_once_in_time_order() {
        let a = [point(100, 10), point(300, 30)];
        let b = [point(200, 20), point(300, 30)];
        let merged = merge(&a, &b);
        let scores: Vec<u8> = merged.iter().map(|p| p.score).collect();
        assert_eq!(scores, [10, 20, 30]);
    }
}
