//! The county exchange end to end on real files: export, carry, import, merge, conflicts, gaps and forks,
//! assignments down and back, and every bad bundle refused with the database unchanged.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::now;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use serde_json::Value;
use wangge::domain::clock::FixedClock;
use wangge::store::{OpenMode, Store};
use wangge::sync::export;

use common::exchange::*;

/// The report's figures, without the region it was taken for.
fn figures(db: &Db) -> Value {
    let r = wangge::report::build(db.store.conn(), now(), "", None, None).unwrap();
    let mut v = serde_json::to_value(&r).unwrap();
    v.as_object_mut().unwrap().remove("region");
    v
}

#[test]
fn a_township_bundle_merges_into_an_empty_county_with_the_same_figures_once() {
    let mut a = db(JIEGUAN, 1, 120);
    let mut c = db(COUNTY, 9, 0);
    let file = send(&mut a, None);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch)),
        "{name}"
    );
    assert!(name.contains(JIEGUAN) && name.contains(COUNTY), "{name}");
    let s = take(&mut c, &file).unwrap();
    assert!(
        s.new > 100 && s.first_seen && s.conflicts == 0 && s.quarantined == 0,
        "{s:?}"
    );
    assert_eq!(figures(&c), figures(&a));
    assert!(
        wangge::store::check::run(c.store.conn(), wangge::domain::clock::china_date(now()))
            .iter()
            .all(|f| f.severity != wangge::store::check::Severity::Error)
    );
    // The same file again: nothing changes, and it says so.
    let before = snapshot(&c);
    let again = take(&mut c, &file).unwrap();
    assert!(again.already);
    assert_eq!(snapshot(&c), before);
    // Three hazards changed: their bundle carries each one's whole timeline again, and no event is held twice.
    let events = |db: &Db| -> i64 {
        db.store
            .conn()
            .query_row("SELECT count(*) FROM timeline", [], |r| r.get(0))
            .unwrap()
    };
    assert!(events(&c) > 100);
    touch(&mut a, 3, 0, "复查");
    let s = take(&mut c, &send(&mut a, None)).unwrap();
    assert_eq!(s.updated, 3, "{s:?}");
    assert_eq!(events(&c), events(&a));
    // Nothing new to send: no file.
    let req = export::Request {
        out_dir: a.out(),
        to: None,
        full: false,
    };
    assert!(matches!(
        export::export(&mut a.store, &req).unwrap(),
        export::Outcome::Nothing { .. }
    ));
}

#[test]
fn exporting_the_same_range_twice_gives_the_same_bytes() {
    let mut a = db(JIEGUAN, 1, 40);
    let copy = a.dir.path().join("copy.db");
    a.store.backup(&copy).unwrap();
    let first = std::fs::read(send(&mut a, None)).unwrap();
    // The same database before its cursor moved (as after a crash between writing and recording).
    let mut again = Db {
        dir: tempfile::tempdir().unwrap(),
        store: Store::open(&copy, OpenMode::Existing, Arc::new(FixedClock(now()))).unwrap(),
    };
    assert_eq!(std::fs::read(send(&mut again, None)).unwrap(), first);
}

#[test]
fn seventeen_townships_merge_into_one_county() {
    let towns: Vec<String> = wangge::store::regions::builtin()
        .unwrap()
        .into_iter()
        .filter(|r| r.code != COUNTY)
        .map(|r| r.code.to_string())
        .collect();
    assert_eq!(towns.len(), 17);
    let mut c = db(COUNTY, 99, 0);
    let mut totals = (0, 0, 0);
    for (i, code) in towns.iter().enumerate() {
        let mut t = db(code, 10 + i as u8, 12);
        totals.0 += one(&t, "SELECT count(*) FROM inspections");
        totals.1 += one(&t, "SELECT count(*) FROM hazards");
        totals.2 += one(&t, "SELECT count(*) FROM petitions");
        let f = send(&mut t, None);
        take(&mut c, &f).unwrap();
    }
    assert_eq!(
        (
            one(&c, "SELECT count(*) FROM inspections"),
            one(&c, "SELECT count(*) FROM hazards"),
            one(&c, "SELECT count(*) FROM petitions")
        ),
        totals
    );
    let report = wangge::report::build(c.store.conn(), now(), COUNTY, None, None).unwrap();
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["by_township"].as_array().map(Vec::len), Some(17), "{v}");
}

