//! The raw baselines: plain rusqlite and serde_json code doing the same storage work as wangge with none of its
//! logic (no checks, no merge, no audit), on a database with wangge's schema and the same durability settings.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde_json::{Map, Value as Json};

/// The record tables a bundle's families land in, and what else a bundle carries of them.
const FAMILY_TABLES: &[(&str, &str)] = &[
    ("place", "places"),
    ("inspection", "inspections"),
    ("patrol", "patrols"),
    ("finding", "findings"),
    ("hazard", "hazards"),
    ("petition", "petitions"),
    ("assignment", "assignments"),
];

/// A connection as wangge's store makes it for a bulk write (WAL, full sync, a 64 MiB page cache), without its
/// foreign-key checks (the bundled SQLite turns them on by default).
fn connect(path: &Path) -> Result<Connection, String> {
    let conn = Connection::open(path).map_err(|e| e.to_string())?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .and_then(|_| conn.pragma_update(None, "synchronous", "FULL"))
        .and_then(|_| conn.pragma_update(None, "cache_size", -65536))
        .and_then(|_| conn.pragma_update(None, "foreign_keys", "OFF"))
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// A new, empty database with wangge's schema (its built-in tables filled as any new database's are).
pub fn schema_db(path: &Path) -> Result<Connection, String> {
    wangge::store::remove_db_files(path);
    drop(super::data::open(
        path,
        wangge::store::OpenMode::CreateIfMissing,
    )?);
    connect(path)
}

fn columns(conn: &Connection, table: &str) -> Result<Vec<String>, String> {
    let mut st = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .map_err(|e| e.to_string())?;
    let rows = st.query_map([], |r| r.get(0)).map_err(|e| e.to_string())?;
    rows.collect::<rusqlite::Result<_>>()
        .map_err(|e| e.to_string())
}

fn sql_value(v: Option<&Json>) -> Value {
    match v {
        None | Some(Json::Null) => Value::Null,
        Some(Json::Bool(b)) => Value::Integer(i64::from(*b)),
        Some(Json::Number(n)) => n
            .as_i64()
            .map(Value::Integer)
            .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or(0.0))),
        Some(Json::String(s)) => Value::Text(s.clone()),
        Some(other) => Value::Text(other.to_string()),
    }
}

/// What a raw import writes. The baseline writes each record's row (an inspection's with its results)
/// and its journal rows (`Rows::BASELINE`); wangge's import also writes the timeline's events, an audit row
/// (hashes, and for a new record no changes), and each sequence number seen (`Rows::FLOOR`, the storage floor of its design,
/// with no logic between the rows). The parts can be taken one by one, to see what each costs.
#[derive(Clone, Copy)]
pub struct Rows {
    pub timeline: Timeline,
    pub audit: Audit,
    pub seen: bool,
}

/// Where a raw import writes a record's timeline events.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Timeline {
    None,
    /// As rows of `timeline`, as wangge keeps them (`events::insert_rows`).
    Rows,
    /// Packed into a column of the record's own row, which the raw database adds (`events::packed`): what
    /// storing them there would cost instead.
    InRow,
}

/// The audit row a raw import writes per record.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Audit {
    None,
    /// Hashes, no changes: what wangge writes for a record new to the database (its state hash proves the
    /// content).
    Hashes,
}

impl Rows {
    pub const BASELINE: Rows = Rows {
        timeline: Timeline::None,
        audit: Audit::None,
        seen: false,
    };
    pub const FLOOR: Rows = Rows {
        timeline: Timeline::Rows,
        audit: Audit::Hashes,
        seen: true,
    };
}

