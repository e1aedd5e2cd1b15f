//! The county's rules against a bundle from anyone (issue 18), one behaviour a test: a claim that overlaps another
//! device is held until an operator confirms it (and dropped when revoked), acknowledgements confirm only what was
//! sent and never go back in time, who may move a case, identities typed by people are normalised, the search
//! index commits with the import, and a database whose index cannot be rebuilt still opens.

mod common;

use std::path::Path;

use common::exchange::*;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use wangge::store::check::Severity;
use wangge::store::exchange::PeerStatus;
use wangge::sync::{ack, seal, status, trust};

fn errors(d: &Db) -> Vec<String> {
    wangge::store::check::run(d.store.conn(), d.store.today())
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.en)
        .collect()
}

fn message(e: &wangge::store::StoreError) -> String {
    wangge::domain::Localized::message(e, wangge::domain::Lang::En)
}

/// A township's records rewritten as device `n` of `region` (a new key, every line's region moved into
/// `region`, ids kept): a second device claiming part of the same ground.
fn claim_as(good: &Path, n: u8, region: &str, out: &Path) -> std::path::PathBuf {
    let (_, _, payload) = parts(good);
    let text = String::from_utf8(payload).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("\"family\":\"place\""))
        .unwrap();
    let mut v: Value = serde_json::from_str(line).unwrap();
    let me = device_id(n);
    v["record"]["id"] = Value::from(format!("0190a000-0000-7000-8000-0000000b{n:04x}"));
    v["record"]["region_code"] = Value::from(region);
    v["record"]["origin"] = Value::from(me.as_str());
    v["record"]["updated_by"] = Value::from(me.as_str());
    v["record"]["vv"] = serde_json::json!({ me.as_str(): 1 });
    v["record"]["version"] = Value::from(1);
    v["seqs"] = serde_json::json!([[1, 1]]);
    v["events"] = serde_json::json!([]);
    let key = SigningKey::from_bytes(&[n; 32]);
    forge(good, out, &key, format!("{v}\n").as_bytes(), |h| {
        h["device"] = Value::from(me.as_str());
        h["public_key"] = Value::from(hex::encode(key.verifying_key().to_bytes()));
        h["region"] = Value::from(region);
        h["seq"] = serde_json::json!([1, 1]);
        h["batch"] = Value::from(1);
        h["full"] = Value::from(false);
        h["counts"] = serde_json::json!({"place": 1});
    })
}

#[test]
fn a_claim_overlapping_a_bound_township_waits_until_confirmed_then_merges() {
    let mut a = db(JIEGUAN, 1, 10);
    let mut c = db(COUNTY, 9, 0);
    let good = send(&mut a, None);
    take(&mut c, &good).unwrap();
    let before = records_state(&c);
    // A new device claims a village of 接官亭镇: verified, held, nothing merged.
    let village = "610727101201";
    let first = claim_as(&good, 7, village, &c.dir.path().join("v1.wgb"));
    let s = take(&mut c, &first).unwrap();
    assert!(s.held.is_some(), "{s:?}");
    assert_eq!(records_state(&c), before);
    assert_eq!(
        wangge::store::exchange::peer(c.store.conn(), &dev(7))
            .unwrap()
            .unwrap()
            .status,
        PeerStatus::Held
    );
    // Its next bundle waits too, and both are listed with the reason.
    let (_, _, payload) = parts(&first);
    let second = forge(
        &first,
        &c.dir.path().join("v2.wgb"),
        &SigningKey::from_bytes(&[7; 32]),
        &payload,
        |h| {
            h["seq"] = serde_json::json!([1, 2]);
            h["batch"] = Value::from(2);
        },
    );
    assert!(take(&mut c, &second).unwrap().held.is_some());
    let st = status::status(&c.store).unwrap();
    assert_eq!(st.held.len(), 2);
    assert!(st.held[0].reason.contains("overlaps"), "{:?}", st.held[0]);
    // A held device binds nothing: a third device for 兴州街道 is pinned as usual.
    let mut b = db(XINGZHOU, 2, 5);
    let s = take(&mut c, &send(&mut b, None)).unwrap();
    assert!(s.first_seen && s.held.is_none(), "{s:?}");
    // The operator confirms: what was held is merged, in order, and the hold is empty.
    let merged = trust::confirm(&mut c.store, &dev(7)).unwrap().unwrap();
    assert_eq!(merged.len(), 2);
    assert!(merged[0].result.as_ref().unwrap().new == 1);
    let second = merged[1].result.as_ref().unwrap();
    assert!(second.already || second.unchanged == 1, "{second:?}");
    assert!(status::status(&c.store).unwrap().held.is_empty());
    assert_eq!(
        one(
            &c,
            "SELECT count(*) FROM places WHERE key = (SELECT key FROM ids WHERE id = unhex(replace('0190a000-0000-7000-8000-0000000b0007', '-', '')))"
        ),
        1
    );
    assert!(errors(&c).is_empty(), "{:?}", errors(&c));
}

