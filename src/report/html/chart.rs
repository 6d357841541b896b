//! The geometry of an endpoint's stacked bar chart (requests not denied, then denials by cause, per time
//! bucket): pure numbers and fixed class names. The template draws the SVG from it, so every text in the chart
//! (bucket times, endpoint ids in tooltips) goes through the template's escaping like the rest of the page.

use crate::analyze::classify::Cause;
use crate::analyze::series::Counts;
use crate::model::Timestamp;

pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 190.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;
/// At most this many time labels under the axis.
const X_LABELS: usize = 6;

/// One coloured part of a bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub y: f64,
    pub height: f64,
    /// A fixed CSS class (`s-ok`, `s-vpce-policy`, ...), never log content.
    pub class: &'static str,
    /// The tooltip: bucket start, what, how many.
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// The chart of one endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub plot_left: f64,
    pub plot_right: f64,
    pub plot_top: f64,
    pub baseline: f64,
    pub bars: Vec<Bar>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub max: u64,
    /// The bucket width in words (`1 h`).
    pub bucket: String,
    /// One sentence for screen readers: totals over the window.
    pub summary: String,
}

/// What a stacked segment stands for: requests not denied, or denials of one cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Allowed,
    Denied(Cause),
}

impl Part {
    /// Bottom to top.
    pub fn all() -> impl Iterator<Item = Part> {
        std::iter::once(Part::Allowed).chain(Cause::ALL.into_iter().map(Part::Denied))
    }

    pub fn class(self) -> &'static str {
        match self {
            Part::Allowed => "s-ok",
            Part::Denied(Cause::VpcePolicy) => "s-vpce-policy",
            Part::Denied(Cause::OtherEndpointPolicy) => "s-other-endpoint-policy",
            Part::Denied(Cause::Scp) => "s-scp",
            Part::Denied(Cause::Rcp) => "s-rcp",
            Part::Denied(Cause::IdentityPolicy) => "s-identity-policy",
            Part::Denied(Cause::ResourcePolicy) => "s-resource-policy",
            Part::Denied(Cause::PermissionsBoundary) => "s-permissions-boundary",
            Part::Denied(Cause::SessionPolicy) => "s-session-policy",
            Part::Denied(Cause::RoleTrustPolicy) => "s-role-trust-policy",
            Part::Denied(Cause::Other) => "s-other",
            Part::Denied(Cause::Unknown) => "s-unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Part::Allowed => "not denied",
            Part::Denied(cause) => cause.as_str(),
        }
    }

    fn count(self, counts: &Counts) -> u64 {
        match self {
            Part::Allowed => counts.requests,
            Part::Denied(cause) => {
                let index = Cause::ALL.iter().position(|c| *c == cause).unwrap_or(0);
                counts.denied[index]
            }
        }
    }
}

/// A bucket width in words.
pub fn width_words(millis: i64) -> String {
    const MINUTE: i64 = 60_000;
    match millis {
        m if m % (24 * 60 * MINUTE) == 0 => format!("{} d", m / (24 * 60 * MINUTE)),
        m if m % (60 * MINUTE) == 0 => format!("{} h", m / (60 * MINUTE)),
        m => format!("{} min", m / MINUTE),
    }
}

/// A bucket start as the axis shows it: the date for day-wide buckets, else date and time.
fn time_label(at: Timestamp, width: i64) -> String {
    let text = at.to_rfc3339();
    if width % 86_400_000 == 0 { text.chars().take(10).collect() } else { text.chars().skip(5).take(11).collect() }
}

