//! Databases of devices that exchange bundles: set-up, export and import, and views of their state to
//! compare (every row, the records, a bundle's parts), and forging a bundle signed by any key.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use wangge::domain::clock::FixedClock;
use wangge::domain::ids::{DeviceId, RegionCode};
use wangge::store::{OpenMode, Store, StoreError, WriteCtx, device};
use wangge::sync::{export, import};

use super::now;

pub const COUNTY: &str = "610727000000";
pub const JIEGUAN: &str = "610727101000";
pub const XINGZHOU: &str = "610727001000";

pub struct Db {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

impl Db {
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("stick")
    }
}

pub fn device_id(n: u8) -> String {
    format!("0190a000-0000-7000-8000-0000000000{n:02x}")
}

/// Device `n` as its typed id.
pub fn dev(n: u8) -> DeviceId {
    DeviceId::parse(&device_id(n)).unwrap()
}

/// Device `n`'s signing key (its key is `[n; 32]`).
pub fn key_of(n: u8) -> wangge::domain::ids::PublicKey {
    wangge::domain::ids::PublicKey::of(&SigningKey::from_bytes(&[n; 32]).verifying_key())
}

/// Registers device `n` of `region` ahead, confirmed.
pub fn register(db: &mut Db, n: u8, region: &str) {
    wangge::sync::trust::add(&mut db.store, &dev(n), &key_of(n), &code(region)).unwrap();
}

/// A region code written in a test.
pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A database of a device of `region` (device number `n`, key `[n; 32]`), with `demo` demo records.
pub fn db(region: &str, n: u8, demo: usize) -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let mut store = Store::open(
        &path,
        OpenMode::CreateIfMissing,
        Arc::new(FixedClock(now())),
    )
    .unwrap();
    let region = code(region);
    let ctx = WriteCtx {
        device: DeviceId::parse(&device_id(n)).unwrap(),
        actor: format!("网格员{n}"),
        region: region.clone(),
        now: now(),
    };
    store
        .write_raw(|tx| device::init(tx, &ctx, &region, &[n; 32]))
        .unwrap();
    if demo > 0 {
        wangge::demo::generate(&mut store, demo, u64::from(n), &mut |_| {}).unwrap();
    } else {
        wangge::demo::ensure_regions(&mut store, &region).unwrap();
    }
    Db { dir, store }
}

pub fn send(from: &mut Db, to: Option<&str>) -> PathBuf {
    let req = export::Request {
        out_dir: from.out(),
        to: to.map(code),
        full: false,
    };
    match export::export(&mut from.store, &req).unwrap() {
        export::Outcome::Written { path, .. } => path,
        other => panic!("nothing written: {other:?}"),
    }
}

pub fn take(into: &mut Db, file: &Path) -> Result<import::Summary, StoreError> {
    import::import(&mut into.store, file, false)
}

/// Every row of every table, as text: "unchanged" means this is equal before and after.
pub fn snapshot(db: &Db) -> String {
    snapshot_of(db.store.conn())
}

/// `snapshot` of any connection (a file another process wrote).
pub fn snapshot_of(conn: &rusqlite::Connection) -> String {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for t in tables {
        let mut st = conn
            .prepare(&format!("SELECT * FROM {t} ORDER BY 1"))
            .unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        for row in rows {
            out.push_str(&t);
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    out
}

/// The tables of the records themselves (every family, an inspection's results).
pub const RECORD_TABLES: [&str; 7] = [
    "places",
    "inspections",
    "hazards",
    "patrols",
    "findings",
    "petitions",
    "assignments",
];

/// The records themselves (every family, with vectors) and the timelines: what must agree between databases.
pub fn records_state(db: &Db) -> String {
    let conn = db.store.conn();
    let mut out = String::new();
    // Each record in its JSON form (a row names its devices by keys of its own database's `ids`).
    for family in wangge::domain::record::Family::ALL {
        let mut st = conn
            .prepare(&format!(
                "SELECT {} FROM {} t ORDER BY 1",
                super::row_id(),
                family.table()
            ))
            .unwrap();
        let ids: Vec<String> = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for id in ids {
            let record = wangge::store::exchange::row_map(conn, *family, &id).unwrap();
            out.push_str(&serde_json::to_string(&record).unwrap());
            out.push('\n');
        }
    }
    let mut st = conn
        .prepare(
            "SELECT iif(length(t.id) = 10, CAST(unhex(printf('%012X', t.at)) || t.id AS BLOB), t.id) AS whole, k.id, n.name,
                    t.note
             FROM timeline t JOIN ids k ON k.key = t.rowid >> 20 JOIN names n ON n.key = t.action
             ORDER BY whole",
        )
        .unwrap();
    for row in st
        .query_map([], |r| {
            Ok(format!(
                "{:?}{:?}{:?}{:?}",
                r.get_ref(0)?,
                r.get_ref(1)?,
                r.get_ref(2)?,
                r.get_ref(3)?
            ))
        })
        .unwrap()
    {
        out.push_str(&row.unwrap());
        out.push('\n');
    }
    out
}

pub fn one(db: &Db, sql: &str) -> i64 {
    db.store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

pub fn parts(file: &Path) -> (String, String, Vec<u8>) {
    let bytes = std::fs::read(file).unwrap();
    let first = bytes.iter().position(|b| *b == b'\n').unwrap();
    let second = first + 1 + bytes[first + 1..].iter().position(|b| *b == b'\n').unwrap();
    (
        String::from_utf8(bytes[..first].to_vec()).unwrap(),
        String::from_utf8(bytes[first + 1..second].to_vec()).unwrap(),
        bytes[second + 1..].to_vec(),
    )
}

/// Rewrites a bundle with `payload`, its header fixed up by `edit`, signed by `key`.
pub fn forge(
    file: &Path,
    out: &Path,
    key: &SigningKey,
    payload: &[u8],
    edit: impl Fn(&mut Value),
) -> PathBuf {
    let (header, _, _) = parts(file);
    let mut h: Value = serde_json::from_str(&header).unwrap();
    h["payload"]["bytes"] = Value::from(payload.len());
    h["payload"]["sha256"] =
        Value::from(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(payload)));
    edit(&mut h);
    let line1 = serde_json::to_string(&h).unwrap();
    let sig = hex::encode(key.sign(line1.as_bytes()).to_bytes());
    let mut bytes = format!("{line1}\n{sig}\n").into_bytes();
    bytes.extend_from_slice(payload);
    std::fs::write(out, bytes).unwrap();
    out.to_path_buf()
}

/// Deletes one hazard (a tombstone nothing refers to), so the next export has something to carry.
pub fn touch_any(db: &mut Db) {
    let (id, v): (String, i64) = db
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {}, version FROM hazards t WHERE deleted = 0 ORDER BY 1 LIMIT 1",
                super::row_id()
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    db.store
        .write(|tx, ctx| {
            wangge::store::records::delete::<wangge::domain::hazard::Hazard>(
                tx, ctx, &id, v as u64, "测试",
            )
        })
        .unwrap();
}
