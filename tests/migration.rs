//! Migrations 9 to 22 (lean bookkeeping) on a county database of the schema before them: every family, a conflict, a
//! record in quarantine, an assignment and a tombstone. The database is made with this program and then written
//! back into migration 8's tables exactly as that schema held them (text ids, hex hashes, each audit row's
//! previous hash, a timeline event's id as text, an inspection's results in a table of their own, a search
//! document's id and date); reopening it migrates it, and everything reads as before.

mod common;

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use serde_json::Value;
use wangge::domain::clock::FixedClock;
use wangge::domain::record::Family;
use wangge::domain::{Lang, Localized};
use wangge::store::{OpenMode, Store, check, migrate, timeline};

use common::exchange::{
    COUNTY, Db, JIEGUAN, XINGZHOU, db, forge, one, parts, records_state, send, take, touch_any,
};
use common::now;

/// Migration 8's audit log, journal, timeline and search documents, filled from this schema's, with `ids` gone,
/// and its partial indexes of hazards.
const BACK_TO_8: &str = "
CREATE TABLE audit8 (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, device TEXT NOT NULL, actor TEXT NOT NULL, family TEXT NOT NULL,
    record_id TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, changes TEXT NOT NULL, state_hash TEXT,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
INSERT INTO audit8
    SELECT a.seq, a.at, d.id, a.actor, a.family, r.id, a.action, a.reason, a.changes,
           CASE WHEN a.state_hash IS NULL THEN NULL ELSE lower(hex(a.state_hash)) END,
           coalesce((SELECT lower(hex(p.hash)) FROM audit p WHERE p.seq = a.seq - 1), printf('%064d', 0)),
           lower(hex(a.hash))
    FROM audit a JOIN ids d ON d.key = a.device JOIN ids r ON r.key = a.record;
DROP TABLE audit;
ALTER TABLE audit8 RENAME TO audit;
CREATE INDEX audit_record ON audit (record_id, seq);

CREATE TABLE journal8 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, family TEXT NOT NULL, record_id TEXT NOT NULL,
    version INTEGER NOT NULL, at INTEGER NOT NULL, source TEXT
);
INSERT INTO journal8
    SELECT j.seq, (SELECT a.family FROM audit a WHERE a.record_id = r.id LIMIT 1), r.id, j.version, j.at, s.id
    FROM journal j JOIN ids r ON r.key = j.record LEFT JOIN ids s ON s.key = j.source;
DROP TABLE journal;
ALTER TABLE journal8 RENAME TO journal;
CREATE INDEX journal_record ON journal (record_id, seq);
CREATE INDEX journal_family ON journal (family, record_id, seq);

CREATE TABLE timeline8 (
    id TEXT PRIMARY KEY, origin TEXT NOT NULL, family TEXT NOT NULL, record_id TEXT NOT NULL, at INTEGER NOT NULL,
    on_date TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, note TEXT
);
INSERT INTO timeline8 (rowid, id, origin, family, record_id, at, on_date, actor, action, note)
    SELECT t.rowid,
           lower(substr(hex(t.id), 1, 8) || '-' || substr(hex(t.id), 9, 4) || '-' || substr(hex(t.id), 13, 4) || '-'
                 || substr(hex(t.id), 17, 4) || '-' || substr(hex(t.id), 21)),
           o.id, (SELECT j.family FROM journal j WHERE j.record_id = r.id LIMIT 1), r.id, t.at,
           coalesce(t.on_date, date(t.at / 1000, 'unixepoch', '+8 hours')), t.actor, t.action, t.note
    FROM timeline t JOIN ids o ON o.key = t.origin JOIN ids r ON r.key = t.record ORDER BY t.rowid;
DROP TABLE timeline;
ALTER TABLE timeline8 RENAME TO timeline;
CREATE INDEX timeline_record ON timeline (record_id, at);

