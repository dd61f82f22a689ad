//! The charts' geometry, pure and host-testable: where each area's spoke points, how far out a value sits, the
//! scale's rings and bands, the series' outlines as SVG path data (an unrated area is a gap, never a zero), where
//! the area labels go and how they wrap, and the area trend's bands, ticks and points.
//!
//! Coordinates are SVG user units. The radial chart is drawn around (0, 0) with y pointing down; the first area is
//! at 12 o'clock and the rest follow clockwise. Only `std` and the shared crate are used here, so the benchmark
//! (`app/benches/chart_bench.rs`) can include this file as it is.

use std::collections::BTreeMap;
use std::f64::consts::TAU;
use std::fmt::Write;
use waymark_shared::{
    outcomes::{AreaId, Framework},
    sync::RecordId,
};

/// How a series is drawn: told apart by colour *and* line pattern (and point fill), so it survives greyscale print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesStyle {
    First,
    Latest,
    Picked,
}

impl SeriesStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            SeriesStyle::First => "first",
            SeriesStyle::Latest => "latest",
            SeriesStyle::Picked => "picked",
        }
    }

    /// Drawing order: the latest reading on top.
    fn layer(self) -> u8 {
        match self {
            SeriesStyle::First => 0,
            SeriesStyle::Picked => 1,
            SeriesStyle::Latest => 2,
        }
    }
}

/// One reading as the chart draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSeries {
    pub reading: RecordId,
    pub date: String,
    pub values: BTreeMap<AreaId, u8>,
    pub style: SeriesStyle,
}

// ---- Radial chart --------------------------------------------------------------------------------------------

/// Radius of the outer ring (the scale's maximum).
pub const RADIUS: f64 = 150.0;
/// Half the view box's width and height: room for labels of up to three lines beside and above the circle.
pub const HALF_W: f64 = 340.0;
pub const HALF_H: f64 = 236.0;
/// Area labels: font size, line height, distance of the anchor from the centre, and at most how many lines.
pub const LABEL_FONT: f64 = 16.0;
pub const LABEL_LINE: f64 = 20.0;
pub const LABEL_AT: f64 = RADIUS + 18.0;
pub const LABEL_LINES: usize = 3;
/// A label above or below the circle is centred on its spoke, so it is kept narrower.
pub const LABEL_MIDDLE_W: f64 = 136.0;
/// Padding around a label's text for its tap target, and the target's least height.
pub const HIT_PAD: f64 = 6.0;
pub const HIT_MIN_H: f64 = 40.0;
/// Numbered badges at the end of each spoke (shown on phones instead of the labels).
pub const BADGE_AT: f64 = RADIUS + 22.0;
pub const BADGE_R: f64 = 14.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The radial chart's view box.
pub fn radial_view() -> Rect {
    Rect { x: -HALF_W, y: -HALF_H, w: 2.0 * HALF_W, h: 2.0 * HALF_H }
}

pub fn view_box(r: &Rect) -> String {
    format!("{} {} {} {}", fmt(r.x), fmt(r.y), fmt(r.w), fmt(r.h))
}

/// How text lines up with its anchor point (SVG `text-anchor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// The angle of area `i` of `n`, in radians clockwise from 12 o'clock.
pub fn angle(i: usize, n: usize) -> f64 {
    TAU * i as f64 / n.max(1) as f64
}

/// The point at `radius` along angle `a` (clockwise from 12 o'clock, y down).
pub fn polar(radius: f64, a: f64) -> Pt {
    Pt { x: radius * a.sin(), y: -radius * a.cos() }
}

/// Where values sit: the scale's minimum one step out from the centre (so a low rating is still a visible point,
/// unlike an unrated area), its maximum on the outer ring.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaleMap {
    pub min: u8,
    pub max: u8,
}

impl ScaleMap {
    pub fn of(f: &Framework) -> ScaleMap {
        ScaleMap { min: f.scale.min, max: f.scale.max.max(f.scale.min.saturating_add(1)) }
    }

    fn steps(self) -> f64 {
        f64::from(self.max - self.min) + 1.0
    }

    /// Radius for a (possibly fractional) value; values off the scale are drawn at its ends.
    pub fn radius(self, v: f64) -> f64 {
        let v = v.clamp(f64::from(self.min), f64::from(self.max));
        RADIUS * (v - f64::from(self.min) + 1.0) / self.steps()
    }
}

/// A filled disc of the stage bands (drawn largest first, so each shows as a ring).
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub r: f64,
    pub shaded: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingKind {
    /// The scale's minimum or maximum.
    Edge,
    /// Between two stages.
    Boundary,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ring {
    pub r: f64,
    pub kind: RingKind,
}

/// The scale's minimum and maximum, written beside their rings.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleLabel {
    pub value: u8,
    pub at: Pt,
}

