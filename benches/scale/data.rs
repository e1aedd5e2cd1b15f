//! The bench's databases, made once under `target/bench-data/`, and its child processes: a figure of memory (or
//! of a whole import, export or demo) is taken in a process of its own, this same program run with `--child`,
//! which does one thing through wangge's library and prints how long it took and its peak resident memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use wangge::domain::clock::{FixedClock, parse_instant};
use wangge::domain::ids::RegionCode;
use wangge::store::{OpenMode, Store, WriteCtx, device};

pub const NOW: &str = "2026-11-28T09:41:00+08:00";
pub const COUNTY: &str = "610727000000";
pub const TOWNSHIP: &str = "610727101000";

pub fn dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
        .join("bench-data")
}

pub fn open(path: &Path, mode: OpenMode) -> Result<Store, String> {
    let now = parse_instant(NOW).map_err(|e| e.to_string())?;
    Store::open(path, mode, Arc::new(FixedClock(now)))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A new database set up as a device of `region` (the county, or a township) with the demo's identity.
pub fn fresh(path: &Path, region: &str) -> Result<Store, String> {
    wangge::store::remove_db_files(path);
    made(path, region, OpenMode::CreateIfMissing)
}

/// `fresh`, on a file opened `mode` (a working file claimed for it, held with `OpenMode::CreateHeld`).
fn made(path: &Path, region: &str, mode: OpenMode) -> Result<Store, String> {
    let mut store = open(path, mode)?;
    let now = parse_instant(NOW).map_err(|e| e.to_string())?;
    let region = RegionCode::parse(region).map_err(|e| e.to_string())?;
    let (id, key) = wangge::demo::demo_identity(1, &region, now);
    let ctx = WriteCtx {
        device: id,
        actor: "bench".into(),
        region: region.clone(),
        now,
    };
    store
        .write_raw(|tx| device::init(tx, &ctx, &region, &key))
        .map_err(|e| e.to_string())?;
    Ok(store)
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

/// Stops with a message when the disk cannot hold what `n` records need (about 20 GB at 1M).
pub fn check_space(n: usize) -> Result<(), String> {
    let dir = dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let need = (n as f64 / 1_000_000.0 * 20.0).max(1.0);
    match free_gb(&dir) {
        Some(free) if free < need => Err(format!(
            "the bench needs about {need:.0} GB free under {} for {n} records; {free:.1} GB are free. Free some space, or run with --quick",
            dir.display()
        )),
        _ => Ok(()),
    }
}

/// What a child did: seconds, peak resident memory (kB; 0 where /proc cannot tell), and its own figures.
pub struct Run {
    pub secs: f64,
    pub rss_kb: u64,
    pub extra: Vec<(String, f64)>,
}

impl Run {
    pub fn get(&self, key: &str) -> f64 {
        self.extra
            .iter()
            .find(|(k, _)| k == key)
            .map_or(0.0, |(_, v)| *v)
    }
}

/// Runs this program as `--child ARGS…` and reads what it printed.
pub fn child(args: &[&str]) -> Result<Run, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(exe)
        .arg("--child")
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("child {args:?} failed: {text}"));
    }
    let mut run = Run {
        secs: 0.0,
        rss_kb: 0,
        extra: Vec::new(),
    };
    for pair in text.split_whitespace() {
        if let Some((k, v)) = pair.split_once('=') {
            let v: f64 = v.parse().unwrap_or(0.0);
            match k {
                "secs" => run.secs = v,
                "rss_kb" => run.rss_kb = v as u64,
                _ => run.extra.push((k.into(), v)),
            }
        }
    }
    Ok(run)
}

