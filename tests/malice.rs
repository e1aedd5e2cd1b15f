//! The county against a malicious device (issue 18's property): two honest townships, registered at the county
//! as a county registers its townships, and a device with any key, claiming any region, sending records with
//! any ids, families, vectors, times, tombstones and events — hand-written, correctly signed — exchange bundles
//! in any order. At the county, every record lying in an honest township is a version that township wrote, and
//! every command still opens the database and finds it sound.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::exchange::*;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use serde_json::{Map, Value};
use wangge::domain::record::Family;
use wangge::store::check::Severity;

/// A small deterministic generator (xorshift), driven by proptest's seed.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// The record lines of a plain bundle's payload.
fn record_lines(file: &Path) -> Vec<Value> {
    let (_, _, payload) = parts(file);
    String::from_utf8(payload)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] == "record")
        .collect()
}

/// Every version the honest townships wrote: (family, id) → each record's JSON text as it travelled.
fn honest_versions(files: &[PathBuf]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in files {
        for v in record_lines(f) {
            let key = (
                v["family"].as_str().unwrap().to_owned(),
                v["record"]["id"].as_str().unwrap().to_owned(),
            );
            out.entry(key).or_default().insert(v["record"].to_string());
        }
    }
    out
}

/// A region of the malicious device's choice: inside an honest township, one of them, another township, the
/// county, or another county.
const CLAIMS: [&str; 10] = [
    JIEGUAN,
    "610727101201",
    XINGZHOU,
    "610727001001001",
    "610727102000",
    "610727102000",
    "610727102201",
    "610727102201",
    COUNTY,
    "610728101000",
];

/// One hand-written bundle of the malicious device `m`, its lines made from honest ones by `dice`.
fn malicious(
    dice: &mut Dice,
    (m, claim): (u8, &str),
    template: &Path,
    pool: &[Value],
    out: &Path,
) -> PathBuf {
    let me = device_id(m);
    let families = [
        "place",
        "inspection",
        "hazard",
        "patrol",
        "finding",
        "petition",
    ];
    let mut lines = Vec::new();
    let mut counts: Map<String, Value> = Map::new();
    let hi: i64 = *dice.pick(&[50, 50, 50, 50, 50, 1, 1 << 53, i64::MAX]);
    for n in 0..1 + dice.below(3) {
        let mut v = dice.pick(pool).clone();
        let r = &mut v["record"];
        if dice.chance(2) {
            r["id"] = Value::from(format!("0190a000-0000-7000-8000-{:04x}{:08x}", m, n));
        }
        if dice.chance(6) {
            v["family"] = Value::from(*dice.pick(&families));
        }
        let r = &mut v["record"];
        if !dice.chance(4) {
            r["region_code"] = Value::from(claim);
        }
        let mut vv: Map<String, Value> = if dice.chance(2) {
            r["vv"].as_object().cloned().unwrap_or_default()
        } else {
            Map::new()
        };
        let mine = *dice.pick(&[1u64, 1, 2, 2, 40, 1 << 53]);
        vv.insert(me.clone(), Value::from(mine));
        if dice.chance(6) {
            vv.insert(
                device_id(1),
                Value::from(*dice.pick(&[50u64, 1 << 52, 1 << 62])),
            );
        }
        let total = vv
            .values()
            .fold(0u64, |t, c| t.saturating_add(c.as_u64().unwrap_or(0)));
        r["version"] = Value::from(total);
        r["vv"] = Value::Object(vv);
        r["updated_by"] = Value::from(me.as_str());
        if dice.chance(4) {
            r["updated_at"] =
                Value::from(*dice.pick(&[32_503_680_000_000_i64, 1_764_200_000_000, 0]));
        }
        if dice.chance(4) {
            r["deleted"] = Value::from(true);
        }
        if dice.chance(3) {
            let events = v["events"].as_array().cloned().unwrap_or_default();
            let mut events = events;
            events.push(serde_json::json!({
                "id": format!("0190a000-0000-7000-8000-e{:03x}{:08x}", m, n), "origin": me,
                "at": 1_764_200_000_000_i64, "on_date": "2026-11-27", "actor": "冒名", "action": "close",
                "note": "已销号"
            }));
            v["events"] = Value::Array(events);
        }
        v["seqs"] = if dice.chance(2) {
            serde_json::json!([[1, total]])
        } else {
            serde_json::json!([])
        };
        let family = v["family"].as_str().unwrap_or("?").to_owned();
        let c = counts.get(&family).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(family, Value::from(c + 1));
        lines.push(v.to_string());
    }
    let payload: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let key = SigningKey::from_bytes(&[m; 32]);
    let created = *dice.pick(&[
        "2026-11-28T01:00:00.000Z",
        "2026-11-28T01:00:00.000Z",
        "2026-11-28T01:00:00.000Z",
        "2026-11-27T01:00:00.000Z",
        "3000-01-01T00:00:00.000Z",
    ]);
    let full = dice.chance(6);
    forge(template, out, &key, payload.as_bytes(), |h| {
        h["device"] = Value::from(me.as_str());
        h["public_key"] = Value::from(hex::encode(key.verifying_key().to_bytes()));
        h["region"] = Value::from(claim);
        h["seq"] = serde_json::json!([1, hi]);
        h["full"] = Value::from(full);
        h["batch"] = Value::from(if full { 0 } else { 1 });
        h["created_at"] = Value::from(created);
        h["counts"] = Value::Object(counts.clone());
    })
}