/// One area's label outside the circle, wrapped to fit.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaLabel {
    pub area: AreaId,
    /// 1-based, as on the badges and the phone's key.
    pub number: usize,
    pub badge: Pt,
    pub anchor: Anchor,
    /// The x of every line (the anchor's).
    pub x: f64,
    /// Each line's text and baseline.
    pub lines: Vec<(String, f64)>,
    /// The tap target.
    pub hit: Rect,
}

/// One rated area of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartPoint {
    pub area: AreaId,
    pub value: u8,
    pub at: Pt,
}

/// One series' outline and points.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesShape {
    /// Its index in the series given.
    pub index: usize,
    pub style: SeriesStyle,
    pub reading: RecordId,
    /// SVG path data: one closed polygon when every area is rated, else one open line per run of neighbouring
    /// rated areas (a lone rated area is only a point).
    pub d: String,
    /// Every area is rated: the outline is closed and may be filled.
    pub closed: bool,
    pub points: Vec<ChartPoint>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Radial {
    pub view: Rect,
    pub bands: Vec<Band>,
    pub rings: Vec<Ring>,
    pub scale_labels: Vec<ScaleLabel>,
    /// The outer end of each spoke (they start at the centre).
    pub spokes: Vec<Pt>,
    pub labels: Vec<AreaLabel>,
    /// In drawing order (first, picked, latest; otherwise as given).
    pub series: Vec<SeriesShape>,
}

/// Write a coordinate with at most one decimal, without a trailing ".0" or a "-0".
fn push_num(out: &mut String, v: f64) {
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let a = tenths.unsigned_abs();
    let _ = write!(out, "{}", a / 10);
    if !a.is_multiple_of(10) {
        let _ = write!(out, ".{}", a % 10);
    }
}

/// A coordinate as an attribute value.
pub fn fmt(v: f64) -> String {
    let mut s = String::with_capacity(8);
    push_num(&mut s, v);
    s
}

/// The outline of the rated areas: `at[i]` is area i's point, `None` where it is not rated.
pub fn outline(at: &[Option<Pt>]) -> (String, bool) {
    let n = at.len();
    let mut d = String::with_capacity(n * 14);
    let rated = at.iter().filter(|p| p.is_some()).count();
    let move_to = |d: &mut String, p: Pt, first: bool| {
        d.push(if first { 'M' } else { 'L' });
        push_num(d, p.x);
        d.push(' ');
        push_num(d, p.y);
    };
    if rated == n && n >= 3 {
        for (i, p) in at.iter().flatten().enumerate() {
            move_to(&mut d, *p, i == 0);
        }
        d.push('Z');
        return (d, true);
    }
    if rated < 2 {
        return (d, false);
    }
    // Start just after a gap, so a run that wraps past 12 o'clock stays one line.
    let start = (0..n).find(|&i| at[i].is_some() && at[(i + n - 1) % n].is_none()).unwrap_or(0);
    let mut run: Vec<Pt> = Vec::new();
    let flush = |d: &mut String, run: &mut Vec<Pt>| {
        if run.len() >= 2 {
            for (j, p) in run.iter().enumerate() {
                move_to(d, *p, j == 0);
            }
        }
        run.clear();
    };
    for k in 0..n {
        match at[(start + k) % n] {
            Some(p) => run.push(p),
            None => flush(&mut d, &mut run),
        }
    }
    flush(&mut d, &mut run);
    (d, false)
}

/// A rough width of `s` in user units at `font` size, generous enough for a wide bold sans-serif (DejaVu Sans Bold;
/// Roboto and San Francisco are narrower): enough to wrap labels and size their tap targets.
pub fn text_width(s: &str, font: f64) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '\'' | '’' | '.' | ',' | ':' | ';' | '|' | '!' => 0.26,
            ' ' | 'f' | 't' | 'r' | '-' | '(' | ')' | 'I' => 0.34,
            'm' | 'w' | 'M' | 'W' => 0.84,
            c if c.is_uppercase() => 0.66,
            _ => 0.55,
        })
        .sum();
    em * font * 1.22
}