#[test]
fn revoking_a_device_drops_what_it_left_held_or_quarantined() {
    let mut a = db(JIEGUAN, 1, 10);
    let mut c = db(COUNTY, 9, 0);
    let good = send(&mut a, None);
    take(&mut c, &good).unwrap();
    let first = claim_as(&good, 7, "610727101201", &c.dir.path().join("v1.wgb"));
    assert!(take(&mut c, &first).unwrap().held.is_some());
    // A record of 接官亭镇 waits in quarantine for a place that has not arrived.
    let (_, _, payload) = parts(&good);
    let text = String::from_utf8(payload).unwrap();
    let hazard = text
        .lines()
        .find(|l| l.contains("\"family\":\"hazard\"") && l.contains("\"place_id\":\""))
        .unwrap();
    let mut v: Value = serde_json::from_str(hazard).unwrap();
    v["record"]["id"] = Value::from("0190a000-0000-7000-8000-0000000c0c01");
    v["record"]["place_id"] = Value::from("0190a000-0000-7000-8000-0000000c0c02");
    v["seqs"] = serde_json::json!([]);
    let waiting = forge(
        &good,
        &c.dir.path().join("w.wgb"),
        &SigningKey::from_bytes(&[1; 32]),
        format!("{v}\n").as_bytes(),
        |h| h["counts"] = serde_json::json!({"hazard": 1}),
    );
    assert_eq!(take(&mut c, &waiting).unwrap().quarantined, 1);
    let before = records_state(&c);
    let dropped = trust::revoke(&mut c.store, &dev(1)).unwrap().unwrap();
    assert_eq!((dropped.records, dropped.bundles), (1, 0));
    let dropped = trust::revoke(&mut c.store, &dev(7)).unwrap().unwrap();
    assert_eq!((dropped.records, dropped.bundles), (0, 1));
    // Nothing was released into the tables, and nothing is left waiting.
    assert_eq!(records_state(&c), before);
    let st = status::status(&c.store).unwrap();
    assert!(st.held.is_empty() && st.quarantine.is_empty(), "{st:?}");
    // A revoked device's bundles are refused from then on.
    let e = take(&mut c, &first).expect_err("revoked");
    assert!(message(&e).contains("revoked"), "{}", message(&e));
    assert!(errors(&c).is_empty(), "{:?}", errors(&c));
}

/// A county with its key, a township holding its card, and the county's acknowledgement file of what it holds.
fn acknowledged() -> (Db, Db, std::path::PathBuf) {
    let mut c = db(COUNTY, 9, 0);
    let mut a = db(JIEGUAN, 1, 20);
    seal::county_init(&mut c.store).unwrap();
    let card = c.dir.path().join("card.txt");
    seal::write_card(&c.store, &card).unwrap();
    seal::add_card(&mut a.store, &card).unwrap();
    take(&mut c, &send(&mut a, None)).unwrap();
    let files = ack::write_all(&c.store, &c.dir.path().join("acks")).unwrap();
    (c, a, files[0].clone())
}

/// An acknowledgement like `file`, its line 1 edited by `edit`, signed again by the county's key.
fn re_ack(file: &Path, out: &Path, edit: impl Fn(&mut Value)) -> std::path::PathBuf {
    let (line1, _, _) = parts(file);
    let mut v: Value = serde_json::from_str(&line1).unwrap();
    edit(&mut v);
    let line1 = v.to_string();
    let sig = hex::encode(
        SigningKey::from_bytes(&[9; 32])
            .sign(line1.as_bytes())
            .to_bytes(),
    );
    std::fs::write(out, format!("{line1}\n{sig}\n")).unwrap();
    out.to_path_buf()
}

