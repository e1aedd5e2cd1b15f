//! Shared set-up for the integration tests: a fresh database in a temp dir, a fixed clock, a device.
#![allow(dead_code)]

pub mod exchange;
pub mod tmux;
pub mod tui;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use wangge::domain::clock::{FixedClock, parse_instant};
use wangge::store::{OpenMode, Store, WriteCtx, device};

/// "Now" in every test: Saturday 2026-11-28, 09:41 China time.
pub const NOW: &str = "2026-11-28T09:41:00+08:00";

pub fn now() -> DateTime<Utc> {
    parse_instant(NOW).unwrap()
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

impl Env {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("t.db")
    }
}

/// A database initialised as a device of 接官亭镇 with worker 张伟, at `at`.
pub fn township_at(at: DateTime<Utc>) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut store =
        Store::open(&path, OpenMode::CreateIfMissing, Arc::new(FixedClock(at))).unwrap();
    let ctx = WriteCtx {
        device: wangge::domain::ids::DeviceId::parse("0190a000-0000-7000-8000-00000000d001")
            .unwrap(),
        actor: "张伟".into(),
        region: wangge::domain::ids::RegionCode::parse("610727101000").unwrap(),
        now: at,
    };
    store
        .write_raw(|tx| device::init(tx, &ctx, &ctx.region, &[7u8; 32]))
        .unwrap();
    wangge::demo::ensure_regions(&mut store, &ctx.region).unwrap();
    Env { dir, store }
}

/// A region code written in a test.
pub fn code(s: &str) -> wangge::domain::ids::RegionCode {
    wangge::domain::ids::RegionCode::parse(s).unwrap()
}

pub fn township() -> Env {
    township_at(now())
}

/// The binary on `db` at the tests' clock, in English, reading nothing from stdin.
pub fn wangge(db: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_wangge"));
    c.env("WANGGE_NOW", NOW)
        .env("WANGGE_LANG", "en")
        .env_remove("WANGGE_DB")
        .arg("--db")
        .arg(db)
        .stdin(std::process::Stdio::null());
    c
}

/// Runs to the end; panics with its output when it fails.
pub fn ok(c: &mut std::process::Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}{}",
        c,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Reopens the same file with another clock.
pub fn reopen(env: &Env, at: DateTime<Utc>) -> Store {
    Store::open(&env.path(), OpenMode::Existing, Arc::new(FixedClock(at))).unwrap()
}

/// A grid inside 接官亭镇 (from the demo regions, which depend only on the township code).
pub fn grid() -> wangge::domain::ids::RegionCode {
    wangge::demo::township_regions(&wangge::domain::ids::RegionCode::parse("610727101000").unwrap())
        .into_iter()
        .find(|r| r.code.len() == 15)
        .unwrap()
        .code
}

/// SQL for a family row's record id (the row aliased `t`), spelled out.
#[allow(dead_code)]
pub fn row_id() -> String {
    wangge::store::keys::id_of("t.key")
}

/// SQL that picks a family row by its record's id, bound as `?1`.
#[allow(dead_code)]
pub const BY_ID: &str = "key = (SELECT key FROM ids WHERE id = unhex(replace(?1, '-', '')))";

/// SQL that picks a family row by its record's id.
#[allow(dead_code)]
pub fn by_id(id: &str) -> String {
    format!("key = (SELECT key FROM ids WHERE id = unhex(replace('{id}', '-', '')))")
}

pub fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Turns a database of this schema back into one of schema `version` (11 at the earliest: its records' rows as
/// schema 11 held them), each step undoing one migration, so that opening it runs those migrations again.
pub fn back_to(conn: &rusqlite::Connection, version: i64) {
    assert!(version >= 11, "back to schema {version}");
    type Undo = fn(&rusqlite::Connection);
    let steps: [(i64, Undo); 12] = [
        (23, hazards_place_back),
        (22, seen_spelled_out),
        (21, search_docs_with_family),
        (20, person_keys_spelled_out),
        (19, event_ids_whole),
        (18, families_by_id),
        (17, timeline_record_back),
        (16, audit_index_back),
        (15, results_spelled_out),
        (14, ids_spelled_out),
        (13, words_spelled_out),
        (12, devices_spelled_out),
    ];
    for (undoes, step) in steps {
        if version < undoes {
            step(conn);
        }
    }
    conn.pragma_update(None, "user_version", version).unwrap();
}

/// Turns a database of schema 23 back into one of schema 22: no index of hazards by place.
fn hazards_place_back(conn: &rusqlite::Connection) {
    conn.execute_batch("DROP INDEX hazards_place").unwrap();
}

/// Turns a database of schema 22 back into one of schema 21: each change number seen names its device by its
/// id and holds its digest in hex.
fn seen_spelled_out(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "CREATE TABLE sync_seen21 (
             device TEXT NOT NULL, seq INTEGER NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (device, seq)
         ) WITHOUT ROWID;
         INSERT INTO sync_seen21 SELECT
             lower(substr(hex(d.id), 1, 8) || '-' || substr(hex(d.id), 9, 4) || '-' || substr(hex(d.id), 13, 4)
                   || '-' || substr(hex(d.id), 17, 4) || '-' || substr(hex(d.id), 21)),
             s.seq, lower(hex(s.digest))
             FROM sync_seen s JOIN ids d ON d.key = s.device;
         DROP TABLE sync_seen;
         ALTER TABLE sync_seen21 RENAME TO sync_seen;",
    )
    .unwrap();
}

