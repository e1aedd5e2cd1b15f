//! The county report at scale (`--only report`): `report::build` with a warm cache, and after the page cache is
//! dropped where the machine lets this process (it needs root; skipped with a note elsewhere): on the database
//! as `wangge demo` left it (compacted at its end, the rule every large write follows), and on a copy of it that
//! grew by a fifth since, row by row, just under the quarter that makes the rule compact again: the most
//! scattered a county's file gets. The raw baseline is one plain pass over every family's rows, the least any
//! full read of them costs.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use wangge::store::OpenMode;

use super::data;
use super::table::{Figure, ms, pct, times};

/// One pass over each family's table, reading a column no index holds from every row (the floor of a full
/// read of them).
fn raw_pass(conn: &rusqlite::Connection) {
    for table in ["inspections", "hazards", "findings", "petitions", "patrols"] {
        let sql = format!("SELECT count(*) FROM {table} WHERE deleted = 0 AND updated_at >= 0");
        let _: i64 = conn.query_row(&sql, [], |r| r.get(0)).unwrap_or(0);
    }
}

fn build(conn: &rusqlite::Connection) {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap();
    wangge::report::build(conn, now, "610727000000", None, None).unwrap();
}

/// Drops the page cache; false when this process may not.
fn drop_cache() -> bool {
    // `sync` first, so that dirty pages are written and dropped too.
    let _ = std::process::Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// A line of sorted runs against the baseline's: median, worst, ratio, and the target's limit.
fn against(name: &str, runs: &[Duration], base: &[Duration], limit: Duration) -> Figure {
    let (m, b) = (pct(runs, 0.5), pct(base, 0.5));
    Figure {
        name: name.into(),
        median: ms(m),
        tail: format!("max {}", ms(pct(runs, 1.0))),
        baseline: ms(b),
        ratio: format!("{:.1}x", m.as_secs_f64() / b.as_secs_f64().max(1e-9)),
        target: format!("<= {} s (baseline: one pass)", limit.as_secs()),
        pass: Some(m <= limit),
    }
}

pub fn figures(path: &Path, figures: &mut Vec<Figure>) -> Result<(), String> {
    let store = data::open(path, OpenMode::Existing)?;
    let conn = store.conn();
    let warm = times(5, || build(conn));
    let base = times(5, || raw_pass(conn));
    figures.push(against(
        "county report, warm cache (report::build)",
        &warm,
        &base,
        Duration::from_secs(1),
    ));
    drop(store);
    if !cold_figure(path, "county report, page cache dropped", figures)? {
        eprintln!("county report, cold cache: not measured (dropping the page cache needs root)");
        return Ok(());
    }
    // A copy grown by a fifth since its compaction (a fifth more demo records, written as a save writes them).
    let grown = path.with_extension("grown.db");
    wangge::store::remove_db_files(&grown);
    std::fs::copy(path, &grown).map_err(|e| e.to_string())?;
    let more = data::top_level(path)? / 5;
    data::child(&["more", &grown.to_string_lossy(), &more.to_string()])?;
    let due = data::open(&grown, OpenMode::Existing)?
        .compaction_due()
        .map_err(|e| e.to_string())?;
    let measured = if due {
        Err("the grown copy is due for compaction: it is not the rule's worst case".to_owned())
    } else {
        cold_figure(
            &grown,
            "county report, page cache dropped, a fifth grown since",
            figures,
        )
    };
    wangge::store::remove_db_files(&grown);
    measured.map(|_| ())
}

/// The report and the baseline, each run after the page cache is dropped, in a fresh connection, three times;
/// false when the cache cannot be dropped.
fn cold_figure(path: &Path, name: &str, figures: &mut Vec<Figure>) -> Result<bool, String> {
    let mut cold = Vec::new();
    let mut cold_base = Vec::new();
    for _ in 0..3 {
        if !drop_cache() {
            return Ok(false);
        }
        let store = data::open(path, OpenMode::Existing)?;
        let t = Instant::now();
        build(store.conn());
        cold.push(t.elapsed());
        drop(store);
        drop_cache();
        let store = data::open(path, OpenMode::Existing)?;
        let t = Instant::now();
        raw_pass(store.conn());
        cold_base.push(t.elapsed());
    }
    cold.sort();
    cold_base.sort();
    figures.push(against(name, &cold, &cold_base, Duration::from_secs(5)));
    Ok(true)
}
