//! The bench's one table: a line per figure, its median and tail, the same-run baseline and the ratio to it, the
//! target and PASS/FAIL; and the timing helpers the figures share.

use std::time::{Duration, Instant};

/// One line of the table, already in words.
pub struct Figure {
    pub name: String,
    pub median: String,
    pub tail: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    /// None: measured for information, no target.
    pub pass: Option<bool>,
}

impl Figure {
    /// A figure with no baseline.
    pub fn plain(name: String, median: String, tail: String, target: &str, pass: bool) -> Figure {
        Figure {
            name,
            median,
            tail,
            baseline: "-".into(),
            ratio: "-".into(),
            target: target.into(),
            pass: Some(pass),
        }
    }

    /// A throughput against a raw baseline: `ours` and `base` are the seconds each took for the same work, the
    /// ratio is ours as a share of the baseline's rate.
    pub fn rate(name: String, ours: f64, base: f64, records: u64, share: f64) -> Figure {
        let ratio = base / ours.max(1e-9);
        Figure {
            name,
            median: format!("{:.1} s", ours),
            tail: format!("{:.0}/s", records as f64 / ours.max(1e-9)),
            baseline: format!("{:.1} s", base),
            // One decimal, so a ratio just under its target never shows as the target itself (49.9%, not 50%).
            ratio: format!("{:.1}%", ratio * 100.0),
            target: format!(">= {:.0}% of the baseline's rate", share * 100.0),
            pass: Some(ratio >= share),
        }
    }

    /// A throughput against a raw baseline, for information: no target, `note` says what it shows.
    pub fn rate_info(name: String, ours: f64, base: f64, records: u64, note: &str) -> Figure {
        Figure {
            target: note.into(),
            pass: None,
            ..Figure::rate(name, ours, base, records, 0.0)
        }
    }
}

/// Times `f` `runs` times (after one warm-up run); returns the sorted durations.
pub fn times(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    f();
    let mut out: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    out.sort();
    out
}

/// The `p` quantile of sorted durations.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

pub fn print(title: &str, figures: &[Figure]) {
    println!("{title}");
    let line = |f: [&str; 7]| {
        println!(
            "{:<58} {:>10} {:>15} {:>11} {:>7}  {:<34} {}",
            f[0], f[1], f[2], f[3], f[4], f[5], f[6]
        )
    };
    line([
        "figure", "median", "tail", "baseline", "ratio", "target", "result",
    ]);
    for f in figures {
        let result = match f.pass {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "-",
        };
        line([
            &f.name,
            &f.median,
            &f.tail,
            &f.baseline,
            &f.ratio,
            &f.target,
            result,
        ]);
    }
}