/// Wrap `text` into at most `max_lines` lines no wider than `max_w`; what does not fit is cut with "…".
/// Returns the lines and whether anything was cut.
pub fn wrap(text: &str, max_w: f64, max_lines: usize, font: f64) -> (Vec<String>, bool) {
    let mut lines: Vec<String> = Vec::new();
    let mut cut = false;
    for word in text.split_whitespace() {
        let fits_on_last = lines.last().is_some_and(|l| text_width(&format!("{l} {word}"), font) <= max_w);
        if fits_on_last {
            if let Some(l) = lines.last_mut() {
                l.push(' ');
                l.push_str(word);
            }
            continue;
        }
        if lines.len() == max_lines {
            cut = true;
            break;
        }
        // A single word wider than the line is cut, and the label ends there.
        if text_width(word, font) > max_w {
            lines.push(shorten(word, max_w, font));
            cut = true;
            break;
        }
        lines.push(word.to_owned());
    }
    if let Some(l) = lines.last_mut().filter(|l| cut && !l.ends_with('…')) {
        let mut s = l.clone();
        s.push('…');
        *l = shorten(&s, max_w, font);
    }
    (lines, cut)
}

/// `s` cut to fit `max_w`, ending with "…" if anything was cut.
fn shorten(s: &str, max_w: f64, font: f64) -> String {
    if text_width(s, font) <= max_w {
        return s.to_owned();
    }
    let mut chars: Vec<char> = s.trim_end_matches('…').chars().collect();
    loop {
        while chars.last().is_some_and(|c| c.is_whitespace() || *c == ',' || *c == '-') {
            chars.pop();
        }
        let mut t: String = chars.iter().collect();
        t.push('…');
        if text_width(&t, font) <= max_w || chars.len() <= 1 {
            return t;
        }
        chars.pop();
    }
}

/// Lay out one area's label beside the end of its spoke.
fn area_label(area: &AreaId, text: &str, i: usize, n: usize) -> AreaLabel {
    let a = angle(i, n);
    let (sin, cos) = (a.sin(), a.cos());
    let at = polar(LABEL_AT, a);
    let anchor = if sin > 0.25 {
        Anchor::Start
    } else if sin < -0.25 {
        Anchor::End
    } else {
        Anchor::Middle
    };
    let room = match anchor {
        Anchor::Middle => LABEL_MIDDLE_W,
        _ => (HALF_W - HIT_PAD - 2.0 - at.x.abs()).min(190.0),
    };
    // More areas leave less room between neighbours: fewer lines each.
    let max_lines = if n > 14 { 2 } else { LABEL_LINES };
    let (texts, _) = wrap(text, room, max_lines, LABEL_FONT);
    let h = LABEL_LINE * texts.len() as f64;
    // Above the circle the block sits on the anchor, below it hangs from it, beside it it is centred.
    let top = at.y - h / 2.0 - cos * h / 2.0;
    let lines = texts
        .into_iter()
        .enumerate()
        .map(|(k, s)| (s, top + LABEL_LINE * k as f64 + LABEL_FONT * 0.85))
        .collect::<Vec<_>>();
    let w = lines.iter().map(|(s, _)| text_width(s, LABEL_FONT)).fold(0.0, f64::max);
    let left = match anchor {
        Anchor::Start => at.x,
        Anchor::Middle => at.x - w / 2.0,
        Anchor::End => at.x - w,
    };
    let mut hit = Rect { x: left - HIT_PAD, y: top - HIT_PAD, w: w + 2.0 * HIT_PAD, h: h + 2.0 * HIT_PAD };
    if hit.h < HIT_MIN_H {
        hit.y -= (HIT_MIN_H - hit.h) / 2.0;
        hit.h = HIT_MIN_H;
    }
    AreaLabel { area: area.clone(), number: i + 1, badge: polar(BADGE_AT, a), anchor, x: at.x, lines, hit }
}

/// The whole radial chart. `label` gives each area's label in the reader's language.
pub fn radial(framework: &Framework, series: &[ChartSeries], label: impl Fn(&AreaId) -> String) -> Radial {
    let n = framework.areas.len();
    let scale = ScaleMap::of(framework);
    let stages = &framework.scale.stages;
    // Stage k's band runs out to halfway between its last value and the next stage's first (the last to the max).
    let outer = |k: usize| -> f64 {
        if k + 1 == stages.len() {
            scale.radius(f64::from(scale.max))
        } else {
            scale.radius(f64::from(stages[k].to) + 0.5)
        }
    };
    let bands = (0..stages.len()).rev().map(|k| Band { r: outer(k), shaded: k % 2 == 0 }).collect();
    let mut rings = vec![Ring { r: scale.radius(f64::from(scale.min)), kind: RingKind::Edge }];
    rings.extend((0..stages.len().saturating_sub(1)).map(|k| Ring { r: outer(k), kind: RingKind::Boundary }));
    rings.push(Ring { r: RADIUS, kind: RingKind::Edge });
    // Written halfway between the first two spokes, clear of the lines drawn along them.
    let mid = if n > 1 { angle(1, n) / 2.0 } else { TAU / 8.0 };
    let scale_labels = [scale.min, scale.max]
        .into_iter()
        .map(|v| ScaleLabel { value: v, at: polar(scale.radius(f64::from(v)), mid) })
        .collect();
    let spokes = (0..n).map(|i| polar(RADIUS, angle(i, n))).collect();
    let labels = framework.areas.iter().enumerate().map(|(i, a)| area_label(&a.id, &label(&a.id), i, n)).collect();

    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by_key(|&k| series[k].style.layer());
    let series = order
        .into_iter()
        .map(|k| {
            let s = &series[k];
            let mut points = Vec::new();
            let at: Vec<Option<Pt>> = framework
                .areas
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    s.values.get(&a.id).map(|&v| {
                        let p = polar(scale.radius(f64::from(v)), angle(i, n));
                        points.push(ChartPoint { area: a.id.clone(), value: v, at: p });
                        p
                    })
                })
                .collect();
            let (d, closed) = outline(&at);
            SeriesShape { index: k, style: s.style, reading: s.reading.clone(), d, closed, points }
        })
        .collect();
    Radial { view: radial_view(), bands, rings, scale_labels, spokes, labels, series }
}