#[test]
fn an_ack_confirms_only_what_was_sent_and_never_goes_back_in_time() {
    let (c, mut a, file) = acknowledged();
    let sent = status::status(&a.store).unwrap().unconfirmed[0].seq;
    // It claims far more than was sent: only what was sent is believed.
    let more = re_ack(&file, &c.dir.path().join("more.wga"), |v| {
        v["ranges"] = serde_json::json!([[1, 1_000_000]]);
        v["created_at"] = Value::from("2026-11-28T09:00:00+08:00");
    });
    let t = ack::accept(&mut a.store, &more, false).unwrap();
    assert!(t.clipped && !t.older);
    assert_eq!(ack::confirmed(a.store.conn()).unwrap(), vec![sent]);
    // An older acknowledgement (claiming nothing) does not replace the newer one.
    let older = re_ack(&file, &c.dir.path().join("older.wga"), |v| {
        v["ranges"] = serde_json::json!([]);
        v["created_at"] = Value::from("2026-11-01T09:00:00+08:00");
    });
    let t = ack::accept(&mut a.store, &older, false).unwrap();
    assert!(t.older);
    assert_eq!(ack::confirmed(a.store.conn()).unwrap(), vec![sent]);
    // A newer one that confirms less does replace it.
    let newer = re_ack(&file, &c.dir.path().join("newer.wga"), |v| {
        v["ranges"] = serde_json::json!([[1, 2]]);
        v["created_at"] = Value::from("2026-11-28T09:30:00+08:00");
    });
    assert!(!ack::accept(&mut a.store, &newer, false).unwrap().older);
    assert_eq!(ack::confirmed(a.store.conn()).unwrap(), vec![[1, 2]]);
}

#[test]
fn purge_trusts_only_confirmed_ranges_this_device_sent() {
    let (mut c, mut a, file) = acknowledged();
    touch_any(&mut a);
    // Deleted after the last bundle: not sent yet. An acknowledgement claiming it confirms nothing of it.
    let claims = re_ack(&file, &c.dir.path().join("claims.wga"), |v| {
        v["ranges"] = serde_json::json!([[1, 1_000_000]]);
        v["created_at"] = Value::from("2026-11-28T09:00:00+08:00");
    });
    ack::accept(&mut a.store, &claims, false).unwrap();
    assert_eq!(ack::purge(&mut a.store, 0).unwrap(), 0);
    // Sent and confirmed: now it may go.
    take(&mut c, &send(&mut a, None)).unwrap();
    let files = ack::write_all(&c.store, &c.dir.path().join("acks2")).unwrap();
    let newer = re_ack(&files[0], &c.dir.path().join("newer.wga"), |v| {
        v["created_at"] = Value::from("2026-11-28T09:40:00+08:00");
    });
    ack::accept(&mut a.store, &newer, false).unwrap();
    assert_eq!(ack::purge(&mut a.store, 0).unwrap(), 1);
}