CREATE TABLE search_docs8 (
    rowid INTEGER PRIMARY KEY, family TEXT NOT NULL, id TEXT NOT NULL UNIQUE, date TEXT NOT NULL
);
INSERT INTO search_docs8 SELECT d.rowid, d.family, i.id, date(1721424.5 + (d.rowid >> 20))
    FROM search_docs d JOIN ids i ON i.key = d.record;
DROP TABLE search_docs;
ALTER TABLE search_docs8 RENAME TO search_docs;
DROP TABLE ids;

DROP INDEX hazards_open_region;
CREATE INDEX hazards_open_region ON hazards (region_code, status, deleted)
    WHERE status IN ('found','assigned','rectifying','review_requested','review_passed') AND deleted = 0;
DROP INDEX hazards_running_due;
CREATE INDEX hazards_running_due ON hazards (deadline, id, status, deleted)
    WHERE status IN ('found','assigned','rectifying','review_requested') AND deleted = 0;

CREATE TABLE inspection_results (
    inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    item_code     TEXT NOT NULL REFERENCES checklist_items (code),
    result        TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'na')),
    note          TEXT,
    PRIMARY KEY (inspection_id, item_code)
) WITHOUT ROWID;
INSERT INTO inspection_results
    SELECT i.id, r.value ->> 0, r.value ->> 1, r.value ->> 2 FROM inspections i, json_each(i.results) r;
ALTER TABLE inspections DROP COLUMN results;
PRAGMA user_version = 8;
";

