//! `cargo bench` (or `cargo bench -- --quick`): wangge at county scale, one table of figures with their tails,
//! a baseline measured in the same run where a raw limit exists, the ratio, the target and PASS/FAIL.
//!
//! The demo database (1,000,000 top-level records; 20,000 with `--quick`) is made once and kept under
//! `target/bench-data/`. Figures the suite does not measure yet are listed as such at the end: this is the start
//! of issue 6's suite, not all of it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use wangge::domain::clock::{FixedClock, parse_instant};
use wangge::domain::record::Family;
use wangge::store::lists::{self, Filter};
use wangge::store::{OpenMode, Store, WriteCtx, device, search};

const NOW: &str = "2026-11-28T09:41:00+08:00";

/// One line of the table.
struct Figure {
    name: String,
    median: Duration,
    /// ("p95"/"p99", value).
    tail: (&'static str, Duration),
    baseline: Option<Duration>,
    target: String,
    pass: bool,
}

/// Times `f` `runs` times (after one warm-up run); returns the sorted durations.
fn times(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
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

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Free space on the file system holding `dir`, in GB (None when `df` cannot tell).
fn free_gb(dir: &Path) -> Option<f64> {
    let out = std::process::Command::new("df")
        .args(["-Pk"])
        .arg(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let kb: f64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kb / 1024.0 / 1024.0)
}

/// The county database of `n` demo records, made on first use.
fn database(n: usize) -> Result<PathBuf, String> {
    let dir = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
        .join("bench-data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("county-{n}.db"));
    if path.exists() {
        return Ok(path);
    }
    let need = (n as f64 / 1_000_000.0 * 20.0).max(1.0);
    if let Some(free) = free_gb(&dir)
        && free < need
    {
        return Err(format!(
            "the demo database needs about {need:.0} GB free under {}; {free:.1} GB are free. Free some space, or run with --quick",
            dir.display()
        ));
    }
    eprintln!("making {} ({n} records, once)…", path.display());
    let now = parse_instant(NOW).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!("county-{n}.db.partial"));
    wangge::store::remove_db_files(&tmp);
    let mut store = Store::open(&tmp, OpenMode::CreateIfMissing, Arc::new(FixedClock(now)))
        .map_err(|e| e.to_string())?;
    let ctx = WriteCtx {
        device: "0190a000-0000-7000-8000-0000000b0001".into(),
        actor: "bench".into(),
        region: "610727000000".into(),
        now,
    };
    store
        .write_raw(|tx| device::init(tx, &ctx, "610727000000", &[7u8; 32]))
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    wangge::demo::generate(&mut store, n, 1, &mut |done| {
        if done % 100_000 == 0 {
            eprintln!("  {done}/{n} ({:.0} s)", started.elapsed().as_secs_f64());
        }
    })
    .map_err(|e| e.to_string())?;
    drop(store);
    std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Words to search for, by length, taken from the data itself (and one that finds nothing).
fn queries(conn: &rusqlite::Connection) -> Vec<String> {
    let text: String = conn
        .query_row(
            "SELECT group_concat(description, '') FROM (SELECT description FROM hazards LIMIT 50)",
            [],
            |r| r.get(0),
        )
        .unwrap_or_default();
    let han: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = vec!["燃气".to_owned(), "村".to_owned(), "张".to_owned()];
    for len in 1..=4 {
        for start in [3usize, 17, 41] {
            if han.len() > start + len {
                out.push(han[start..start + len].iter().collect());
            }
        }
    }
    out.push("没有这种东西".into());
    out.dedup();
    out
}

fn search_figures(conn: &rusqlite::Connection, quick: bool, figures: &mut Vec<Figure>) {
    let runs = if quick { 20 } else { 50 };
    // Per query length: the search's times (first page and exact count together), and the scan's.
    let mut by_len: [(Vec<Duration>, Vec<Duration>); 4] = Default::default();
    for q in queries(conn) {
        let n = q.chars().count().clamp(1, 4) - 1;
        let page = times(runs, || {
            search::search(conn, &q, 20).unwrap();
        });
        let scan = times(if quick { 3 } else { 1 }, || {
            search::scan(conn, &q).unwrap();
        });
        by_len[n].0.extend(page);
        by_len[n].1.extend(scan);
    }
    for (i, (page, scan)) in by_len.iter_mut().enumerate() {
        if page.is_empty() {
            continue;
        }
        page.sort();
        scan.sort();
        let limit = if i == 0 { 50.0 } else { 20.0 };
        let (median, p95, base) = (pct(page, 0.5), pct(page, 0.95), pct(scan, 0.5));
        let ratio = base.as_secs_f64() / median.as_secs_f64().max(1e-9);
        figures.push(Figure {
            name: format!("search, {} char(s): first page + exact count", i + 1),
            median,
            tail: ("p95", p95),
            baseline: Some(base),
            target: format!("p95 <= {limit} ms, >= 20x the scan"),
            pass: p95.as_secs_f64() * 1e3 <= limit && ratio >= 20.0,
        });
    }
}

fn list_figures(conn: &rusqlite::Connection, quick: bool, figures: &mut Vec<Figure>) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
    let runs = if quick { 50 } else { 100 };
    for (family, table, date) in [
        (Family::Inspection, "inspections", "inspected_on"),
        (Family::Hazard, "hazards", "found_on"),
        (Family::Finding, "findings", "found_on"),
        (Family::Petition, "petitions", "received_on"),
    ] {
        let filter = Filter::new(family);
        let first = times(runs, || {
            lists::page(conn, &filter, today, None, None, 16).unwrap();
        });
        // The key 100,000 rows deep (or as deep as the table goes).
        let rows: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap_or(0);
        let depth = 100_000.min(rows.saturating_sub(20)).max(0);
        let key: Option<(String, String)> = conn
            .query_row(
                &format!(
                    "SELECT {date}, id FROM {table} WHERE deleted = 0 ORDER BY {date} DESC, id DESC LIMIT 1 OFFSET ?1"
                ),
                [depth],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        let deep = times(runs, || {
            lists::page(conn, &filter, today, key.as_ref(), None, 16).unwrap();
        });
        let mut overdue = Filter::new(family);
        overdue.overdue_only = true;
        let filtered = times(runs, || {
            lists::page(conn, &overdue, today, None, None, 16).unwrap();
        });
        for (what, t) in [
            ("first page", first),
            ("page ~100,000 deep", deep),
            ("filter change (overdue)", filtered),
        ] {
            let p95 = pct(&t, 0.95);
            figures.push(Figure {
                name: format!("list {}: {what}", table),
                median: pct(&t, 0.5),
                tail: ("p95", p95),
                baseline: None,
                target: "p95 <= 5 ms".into(),
                pass: p95 <= Duration::from_millis(5),
            });
        }
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 20_000 } else { 1_000_000 };
    let path = match database(n) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let now = parse_instant(NOW).unwrap_or_default();
    let store = match Store::open(&path, OpenMode::Existing, Arc::new(FixedClock(now))) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1);
        }
    };
    let conn = store.conn();
    let mut figures = Vec::new();
    search_figures(conn, quick, &mut figures);
    list_figures(conn, quick, &mut figures);
    let binary = Path::new("target/release/wangge");
    println!(
        "wangge at {n} top-level records ({})",
        if quick { "--quick" } else { "full" }
    );
    println!(
        "{:<52} {:>10} {:>14} {:>11} {:>8}  {:<30} result",
        "figure", "median", "tail", "baseline", "ratio", "target"
    );
    for f in &figures {
        let ratio = f.baseline.map_or_else(
            || "-".to_owned(),
            |b| format!("{:.0}x", b.as_secs_f64() / f.median.as_secs_f64().max(1e-9)),
        );
        println!(
            "{:<52} {:>10} {:>14} {:>11} {:>8}  {:<30} {}",
            f.name,
            ms(f.median),
            format!("{} {}", f.tail.0, ms(f.tail.1)),
            f.baseline.map_or_else(|| "-".into(), ms),
            ratio,
            f.target,
            if f.pass { "PASS" } else { "FAIL" }
        );
    }
    match std::fs::metadata(binary) {
        Ok(m) => {
            let mb = m.len() as f64 / 1024.0 / 1024.0;
            println!(
                "{:<52} {:>10} {:>14} {:>11} {:>8}  {:<30} {}",
                "release binary (stripped)",
                format!("{mb:.1} MB"),
                "-",
                "-",
                "-",
                "<= 12 MB",
                if mb <= 12.0 { "PASS" } else { "FAIL" }
            );
        }
        Err(_) => println!("release binary: not built (cargo build --release), not measured"),
    }
    println!(
        "not measured yet: import and export against their raw baselines, index rebuild, keystroke to frame, start to first frame, memory browsing and exchanging, demo generation against a raw insert"
    );
}
