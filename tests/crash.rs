//! Crash safety: the real binary killed with SIGKILL at random moments of an import (plain and encrypted), an
//! export, a demo, and a save in the TUI driven through tmux (`crash/tui.rs`). After every kill the database passes `wangge check`, its search index is not left stale,
//! an import is applied entirely or not at all, an export left a complete bundle (that a repeated export
//! reproduces byte for byte when its cursor did not move) or no bundle, and nothing saved before is missing.
//!
//! `cargo test --test crash` runs a few kills of each; `WANGGE_CRASH_TRIALS=200 cargo test --release --test crash
//! -- --ignored` runs the long trial. Each run prints how many kills landed while the operation was under way.

mod common;
#[path = "crash/tui.rs"]
mod tui;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{NOW, ok, wangge};
use std::time::{Duration, Instant};

const COUNTY: &str = "610727000000";
const TOWNSHIP: &str = "610727101000";
const OTHER: &str = "610727102000";

fn one(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Copies a database file (its WAL checkpointed first) to a fresh path, removing what an earlier trial left.
fn copy_db(from: &Path, to: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", to.display()));
    }
    std::fs::copy(from, to).unwrap();
}

fn bundles(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "wgb"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A small deterministic generator for the kill times.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Starts `c`, kills it after `after` (if it is still running) and says whether the kill landed mid-run.
fn kill_after(c: &mut Command, after: Duration) -> bool {
    let mut child = c
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + after;
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let now = Instant::now();
        if now >= until {
            break;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(2)));
    }
    let landed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    landed
}

/// How long `c` takes when left alone.
fn timed(c: &mut Command) -> Duration {
    let t = Instant::now();
    ok(c);
    t.elapsed()
}

/// `check` passes, and opening the database left no stale search index behind.
fn sound(db: &Path) {
    let out = wangge(db).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "check failed after a kill: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        one(
            db,
            "SELECT count(*) FROM settings WHERE key = 'search_stale' AND value = '1'"
        ),
        0,
        "the search index was left stale"
    );
}

const RECORDS: &str = "SELECT (SELECT count(*) FROM inspections) + (SELECT count(*) FROM hazards)
     + (SELECT count(*) FROM findings) + (SELECT count(*) FROM petitions) + (SELECT count(*) FROM places)";

/// What the trials work from: a township with demo data and its whole history as a plain and an encrypted
/// bundle, and a county already holding another township's bundle.
struct World {
    dir: tempfile::TempDir,
    /// The township before any export.
    township: PathBuf,
    county: PathBuf,
    plain: PathBuf,
    sealed: PathBuf,
}

fn world(records: usize) -> World {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let (township, county) = (p("township.db"), p("county.db"));
    ok(wangge(&county).args(["init", "--region", COUNTY, "--worker", "县中心"]));
    ok(wangge(&county).args(["key", "county-init"]));
    ok(wangge(&county)
        .args(["key", "card"])
        .arg(p("county-card.txt")));
    // The county already holds another township's records: they must survive every kill.
    let other = p("other.db");
    ok(wangge(&other).args([
        "demo",
        "--records",
        "40",
        "--seed",
        "5",
        "--township",
        OTHER,
    ]));
    ok(wangge(&other).args(["export", "--out"]).arg(p("other")));
    ok(wangge(&county).arg("import").args(bundles(&p("other"))));
    ok(wangge(&township).args([
        "demo",
        "--records",
        &records.to_string(),
        "--township",
        TOWNSHIP,
    ]));
    // The export trials start from here: nothing sent yet.
    let unsent = p("unsent.db");
    copy_db(&township, &unsent);
    // The whole history, plain, then encrypted to the county.
    ok(wangge(&township)
        .args(["export", "--full", "--out"])
        .arg(p("plain")));
    ok(wangge(&township)
        .args(["recipient", "add", "--card"])
        .arg(p("county-card.txt")));
    ok(wangge(&township)
        .args(["export", "--full", "--out"])
        .arg(p("sealed")));
    ok(wangge(&township)
        .args(["recipient", "remove"])
        .arg(recipient(&county)));
    let plain = bundles(&p("plain")).remove(0);
    let sealed = bundles(&p("sealed")).remove(0);
    World {
        township: unsent,
        county,
        plain,
        sealed,
        dir,
    }
}