/// Turns a database of schema 21 back into one of schema 20: each search document names its record's family.
fn search_docs_with_family(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "CREATE TABLE search_docs20 (
             rowid INTEGER PRIMARY KEY, record INTEGER NOT NULL UNIQUE REFERENCES ids (key), family TEXT NOT NULL
         );
         INSERT INTO search_docs20 SELECT rowid, record,
             CASE WHEN record IN (SELECT key FROM inspections) THEN 'inspection'
                  WHEN record IN (SELECT key FROM hazards) THEN 'hazard'
                  WHEN record IN (SELECT key FROM findings) THEN 'finding'
                  WHEN record IN (SELECT key FROM petitions) THEN 'petition'
                  ELSE 'patrol' END
             FROM search_docs;
         DROP TABLE search_docs;
         ALTER TABLE search_docs20 RENAME TO search_docs;",
    )
    .unwrap();
}

/// Turns a database of schema 20 back into one of schema 19: petitioners' keys in hex.
fn person_keys_spelled_out(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "UPDATE petitions SET person_key = lower(hex(person_key)) WHERE typeof(person_key) = 'blob'",
    )
    .unwrap();
}

/// Turns a database of schema 19 back into one of schema 18: every event id whole.
fn event_ids_whole(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "UPDATE timeline SET id = CAST(unhex(printf('%012X', at)) || id AS BLOB) WHERE length(id) = 10",
    )
    .unwrap();
}

/// Turns a database of schema 18 back into one of schema 17: each family's row keyed by its record's id (text),
/// the records it refers to named by their ids.
fn families_by_id(conn: &rusqlite::Connection) {
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    conn.execute_batch(include_str!("schema17_families.sql"))
        .unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
}

/// Turns a database of schema 17 back into one of schema 16: the timeline names each event's record in a column
/// of its own, with an index.
fn timeline_record_back(conn: &rusqlite::Connection) {
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    conn.execute_batch(
        "CREATE TABLE timeline16 (
             id BLOB NOT NULL, origin INTEGER NOT NULL REFERENCES ids (key),
             record INTEGER NOT NULL REFERENCES ids (key), at INTEGER NOT NULL, on_date TEXT,
             actor INTEGER NOT NULL REFERENCES names (key), action INTEGER NOT NULL REFERENCES names (key),
             note TEXT
         );
         INSERT INTO timeline16 (id, origin, record, at, on_date, actor, action, note)
             SELECT id, origin, rowid >> 20, at, on_date, actor, action, note FROM timeline ORDER BY rowid;
         DROP TABLE timeline;
         ALTER TABLE timeline16 RENAME TO timeline;
         CREATE INDEX timeline_record ON timeline (record);",
    )
    .unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
}

/// Turns a database of schema 16 back into one of schema 15: the audit log's index by record.
fn audit_index_back(conn: &rusqlite::Connection) {
    conn.execute_batch("CREATE INDEX audit_record ON audit (record, seq);")
        .unwrap();
}

/// Turns a database of schema 15 back into one of schema 14: each of an inspection's results as
/// `[code, result, note]` (the note left out when there is none).
fn results_spelled_out(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "UPDATE inspections SET results = (
             SELECT json_group_array(CASE WHEN r.type <> 'text' THEN json(r.value)
                 WHEN instr(r.value, ' ') = 0
                 THEN json_array(substr(r.value, 2), CASE substr(r.value, 1, 1) WHEN 'p' THEN 'pass'
                      WHEN 'f' THEN 'fail' ELSE 'na' END)
                 ELSE json_array(substr(r.value, 2, instr(r.value, ' ') - 2), CASE substr(r.value, 1, 1)
                      WHEN 'p' THEN 'pass' WHEN 'f' THEN 'fail' ELSE 'na' END,
                      substr(r.value, instr(r.value, ' ') + 1)) END ORDER BY r.key)
             FROM json_each(inspections.results) r)",
    )
    .unwrap();
}

