//! Search by the index answers exactly what a LIKE scan of the same columns answers, newest first, and stays
//! current through edits, deletions and imports.

mod common;

use common::tui::demo_app;
use proptest::prelude::*;
use wangge::store::search;

/// Texts the demo wrote, to draw queries from.
fn texts(conn: &rusqlite::Connection) -> Vec<String> {
    let mut st = conn
        .prepare(
            "SELECT description FROM hazards UNION ALL SELECT summary FROM petitions
             UNION ALL SELECT petitioner_name FROM petitions UNION ALL SELECT name FROM places
             UNION ALL SELECT location FROM findings",
        )
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn same_as_scan(conn: &rusqlite::Connection, q: &str) -> Result<(), TestCaseError> {
    let (total, hits) = search::search(conn, q, 100_000).unwrap();
    let (n, mut ids) = search::scan(conn, q).unwrap();
    let mut found: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
    prop_assert_eq!(total, n, "count of {}", q);
    found.sort();
    ids.sort();
    prop_assert_eq!(found, ids, "hits of {}", q);
    // Newest first.
    prop_assert!(
        hits.windows(2).all(|w| w[0].date >= w[1].date),
        "order of {}",
        q
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1, ..ProptestConfig::default() })]
    #[test]
    fn the_index_answers_what_a_scan_answers(picks in proptest::collection::vec((0usize..10_000, 0usize..40, 1usize..5), 60)) {
        let (_d, app) = demo_app(300);
        let conn = app.store.conn();
        let texts = texts(conn);
        for q in ["燃气", "信访", "隐患", "气", "村", "没有这种东西", "xf-20"] {
            same_as_scan(conn, q)?;
        }
        for (t, start, len) in picks {
            let chars: Vec<char> = texts[t % texts.len()].chars().collect();
            if chars.is_empty() {
                continue;
            }
            let start = start % chars.len();
            let q: String = chars[start..(start + len).min(chars.len())].iter().collect();
            if q.trim() != q || q.chars().any(char::is_whitespace) {
                continue;
            }
            same_as_scan(conn, &q)?;
        }
    }
}