/// The audit log, journal and change numbers seen as their rows say them, ids (as hex) and hashes spelled out.
fn bookkeeping(conn: &rusqlite::Connection) -> String {
    let sql = "SELECT a.seq || a.at || hex(d.id) || w.name || f.name || hex(r.id) || n.name || coalesce(a.reason, '-')
                      || a.changes || coalesce(lower(hex(a.state_hash)), '-') || lower(hex(a.hash))
               FROM audit a JOIN ids d ON d.key = a.device JOIN ids r ON r.key = a.record
                    JOIN names w ON w.key = a.actor JOIN names f ON f.key = a.family JOIN names n ON n.key = a.action
               ORDER BY a.seq";
    let journal = "SELECT j.seq || hex(r.id) || j.version || coalesce(hex(s.id), '-')
                   FROM journal j JOIN ids r ON r.key = j.record LEFT JOIN ids s ON s.key = j.source ORDER BY j.seq";
    let seen = "SELECT hex(d.id) || ':' || s.seq || ':' || lower(hex(s.digest))
                FROM sync_seen s JOIN ids d ON d.key = s.device ORDER BY d.id, s.seq";
    let mut out = String::new();
    for q in [sql, journal, seen] {
        let mut st = conn.prepare(q).unwrap();
        for row in st.query_map([], |r| r.get::<_, String>(0)).unwrap() {
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    out
}

/// What searches for a few words find: the count and the hits (family, id, date, summary), by date and then id
/// (the index orders one day's hits as they were indexed, a rebuild by id).
fn searches(conn: &rusqlite::Connection) -> String {
    let found: Vec<String> = ["燃气", "隐患", "村", "检查", "信访", "gas", "已办结"]
        .iter()
        .map(|q| {
            let (n, mut hits) = wangge::store::search::search(conn, q, 500).unwrap();
            assert!(hits.len() < 500, "every hit of {q}");
            hits.sort_by(|a, b| (&a.date, &a.id).cmp(&(&b.date, &b.id)));
            format!("{q}: {n} {hits:?}")
        })
        .collect();
    found.join("\n")
}

/// Every record's timeline as `timeline::events` reads it (the bundles' and the detail's source).
fn timelines(conn: &rusqlite::Connection) -> String {
    let mut out = String::new();
    for family in [
        Family::Place,
        Family::Inspection,
        Family::Hazard,
        Family::Patrol,
        Family::Finding,
        Family::Petition,
        Family::Assignment,
    ] {
        let ids: Vec<String> = conn
            .prepare(&format!(
                "SELECT {} FROM {} t ORDER BY 1",
                common::row_id(),
                family.table()
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for id in ids {
            out.push_str(&format!(
                "{id} {:?}\n",
                timeline::events(conn, &id).unwrap()
            ));
        }
    }
    out
}

fn report(db: &Db) -> String {
    serde_json::to_string(
        &wangge::report::build(db.store.conn(), now(), COUNTY, None, None).unwrap(),
    )
    .unwrap()
}

fn errors(db: &Db) -> Vec<String> {
    check::run(db.store.conn(), db.store.today())
        .into_iter()
        .filter(|f| f.severity == check::Severity::Error)
        .map(|f| f.message(Lang::En))
        .collect()
}

fn reopen(db: Db) -> Db {
    let Db { dir, store } = db;
    drop(store);
    let store = Store::open(
        &dir.path().join("w.db"),
        OpenMode::Existing,
        Arc::new(FixedClock(now())),
    )
    .unwrap();
    Db { dir, store }
}

/// A county holding every family, a conflict, a quarantined record, an assignment and a tombstone.
fn county() -> (Db, Db) {
    let mut a = db(JIEGUAN, 1, 60);
    touch_any(&mut a);
    let mut c = db(COUNTY, 9, 0);
    take(&mut c, &send(&mut a, None)).unwrap();
    // The same hazard changed on both sides: a conflict at the county.
    let hid: String = c
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {} FROM hazards t WHERE deleted = 0 ORDER BY 1 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    for (db, text) in [(&mut a, "乡镇安监站"), (&mut c, "县应急局")] {
        let mut h = wangge::store::hazards::get(db.store.conn(), &hid).unwrap();
        h.description = format!("{text}：{}", h.description);
        db.store
            .write(|tx, ctx| wangge::store::hazards::update(tx, ctx, &h, None))
            .unwrap();
    }
    take(&mut c, &send(&mut a, None)).unwrap();
    // Another township's petition received in 2031 (a wrong clock): it waits in quarantine.
    let mut b = db(XINGZHOU, 2, 30);
    let up = send(&mut b, None);
    let (_, _, payload) = parts(&up);
    let mut lines = Vec::new();
    let mut bad = false;
    for line in std::str::from_utf8(&payload).unwrap().lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        if v["family"] == "petition" && !bad && !v["seqs"].as_array().unwrap().is_empty() {
            v["record"]["received_on"] = Value::from("2031-01-05");
            bad = true;
        }
        lines.push(v.to_string());
    }
    let payload = format!("{}\n", lines.join("\n"));
    let forged = forge(
        &up,
        &c.dir.path().join("f.wgb"),
        &SigningKey::from_bytes(&[2u8; 32]),
        payload.as_bytes(),
        |_| {},
    );
    let s = take(&mut c, &forged).unwrap();
    assert!(s.quarantined >= 1, "{s:?}");
    assert!(one(&c, "SELECT count(*) FROM conflicts") >= 1);
    c.store
        .write(|tx, ctx| {
            wangge::store::assignments::create(
                tx,
                ctx,
                &wangge::store::assignments::Order {
                    target_family: Family::Hazard,
                    target_id: wangge::domain::ids::RecordId::parse(&hid).unwrap(),
                    assignee: common::exchange::code(JIEGUAN),
                    deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
                    note: "县安委办督办".into(),
                },
            )
        })
        .unwrap();
    (a, c)
}

#[test]
fn a_county_of_the_schema_before_migrates_and_reads_as_before() {
    let (mut a, c) = county();
    assert_eq!(
        one(&c, "SELECT count(*) FROM hazards WHERE deleted = 1"),
        1,
        "a tombstone"
    );
    assert!(one(&c, "SELECT count(*) FROM conflicts") >= 1);
    assert!(one(&c, "SELECT count(*) FROM quarantine") >= 1);
    assert_eq!(one(&c, "SELECT count(*) FROM assignments"), 1);
    let before = (
        records_state(&c),
        bookkeeping(c.store.conn()),
        timelines(c.store.conn()),
        report(&c),
        searches(c.store.conn()),
    );
    assert!(before.4.contains("Hit {"), "the searches find something");
    let head = one(&c, "SELECT seq * 10000000000000 + at FROM journal_head");
    assert!(
        one(&c, "SELECT count(*) FROM sync_seen") > 0,
        "change numbers seen"
    );
    assert!(errors(&c).is_empty(), "{:?}", errors(&c));

    common::back_to(c.store.conn(), 11);
    c.store.conn().execute_batch(BACK_TO_8).unwrap();
    assert_eq!(
        one(
            &c,
            "SELECT count(*) FROM sqlite_master WHERE name IN ('ids', 'audit_lean')"
        ),
        0
    );
    let c = reopen(c);
    assert_eq!(one(&c, "PRAGMA user_version"), migrate::LATEST);
    assert_eq!(
        one(
            &c,
            "SELECT count(*) FROM hazards WHERE typeof(origin) <> 'integer'
                 OR EXISTS (SELECT 1 FROM json_each(vv) WHERE length(key) = 36)"
        ),
        0,
        "records name their devices by key"
    );
    assert_eq!(
        one(
            &c,
            "SELECT count(*) FROM ids WHERE typeof(id) <> 'blob' AND length(id) = 36"
        ),
        0,
        "ids hold UUIDs as their bytes"
    );
    let after = (
        records_state(&c),
        bookkeeping(c.store.conn()),
        timelines(c.store.conn()),
        report(&c),
        searches(c.store.conn()),
    );
    assert_eq!(before.0, after.0, "the records");
    assert_eq!(before.1, after.1, "the audit log and journal");
    assert_eq!(before.2, after.2, "the timelines");
    assert_eq!(before.3, after.3, "the report");
    assert_eq!(before.4, after.4, "the searches");
    assert_eq!(
        one(&c, "SELECT seq * 10000000000000 + at FROM journal_head"),
        head,
        "the journal's last number and its time"
    );
    assert!(errors(&c).is_empty(), "{:?}", errors(&c));
    assert_eq!(
        one(&c, "SELECT count(*) FROM journal WHERE seq > 0"),
        one(&c, "SELECT count(*) FROM journal")
    );

    // The migrated database goes on: a change from the township merges, and its bundle goes back.
    let mut c = c;
    touch_any(&mut a);
    let s = take(&mut c, &send(&mut a, None)).unwrap();
    assert!(s.updated + s.conflicts >= 1, "{s:?}");
    take(&mut a, &send(&mut c, Some(JIEGUAN))).unwrap();
    assert!(errors(&c).is_empty(), "{:?}", errors(&c));
    // A personal field edited behind the log's back is still found, and so is an edited audit row.
    c.store
        .conn()
        .execute(
            "UPDATE places SET owner_phone = '13900000000' WHERE key = (SELECT min(key) FROM places)",
            [],
        )
        .unwrap();
    assert!(
        errors(&c)
            .iter()
            .any(|e| e.contains("differ from what the audit log recorded")),
        "{:?}",
        errors(&c)
    );
    c.store
        .conn()
        .execute_batch(
            "INSERT INTO names (name) VALUES ('别人');
             UPDATE audit SET actor = (SELECT key FROM names WHERE name = '别人') WHERE seq = 5;",
        )
        .unwrap();
    assert!(
        errors(&c)
            .iter()
            .any(|e| e.contains("audit row 5 was altered")),
        "{:?}",
        errors(&c)
    );
}

#[test]
fn an_edited_hash_in_the_schema_before_is_still_found_after_the_migration() {
    let (_a, c) = county();
    common::back_to(c.store.conn(), 11);
    c.store.conn().execute_batch(BACK_TO_8).unwrap();
    c.store
        .conn()
        .execute("UPDATE audit SET hash = 'not a hash' WHERE seq = 7", [])
        .unwrap();
    let c = reopen(c);
    assert!(
        errors(&c)
            .iter()
            .any(|e| e.contains("audit row 7 was altered") || e.contains("audit row 8")),
        "{:?}",
        errors(&c)
    );
}
