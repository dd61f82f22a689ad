//! How long the tracker's charts take to lay out: the full geometry (angles, points, rings, path data, label
//! wrapping) for a 12-area framework with 50 readings, drawn as one radial chart of all 50 series and as the 12 area
//! trends. Host timing of the pure geometry the app runs in wasm; the view itself is not included.
//!
//!     cargo bench -p waymark-app --bench chart_bench
//!
//! Prints the median and 95th percentile over 200 runs (after 20 warm-up runs).

#[allow(dead_code)]
#[path = "../src/components/chart/geometry.rs"]
mod geometry;

use geometry::{ChartSeries, SeriesStyle, radial, trend};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};
use waymark_shared::{
    Lang,
    outcomes::{Area, AreaId, Framework, Text, built_in},
    sync::RecordId,
};

const RUNS: usize = 200;
const WARM_UP: usize = 20;
const READINGS: usize = 50;

/// The built-in ladder (10 areas) with two more long-labelled areas: 12 in all.
fn twelve_areas() -> Framework {
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

/// 50 readings with values that wander over the scale; every seventh reading skips an area (a gap to split).
fn readings(f: &Framework) -> Vec<ChartSeries> {
    let (min, max) = (f.scale.min, f.scale.max);
    let span = u32::from(max - min) + 1;
    (0..READINGS)
        .map(|k| {
            let values: BTreeMap<AreaId, u8> = f
                .areas
                .iter()
                .enumerate()
                .filter(|(i, _)| k % 7 != 0 || *i != k % f.areas.len())
                .map(|(i, a)| {
                    let v = min + ((k as u32 * 7 + i as u32 * 3 + (k as u32 * i as u32) % 5) % span) as u8;
                    (a.id.clone(), v)
                })
                .collect();
            let style = match k {
                0 => SeriesStyle::First,
                k if k == READINGS - 1 => SeriesStyle::Latest,
                _ => SeriesStyle::Picked,
            };
            ChartSeries {
                reading: RecordId(format!("reading-{k:02}")),
                date: format!("2026-{:02}-{:02}", 1 + k / 28, 1 + k % 28),
                values,
                style,
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn measure(name: &str, mut work: impl FnMut() -> usize) {
    for _ in 0..WARM_UP {
        black_box(work());
    }
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        size = black_box(work());
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "{name:<44} median {:>9.1} µs   p95 {:>9.1} µs   min {:>9.1} µs   ({size} bytes of path data)",
        percentile(&times, 0.5).as_secs_f64() * 1e6,
        percentile(&times, 0.95).as_secs_f64() * 1e6,
        times[0].as_secs_f64() * 1e6,
    );
}

fn main() {
    let f = twelve_areas();
    let series = readings(&f);
    let label = |lang: Lang| {
        let f = &f;
        move |id: &AreaId| f.area(id).map(|a| a.label.get(lang).to_owned()).unwrap_or_default()
    };
    // The trends' inputs: each area's values over the readings that rated it, oldest first.
    let per_area: Vec<Vec<u8>> =
        f.areas.iter().map(|a| series.iter().filter_map(|s| s.values.get(&a.id).copied()).collect()).collect();

    let check = radial(&f, &series, label(Lang::En));
    let points: usize = check.series.iter().map(|s| s.points.len()).sum();
    println!(
        "chart geometry: {} areas x {} readings ({} points drawn, {} gaps), {RUNS} runs",
        f.areas.len(),
        series.len(),
        points,
        f.areas.len() * series.len() - points
    );

    measure("radial chart, 50 series (English labels)", || {
        let r = radial(&f, &series, label(Lang::En));
        r.series.iter().map(|s| s.d.len()).sum()
    });
    measure("radial chart, 50 series (Welsh labels)", || {
        let r = radial(&f, &series, label(Lang::Cy));
        r.series.iter().map(|s| s.d.len()).sum()
    });
    measure("12 area trends of 50 readings", || per_area.iter().map(|v| trend(&f, v).d.len()).sum());
    measure("both: radial of 50 + 12 trends", || {
        let r = radial(&f, &series, label(Lang::En));
        r.series.iter().map(|s| s.d.len()).sum::<usize>() + per_area.iter().map(|v| trend(&f, v).d.len()).sum::<usize>()
    });
    measure("typical: radial of 3 series + 1 trend", || {
        let three = [series[0].clone(), series[25].clone(), series[READINGS - 1].clone()];
        let r = radial(&f, &three, label(Lang::En));
        r.series.iter().map(|s| s.d.len()).sum::<usize>() + trend(&f, &per_area[0]).d.len()
    });
}