/// The ids of the first `n` hazards, in id order.
fn hazard_ids(conn: &rusqlite::Connection, n: usize) -> Vec<String> {
    conn.prepare(&format!(
        "SELECT {} FROM hazards t ORDER BY 1 LIMIT ?1",
        common::row_id()
    ))
    .unwrap()
    .query_map([n as i64], |r| r.get(0))
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// Deletes a hazard at its current version.
fn delete_hazard(store: &mut wangge::store::Store, id: &str) {
    let v = wangge::store::hazards::get(store.conn(), id)
        .unwrap()
        .meta
        .version;
    store
        .write(|tx, ctx| {
            wangge::store::records::delete::<wangge::domain::hazard::Hazard>(tx, ctx, id, v, "重复")
        })
        .unwrap();
}

#[test]
fn the_index_follows_edits_and_deletions() {
    let (_d, mut app) = demo_app(100);
    let id = hazard_ids(app.store.conn(), 1).remove(0);
    let mut h = wangge::store::hazards::get(app.store.conn(), &id).unwrap();
    h.description = "配电箱锈蚀漏电".into();
    app.store
        .write(|tx, ctx| wangge::store::hazards::update(tx, ctx, &h, None))
        .unwrap();
    let (n, hits) = search::search(app.store.conn(), "锈蚀漏", 10).unwrap();
    assert_eq!((n, hits[0].id.as_str()), (1, id.as_str()));
    delete_hazard(&mut app.store, &id);
    assert_eq!(search::search(app.store.conn(), "锈蚀漏", 10).unwrap().0, 0);
}

/// A day whose range of rowids is used to its end (every edit adds its record's document anew, above the day's
/// last) still indexes each edit, inside the day's range: none lands on another day's document and is lost.
#[test]
fn a_day_used_to_the_end_of_its_range_still_indexes_every_edit() {
    let (_d, mut app) = demo_app(100);
    let (a, b, day): (i64, i64, i64) = app
        .store
        .conn()
        .query_row(
            "SELECT a.record, b.record, a.rowid >> 20 FROM search_docs a
             JOIN search_docs b ON b.rowid >> 20 = a.rowid >> 20 AND b.record > a.record
             JOIN hazards ha ON ha.key = a.record JOIN hazards hb ON hb.key = b.record LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    // The day's last rowid taken (by a place, which has no document of its own).
    app.store
        .write_raw(|tx| {
            tx.execute(
                "INSERT INTO search_docs (rowid, record) VALUES ((?1 << 20) + 1048575, (SELECT key FROM places LIMIT 1))",
                [day],
            )?;
            Ok(())
        })
        .unwrap();
    for (key, text) in [(a, "配电箱锈蚀漏电"), (b, "燃气软管老化龟裂")] {
        let id: String = app
            .store
            .conn()
            .query_row(
                &format!(
                    "SELECT {} FROM hazards t WHERE t.key = ?1",
                    common::row_id()
                ),
                [key],
                |r| r.get(0),
            )
            .unwrap();
        let mut h = wangge::store::hazards::get(app.store.conn(), &id).unwrap();
        h.description = text.into();
        app.store
            .write(|tx, ctx| wangge::store::hazards::update(tx, ctx, &h, None))
            .unwrap();
    }
    for (key, q) in [(a, "锈蚀漏"), (b, "软管老化龟")] {
        assert_eq!(search::search(app.store.conn(), q, 10).unwrap().0, 1, "{q}");
        let rowid: i64 = app
            .store
            .conn()
            .query_row(
                "SELECT rowid FROM search_docs WHERE record = ?1",
                [key],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rowid >> 20, day);
    }
}

/// A query of one character is counted from the index's own tallies (plus the documents its codes' labels
/// find without it): after edits and deletions, which leave the old documents marked deleted in the index's
/// older segments, the counts are still the scan's.
#[test]
fn one_character_counts_follow_edits_and_deletions() {
    let (_d, mut app) = demo_app(150);
    let ids = hazard_ids(app.store.conn(), 12);
    let chars = ["锈", "蚀", "村", "农", "气", "隐", "没"];
    for q in chars {
        same_as_scan(app.store.conn(), q).unwrap();
    }
    for (i, id) in ids.iter().enumerate() {
        let mut h = wangge::store::hazards::get(app.store.conn(), id).unwrap();
        h.description = if i % 2 == 0 {
            "村口配电箱锈蚀".into()
        } else {
            "锈".into()
        };
        app.store
            .write(|tx, ctx| wangge::store::hazards::update(tx, ctx, &h, None))
            .unwrap();
        for q in chars {
            same_as_scan(app.store.conn(), q).unwrap();
        }
    }
    for id in ids.iter().step_by(3) {
        delete_hazard(&mut app.store, id);
    }
    for q in chars {
        same_as_scan(app.store.conn(), q).unwrap();
    }
    let (n, _) = search::search(app.store.conn(), "锈", 1).unwrap();
    assert!(n >= 8, "{n}");
}

#[test]
fn an_import_leaves_the_index_rebuilt_and_a_stale_one_is_rebuilt_at_open() {
    use common::exchange::*;
    let mut a = db(JIEGUAN, 1, 60);
    let mut c = db(COUNTY, 9, 0);
    take(&mut c, &send(&mut a, None)).unwrap();
    assert!(!search::is_stale(c.store.conn()).unwrap());
    let q: String = c
        .store
        .conn()
        .query_row(
            "SELECT substr(description, 1, 2) FROM hazards LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let before = search::search(c.store.conn(), &q, 1).unwrap().0;
    assert!(before > 0);
    assert_eq!(before, search::search(a.store.conn(), &q, 1).unwrap().0);
    // A crash between the import's commit and the rebuild leaves the mark: the next open rebuilds.
    c.store
        .write_raw(|tx| {
            tx.execute_batch("DELETE FROM search_fts; DELETE FROM search_docs;")?;
            search::mark_stale(tx)
        })
        .unwrap();
    let path = c.dir.path().join("w.db");
    let clock = c.store.clock();
    drop(c.store);
    let reopened =
        wangge::store::Store::open(&path, wangge::store::OpenMode::Existing, clock).unwrap();
    assert!(!search::is_stale(reopened.conn()).unwrap());
    assert_eq!(search::search(reopened.conn(), &q, 1).unwrap().0, before);
}

/// Search finds what the lists show: a category's or a status's label (in either language), a village's and a
/// township's name, a department, a finding's code and its patrol's route, a case number.
#[test]
fn every_word_of_every_label_finds_what_a_scan_finds() {
    // The index holds a record's codes, not its labels' words: a query asks for the codes whose labels hold it.
    let (_d, app) = demo_app(300);
    let conn = app.store.conn();
    let mut words: Vec<String> = {
        let mut st = conn.prepare("SELECT text FROM code_labels").unwrap();
        st.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .flat_map(|t| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    };
    words.sort();
    words.dedup();
    assert!(words.len() > 100, "{}", words.len());
    let mut found = 0;
    for w in &words {
        same_as_scan(conn, w).unwrap();
        same_as_scan(conn, &w.to_uppercase()).unwrap();
        found += usize::from(search::search(conn, w, 1).unwrap().0 > 0);
    }
    assert!(
        found > 50,
        "{found} of {} words find something",
        words.len()
    );
}

#[test]
fn search_finds_labels_places_routes_and_case_numbers() {
    let (_d, app) = demo_app(300);
    let conn = app.store.conn();
    let one = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let village = one(
        "SELECT r.name FROM hazards h JOIN regions r ON r.code = substr(h.region_code, 1, 12)
         WHERE h.deleted = 0 AND r.level = 'village' LIMIT 1",
    );
    let route = one(
        "SELECT p.route FROM findings f JOIN patrols p ON p.key = f.patrol_key WHERE f.deleted = 0 LIMIT 1",
    );
    let case_no = one("SELECT case_no FROM petitions WHERE deleted = 0 LIMIT 1");
    for q in [
        "燃气",
        "gas",
        "已销号",
        "closed",
        village.as_str(),
        "兴州街道",
        route.as_str(),
        "Q7",
        "林业局",
        &case_no,
    ] {
        let (total, hits) = search::search(conn, q, 5).unwrap();
        assert!(total > 0 && !hits.is_empty(), "nothing found for {q}");
        same_as_scan(conn, q).unwrap();
    }
    // The village's name finds a hazard that lies in it.
    let (_, hits) = search::search(conn, &village, 100_000).unwrap();
    assert!(
        hits.iter()
            .any(|h| h.family == wangge::domain::record::Family::Hazard)
    );
    // A patrol's route finds the patrol itself, as tab 4 lists it, beside its findings.
    let (_, hits) = search::search(conn, &route, 100_000).unwrap();
    assert!(
        hits.iter()
            .any(|h| h.family == wangge::domain::record::Family::Patrol && h.summary == route),
        "no patrol among the hits for {route}"
    );
}
