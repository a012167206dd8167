//! The report's picture of progress: an inline SVG line chart of the home's score and the
//! problems found over time, drawn from the history the state file keeps. No script, no font or
//! style from anywhere: it reads in a browser with no network and on paper (the score is a solid
//! line with dots, the problems a dashed one, so nothing rests on colour alone).
//!
//! Geometry, which the tests check point by point: a `WIDTH` x `HEIGHT` view box; the plot spans
//! x from `LEFT` to `WIDTH - RIGHT` by time (a single point sits in the middle) and y from `TOP`
//! (score 100, or the most problems) to `HEIGHT - BOTTOM` (0).

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::model::HistoryPoint;

/// The view box's width.
pub const WIDTH: f64 = 640.0;
/// The view box's height.
pub const HEIGHT: f64 = 220.0;
/// Room left of the plot (the score's scale).
pub const LEFT: f64 = 44.0;
/// Room right of the plot (the problems' scale).
pub const RIGHT: f64 = 44.0;
/// Room above the plot (the legend).
pub const TOP: f64 = 30.0;
/// Room below the plot (the dates).
pub const BOTTOM: f64 = 28.0;

/// The x of each point: by time between the first and the last.
fn xs(points: &[HistoryPoint]) -> Vec<f64> {
    let width = WIDTH - LEFT - RIGHT;
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let span = (last.at.as_second() - first.at.as_second()) as f64;
    points
        .iter()
        .map(|p| {
            if span <= 0.0 {
                LEFT + width / 2.0
            } else {
                LEFT + width * (p.at.as_second() - first.at.as_second()) as f64 / span
            }
        })
        .collect()
}

/// The y of `value` on a scale from 0 to `max`.
pub fn y(value: f64, max: f64) -> f64 {
    let height = HEIGHT - TOP - BOTTOM;
    let max = if max <= 0.0 { 1.0 } else { max };
    TOP + height * (1.0 - (value / max).clamp(0.0, 1.0))
}

/// The top of the problems' scale: the most problems seen, at least 4, rounded up to even.
pub fn problems_max(points: &[HistoryPoint]) -> usize {
    let most = points.iter().map(|p| p.problems).max().unwrap_or(0).max(4);
    most + most % 2
}

/// The `points` attribute of each line: (score line, problems line).
pub fn lines(points: &[HistoryPoint]) -> (String, String) {
    let top = problems_max(points) as f64;
    let (mut score, mut problems) = (Vec::new(), Vec::new());
    for (p, x) in points.iter().zip(xs(points)) {
        score.push(format!("{x:.1},{:.1}", y(f64::from(p.score), 100.0)));
        problems.push(format!("{x:.1},{:.1}", y(p.problems as f64, top)));
    }
    (score.join(" "), problems.join(" "))
}

fn day(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone()).strftime("%-d %b %Y").to_string()
}