// ---- Area trend ----------------------------------------------------------------------------------------------

pub const TREND_W: f64 = 480.0;
pub const TREND_H: f64 = 240.0;
/// The phone's trend: a narrower, taller view box drawn at about its own size on a phone, so its numbers, stage
/// words and dates are read at their real size instead of shrunk.
pub const TREND_PHONE_W: f64 = 320.0;
pub const TREND_PHONE_H: f64 = 300.0;
/// The plot inside the trend's view box (room on the left for the scale's numbers, below for dates).
pub const TREND_LEFT: f64 = 34.0;
pub const TREND_RIGHT: f64 = 14.0;
pub const TREND_TOP: f64 = 10.0;
pub const TREND_BOTTOM: f64 = 34.0;
/// Space kept between the plot's sides and the first and last points.
pub const TREND_INSET: f64 = 18.0;
/// The room a date under the axis takes ("12 Chwef 2026" at 14 units), and the space kept between two.
pub const TREND_DATE_W: f64 = 104.0;
pub const TREND_DATE_SPACE: f64 = 12.0;

/// One stage's band across the trend.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendBand {
    pub stage: usize,
    pub y: f64,
    pub h: f64,
    pub shaded: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrendPoint {
    pub index: usize,
    pub value: u8,
    pub at: Pt,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    pub view: Rect,
    pub plot: Rect,
    pub bands: Vec<TrendBand>,
    /// Numbers on the left: (value, y).
    pub ticks: Vec<(u8, f64)>,
    pub points: Vec<TrendPoint>,
    /// The line through the points.
    pub d: String,
    /// Which points' dates are written under the axis: (point index, x, anchor).
    pub dates: Vec<(usize, f64, Anchor)>,
}

/// One area's values over time, oldest first, evenly spaced.
pub fn trend(framework: &Framework, values: &[u8]) -> Trend {
    trend_in(framework, values, TREND_W, TREND_H)
}