/// Lines of a bundle's payload that carry changes (others are context: places and records referred to).
fn changed_lines(file: &Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .skip(2)
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["seqs"].as_array().is_some_and(|s| !s.is_empty()))
        .collect()
}

/// Edits the description of `n` hazards (from the `skip`-th, by id), whatever their status; returns their ids.
fn touch(db: &mut Db, n: usize, skip: usize, text: &str) -> Vec<String> {
    let ids: Vec<String> = {
        let mut st = db
            .store
            .conn()
            .prepare(&format!(
                "SELECT {} FROM hazards t WHERE deleted = 0 ORDER BY 1 LIMIT ?1 OFFSET ?2",
                common::row_id()
            ))
            .unwrap();
        st.query_map([n as i64, skip as i64], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for id in &ids {
        let mut h = wangge::store::hazards::get(db.store.conn(), id).unwrap();
        h.description = format!("{text}：{}", h.description);
        db.store
            .write(|tx, ctx| wangge::store::hazards::update(tx, ctx, &h, None))
            .unwrap();
    }
    ids
}

#[test]
fn an_incremental_bundle_carries_the_three_changes_and_deletions_travel() {
    let mut a = db(JIEGUAN, 1, 80);
    let mut c = db(COUNTY, 9, 0);
    take(&mut c, &send(&mut a, None)).unwrap();
    let three = touch(&mut a, 3, 0, "李四复核");
    assert_eq!(three.len(), 3);
    let file = send(&mut a, None);
    let changed = changed_lines(&file);
    assert_eq!(
        changed.len(),
        3,
        "{}",
        std::fs::read_to_string(&file).unwrap()
    );
    let s = take(&mut c, &file).unwrap();
    assert_eq!((s.updated, s.new), (3, 0), "{s:?}");
    assert_eq!(
        one(
            &c,
            "SELECT count(*) FROM hazards WHERE description LIKE '李四复核%'"
        ),
        3
    );
    // A deletion (a tombstone) travels too.
    let (pid, pv): (String, i64) = a
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {}, version FROM places t WHERE deleted = 0 ORDER BY 1 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    a.store
        .write(|tx, ctx| {
            wangge::store::records::delete::<wangge::domain::place::Place>(
                tx,
                ctx,
                &pid,
                pv as u64,
                "重复登记",
            )
        })
        .unwrap();
    take(&mut c, &send(&mut a, None)).unwrap();
    assert_eq!(
        one(
            &c,
            &format!("SELECT deleted FROM places WHERE {}", common::by_id(&pid))
        ),
        1
    );
}

/// Township A and the county edit the same hazard without seeing each other's edit.
fn concurrent_pair() -> (Db, Db, String) {
    let mut a = db(JIEGUAN, 1, 60);
    let mut c = db(COUNTY, 9, 0);
    take(&mut c, &send(&mut a, None)).unwrap();
    let id = touch(&mut a, 1, 0, "乡镇安监站").remove(0);
    touch(&mut c, 1, 0, "县应急局");
    (a, c, id)
}

#[test]
fn concurrent_edits_end_as_a_conflict_on_both_sides_with_the_same_winner() {
    let (mut a, mut c, id) = concurrent_pair();
    let up = send(&mut a, None);
    let down = send(&mut c, Some(JIEGUAN));
    let s = take(&mut c, &up).unwrap();
    assert_eq!(s.conflicts, 1, "{s:?}");
    let s = take(&mut a, &down).unwrap();
    assert_eq!(s.conflicts, 1, "{s:?}");
    let row = |db: &Db| {
        let h = wangge::store::hazards::get(db.store.conn(), &id).unwrap();
        (
            h.description,
            serde_json::to_string(&h.meta.vv).unwrap(),
            h.meta.version,
        )
    };
    assert_eq!(row(&a), row(&c));
    // Nothing is dropped: the losing version is kept for review on both sides.
    for db in [&a, &c] {
        let loser: String = db
            .store
            .conn()
            .query_row(
                &format!("SELECT loser FROM conflicts WHERE record_id = '{id}'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        let winner = row(db).0;
        let other = if winner.starts_with("县应急局") {
            "乡镇安监站"
        } else {
            "县应急局"
        };
        assert!(loser.contains(other), "{loser}");
    }
}

#[test]
fn a_conflict_is_reviewed_and_resolved_with_a_note_in_the_audit_log() {
    use wangge::sync::review::{self, Keep};
    let (mut a, mut c, id) = concurrent_pair();
    let up = send(&mut a, None);
    take(&mut c, &up).unwrap();
    let conflict_id = one(&c, "SELECT id FROM conflicts WHERE resolved_at IS NULL");
    let view = review::view(c.store.conn(), conflict_id, wangge::domain::Lang::En).unwrap();
    assert_eq!(view.conflict.record_id, id);
    let (field, current, other) = &view.differences[0];
    assert_eq!(field, "problem", "{:?}", view.differences);
    assert_ne!(current, other);
    // The command line names the field in words, not as stored.
    let shown = assert_cmd::Command::cargo_bin("wangge")
        .unwrap()
        .env("WANGGE_NOW", common::NOW)
        .env_remove("WANGGE_LANG")
        .arg("--db")
        .arg(c.dir.path().join("w.db"))
        .args(["sync", "conflict", &conflict_id.to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("  问题") && !text.contains("description"),
        "{text}"
    );
    // Without a reason nothing happens.
    assert!(review::resolve(&mut c.store, conflict_id, Keep::Other, "  ").is_err());
    let before = one(&c, "SELECT count(*) FROM journal");
    review::resolve(
        &mut c.store,
        conflict_id,
        Keep::Other,
        "与乡镇电话核实，以另一版为准",
    )
    .unwrap();
    let description: String = c
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT description FROM hazards WHERE {}",
                common::by_id(&id)
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let kept = if current.starts_with("县应急局") {
        "乡镇安监站"
    } else {
        "县应急局"
    };
    assert!(description.starts_with(kept), "{description}");
    assert_eq!(
        one(&c, "SELECT count(*) FROM journal"),
        before + 1,
        "a new version that travels"
    );
    assert_eq!(
        one(
            &c,
            "SELECT count(*) FROM audit WHERE action = (SELECT key FROM names WHERE name = 'resolve_conflict') AND reason LIKE '与乡镇电话核实%'"
        ),
        2,
        "the record's row and the decision's row"
    );
    assert!(
        wangge::sync::status::status(&c.store)
            .unwrap()
            .conflicts
            .is_empty()
    );
    assert!(review::resolve(&mut c.store, conflict_id, Keep::Current, "再来一次").is_err());
    assert_eq!(check_errors(&c), Vec::<String>::new());
    // The kept version dominates both: the township takes it as a plain update, no new conflict.
    let down = send(&mut c, Some(JIEGUAN));
    let s = take(&mut a, &down).unwrap();
    assert_eq!(s.conflicts, 0, "{s:?}");
    let on_a: String = a
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT description FROM hazards WHERE {}",
                common::by_id(&id)
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(on_a, description);
    assert!(review::view(c.store.conn(), 999, wangge::domain::Lang::Zh).is_err());
    // The same from the command line.
    let cli = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("wangge")
            .unwrap()
            .env("WANGGE_NOW", common::NOW)
            .env_remove("WANGGE_LANG")
            .arg("--db")
            .arg(c.dir.path().join("w.db"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = cli(&["sync", "conflict", &conflict_id.to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("已处理") && text.contains("与乡镇电话核实"),
        "{text}"
    );

    let out = cli(&["sync", "resolve", "999", "--keep", "current", "--note", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有编号为 999 的冲突"));
    let out = cli(&["sync", "retry"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("隔离区重查"));
}

#[test]
fn a_held_record_is_taken_when_its_correction_arrives_or_discarded_with_a_note() {
    use wangge::sync::review;
    let mut a = db(JIEGUAN, 1, 40);
    let mut c = db(COUNTY, 9, 0);
    let good = send(&mut a, None);
    // A wrong clock: the township's first inspection dated in 2031, so its hazards wait for it too.
    let (_, _, payload) = parts(&good);
    let text = std::str::from_utf8(&payload).unwrap();
    let mut bad_id = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        if v["family"] == "inspection"
            && bad_id.is_empty()
            && v["record"]["failed_count"].as_i64() > Some(0)
        {
            v["record"]["inspected_on"] = Value::from("2031-01-05");
            bad_id = v["record"]["id"].as_str().unwrap().to_owned();
        }
        out.push(v.to_string());
    }
    let file = forge(
        &good,
        &c.dir.path().join("clock.wgb"),
        &SigningKey::from_bytes(&[1u8; 32]),
        format!("{}\n", out.join("\n")).as_bytes(),
        |_| {},
    );
    let s = take(&mut c, &file).unwrap();
    let held_hazards = one(
        &a,
        &format!(
            "SELECT count(*) FROM hazards WHERE inspection_{}",
            common::by_id(&bad_id)
        ),
    );
    assert!(held_hazards >= 1);
    assert_eq!(s.quarantined, 1 + held_hazards as u64, "{s:?}");
    // Nothing changes on a retry while the cause remains.
    let r = review::retry(&mut c.store).unwrap();
    assert_eq!((r.admitted, r.held), (0, s.quarantined));
    // The township corrects the inspection (a new version); with it, the hazards that waited are taken.
    let mut insp = wangge::store::inspections::get(a.store.conn(), &bad_id)
        .unwrap()
        .unwrap();
    insp.note = Some("复核日期".into());
    a.store
        .write(|tx, ctx| {
            let old = insp.clone();
            wangge::store::records::save(tx, ctx, Some(&old), &mut insp, "update", None)
        })
        .unwrap();
    let s = take(&mut c, &send(&mut a, None)).unwrap();
    assert_eq!(
        s.updated, 0,
        "the held version never reached the table: {s:?}"
    );
    assert_eq!(s.new, 1, "{s:?}");
    assert_eq!(s.released, held_hazards as u64, "{s:?}");
    assert_eq!(
        one(&c, "SELECT count(*) FROM hazards"),
        one(&a, "SELECT count(*) FROM hazards")
    );
    // The old, wrong version went with it (the import checks the quarantine again at its end).
    assert!(
        wangge::sync::status::status(&c.store)
            .unwrap()
            .quarantine
            .is_empty()
    );
    // A held record can also be discarded, with a reason.
    let file = forge(
        &good,
        &c.dir.path().join("clock2.wgb"),
        &SigningKey::from_bytes(&[1u8; 32]),
        format!("{}\n", out.join("\n")).as_bytes(),
        |h| h["batch"] = Value::from(77),
    );
    let mut d = db(COUNTY, 10, 0);
    take(&mut d, &file).unwrap();
    let q = wangge::sync::status::status(&d.store).unwrap().quarantine;
    assert!(review::discard(&mut d.store, q[0].id, "").is_err());
    review::discard(&mut d.store, q[0].id, "日期错误，已通知乡镇改正后重发").unwrap();
    assert_eq!(
        wangge::sync::status::status(&d.store)
            .unwrap()
            .quarantine
            .len(),
        q.len() - 1
    );
    assert_eq!(
        one(
            &d,
            "SELECT count(*) FROM audit WHERE action = (SELECT key FROM names WHERE name = 'discard_quarantined')"
        ),
        1
    );
    assert!(review::discard(&mut d.store, q[0].id, "again").is_err());
    assert_eq!(check_errors(&d), Vec::<String>::new());
}

/// What `wangge check` calls errors.
fn check_errors(db: &Db) -> Vec<String> {
    wangge::store::check::run(db.store.conn(), db.store.today())
        .into_iter()
        .filter(|f| f.severity == wangge::store::check::Severity::Error)
        .map(|f| f.en)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn import_order_does_not_change_the_end_state(order in Just(vec![0usize, 1, 2, 3]).prop_shuffle()) {
        let (mut a, mut c, _id) = concurrent_pair();
        let mut b = db(XINGZHOU, 2, 30);
        let files = [
            send(&mut a, None),
            send(&mut c, Some(JIEGUAN)),
            send(&mut b, None),
            {
                // A second change of A's, after the first bundle.
                touch(&mut a, 1, 1, "王五");
                send(&mut a, None)
            },
        ];
        let state = |order: &[usize]| {
            let mut x = db(COUNTY, 50, 0);
            // The county device C is this database's own region: registered ahead, as the rules require.
            register(&mut x, 9, COUNTY);
            for &i in order {
                take(&mut x, &files[i]).unwrap();
            }
            records_state(&x)
        };
        prop_assert_eq!(state(&order), state(&[0, 1, 2, 3]));
    }
}

#[test]
fn a_gap_and_a_fork_are_detected() {
    let mut a = db(JIEGUAN, 1, 80);
    let mut c = db(COUNTY, 9, 0);
    let b1 = send(&mut a, None);
    let saved = a.dir.path().join("before-b2.db");
    a.store.backup(&saved).unwrap();
    touch(&mut a, 2, 0, "甲");
    let b2 = send(&mut a, None);
    touch(&mut a, 1, 2, "乙");
    let b3 = send(&mut a, None);
    take(&mut c, &b1).unwrap();
    take(&mut c, &b3).unwrap();
    let st = wangge::sync::status::status(&c.store).unwrap();
    let dev = st
        .devices
        .iter()
        .find(|d| d.device == device_id(1))
        .unwrap();
    let lo = changed_lines(&b2)
        .iter()
        .flat_map(|l| {
            l["seqs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s[0].as_i64().unwrap())
        })
        .min()
        .unwrap();
    assert_eq!(dev.gaps.len(), 1, "{dev:?}");
    assert!(dev.gaps[0][0] <= lo && lo <= dev.gaps[0][1], "{dev:?}");
    take(&mut c, &b2).unwrap();
    assert!(
        wangge::sync::status::status(&c.store).unwrap().devices[0]
            .gaps
            .is_empty()
    );
    // A restored backup makes other changes under the same numbers: a fork.
    let mut restored = Db {
        dir: tempfile::tempdir().unwrap(),
        store: Store::open(&saved, OpenMode::Existing, Arc::new(FixedClock(now()))).unwrap(),
    };
    touch(&mut restored, 1, 1, "丙");
    let forked = send(&mut restored, None);
    let s = take(&mut c, &forked).unwrap();
    assert!(s.forks > 0, "{s:?}");
    let st = wangge::sync::status::status(&c.store).unwrap();
    assert!(!st.devices[0].forks.is_empty());
}

#[test]
fn an_assignment_goes_down_and_its_answer_comes_back() {
    let mut a = db(JIEGUAN, 1, 60);
    let mut c = db(COUNTY, 9, 0);
    take(&mut c, &send(&mut a, None)).unwrap();
    let hid: String = c
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {} FROM hazards t ORDER BY 1 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let assignment = c
        .store
        .write(|tx, ctx| {
            wangge::store::assignments::create(
                tx,
                ctx,
                &wangge::store::assignments::Order {
                    target_family: wangge::domain::record::Family::Hazard,
                    target_id: wangge::domain::ids::RecordId::parse(&hid).unwrap(),
                    assignee: code(JIEGUAN),
                    deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
                    note: "县安委办督办：限期整改".into(),
                },
            )
        })
        .unwrap();
    let down = send(&mut c, Some(JIEGUAN));
    let s = take(&mut a, &down).unwrap();
    assert!(s.new >= 1, "{s:?}");
    let open = wangge::store::assignments::open(a.store.conn()).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].target_id, hid);
    a.store
        .write(|tx, ctx| {
            wangge::store::assignments::answer(
                tx,
                ctx,
                &assignment.meta.id,
                open[0].meta.version,
                "已整改完毕，申请复查",
            )
        })
        .unwrap();
    let up = send(&mut a, None);
    // The county's own assignment comes back answered; nothing of the county's is echoed back.
    let s = take(&mut c, &up).unwrap();
    assert_eq!(s.conflicts, 0, "{s:?}");
    assert_eq!(
        one(
            &c,
            &format!(
                "SELECT status = 'done' FROM assignments WHERE {}",
                common::by_id(&assignment.meta.id)
            )
        ),
        1
    );
}

/// A bundle's three parts: header line, signature line, payload.

#[test]
fn every_bad_bundle_is_refused_and_changes_nothing() {
    let mut a = db(JIEGUAN, 1, 40);
    let mut c = db(COUNTY, 9, 0);
    let good = send(&mut a, None);
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_bytes(&[1u8; 32]);
    let other = SigningKey::from_bytes(&[66u8; 32]);
    let (header, sig, payload) = parts(&good);
    let bytes = std::fs::read(&good).unwrap();
    let write = |name: &str, b: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, b).unwrap();
        p
    };
    let lines: Vec<&str> = std::str::from_utf8(&payload).unwrap().lines().collect();
    let with_line = |k: usize, new: &str| {
        let mut l = lines.clone();
        l[k] = new;
        format!("{}\n", l.join("\n")).into_bytes()
    };
    let record = |k: usize| serde_json::from_str::<Value>(lines[k]).unwrap();
    let mut bad: Vec<(&str, PathBuf)> = Vec::new();
    let mut flipped = bytes.clone();
    let at = bytes.len() - 100;
    flipped[at] ^= 0x20;
    bad.push(("one flipped byte", write("flip.wgb", &flipped)));
    bad.push(("truncated", write("trunc.wgb", &bytes[..bytes.len() / 2])));
    bad.push(("empty", write("empty.wgb", b"")));
    bad.push(("not a bundle", write("pic.wgb", b"\x89PNG\r\n\x1a\n\0\0\0")));
    let claimed = header.replace(&device_id(1), &device_id(7));
    bad.push((
        "header edited to claim another device",
        write(
            "claim.wgb",
            format!("{claimed}\n{sig}\n")
                .as_bytes()
                .iter()
                .chain(payload.iter())
                .copied()
                .collect::<Vec<_>>()
                .as_slice(),
        ),
    ));
    bad.push((
        "unknown major version",
        forge(&good, &dir.path().join("v2.wgb"), &key, &payload, |h| {
            h["version"] = Value::from("2.0")
        }),
    ));
    bad.push((
        "malformed JSON",
        forge(
            &good,
            &dir.path().join("json.wgb"),
            &key,
            &with_line(0, "{\"kind\":\"record\",\"family\":"),
            |_| {},
        ),
    ));
    let mut invalid = payload.clone();
    invalid.extend_from_slice(b"\xff\xfe\n");
    bad.push((
        "invalid UTF-8",
        forge(&good, &dir.path().join("utf8.wgb"), &key, &invalid, |_| {}),
    ));
    let mut long = record(0);
    long["record"]["name"] = Value::from("长".repeat(200_000));
    bad.push((
        "over-long field",
        forge(
            &good,
            &dir.path().join("long.wgb"),
            &key,
            &with_line(0, &long.to_string()),
            |_| {},
        ),
    ));
    let mut outside = record(0);
    outside["record"]["region_code"] = Value::from(XINGZHOU);
    bad.push((
        "outside the jurisdiction",
        forge(
            &good,
            &dir.path().join("outside.wgb"),
            &key,
            &with_line(0, &outside.to_string()),
            |_| {},
        ),
    ));
    let mut unknown = record(0);
    unknown["family"] = Value::from("weapon");
    bad.push((
        "unknown family",
        forge(
            &good,
            &dir.path().join("family.wgb"),
            &key,
            &with_line(0, &unknown.to_string()),
            |_| {},
        ),
    ));
    // The payload is read once, each line merged as it is checked: a fault at the very end must still undo
    // everything merged before it.
    let last = lines.len() - 1;
    bad.push((
        "a bad last line",
        forge(
            &good,
            &dir.path().join("last.wgb"),
            &key,
            &with_line(last, "{\"kind\":\"record\",\"family\":"),
            |_| {},
        ),
    ));
    bad.push((
        "counts that do not match",
        forge(&good, &dir.path().join("counts.wgb"), &key, &payload, |h| {
            h["counts"]["place"] = Value::from(h["counts"]["place"].as_u64().unwrap_or(0) + 1)
        }),
    ));
    // A grid of a village that exists nowhere (not here, not in the bundle's region lines).
    let k = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"record\""))
        .unwrap();
    let mut nowhere = record(k);
    nowhere["record"]["region_code"] = Value::from("610727101998001");
    let nowhere = forge(
        &good,
        &dir.path().join("nowhere.wgb"),
        &key,
        &with_line(k, &nowhere.to_string()),
        |_| {},
    );
    bad.push(("a record in a region nobody holds", nowhere.clone()));
    // One record carried twice, the header's counts made to agree.
    let mut doubled = lines.clone();
    doubled.insert(k + 1, lines[k]);
    let family = record(k)["family"].as_str().unwrap().to_owned();
    let twice = forge(
        &good,
        &dir.path().join("twice.wgb"),
        &key,
        format!("{}\n", doubled.join("\n")).as_bytes(),
        |h| h["counts"][&family] = Value::from(h["counts"][&family].as_u64().unwrap() + 1),
    );
    bad.push(("a record carried twice", twice.clone()));
    let before = snapshot(&c);
    for (what, file) in &bad {
        let e = take(&mut c, file).expect_err(what);
        let msg = wangge::domain::Localized::message(&e, wangge::domain::Lang::Zh);
        assert!(!msg.is_empty(), "{what}");
        assert_eq!(snapshot(&c), before, "{what} changed the database");
    }
    // A dry run finds the missing region too, and says which.
    let e = wangge::sync::import::import(&mut c.store, &nowhere, true).expect_err("dry run");
    let msg = wangge::domain::Localized::message(&e, wangge::domain::Lang::En);
    assert!(msg.contains("610727101998001"), "{msg}");
    assert_eq!(snapshot(&c), before);
    // And the record carried twice is named.
    let e = take(&mut c, &twice).expect_err("twice");
    let msg = wangge::domain::Localized::message(&e, wangge::domain::Lang::En);
    let id = record(k)["record"]["id"].as_str().unwrap().to_owned();
    assert!(msg.contains(&format!("record {id} appears twice")), "{msg}");
    // Once the device is known, a bundle signed by another key is refused.
    take(&mut c, &good).unwrap();
    let before = snapshot(&c);
    let forged = forge(
        &good,
        &dir.path().join("other-key.wgb"),
        &other,
        &payload,
        |h| {
            h["public_key"] = Value::from(hex::encode(other.verifying_key().to_bytes()));
        },
    );
    let e = take(&mut c, &forged).expect_err("another key");
    assert!(
        wangge::domain::Localized::message(&e, wangge::domain::Lang::En).contains("another key")
    );
    assert_eq!(snapshot(&c), before);
    // A township does not take a bundle meant for (or from) another township.
    let mut b = db(XINGZHOU, 2, 0);
    let e = take(&mut b, &good).expect_err("township B");
    assert!(
        wangge::domain::Localized::message(&e, wangge::domain::Lang::En).contains("addressed to")
    );
}

#[test]
fn hostile_text_is_stored_as_sent_and_a_bad_date_waits_in_quarantine() {
    let mut a = db(JIEGUAN, 1, 30);
    let mut c = db(COUNTY, 9, 0);
    let good = send(&mut a, None);
    let (_, _, payload) = parts(&good);
    let text = std::str::from_utf8(&payload).unwrap();
    let mut out = Vec::new();
    let hostile = "\u{1b}[31m=HYPERLINK(\"http://x\")\u{7}@SUM(A1)\u{202e}";
    let mut changed = (false, false);
    for line in text.lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        if v["family"] == "place" && !changed.0 {
            v["record"]["name"] = Value::from(hostile);
            changed.0 = true;
        } else if v["family"] == "petition"
            && !changed.1
            && !v["seqs"].as_array().unwrap().is_empty()
        {
            // A PC with a wrong clock: received in 2031.
            v["record"]["received_on"] = Value::from("2031-01-05");
            changed.1 = true;
        }
        out.push(v.to_string());
    }
    let payload = format!("{}\n", out.join("\n")).into_bytes();
    let file = forge(
        &good,
        &c.dir.path().join("hostile.wgb"),
        &SigningKey::from_bytes(&[1u8; 32]),
        &payload,
        |_| {},
    );
    let s = take(&mut c, &file).unwrap();
    // The petition, and any later one recorded as a repeat of it, wait.
    assert!(s.quarantined >= 1, "{s:?}");
    assert_eq!(
        one(
            &c,
            &format!(
                "SELECT count(*) FROM places WHERE name = '{}'",
                hostile.replace('\'', "''")
            )
        ),
        1
    );
    let st = wangge::sync::status::status(&c.store).unwrap();
    assert_eq!(st.quarantine.len() as u64, s.quarantined);
    assert!(
        st.quarantine[0].reason.contains("2031"),
        "{:?}",
        st.quarantine
    );
    // Held back records are in no report.
    let petitions = one(&c, "SELECT count(*) FROM petitions");
    assert_eq!(
        petitions + s.quarantined as i64,
        one(&a, "SELECT count(*) FROM petitions")
    );
}

#[test]
fn the_command_line_imports_each_file_on_its_own() {
    let mut a = db(JIEGUAN, 1, 20);
    let c = db(COUNTY, 9, 0);
    let good = send(&mut a, None);
    let junk = c.dir.path().join("junk.wgb");
    std::fs::write(&junk, "not a bundle\n").unwrap();
    let db_path = c.dir.path().join("w.db");
    drop(c.store);
    let out = assert_cmd::Command::cargo_bin("wangge")
        .unwrap()
        .env("WANGGE_NOW", common::NOW)
        .args([
            "--db",
            db_path.to_str().unwrap(),
            "import",
            junk.to_str().unwrap(),
            good.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("junk.wgb") && stdout.contains("新增"),
        "{stdout}\n{stderr}"
    );
    let store = Store::open(&db_path, OpenMode::Existing, Arc::new(FixedClock(now()))).unwrap();
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM inspections", [], |r| r.get(0))
        .unwrap();
    assert!(n > 0);
}