/// Lays out the bars of `buckets` starting at `start`, `width` milliseconds each.
pub fn layout(buckets: &[Counts], start: Timestamp, width: i64) -> Chart {
    let max = buckets.iter().map(Counts::total).max().unwrap_or(0);
    let (plot_left, plot_right, plot_top, baseline) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    let plot_height = baseline - plot_top;
    let slot = (plot_right - plot_left) / buckets.len().max(1) as f64;
    let scale = if max == 0 { 0.0 } else { plot_height / max as f64 };
    let gap = if slot > 4.0 { 1.0 } else { 0.0 };
    let start_of = |i: usize| Timestamp::from_millis(start.millis().saturating_add(width.saturating_mul(i as i64)));
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let bars = buckets
        .iter()
        .enumerate()
        .filter(|(_, c)| c.total() > 0)
        .map(|(i, counts)| {
            let mut top = baseline;
            let when = time_label(start_of(i), width);
            let segments = Part::all()
                .filter_map(|part| {
                    let n = part.count(counts);
                    (n > 0).then(|| {
                        let height = n as f64 * scale;
                        top -= height;
                        Segment {
                            y: round(top),
                            height: round(height).max(0.5),
                            class: part.class(),
                            title: format!("{when} ({}): {} {n}", width_words(width), part.label()),
                        }
                    })
                })
                .collect();
            Bar { x: round(plot_left + slot * i as f64), width: round((slot - gap).max(0.5)), segments }
        })
        .collect();
    let mut values = vec![0, max / 2, max];
    values.dedup();
    let y_ticks =
        values.into_iter().map(|v| Tick { at: round(baseline - v as f64 * scale), label: v.to_string() }).collect();
    let step = buckets.len().div_ceil(X_LABELS).max(1);
    let x_ticks = (0..buckets.len())
        .step_by(step)
        .map(|i| Tick { at: round(plot_left + slot * i as f64), label: time_label(start_of(i), width) })
        .collect();
    let requests: u64 = buckets.iter().map(|c| c.requests).sum();
    let denials: u64 = buckets.iter().map(Counts::denials).sum();
    Chart {
        width: WIDTH,
        height: HEIGHT,
        plot_left,
        plot_right,
        plot_top,
        baseline,
        bars,
        y_ticks,
        x_ticks,
        max,
        bucket: width_words(width),
        summary: format!(
            "{requests} requests not denied and {denials} denials in {} buckets of {}",
            buckets.len(),
            width_words(width)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(requests: u64, vpce: u64, scp: u64) -> Counts {
        let mut c = Counts { requests, ..Counts::default() };
        c.denied[0] = vpce;
        c.denied[2] = scp;
        c
    }

    #[test]
    fn bars_stack_from_the_baseline_to_the_tallest() {
        let buckets = [counts(6, 2, 2), Counts::default(), counts(1, 0, 0)];
        let chart = layout(&buckets, Timestamp::from_millis(0), 3_600_000);
        assert_eq!(chart.max, 10);
        assert_eq!(chart.bars.len(), 2, "empty buckets draw nothing");
        let first = &chart.bars[0];
        let classes: Vec<_> = first.segments.iter().map(|s| s.class).collect();
        assert_eq!(classes, ["s-ok", "s-vpce-policy", "s-scp"]);
        let top = first.segments.last().unwrap();
        assert!((top.y - chart.plot_top).abs() < 0.2, "the tallest bar reaches the top: {top:?}");
        let height: f64 = first.segments.iter().map(|s| s.height).sum();
        assert!((height - (chart.baseline - chart.plot_top)).abs() < 0.5);
        assert_eq!(first.segments[1].title, "01-01T00:00 (1 h): vpce-policy 2");
        assert!(chart.bars[1].x > first.x + first.width);
        assert_eq!(chart.y_ticks.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["0", "5", "10"]);
    }

    #[test]
    fn an_empty_series_draws_an_axis_only() {
        let chart = layout(&[Counts::default(); 4], Timestamp::from_millis(0), 86_400_000);
        assert!(chart.bars.is_empty());
        assert_eq!(chart.max, 0);
        assert_eq!(chart.x_ticks[0].label, "1970-01-01");
    }

    #[test]
    fn widths_in_words() {
        for (millis, words) in [
            (60_000, "1 min"),
            (900_000, "15 min"),
            (3_600_000, "1 h"),
            (3 * 3_600_000, "3 h"),
            (86_400_000, "1 d"),
            (2 * 86_400_000, "2 d"),
        ] {
            assert_eq!(width_words(millis), words);
        }
    }

    #[test]
    fn every_part_has_its_own_class() {
        let classes: std::collections::BTreeSet<_> = Part::all().map(Part::class).collect();
        assert_eq!(classes.len(), Cause::ALL.len() + 1);
    }
}