/// What became of the malicious device's bundles in a run.
#[derive(Debug, Default)]
struct Fates {
    merged: usize,
    held: usize,
    refused: usize,
}

/// One run: honest bundles and the malicious device's, imported at the county in the order `dice` picks.
fn run(seed: u64, claim: usize, malicious_bundles: usize) -> Result<Fates, TestCaseError> {
    let mut dice = Dice(seed | 1);
    let mut a = db(JIEGUAN, 1, 8);
    let mut b = db(XINGZHOU, 2, 8);
    let mut c = db(COUNTY, 9, 0);
    register(&mut c, 1, JIEGUAN);
    register(&mut c, 2, XINGZHOU);
    let mut honest = vec![send(&mut a, None), send(&mut b, None)];
    touch_any(&mut a);
    touch_any(&mut b);
    honest.push(send(&mut a, None));
    honest.push(send(&mut b, None));
    let versions = honest_versions(&honest);
    let pool: Vec<Value> = honest.iter().flat_map(|f| record_lines(f)).collect();
    // The malicious device: any key, one claim (a second claim of the same device is refused outright).
    let me = (60 + (seed % 100) as u8, CLAIMS[claim % CLAIMS.len()]);
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = honest.clone();
    for i in 0..malicious_bundles {
        let out = dir.path().join(format!("m{i}.wgb"));
        files.push(malicious(&mut dice, me, &honest[0], &pool, &out));
    }
    // Any order, some files twice.
    let mut order: Vec<usize> = (0..files.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, dice.below(i + 1));
    }
    order.push(dice.below(files.len()));
    let mut fates = Fates::default();
    for i in order {
        let r = wangge::sync::import::import(&mut c.store, &files[i], false);
        if i >= honest.len() {
            match r {
                Ok(s) if s.held.is_some() => fates.held += 1,
                Ok(_) => fates.merged += 1,
                Err(_) => fates.refused += 1,
            }
        }
    }
    let _ = wangge::sync::review::retry(&mut c.store);
    // Every record in an honest township is a version that township wrote.
    let conn = c.store.conn();
    for family in wangge::sync::records::ORDER {
        if family == Family::Assignment {
            continue;
        }
        let mut st = conn
            .prepare(&format!(
                "SELECT {} FROM {} t WHERE region_code LIKE '610727101%' OR region_code LIKE '610727001%'",
                wangge::store::keys::id_of("t.key"),
                family.table()
            ))
            .unwrap();
        let ids: Vec<String> = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for id in ids {
            let now = wangge::sync::export::current(conn, family, &id)
                .unwrap()
                .unwrap();
            let written = versions.get(&(family.code().to_owned(), id.clone()));
            prop_assert!(
                written.is_some_and(|w| w.contains(&Value::Object(now.clone()).to_string())),
                "the county holds a {} {id} in an honest township that no honest device wrote: {}",
                family.code(),
                Value::Object(now)
            );
        }
    }
    // The database opens and is sound, and every command works on it.
    let errors: Vec<String> = wangge::store::check::run(conn, c.store.today())
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.en)
        .collect();
    prop_assert!(errors.is_empty(), "check after the exchange: {errors:?}");
    let Db { dir: cdir, store } = c;
    drop(store);
    let path = cdir.path().join("w.db");
    for args in [
        &["check"][..],
        &["report"],
        &["sync", "status"],
        &["search", "隐患"],
        &["trust", "list"],
        &["export", "--out", "x", "--to", JIEGUAN],
    ] {
        let out = common::wangge(&path)
            .current_dir(cdir.path())
            .args(args)
            .output()
            .unwrap();
        prop_assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(fates)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
    #[test]
    fn honest_townships_records_are_only_ever_versions_they_wrote(
        seed in any::<u64>(),
        claim in 0..CLAIMS.len(),
        malicious_bundles in 2usize..6,
    ) {
        run(seed, claim, malicious_bundles)?;
    }
}

/// Fixed runs where the malicious device tries everything: some of its bundles are merged (its own records in a
/// township nobody holds), some held, most refused.
#[test]
fn a_long_malicious_run_changes_no_honest_record() {
    let mut all = Fates::default();
    for (claim, seed) in [3u64, 17, 101, 4242, 65537, 99991, 7, 11, 13, 19]
        .into_iter()
        .enumerate()
    {
        let f = run(seed, claim, 12).unwrap();
        all.merged += f.merged;
        all.held += f.held;
        all.refused += f.refused;
    }
    eprintln!("{all:?}");
    assert!(all.merged > 0 && all.held > 0 && all.refused > 0, "{all:?}");
}
