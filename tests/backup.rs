//! `wangge backup` while another program keeps saving: every copy is one consistent moment of the database. It
//! passes `check`, its journal is a beginning of the live one, and each record in it stands at the version its
//! journal last wrote.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::{ok, wangge};
use wangge::domain::clock::{FixedClock, parse_instant};
use wangge::store::{OpenMode, Store, hazards};

fn journal(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn
        .prepare(
            "SELECT k.id, j.version FROM journal j JOIN ids k ON k.key = j.record ORDER BY j.seq",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok((
            wangge::store::keys::spelled(r.get_ref(0)?).unwrap_or_default(),
            r.get(1)?,
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

#[test]
fn backups_taken_while_saves_go_on_are_each_one_moment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    ok(wangge(&db).args(["demo", "--records", "600", "--township", "610727101000"]));
    // Another program edits hazards, one save after another, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let saves = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (db, stop, saves) = (db.clone(), stop.clone(), saves.clone());
        std::thread::spawn(move || {
            let now = parse_instant(common::NOW).unwrap();
            let mut store =
                Store::open(&db, OpenMode::Existing, Arc::new(FixedClock(now))).unwrap();
            let ids: Vec<String> = store
                .conn()
                .prepare(&format!(
                    "SELECT {} FROM hazards t WHERE deleted = 0 ORDER BY t.key LIMIT 20",
                    common::row_id()
                ))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = &ids[n % ids.len()];
                let mut h = hazards::get(store.conn(), id).unwrap();
                h.description = format!("备份期间第 {n} 次修改");
                store
                    .write(|tx, c| hazards::update(tx, c, &h, Some("测试")).map(|_| ()))
                    .unwrap();
                n += 1;
                saves.store(n, Ordering::Relaxed);
            }
        })
    };
    while saves.load(Ordering::Relaxed) < 5 && !writer.is_finished() {
        std::thread::yield_now();
    }
    let copies: Vec<_> = (0..3)
        .map(|i| {
            let copy = dir.path().join(format!("copy-{i}.db"));
            ok(wangge(&db).arg("backup").arg(&copy));
            copy
        })
        .collect();
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let during = saves.load(Ordering::Relaxed);
    let live = journal(&db);
    for copy in &copies {
        ok(wangge(copy).arg("check"));
        let j = journal(copy);
        assert!(
            live.starts_with(&j),
            "{}: not a moment of the live journal",
            copy.display()
        );
        // Each hazard in the copy stands at the version its journal last wrote.
        let conn = rusqlite::Connection::open(copy).unwrap();
        let behind: i64 = conn
            .query_row(
                "SELECT count(*) FROM hazards h WHERE h.version <>
                   (SELECT max(j.version) FROM journal j WHERE j.record = h.key)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(behind, 0, "{}: rows and journal disagree", copy.display());
    }
    assert!(during >= 5, "saves went on during the backups ({during})");
}