/// Who may move a case (docs/security.md, "Who may change what"): the office that registered a case moves it
/// into a township, village or grid inside it by assigning it; the township answers the assignment and edits
/// the case, and both travel to the other side. A township moves nothing, and a case inside one township is
/// never assigned to another.
#[test]
fn the_office_moves_its_own_cases_down_and_nothing_else_moves() {
    let mut c = db(COUNTY, 9, 30);
    let mut a = db(JIEGUAN, 1, 10);
    take(&mut c, &send(&mut a, None)).unwrap();
    // A petition the county registered itself, and one of 接官亭镇's hazards.
    let county_case: String = c
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {} FROM petitions t WHERE region_code = '610727000000' AND deleted = 0 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let township_case: String = c
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {} FROM hazards t WHERE region_code LIKE '610727101%' AND deleted = 0 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let order = |family, id: &str, to: &str| wangge::store::assignments::Order {
        target_family: family,
        target_id: wangge::domain::ids::RecordId::parse(id).unwrap(),
        assignee: code(to),
        deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
        note: "限期办理".into(),
    };
    use wangge::domain::record::Family;
    // Into a township inside the county: the case moves there.
    c.store
        .write(|tx, ctx| {
            wangge::store::assignments::create(
                tx,
                ctx,
                &order(Family::Petition, &county_case, JIEGUAN),
            )
        })
        .unwrap();
    let region: String = c
        .store
        .conn()
        .query_row(
            &format!("SELECT region_code FROM petitions WHERE {}", common::BY_ID),
            [&county_case],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(region, JIEGUAN);
    // A case inside 接官亭镇 cannot be assigned to 兴州街道.
    let e = c
        .store
        .write(|tx, ctx| {
            wangge::store::assignments::create(
                tx,
                ctx,
                &order(Family::Hazard, &township_case, XINGZHOU),
            )
        })
        .expect_err("another township's case");
    assert!(message(&e).contains("lies in"), "{}", message(&e));
    // The township takes the moved case and its assignment, answers, and the answer travels back up.
    let s = take(&mut a, &send(&mut c, Some(JIEGUAN))).unwrap();
    assert!(s.new >= 2, "{s:?}");
    let open = wangge::store::assignments::open(a.store.conn()).unwrap();
    let (id, v) = (open[0].meta.id.clone(), open[0].meta.version);
    a.store
        .write(|tx, ctx| wangge::store::assignments::answer(tx, ctx, &id, v, "已办结"))
        .unwrap();
    let s = take(&mut c, &send(&mut a, None)).unwrap();
    assert!(s.updated >= 1, "{s:?}");
    // A township cannot assign at all outside its own region.
    let e = a
        .store
        .write(|tx, ctx| {
            wangge::store::assignments::create(
                tx,
                ctx,
                &order(Family::Petition, &county_case, XINGZHOU),
            )
        })
        .expect_err("outside");
    assert!(message(&e).contains("outside"), "{}", message(&e));
    assert!(errors(&c).is_empty() && errors(&a).is_empty());
}

#[test]
fn ids_and_codes_people_type_are_normalised_and_stored_so() {
    let dir = tempfile::tempdir().unwrap();
    let county = dir.path().join("c.db");
    let ok = |args: &[&str]| common::ok(common::wangge(&county).args(args));
    // A county's 6-digit code in full-width digits, with spaces.
    ok(&["init", "--region", " ６１０７２７ ", "--worker", "县"]);
    assert!(ok(&["key", "show"]).contains("610727000000"));
    // A device id in capitals and braces, a key in capitals, a township code with a space.
    let key = hex::encode(SigningKey::from_bytes(&[1; 32]).verifying_key().to_bytes());
    let typed = format!("{{{}}}", device_id(1).to_uppercase());
    ok(&[
        "trust",
        "add",
        "--device",
        &typed,
        "--key",
        &key.to_uppercase(),
        "--region",
        "610727101000 ",
    ]);
    let listed = ok(&["trust", "list", "--format", "json"]);
    let peers: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(peers[0]["device"], device_id(1));
    assert_eq!(peers[0]["public_key"], key);
    assert_eq!(peers[0]["region"], JIEGUAN);
    ok(&["trust", "confirm", &device_id(1).to_uppercase()]);
    // Malformed values are usage errors (exit 2), before anything opens the database.
    let out = common::wangge(&county)
        .args(["trust", "confirm", "not-an-id"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_import_commits_its_search_index_and_a_stale_one_never_blocks_opening() {
    let mut a = db(JIEGUAN, 1, 30);
    let mut c = db(COUNTY, 9, 0);
    take(&mut c, &send(&mut a, None)).unwrap();
    // Committed with the records: not stale, and it finds what came in.
    assert!(!wangge::store::search::is_stale(c.store.conn()).unwrap());
    let (found, _) = wangge::store::search::search(c.store.conn(), "隐患", 5).unwrap();
    let (scanned, _) = wangge::store::search::scan(c.store.conn(), "隐患").unwrap();
    assert_eq!(found, scanned);
    assert!(errors(&c).is_empty(), "{:?}", errors(&c));
    // A database whose index cannot be rebuilt still opens; search reads the records instead; check names it.
    let Db { dir, store } = c;
    drop(store);
    let path = dir.path().join("w.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER broken BEFORE INSERT ON search_docs BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;
             UPDATE settings SET value = '1' WHERE key = 'search_stale';",
        )
        .unwrap();
    }
    let out = common::wangge(&path).arg("check").output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("reindex") && said.contains("disk trouble"),
        "{said}"
    );
    let out = common::wangge(&path)
        .args(["search", "隐患", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let hits: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits["total"].as_i64(), Some(scanned));
    common::ok(common::wangge(&path).arg("report"));
    common::ok(common::wangge(&path).args(["sync", "status"]));
    // Repaired, a command rebuilds it.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TRIGGER broken")
        .unwrap();
    common::ok(common::wangge(&path).arg("reindex"));
    assert!(common::ok(common::wangge(&path).arg("check")).contains("Check passed"));
}

#[test]
fn an_id_shared_by_two_families_is_named_and_never_blocks_the_database() {
    let mut a = db(JIEGUAN, 1, 10);
    // As an earlier version could leave it: a hazard, written whole (row, audit, journal), whose id is an
    // inspection's (both searched: the index rebuild once failed on it and bricked the database).
    let shared: String = a
        .store
        .conn()
        .query_row(
            &format!("SELECT {} FROM inspections t LIMIT 1", common::row_id()),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let any: String = a
        .store
        .conn()
        .query_row(
            &format!("SELECT {} FROM hazards t LIMIT 1", common::row_id()),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut twin = wangge::store::hazards::get(a.store.conn(), &any).unwrap();
    twin.meta = wangge::domain::record::Meta {
        id: wangge::domain::ids::RecordId::parse(&shared).unwrap(),
        vv: Default::default(),
        version: 0,
        ..twin.meta.clone()
    };
    a.store
        .write(|tx, ctx| {
            wangge::store::records::save(tx, ctx, None, &mut twin, "create", None)?;
            wangge::store::search::mark_stale(tx)
        })
        .unwrap();
    let Db { dir, store } = a;
    drop(store);
    let path = dir.path().join("w.db");
    // It opens (the rebuild indexes the id once), every command works, and check names the shared id, not
    // tampering.
    let out = common::wangge(&path).arg("check").output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("belong to records of two families"), "{said}");
    assert!(!said.contains("edited behind"), "{said}");
    for args in [
        &["report"][..],
        &["sync", "status"],
        &["search", "隐患"],
        &["reindex"],
    ] {
        common::ok(common::wangge(&path).args(args));
    }
}

#[test]
fn opening_waits_for_another_programs_lock_on_a_database_not_yet_in_wal() {
    let a = db(JIEGUAN, 1, 5);
    let dir = tempfile::tempdir().unwrap();
    // A restored backup: rollback journal, not WAL.
    let restored = dir.path().join("restored.db");
    a.store.backup(&restored).unwrap();
    let conn = rusqlite::Connection::open(&restored).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    conn.execute_batch("BEGIN IMMEDIATE; UPDATE settings SET value = value WHERE key = 'worker';")
        .unwrap();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(2));
        conn.execute_batch("COMMIT").unwrap();
    });
    let opened = wangge::store::Store::open(
        &restored,
        wangge::store::OpenMode::Existing,
        std::sync::Arc::new(wangge::domain::clock::FixedClock(common::now())),
    );
    holder.join().unwrap();
    let store = opened.unwrap_or_else(|e| panic!("{}", message(&e)));
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// A large bundle checks ids against every id read at its start (one pass over the keys), a small one asks the
/// database record by record: both refuse an id another family holds.
#[test]
fn an_id_of_another_family_is_refused_in_a_large_bundle_as_in_a_small_one() {
    let mut b = db(XINGZHOU, 2, 5);
    let mut a = db(JIEGUAN, 1, 20);
    let mut c = db(COUNTY, 9, 0);
    take(&mut c, &send(&mut b, None)).unwrap();
    let taken: String = c
        .store
        .conn()
        .query_row(
            &format!("SELECT {} FROM hazards t LIMIT 1", common::row_id()),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let good = send(&mut a, None);
    let (_, _, payload) = parts(&good);
    let text = String::from_utf8(payload).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"family\":\"place\""))
        .unwrap();
    let mut place: Value = serde_json::from_str(&lines[at]).unwrap();
    let old = place["record"]["id"].as_str().unwrap().to_owned();
    place["record"]["id"] = Value::from(taken.as_str());
    // Everything that refers to the place follows it, as a real bundle would.
    let edited: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == at {
                place.to_string()
            } else {
                l.replace(&old, &taken)
            }
        })
        .collect();
    let big = forge(
        &good,
        &c.dir.path().join("big.wgb"),
        &SigningKey::from_bytes(&[1; 32]),
        edited
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            .as_bytes(),
        |_| {},
    );
    let records = records_state(&c);
    let held = wangge::store::exchange::record_count(c.store.conn()).unwrap();
    assert!(
        (edited.len() as u64) * 7 > held,
        "the bundle is large beside the county: its ids are read at its start"
    );
    let e = take(&mut c, &big).expect_err("another family's id");
    assert!(message(&e).contains("another family's"), "{}", message(&e));
    assert_eq!(records_state(&c), records);
}