/// Upserts every record of a plain bundle, and a journal row per change it carries (and what else `rows` names),
/// into `db` in one transaction with prepared `INSERT … ON CONFLICT DO UPDATE`. Returns (seconds, records).
pub fn upsert_bundle(db: &Path, bundle: &Path, rows: Rows) -> Result<(f64, u64), String> {
    let mut conn = connect(db)?;
    let started = Instant::now();
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    let mut sql = Vec::new();
    for (family, table) in FAMILY_TABLES {
        if rows.timeline == Timeline::InRow {
            tx.execute(&format!("ALTER TABLE {table} ADD COLUMN events BLOB"), [])
                .map_err(|e| e.to_string())?;
        }
        let cols = columns(&tx, table)?;
        let set: Vec<String> = cols
            .iter()
            .filter(|c| *c != "key")
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let marks = vec!["?"; cols.len()].join(", ");
        sql.push((
            *family,
            format!(
                "INSERT INTO {table} ({}) VALUES ({marks}) ON CONFLICT (key) DO UPDATE SET {}",
                cols.join(", "),
                set.join(", ")
            ),
            cols,
        ));
    }
    // The journal names a record by its key in `ids`, as wangge's does, and numbers its entries on from its head.
    let mut intern = tx
        .prepare("INSERT OR IGNORE INTO ids (id) VALUES (?1)")
        .map_err(|e| e.to_string())?;
    let mut journal = tx
        .prepare(
            "INSERT INTO journal (record, seq, version, source)
             VALUES ((SELECT key FROM ids WHERE id = ?1), ?2, ?3, (SELECT key FROM ids WHERE id = ?4))",
        )
        .map_err(|e| e.to_string())?;
    intern.execute(["bench"]).map_err(|e| e.to_string())?;
    // The logs' words by key in `names`, as wangge's are (one word for all: the floor of what they store).
    tx.execute("INSERT OR IGNORE INTO names (name) VALUES ('bench')", [])
        .map_err(|e| e.to_string())?;
    // The keys of that device and that word.
    let bench: (i64, i64) = tx
        .query_row(
            "SELECT (SELECT key FROM ids WHERE id = 'bench'), (SELECT key FROM names WHERE name = 'bench')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| e.to_string())?;
    let mut journal_seq: i64 = tx
        .query_row("SELECT seq FROM journal_head", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let file = std::fs::File::open(bundle).map_err(|e| e.to_string())?;
    let (mut n, mut last_at) = (0u64, 0i64);
    let mut audit_seq: i64 = tx
        .query_row("SELECT coalesce(max(seq), 0) FROM audit", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    // The header and its signature, then the payload's JSON Lines.
    for line in BufReader::new(file).lines().skip(2) {
        let line = line.map_err(|e| e.to_string())?;
        let v: Json = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        if v["kind"] != "record" {
            continue;
        }
        let family = v["family"].as_str().unwrap_or("");
        let Some((_, insert, cols)) = sql.iter().find(|(f, _, _)| *f == family) else {
            continue;
        };
        let record = v["record"].as_object().cloned().unwrap_or_default();
        // An inspection's results in the compact form its row holds, its devices and the records it names by
        // their keys.
        let values = cols
            .iter()
            .map(|c| wangge::store::keys::field_of(c).unwrap_or(c))
            .map(|c| match (c, record.get(c)) {
                ("events", _) => Ok(Value::Blob(super::events::packed(
                    items(v.get("events")),
                    bench,
                ))),
                ("results", Some(r)) => {
                    Ok(Value::Text(wangge::store::inspections::results_column(r)))
                }
                (c, Some(v)) => Ok(wangge::store::keys::to_column(&tx, c, v)
                    .map_err(|e| e.to_string())?
                    .unwrap_or_else(|| sql_value(Some(v)))),
                (_, None) => Ok(Value::Null),
            })
            .collect::<Result<Vec<_>, String>>()?;
        tx.prepare_cached(insert)
            .and_then(|mut st| st.execute(params_from_iter(values)))
            .map_err(|e| e.to_string())?;
        let id = record.get("id").and_then(Json::as_str).unwrap_or("");
        let at = record.get("updated_at").and_then(Json::as_i64).unwrap_or(0);
        // An id as `ids` holds it: a UUID's 16 bytes.
        let key = wangge::store::keys::stored(id);
        intern.execute([&key]).map_err(|e| e.to_string())?;
        for seq in v["seqs"].as_array().into_iter().flatten() {
            journal_seq += 1;
            journal
                .execute(rusqlite::params![
                    key,
                    journal_seq,
                    seq[1].as_i64(),
                    "bench"
                ])
                .map_err(|e| e.to_string())?;
        }
        last_at = last_at.max(at);
        audit_seq += 1;
        everything_else(&tx, &v, rows, id, audit_seq, bench)?;
        n += 1;
    }
    drop((intern, journal));
    tx.execute(
        "UPDATE journal_head SET seq = ?1, at = ?2",
        [journal_seq, last_at],
    )
    .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    Ok((started.elapsed().as_secs_f64(), n))
}

/// The elements of a JSON array (none if it is not one).
fn items(v: Option<&Json>) -> &[Json] {
    v.and_then(Json::as_array).map_or(&[], Vec::as_slice)
}

/// The rows `rows` names besides a record's row and journal: its timeline events, an audit row with 16-byte
/// hashes (as wangge keeps them), and each sequence number seen.
fn everything_else(
    tx: &rusqlite::Transaction,
    line: &Json,
    rows: Rows,
    id: &str,
    audit_seq: i64,
    bench: (i64, i64),
) -> Result<(), String> {
    let e = |e: rusqlite::Error| e.to_string();
    if rows.timeline == Timeline::Rows {
        // A new record's events take the first rowids of its range, from its key times 2^20.
        let key: i64 = tx
            .prepare_cached("SELECT key FROM ids WHERE id = ?1")
            .and_then(|mut st| st.query_row([wangge::store::keys::stored(id)], |r| r.get(0)))
            .map_err(e)?;
        super::events::insert_rows(tx, key, items(line.get("events")), bench).map_err(e)?;
    }
    let changes = match rows.audit {
        Audit::None => None,
        Audit::Hashes => Some("{}".to_owned()),
    };
    if let Some(changes) = changes {
        tx.prepare_cached(
            "INSERT INTO audit (seq, at, device, actor, family, record, action, reason, changes, state_hash, hash)
             VALUES (?1, 0, (SELECT key FROM ids WHERE id = 'bench'), (SELECT key FROM names WHERE name = 'bench'),
                     (SELECT key FROM names WHERE name = 'bench'), (SELECT key FROM ids WHERE id = ?2),
                     (SELECT key FROM names WHERE name = 'bench'), 'bench', ?3, ?4, ?4)",
        )
        .and_then(|mut st| {
            st.execute(rusqlite::params![
                audit_seq,
                wangge::store::keys::stored(id),
                changes,
                vec![0u8; 16]
            ])
        })
        .map_err(e)?;
    }
    if rows.seen {
        let mut seen = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO sync_seen (device, seq, digest) VALUES (?1, ?2, ?3)",
            )
            .map_err(e)?;
        for seq in items(line.get("seqs")) {
            seen.execute(rusqlite::params![bench.0, seq[0].as_i64(), [0u8; 8]])
                .map_err(e)?;
        }
    }
    Ok(())
}

/// Writes every record (and its timeline) of `db` as JSON Lines to `out` and syncs it. Returns (seconds, rows).
pub fn export_rows(db: &Path, out: &Path) -> Result<(f64, u64), String> {
    let conn = connect(db)?;
    let started = Instant::now();
    let file = std::fs::File::create(out).map_err(|e| e.to_string())?;
    let mut w = BufWriter::new(&file);
    let mut n = 0u64;
    let tables = FAMILY_TABLES.iter().map(|(_, t)| *t).chain(["timeline"]);
    for table in tables {
        let cols = columns(&conn, table)?;
        let mut st = conn
            .prepare(&format!("SELECT * FROM {table}"))
            .map_err(|e| e.to_string())?;
        let mut rows = st.query([]).map_err(|e| e.to_string())?;
        while let Some(r) = rows.next().map_err(|e| e.to_string())? {
            let mut obj = Map::new();
            for (i, c) in cols.iter().enumerate() {
                let v = match r.get::<_, Value>(i).map_err(|e| e.to_string())? {
                    Value::Null => Json::Null,
                    Value::Integer(x) => Json::from(x),
                    Value::Real(x) => Json::from(x),
                    Value::Text(s) => Json::String(s),
                    Value::Blob(b) => Json::String(format!("{b:02x?}")),
                };
                obj.insert(c.clone(), v);
            }
            serde_json::to_writer(&mut w, &obj).map_err(|e| e.to_string())?;
            w.write_all(b"\n").map_err(|e| e.to_string())?;
            n += 1;
        }
    }
    w.flush().map_err(|e| e.to_string())?;
    drop(w);
    file.sync_all().map_err(|e| e.to_string())?;
    Ok((started.elapsed().as_secs_f64(), n))
}

/// Inserts every row `src` holds into a new database `dst` with wangge's schema, row by row with prepared
/// statements, in one transaction. Returns (seconds, rows). The search index's rows count: the demo must write
/// them too (its documents, and the segments of the full-text table, copied as the bytes they are: the raw
/// cost of the rows, not of working them out). So do the few thousand reference rows every new database holds
/// (regions, checklist items, holidays, labels, settings), which the demo did not write: next to its millions,
/// they do not move the figure.
pub fn copy_rows(src: &Path, dst: &Path) -> Result<(f64, u64), String> {
    let from = connect(src)?;
    let mut to = schema_db(dst)?;
    let tables: Vec<String> = {
        let mut st = from
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
            )
            .map_err(|e| e.to_string())?;
        st.query_map([], |r| r.get(0))
            .map_err(|e| e.to_string())?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| e.to_string())?
    };
    let started = Instant::now();
    let tx = to.transaction().map_err(|e| e.to_string())?;
    let mut n = 0u64;
    for table in &tables {
        let cols = columns(&from, table)?;
        let mut read = from
            .prepare(&format!("SELECT {} FROM {table}", cols.join(", ")))
            .map_err(|e| e.to_string())?;
        let mut write = tx
            .prepare(&format!(
                "INSERT OR REPLACE INTO {table} ({}) VALUES ({})",
                cols.join(", "),
                vec!["?"; cols.len()].join(", ")
            ))
            .map_err(|e| e.to_string())?;
        let mut rows = read.query([]).map_err(|e| e.to_string())?;
        while let Some(r) = rows.next().map_err(|e| e.to_string())? {
            let values = (0..cols.len())
                .map(|i| r.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| e.to_string())?;
            write
                .execute(params_from_iter(values))
                .map_err(|e| e.to_string())?;
            n += 1;
        }
    }
    tx.commit().map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    drop(to);
    wangge::store::remove_db_files(dst);
    Ok((secs, n))
}