/// The chart as one `<figure>`, or `None` with no history.
pub fn svg(points: &[HistoryPoint], tz: &TimeZone) -> Option<String> {
    let (first, last) = (points.first()?, points.last()?);
    let top = problems_max(points);
    let (score, problems) = lines(points);
    let mut out = String::new();
    let summary = format!(
        "Score {} on {} and {} on {}; problems found {} then {}.",
        first.score,
        day(first.at, tz),
        last.score,
        day(last.at, tz),
        first.problems,
        last.problems
    );
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        r#"<figure class="card chart"><svg class="progress" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="chart-title chart-desc"><title id="chart-title">The home's score and problems found over time</title><desc id="chart-desc">{summary}</desc>"#
    );
    // Grid and scales: score 0, 50, 100 on the left; problems 0, half, top on the right.
    for (score_mark, problem_mark) in [(0u8, 0usize), (50, top / 2), (100, top)] {
        let gy = y(f64::from(score_mark), 100.0);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="#d8dee4" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11" fill="#59636e">{score_mark}</text><text x="{:.1}" y="{:.1}" font-size="11" fill="#59636e">{problem_mark}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            gy + 4.0,
            WIDTH - RIGHT + 6.0,
            gy + 4.0
        );
    }
    let bottom = HEIGHT - BOTTOM + 18.0;
    let _ = write!(
        out,
        r##"<text x="{LEFT}" y="{bottom}" font-size="11" fill="#59636e">{}</text>"##,
        day(first.at, tz)
    );
    if points.len() > 1 {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{bottom}" text-anchor="end" font-size="11" fill="#59636e">{}</text>"##,
            WIDTH - RIGHT,
            day(last.at, tz)
        );
    }
    // Legend: a solid line with a dot for the score, a dashed one for the problems.
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="12" x2="{:.1}" y2="12" stroke="#0b5cad" stroke-width="2.5"/><circle cx="{:.1}" cy="12" r="3" fill="#0b5cad"/><text x="{:.1}" y="16" font-size="12" fill="#1f2328">Score (0 to 100, left)</text><line x1="{:.1}" y1="12" x2="{:.1}" y2="12" stroke="#b3261e" stroke-width="2" stroke-dasharray="6 4"/><text x="{:.1}" y="16" font-size="12" fill="#1f2328">Problems found (right)</text>"##,
        LEFT + 24.0,
        LEFT + 12.0,
        LEFT + 30.0,
        LEFT + 200.0,
        LEFT + 224.0,
        LEFT + 230.0
    );
    let _ = write!(
        out,
        r##"<polyline class="problems-line" fill="none" stroke="#b3261e" stroke-width="2" stroke-dasharray="6 4" points="{problems}"/><polyline class="score-line" fill="none" stroke="#0b5cad" stroke-width="2.5" points="{score}"/>"##
    );
    if points.len() <= 60 {
        for point in score.split(' ') {
            if let Some((cx, cy)) = point.split_once(',') {
                let _ = write!(
                    out,
                    r##"<circle cx="{cx}" cy="{cy}" r="3" fill="#0b5cad"/>"##
                );
            }
        }
    }
    let _ = write!(
        out,
        r#"</svg><figcaption class="hint">{summary}</figcaption></figure>"#
    );
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn point(day: i64, score: u8, problems: usize) -> HistoryPoint {
        HistoryPoint {
            at: Timestamp::from_second(1_790_000_000 + day * 86_400).unwrap(),
            score,
            problems,
            steps_open: 10,
            devices: 5,
        }
    }

    #[test]
    fn points_follow_time_and_values() {
        let history = [point(0, 40, 6), point(1, 50, 4), point(10, 100, 0)];
        let (score, problems) = lines(&history);
        let xs: Vec<f64> = score
            .split(' ')
            .map(|p| p.split_once(',').unwrap().0.parse().unwrap())
            .collect();
        assert_eq!(xs[0], LEFT);
        assert_eq!(xs[2], WIDTH - RIGHT);
        assert!((xs[1] - (LEFT + (WIDTH - LEFT - RIGHT) / 10.0)).abs() < 0.1);
        assert!(score.ends_with(&format!("{:.1},{TOP:.1}", WIDTH - RIGHT)));
        assert!(problems.ends_with(&format!("{:.1}", HEIGHT - BOTTOM)));
        assert_eq!(problems_max(&history), 6);
        assert!(problems.starts_with(&format!("{LEFT:.1},{TOP:.1}")));
    }

    #[test]
    fn no_history_draws_nothing_and_one_point_sits_in_the_middle() {
        assert!(svg(&[], &TimeZone::UTC).is_none());
        let one = svg(&[point(0, 50, 1)], &TimeZone::UTC).unwrap();
        assert!(
            one.contains(&format!("points=\"{:.1},", WIDTH / 2.0)),
            "{one}"
        );
        assert!(!one.contains("<script"));
        assert!(!one.contains("href"));
    }
}