/// Peak resident memory of this process in kB (Linux; 0 elsewhere).
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The child's side: does what `args` say, prints `secs=… rss_kb=… key=value…`.
pub fn serve(args: &[String]) -> Result<(), String> {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let started = Instant::now();
    let mut extra = String::new();
    match arg(0) {
        // demo DB N REGION: a new database of N demo records, as `wangge demo` makes one: under a working name
        // held by this process alone, then moved to DB, compacted on the way when due.
        "demo" => {
            let dest = Path::new(arg(1));
            wangge::store::remove_db_files(dest);
            let work = wangge::store::claim_work_file(dest).map_err(|e| e.to_string())?;
            let mut store = made(&work, arg(3), OpenMode::CreateHeld)?;
            let n: usize = arg(2).parse().map_err(|_| "demo: N")?;
            let every = (n / 10).max(1);
            wangge::demo::generate(&mut store, n, 1, &mut |done| {
                if done % every == 0 {
                    eprintln!(
                        "  demo {done}/{n} ({:.0} s)",
                        started.elapsed().as_secs_f64()
                    );
                }
            })
            .map_err(|e| e.to_string())?;
            store
                .move_to(dest, &mut |_| {})
                .and_then(|compacted| compacted)
                .map_err(|e| e.to_string())?;
        }
        // more DB N: N more demo records on an existing database, the file as they leave it (not compacted).
        "more" => {
            let mut store = open(Path::new(arg(1)), OpenMode::Existing)?;
            let n: usize = arg(2).parse().map_err(|_| "more: N")?;
            wangge::demo::generate(&mut store, n, 1, &mut |_| {}).map_err(|e| e.to_string())?;
        }
        // export DB OUT_DIR CARD|none: a full bundle to the county, encrypted to the card's county or plain.
        "export" => {
            let mut store = open(Path::new(arg(1)), OpenMode::Existing)?;
            super::exchange::recipient(&mut store, arg(3))?;
            let started = Instant::now();
            let req = wangge::sync::export::Request {
                out_dir: PathBuf::from(arg(2)),
                to: Some(RegionCode::parse(COUNTY).map_err(|e| e.to_string())?),
                full: true,
            };
            let out = wangge::sync::export::export(&mut store, &req).map_err(|e| e.to_string())?;
            if !matches!(out, wangge::sync::export::Outcome::Written { .. }) {
                return Err("export: nothing to write".into());
            }
            extra = format!("export_secs={}", started.elapsed().as_secs_f64());
        }
        // import DB BUNDLE: one bundle, merged; the index rebuild is told apart.
        "import" => {
            let mut store = open(Path::new(arg(1)), OpenMode::Existing)?;
            let s = wangge::sync::import::import(&mut store, Path::new(arg(2)), false)
                .map_err(|e| e.to_string())?;
            extra = format!(
                "rebuild_secs={} records={}",
                s.index_rebuild.map_or(0.0, |d| d.as_secs_f64()),
                s.new + s.updated + s.unchanged
            );
        }
        // browse DB: every tab, pages, filters and a search, as a worker would.
        "browse" => super::browse::walk(Path::new(arg(1)))?,
        other => return Err(format!("unknown child {other}")),
    }
    println!(
        "secs={} rss_kb={} {extra}",
        started.elapsed().as_secs_f64(),
        peak_rss_kb()
    );
    Ok(())
}

/// The county database of `n` demo records (made on first use by a child, whose time and memory are kept
/// beside it with the raw baseline measured right after, for the demo's figure).
pub fn county(n: usize) -> Result<PathBuf, String> {
    let dir = dir();
    let path = dir.join(format!("county-{n}.db"));
    if path.exists() {
        return Ok(path);
    }
    check_space(n)?;
    eprintln!("making {} ({n} records, once)…", path.display());
    let tmp = dir.join(format!("county-{n}.db.partial"));
    let run = child(&["demo", &tmp.to_string_lossy(), &n.to_string(), COUNTY])?;
    let base = super::raw::copy_rows(&tmp, &dir.join("raw-insert.db"))?;
    let note = format!(
        "secs={} rss_kb={} base_secs={} records={} baseline={DEMO_BASELINE}",
        run.secs, run.rss_kb, base.0, base.1
    );
    std::fs::write(dir.join(format!("county-{n}.demo")), note).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Which raw insert a county's note was measured against: 2 since 33d860b (the search index's rows counted).
const DEMO_BASELINE: f64 = 2.0;

/// The demo's figure recorded when the county database was made: (run, baseline seconds, rows); none when the
/// note was measured against another baseline (its database made by an older bench).
pub fn demo_note(n: usize) -> Option<(Run, f64, u64)> {
    let text = std::fs::read_to_string(dir().join(format!("county-{n}.demo"))).ok()?;
    let get = |k: &str| {
        text.split_whitespace()
            .find_map(|p| p.strip_prefix(k)?.strip_prefix('='))
            .and_then(|v| v.parse::<f64>().ok())
    };
    if get("baseline") != Some(DEMO_BASELINE) {
        return None;
    }
    Some((
        Run {
            secs: get("secs")?,
            rss_kb: get("rss_kb")? as u64,
            extra: Vec::new(),
        },
        get("base_secs")?,
        get("records")? as u64,
    ))
}

/// The demo's top-level records (inspections, patrol findings, petitions) a database holds.
fn top_level_of(conn: &rusqlite::Connection) -> Result<i64, String> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM inspections) + (SELECT count(*) FROM findings)
                + (SELECT count(*) FROM petitions)",
        [],
        |r| r.get(0),
    )
    .map_err(|e| e.to_string())
}

/// `top_level_of` the database at `path`.
pub fn top_level(path: &Path) -> Result<i64, String> {
    top_level_of(open(path, OpenMode::Existing)?.conn())
}

/// The county database's size per top-level record (the demo's count: inspections, patrol findings and
/// petitions; places, hazards and patrols come with them), free pages left out, in decimal kilobytes.
pub fn size_figure(path: &Path, figures: &mut Vec<super::table::Figure>) -> Result<(), String> {
    let store = open(path, OpenMode::Existing)?;
    let conn = store.conn();
    let one = |sql: &str| {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map_err(|e| e.to_string())
    };
    let used =
        (one("PRAGMA page_count")? - one("PRAGMA freelist_count")?) * one("PRAGMA page_size")?;
    let top = top_level_of(conn)?.max(1);
    let kb = used as f64 / top as f64 / 1000.0;
    figures.push(super::table::Figure::plain(
        "county database per top-level record".into(),
        format!("{kb:.2} KB"),
        format!("{:.2} GB / {top}", used as f64 / 1e9),
        "<= 1.8 KB",
        kb <= 1.8,
    ));
    Ok(())
}