/// SQL spelling out an id that `ids` holds as 16 bytes (a UUID) as its canonical text; text stays as it is.
pub fn id_text(column: &str) -> String {
    let h = format!("hex({column})");
    format!(
        "iif(typeof({column}) = 'blob', lower(substr({h}, 1, 8) || '-' || substr({h}, 9, 4) || '-' || \
         substr({h}, 13, 4) || '-' || substr({h}, 17, 4) || '-' || substr({h}, 21)), {column})"
    )
}

/// Turns a database of schema 14 back into one of schema 13: `ids` spells each UUID out as text.
fn ids_spelled_out(conn: &rusqlite::Connection) {
    conn.execute(&format!("UPDATE ids SET id = {}", id_text("id")), [])
        .unwrap();
}

/// Turns a database of schema 13 back into one of schema 12 (the rows as that schema held them): the audit
/// log's and the timeline's words spelled out instead of named by key in `names`, the journal a rowid table with
/// its index and each change's time (schema 13 keeps only the last change's: every entry gets it), its numbers
/// in `sqlite_sequence`.
fn words_spelled_out(conn: &rusqlite::Connection) {
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    conn.execute_batch(
        "CREATE TABLE audit12 (
             seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, device INTEGER NOT NULL REFERENCES ids (key),
             actor TEXT NOT NULL, family TEXT NOT NULL, record INTEGER NOT NULL REFERENCES ids (key),
             action TEXT NOT NULL, reason TEXT, changes TEXT NOT NULL, state_hash BLOB, hash BLOB NOT NULL
         );
         INSERT INTO audit12
             SELECT a.seq, a.at, a.device, w.name, f.name, a.record, n.name, a.reason, a.changes, a.state_hash,
                    a.hash
             FROM audit a JOIN names w ON w.key = a.actor JOIN names f ON f.key = a.family
                  JOIN names n ON n.key = a.action;
         DROP TABLE audit;
         ALTER TABLE audit12 RENAME TO audit;
         CREATE INDEX audit_record ON audit (record, seq);
         CREATE TABLE timeline12 (
             id BLOB NOT NULL, origin INTEGER NOT NULL REFERENCES ids (key),
             record INTEGER NOT NULL REFERENCES ids (key), at INTEGER NOT NULL, on_date TEXT, actor TEXT NOT NULL,
             action TEXT NOT NULL, note TEXT
         );
         INSERT INTO timeline12 (rowid, id, origin, record, at, on_date, actor, action, note)
             SELECT t.rowid, t.id, t.origin, t.record, t.at, t.on_date, w.name, n.name, t.note
             FROM timeline t JOIN names w ON w.key = t.actor JOIN names n ON n.key = t.action ORDER BY t.rowid;
         DROP TABLE timeline;
         ALTER TABLE timeline12 RENAME TO timeline;
         CREATE INDEX timeline_record ON timeline (record);
         CREATE TABLE journal12 (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, record INTEGER NOT NULL REFERENCES ids (key),
             version INTEGER NOT NULL, at INTEGER NOT NULL, source INTEGER REFERENCES ids (key)
         );
         INSERT INTO journal12 (seq, record, version, at, source)
             SELECT seq, record, version, (SELECT at FROM journal_head), source FROM journal ORDER BY seq;
         INSERT INTO sqlite_sequence (name, seq) SELECT 'journal12', 0
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'journal12');
         UPDATE sqlite_sequence SET seq = (SELECT seq FROM journal_head) WHERE name = 'journal12';
         DROP TABLE journal;
         ALTER TABLE journal12 RENAME TO journal;
         CREATE INDEX journal_record ON journal (record, seq);
         DROP TABLE journal_head;
         DROP TABLE names;",
    )
    .unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
}

/// Rewrites a database of schema 12's record rows as the schema before migration 12 held them: each device
/// (origin, last writer, the version vector's) spelled out as its id instead of its key in `ids`.
fn devices_spelled_out(conn: &rusqlite::Connection) {
    // The old rows' devices are ids, not keys: what the new columns refer to is not there while they are.
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    for family in wangge::domain::record::Family::ALL {
        let t = family.table();
        conn.execute_batch(&format!(
            "UPDATE {t} SET origin = (SELECT id FROM ids WHERE key = {t}.origin),
                 updated_by = (SELECT id FROM ids WHERE key = {t}.updated_by),
                 vv = (SELECT json_group_object(i.id, j.value) FROM json_each({t}.vv) j
                       JOIN ids i ON i.key = j.key);"
        ))
        .unwrap();
    }
    conn.pragma_update(None, "foreign_keys", true).unwrap();
}