/// The county's encryption recipient (age1…), from `key show`.
fn recipient(county: &Path) -> String {
    let shown = ok(wangge(county).args(["key", "show"]));
    shown
        .split_whitespace()
        .find(|w| w.starts_with("age1"))
        .expect("the county's recipient")
        .to_owned()
}

/// Kill counts of one operation.
#[derive(Default, Debug)]
struct Tally {
    trials: usize,
    mid: usize,
    /// Mid-run kills after which the operation's effect was there (it had committed) or not.
    applied: usize,
}

fn imports(w: &World, trials: usize, dice: &mut Dice) -> Vec<(&'static str, Tally)> {
    let before = one(&w.county, RECORDS);
    let mut out = Vec::new();
    for (what, bundle) in [
        ("import (plain)", &w.plain),
        ("import (encrypted)", &w.sealed),
    ] {
        let work = w.dir.path().join("county-work.db");
        copy_db(&w.county, &work);
        let full = timed(wangge(&work).arg("import").arg(bundle));
        let after = one(&work, RECORDS);
        assert!(after > before);
        let mut t = Tally::default();
        for _ in 0..trials {
            copy_db(&w.county, &work);
            let at = Duration::from_micros(dice.below(full.as_micros() as u64 * 11 / 10));
            let mid = kill_after(wangge(&work).arg("import").arg(bundle), at);
            sound(&work);
            let n = one(&work, RECORDS);
            let batches = one(&work, "SELECT count(*) FROM sync_batches");
            // All or nothing, and the other township's records are all still there.
            assert!(
                n == before || n == after,
                "{what}: {n} records after a kill at {at:?} (before {before}, after {after})"
            );
            assert_eq!(batches, if n == after { 2 } else { 1 }, "{what}: batches");
            t.trials += 1;
            if mid {
                t.mid += 1;
                t.applied += usize::from(n == after);
            }
        }
        out.push((what, t));
    }
    out
}

fn exports(w: &World, trials: usize, dice: &mut Dice) -> Tally {
    let work = w.dir.path().join("township-work.db");
    let out_dir = w.dir.path().join("out");
    copy_db(&w.township, &work);
    let full = timed(wangge(&work).args(["export", "--out"]).arg(&out_dir));
    let mut t = Tally::default();
    for _ in 0..trials {
        copy_db(&w.township, &work);
        let _ = std::fs::remove_dir_all(&out_dir);
        let at = Duration::from_micros(dice.below(full.as_micros() as u64 * 11 / 10));
        let mid = kill_after(wangge(&work).args(["export", "--out"]).arg(&out_dir), at);
        sound(&work);
        let left = bundles(&out_dir);
        assert!(left.len() <= 1, "{left:?}");
        let cursor = one(
            &work,
            "SELECT coalesce(max(last_seq), 0) FROM export_cursors",
        );
        if let Some(bundle) = left.first() {
            // Complete: the county takes it.
            let county = w.dir.path().join("county-check.db");
            copy_db(&w.county, &county);
            ok(wangge(&county).args(["import", "--dry-run"]).arg(bundle));
            if cursor == 0 {
                // The cursor did not move: the repeated export writes the same bytes.
                let again = w.dir.path().join("again");
                let _ = std::fs::remove_dir_all(&again);
                ok(wangge(&work).args(["export", "--out"]).arg(&again));
                let repeated = bundles(&again);
                assert_eq!(repeated.len(), 1);
                assert_eq!(
                    std::fs::read(bundle).unwrap(),
                    std::fs::read(&repeated[0]).unwrap(),
                    "a repeated export wrote other bytes"
                );
            }
        } else {
            assert_eq!(cursor, 0, "the cursor moved but no bundle was left");
        }
        t.trials += 1;
        if mid {
            t.mid += 1;
            t.applied += usize::from(cursor > 0);
        }
    }
    t
}