/// [`trend`] in a view box of `width` × `height` (the phone's is [`TREND_PHONE_W`] × [`TREND_PHONE_H`]).
pub fn trend_in(framework: &Framework, values: &[u8], width: f64, height: f64) -> Trend {
    let scale = ScaleMap::of(framework);
    let plot =
        Rect { x: TREND_LEFT, y: TREND_TOP, w: width - TREND_LEFT - TREND_RIGHT, h: height - TREND_TOP - TREND_BOTTOM };
    // Each whole value owns an equal slice, so a stage's band covers exactly its values.
    let y_of = |v: f64| plot.y + (f64::from(scale.max) + 0.5 - v) / scale.steps() * plot.h;
    let bands = framework
        .scale
        .stages
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let top = y_of(f64::from(s.to.min(scale.max)) + 0.5);
            let bottom = y_of(f64::from(s.from.max(scale.min)) - 0.5);
            TrendBand { stage: k, y: top, h: bottom - top, shaded: k % 2 == 0 }
        })
        .collect();
    let span = scale.max - scale.min;
    let step = if span <= 10 { 1 } else { span.div_ceil(5) };
    let mut ticks: Vec<(u8, f64)> =
        (scale.min..=scale.max).step_by(usize::from(step)).map(|v| (v, y_of(f64::from(v)))).collect();
    if ticks.last().is_some_and(|(v, _)| *v != scale.max) {
        ticks.push((scale.max, y_of(f64::from(scale.max))));
    }
    let n = values.len();
    let inner = plot.w - 2.0 * TREND_INSET;
    let x_of = |i: usize| {
        if n <= 1 { plot.x + plot.w / 2.0 } else { plot.x + TREND_INSET + inner * i as f64 / (n - 1) as f64 }
    };
    let points: Vec<TrendPoint> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let clamped = f64::from(v.clamp(scale.min, scale.max));
            TrendPoint { index: i, value: v, at: Pt { x: x_of(i), y: y_of(clamped) } }
        })
        .collect();
    let mut d = String::with_capacity(n * 14);
    if n >= 2 {
        for (i, p) in points.iter().enumerate() {
            d.push(if i == 0 { 'M' } else { 'L' });
            push_num(&mut d, p.at.x);
            d.push(' ');
            push_num(&mut d, p.at.y);
        }
    }
    // The first and the last date always; between them, as many as fit without touching.
    let mut dates = Vec::new();
    if n == 1 {
        dates.push((0, x_of(0), Anchor::Middle));
    } else if n >= 2 {
        let last = x_of(n - 1);
        dates.push((0, x_of(0), Anchor::Start));
        let mut right = x_of(0) + TREND_DATE_W;
        for i in 1..n - 1 {
            let x = x_of(i);
            if x - TREND_DATE_W / 2.0 >= right + TREND_DATE_SPACE
                && x + TREND_DATE_W / 2.0 + TREND_DATE_SPACE <= last - TREND_DATE_W
            {
                dates.push((i, x, Anchor::Middle));
                right = x + TREND_DATE_W / 2.0;
            }
        }
        if last - TREND_DATE_W >= x_of(0) + TREND_DATE_W + TREND_DATE_SPACE {
            dates.push((n - 1, last, Anchor::End));
        } else {
            // Two dates that would touch: only the latest.
            dates.clear();
            dates.push((n - 1, last, Anchor::End));
        }
    }
    Trend { view: Rect { x: 0.0, y: 0.0, w: width, h: height }, plot, bands, ticks, points, d, dates }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::Lang;
    use waymark_shared::outcomes::{Area, Text, built_in};

    /// Half the square that holds the circle and the badges: what a phone shows, cropped from the full view box.
    const CORE_HALF: f64 = 192.0;

    fn overlaps(a: &Rect, o: &Rect) -> bool {
        a.x < o.x + o.w && o.x < a.x + a.w && a.y < o.y + o.h && o.y < a.y + a.h
    }

    fn inside(a: &Rect, o: &Rect) -> bool {
        a.x >= o.x && a.y >= o.y && a.x + a.w <= o.x + o.w && a.y + a.h <= o.y + o.h
    }

    /// The phone layout shows only the circle and its badges: the SVG is widened and shifted so the square
    /// `±CORE_HALF` fills the frame's width. (Width, horizontal margin, vertical margin) as percentages of the
    /// frame's width, as `style/chart.css` writes them.
    fn phone_crop() -> (f64, f64, f64) {
        let core = 2.0 * CORE_HALF;
        (100.0 * 2.0 * HALF_W / core, -100.0 * (HALF_W - CORE_HALF) / core, -100.0 * (HALF_H - CORE_HALF) / core)
    }

    fn series(reading: &str, style: SeriesStyle, values: &[(&str, u8)]) -> ChartSeries {
        ChartSeries {
            reading: RecordId(reading.into()),
            date: "2026-01-01".into(),
            values: values.iter().map(|(a, v)| (AreaId((*a).into()), *v)).collect(),
            style,
        }
    }

    fn all(f: &Framework, v: u8) -> Vec<(&str, u8)> {
        f.areas.iter().map(|a| (a.id.0.as_str(), v)).collect()
    }

    fn en(f: &Framework) -> impl Fn(&AreaId) -> String + '_ {
        move |id| f.area(id).map(|a| a.label.get(Lang::En).to_owned()).unwrap_or_default()
    }

    /// Twelve areas with long labels, in the style of the built-in ones.
    fn twelve() -> Framework {
        let mut f = built_in::waymark_ladder();
        for (id, en, cy) in [
            (
                "spirituality",
                "Faith, beliefs and what gives my life meaning",
                "Ffydd, credoau a'r hyn sy'n rhoi ystyr i fy mywyd",
            ),
            ("money", "Money, benefits and paying my way", "Arian, budd-daliadau a thalu fy ffordd"),
        ] {
            f.areas.push(Area { id: AreaId(id.into()), label: Text::new(en, cy), description: Text::new(en, cy) });
        }
        f
    }

    fn close(a: Pt, b: Pt) -> bool {
        (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9
    }

    #[test]
    fn the_first_area_is_at_twelve_o_clock_and_the_rest_follow_clockwise() {
        assert!(close(polar(10.0, angle(0, 4)), Pt { x: 0.0, y: -10.0 }));
        assert!(close(polar(10.0, angle(1, 4)), Pt { x: 10.0, y: 0.0 }), "3 o'clock");
        assert!(close(polar(10.0, angle(2, 4)), Pt { x: 0.0, y: 10.0 }));
        assert!(close(polar(10.0, angle(3, 4)), Pt { x: -10.0, y: 0.0 }), "9 o'clock");
    }

    #[test]
    fn a_value_at_the_scale_max_lands_on_the_outer_ring_at_its_area_angle() {
        let f = built_in::waymark_ladder();
        let r = radial(&f, &[series("r", SeriesStyle::Latest, &[("daily_living", 10), ("family", 1)])], en(&f));
        let s = &r.series[0];
        let p = s.points.iter().find(|p| p.area.0 == "daily_living").unwrap();
        assert!(close(p.at, polar(RADIUS, angle(2, 10))));
        assert_eq!(r.rings.last().map(|g| (g.r, g.kind)), Some((RADIUS, RingKind::Edge)));
        let low = s.points.iter().find(|p| p.area.0 == "family").unwrap();
        let r_low = (low.at.x.powi(2) + low.at.y.powi(2)).sqrt();
        assert!((r_low - RADIUS / 10.0).abs() < 1e-9, "the minimum is one step out, not on the centre: {r_low}");
        assert!((r.rings[0].r - r_low).abs() < 1e-9, "the inner ring is the minimum");
    }

    #[test]
    fn there_is_a_ring_for_each_stage_boundary_and_labels_for_min_and_max() {
        let f = built_in::waymark_ladder(); // five stages 1–2 … 9–10
        let r = radial(&f, &[], en(&f));
        let bounds: Vec<f64> = r.rings.iter().filter(|g| g.kind == RingKind::Boundary).map(|g| g.r).collect();
        let m = ScaleMap::of(&f);
        assert_eq!(bounds, [2.5, 4.5, 6.5, 8.5].map(|v| m.radius(v)));
        assert_eq!(r.rings.len(), 6);
        assert_eq!(r.bands.len(), 5);
        assert!(r.bands.windows(2).all(|w| w[0].r > w[1].r), "largest first");
        assert_eq!(r.scale_labels.iter().map(|l| l.value).collect::<Vec<_>>(), [1, 10]);
        let dialog = built_in::satisfaction_check(); // seven one-point stages
        assert_eq!(radial(&dialog, &[], en(&dialog)).rings.len(), 8);
    }

    #[test]
    fn a_reading_rating_every_area_is_a_closed_polygon() {
        let f = built_in::waymark_ladder();
        let r = radial(&f, &[series("r", SeriesStyle::Latest, &all(&f, 5))], en(&f));
        let s = &r.series[0];
        assert!(s.closed && s.d.starts_with('M') && s.d.ends_with('Z'));
        assert_eq!(s.d.matches('M').count(), 1);
        assert_eq!(s.d.matches('L').count(), 9);
        assert_eq!(s.points.len(), 10);
    }

    #[test]
    fn unrated_areas_are_gaps_that_split_the_outline() {
        let f = built_in::waymark_ladder();
        let ids: Vec<&str> = f.areas.iter().map(|a| a.id.0.as_str()).collect();
        // Area 3 missing: one open line, from area 4 round past 12 o'clock to area 2.
        let mut v = all(&f, 6);
        v.remove(3);
        let s = &radial(&f, &[series("r", SeriesStyle::First, &v)], en(&f)).series[0];
        assert!(!s.closed && !s.d.contains('Z'));
        assert_eq!(s.d.matches('M').count(), 1, "{}", s.d);
        assert_eq!(s.d.matches('L').count(), 8);
        let start = ScaleMap::of(&f).radius(6.0);
        let p4 = polar(start, angle(4, 10));
        assert!(s.d.starts_with(&format!("M{} {}", fmt(p4.x), fmt(p4.y))), "{}", s.d);
        // Areas 2 and 6 missing: two lines; area 9 alone between gaps 8 and 0 is only a point.
        let v: Vec<(&str, u8)> = [0, 1, 3, 4, 5, 7, 9].iter().map(|&i| (ids[i], 4)).collect();
        let s = &radial(&f, &[series("r", SeriesStyle::Picked, &v)], en(&f)).series[0];
        assert_eq!(s.points.len(), 7);
        assert_eq!(s.d.matches('M').count(), 2, "{}", s.d); // 9-0-1 and 3-4-5; 7 alone
        assert_eq!(s.d.matches('L').count(), 4);
        // One or no rated area: nothing to join.
        let s = &radial(&f, &[series("r", SeriesStyle::Latest, &[(ids[0], 2)])], en(&f)).series[0];
        assert!(s.d.is_empty() && s.points.len() == 1);
        assert!(radial(&f, &[series("r", SeriesStyle::Latest, &[])], en(&f)).series[0].d.is_empty());
    }

    #[test]
    fn an_older_version_draws_the_areas_it_shares_and_leaves_the_rest_as_gaps() {
        let mut newer = built_in::waymark_ladder();
        newer.version = 2;
        newer.areas.push(Area {
            id: AreaId("new_area".into()),
            label: Text::new("New", "Newydd"),
            description: Text::new("New", "Newydd"),
        });
        newer.areas.retain(|a| a.id.0 != "family");
        let older = built_in::waymark_ladder();
        let old = all(&older, 7); // rates "family", not "new_area"
        let r = radial(&newer, &[series("old", SeriesStyle::First, &old)], en(&newer));
        let s = &r.series[0];
        assert_eq!(s.points.len(), 9, "family is not drawn; new_area is a gap, not a zero");
        assert!(s.points.iter().all(|p| p.value == 7 && p.area.0 != "family"));
        assert!(!s.closed);
    }

    #[test]
    fn series_are_drawn_first_picked_latest_whatever_the_order_given() {
        let f = built_in::waymark_ladder();
        let given = [
            series("l", SeriesStyle::Latest, &all(&f, 8)),
            series("f", SeriesStyle::First, &all(&f, 2)),
            series("p", SeriesStyle::Picked, &all(&f, 5)),
        ];
        let r = radial(&f, &given, en(&f));
        let order: Vec<(&str, usize)> = r.series.iter().map(|s| (s.reading.0.as_str(), s.index)).collect();
        assert_eq!(order, [("f", 1), ("p", 2), ("l", 0)]);
    }

    #[test]
    fn twelve_areas_and_fifty_readings_make_six_hundred_points() {
        let f = twelve();
        let many: Vec<ChartSeries> =
            (0..50).map(|k| series(&format!("r{k}"), SeriesStyle::Picked, &all(&f, (k % 10 + 1) as u8))).collect();
        let r = radial(&f, &many, en(&f));
        assert_eq!(r.series.len(), 50);
        assert_eq!(r.series.iter().map(|s| s.points.len()).sum::<usize>(), 600);
        assert!(r.series.iter().all(|s| s.closed && s.d.matches('L').count() == 11));
        assert_eq!(r.labels.len(), 12);
        assert_eq!(r.spokes.len(), 12);
    }

    #[test]
    fn labels_sit_outside_the_circle_on_the_side_of_their_spoke() {
        let f = twelve();
        let r = radial(&f, &[], en(&f));
        let anchors: Vec<Anchor> = r.labels.iter().map(|l| l.anchor).collect();
        use Anchor::*;
        assert_eq!(anchors, [Middle, Start, Start, Start, Start, Start, Middle, End, End, End, End, End]);
        for l in &r.labels {
            let text = Rect {
                x: l.hit.x + HIT_PAD,
                y: l.hit.y + HIT_PAD,
                w: l.hit.w - 2.0 * HIT_PAD,
                h: l.hit.h - 2.0 * HIT_PAD,
            };
            // The text's nearest point to the centre is outside the outer ring.
            let nx = 0.0_f64.clamp(text.x, text.x + text.w);
            let ny = 0.0_f64.clamp(text.y, text.y + text.h);
            assert!(nx.hypot(ny) > RADIUS + 4.0, "{:?} overlaps the circle", l.area);
        }
    }

    #[test]
    fn long_labels_wrap_and_are_shortened_only_when_they_must_be() {
        let (lines, cut) = wrap("Physical health and looking after myself", 170.0, 3, LABEL_FONT);
        assert!(!cut && lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.join(" "), "Physical health and looking after myself");
        assert!(lines.iter().all(|l| text_width(l, LABEL_FONT) <= 170.0));
        let (lines, cut) = wrap("one two three four five six seven eight nine ten eleven twelve", 80.0, 2, LABEL_FONT);
        assert!(cut && lines.len() == 2 && lines[1].ends_with('…'), "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, LABEL_FONT) <= 80.0), "{lines:?}");
        let (lines, cut) = wrap("Supercalifragilisticexpialidocious", 90.0, 3, LABEL_FONT);
        assert!(cut && lines.len() == 1 && lines[0].ends_with('…') && text_width(&lines[0], LABEL_FONT) <= 90.0);
        assert_eq!(wrap("Family", 100.0, 3, LABEL_FONT), (vec!["Family".to_owned()], false));
    }

    #[test]
    fn labels_fit_the_view_box_and_do_not_overlap_in_either_language() {
        let mut frameworks = built_in::all();
        frameworks.push(twelve());
        for f in &frameworks {
            for lang in [Lang::En, Lang::Cy] {
                let r = radial(f, &[], |id: &AreaId| f.area(id).unwrap().label.get(lang).to_owned());
                for (i, a) in r.labels.iter().enumerate() {
                    assert!(
                        inside(&a.hit, &r.view),
                        "{} {lang:?}: {:?} leaves the view box: {:?}",
                        f.id.0,
                        a.area,
                        a.hit
                    );
                    for b in &r.labels[i + 1..] {
                        assert!(
                            !overlaps(&a.hit, &b.hit),
                            "{} {lang:?}: {:?} and {:?} overlap",
                            f.id.0,
                            a.area,
                            b.area
                        );
                    }
                    assert!(a.lines.len() <= LABEL_LINES);
                }
            }
        }
    }

    #[test]
    fn coordinates_are_written_briefly() {
        assert_eq!(fmt(150.0), "150");
        assert_eq!(fmt(-0.01), "0");
        assert_eq!(fmt(-12.345), "-12.3");
        assert_eq!(fmt(0.96), "1");
        assert_eq!(view_box(&radial_view()), format!("-{HALF_W} -{HALF_H} {} {}", 2.0 * HALF_W, 2.0 * HALF_H));
    }

    #[test]
    fn the_phone_crop_in_the_stylesheet_matches_the_geometry() {
        let css = include_str!("../../../../style/chart.css");
        let (w, mx, my) = phone_crop();
        for v in [w, mx, my] {
            let written = format!("{v:.2}%");
            assert!(css.contains(&written), "style/chart.css should use {written}");
        }
    }

    // The badges fit in the square a phone shows.
    const _: () = assert!(BADGE_AT + BADGE_R < CORE_HALF);

    #[test]
    fn a_trend_puts_each_value_in_its_stage_band() {
        let f = built_in::waymark_ladder();
        let t = trend(&f, &[1, 4, 10, 7]);
        assert_eq!(t.points.len(), 4);
        assert_eq!(t.bands.len(), 5);
        for p in &t.points {
            let stage = f.scale.stages.iter().position(|s| (s.from..=s.to).contains(&p.value)).unwrap();
            let b = &t.bands[stage];
            assert!(p.at.y > b.y && p.at.y < b.y + b.h, "{} outside its band", p.value);
        }
        assert!(
            (t.bands[4].y - t.plot.y).abs() < 1e-9
                && (t.bands[0].y + t.bands[0].h - (t.plot.y + t.plot.h)).abs() < 1e-9
        );
        assert!(t.points.windows(2).all(|w| w[1].at.x > w[0].at.x), "oldest on the left");
        assert_eq!(t.d.matches('L').count(), 3);
        assert_eq!(t.ticks.len(), 10);
        assert_eq!(t.dates.first().map(|d| d.0), Some(0));
        assert_eq!(t.dates.last().map(|d| d.0), Some(3));
    }

    #[test]
    fn a_trend_with_many_readings_writes_only_the_dates_that_fit() {
        let f = built_in::care_and_treatment_plan();
        let values: Vec<u8> = (0..50).map(|k| (k % 5 + 1) as u8).collect();
        let t = trend(&f, &values);
        assert_eq!(t.points.len(), 50);
        assert!(t.dates.len() >= 2 && t.dates.len() <= 5, "{:?}", t.dates);
        // Written extents (start, middle, end anchors) never touch.
        let extent = |(_, x, a): &(usize, f64, Anchor)| match a {
            Anchor::Start => (*x, x + TREND_DATE_W),
            Anchor::Middle => (x - TREND_DATE_W / 2.0, x + TREND_DATE_W / 2.0),
            Anchor::End => (x - TREND_DATE_W, *x),
        };
        assert!(
            t.dates.windows(2).all(|w| extent(&w[1]).0 >= extent(&w[0]).1 + TREND_DATE_SPACE - 1e-9),
            "{:?}",
            t.dates
        );
        let two = trend(&f, &[1, 2]);
        assert_eq!(two.dates.len(), 2, "two readings far apart show both dates");
        let one = trend(&f, &[3]);
        assert!(one.d.is_empty() && one.points.len() == 1 && one.dates.len() == 1);
        assert!(trend(&f, &[]).points.is_empty());
    }

    #[test]
    fn the_phone_trend_has_room_for_every_stage_word_and_both_end_dates() {
        for f in built_in::all() {
            let t = trend_in(&f, &[f.scale.min, f.scale.max], TREND_PHONE_W, TREND_PHONE_H);
            assert!(t.bands.iter().all(|b| b.h >= 28.0), "{}: a band too thin for its words", f.id.0);
            assert_eq!(t.dates.len(), 2, "{}: the first and the latest date", f.id.0);
            assert_eq!(t.view.w, TREND_PHONE_W);
        }
    }
}