/// The journal in order: which version of which family each change wrote (the ids the store draws for
/// hazards and events are random, so two demo runs agree on everything but those).
fn journal(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn
        .prepare(
            "SELECT (SELECT f.name FROM audit a JOIN names f ON f.key = a.family WHERE a.record = j.record LIMIT 1)
                    || ' ' || j.version
             FROM journal j ORDER BY j.seq",
        )
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn initialised(db: &Path) -> bool {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE name = 'settings'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        > 0
        && conn
            .query_row(
                "SELECT count(*) FROM settings WHERE key = 'device_id'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
            > 0
}

fn demos(w: &World, records: usize, trials: usize, dice: &mut Dice) -> Tally {
    let db = w.dir.path().join("demo.db");
    let args = [
        "demo",
        "--records",
        &records.to_string(),
        "--township",
        TOWNSHIP,
    ];
    let fresh = || {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
        }
    };
    fresh();
    let full = timed(wangge(&db).args(args));
    let complete = journal(&db);
    let mut t = Tally::default();
    for _ in 0..trials {
        fresh();
        let at = Duration::from_micros(dice.below(full.as_micros() as u64 * 11 / 10));
        let mid = kill_after(wangge(&db).args(args), at);
        t.trials += 1;
        t.mid += usize::from(mid);
        if !db.exists() || !initialised(&db) {
            // Killed before its database reached its name: the demo starts again, and clears what the killed
            // run left under the working name.
            ok(wangge(&db).args(args));
            sound(&db);
            assert_eq!(journal(&db).len(), complete.len());
            let left: Vec<_> = std::fs::read_dir(w.dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("demo.db.making"))
                .collect();
            assert!(left.is_empty(), "left behind: {left:?}");
            continue;
        }
        sound(&db);
        // Whole transactions only: what is there is the start of the complete run's changes.
        let got = journal(&db);
        assert!(
            complete.starts_with(&got),
            "{} of {} changes, not a prefix of the complete run",
            got.len(),
            complete.len()
        );
        t.applied += usize::from(mid && got.len() == complete.len());
    }
    t
}

fn trials(records: usize, each: usize, seed: u64) {
    let w = world(records);
    let mut dice = Dice(seed);
    let mut tallies = imports(&w, each, &mut dice);
    tallies.push(("export", exports(&w, each, &mut dice)));
    tallies.push(("demo", demos(&w, records / 4, each, &mut dice)));
    match tui::saves(&w.township, w.dir.path(), each, &mut dice) {
        Some(s) => eprintln!(
            "TUI save: {} kills, {} saved whole, {} not saved ({} mid-write: frames in the WAL without their commit)",
            s.trials,
            s.saved,
            s.trials - s.saved,
            s.torn
        ),
        None => eprintln!("TUI save: tmux cannot run here, skipped"),
    }
    for (what, t) in &tallies {
        eprintln!(
            "{what}: {} kills, {} mid-operation ({} after its commit)",
            t.trials, t.mid, t.applied
        );
    }
    // Most kills must land while the operation runs, or the trial proves little.
    let (all, mid) = tallies
        .iter()
        .fold((0, 0), |(a, m), (_, t)| (a + t.trials, m + t.mid));
    assert!(
        mid * 2 >= all,
        "only {mid} of {all} kills landed mid-operation"
    );
}

#[test]
fn killed_at_random_moments_nothing_is_lost_or_half_done() {
    trials(300, 5, 0x9E37_79B9_7F4A_7C15);
}

#[test]
#[ignore = "long: WANGGE_CRASH_TRIALS kills of each operation (default 100)"]
fn long_crash_trial() {
    let each = std::env::var("WANGGE_CRASH_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    trials(2_000, each, 0xD1B5_4A32_D192_ED03);
}

/// A database with a damaged page: `check` says it is damaged and what to do, exit 1, never a panic; the
/// other commands refuse with a message too.
#[test]
fn a_damaged_page_is_reported_not_crashed_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    ok(wangge(&db).args(["demo", "--records", "200", "--township", TOWNSHIP]));
    let len = std::fs::metadata(&db).unwrap().len();
    let page = 4096;
    assert!(len > 20 * page);
    // Scribble over a page in the middle of the file (a bad sector, a half-copied file).
    let mut bytes = std::fs::read(&db).unwrap();
    let at = (len / page / 2 * page) as usize;
    for (i, b) in bytes[at..at + page as usize].iter_mut().enumerate() {
        *b = (i * 7 + 13) as u8;
    }
    std::fs::write(&db, &bytes).unwrap();
    let out = wangge(&db).arg("check").output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    assert!(
        said.contains("damaged") || said.contains("corrupt") || said.contains("malformed"),
        "{said}"
    );
    for args in [&["report"][..], &["search", "燃气"], &["sync", "status"]] {
        let out = wangge(&db).args(args).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!said.contains("panicked"), "{args:?}: {said}");
        assert!(out.status.code() != Some(101), "{args:?}: {said}");
    }
}
