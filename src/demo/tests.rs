//! The demo written every way (each step on the record held, read back first, or made in memory by the bulk
//! writer) holds the same rows.

use super::{Way, generate_as};
use crate::store::{Store, check};

/// Every row of every table of `store`, as text, table by table in key order; the columns that hold random
/// bits (ids made at save time from the operating system's randomness, and the hashes over them) left out.
/// The state hashes are left out with them, so what holds a held record's every field to its row is `check`,
/// which compares each row with its last state hash: the test asks it of every database. The search index is
/// compared by what it holds: each record's document, its day and each token where it stands, not the rowid
/// within the day nor how FTS5 laid out its segments (a rebuild loads the documents in one go in key order, the
/// bulk way a group of batches at a time).
fn rows(store: &Store) -> Vec<(String, Vec<String>)> {
    const RANDOM: &[(&str, &str)] = &[
        ("ids", "id"),
        ("workers", "id"),
        ("timeline", "id"),
        ("audit", "hash"),
        ("audit", "state_hash"),
    ];
    let conn = store.conn();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
             AND name NOT LIKE 'search_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE temp.search_tokens USING fts5vocab(main, search_fts, instance);
         CREATE TEMP VIEW search_documents AS SELECT record, rowid >> 20 AS day FROM search_docs;
         CREATE TEMP VIEW search_index AS SELECT d.record, t.term, t.col, t.offset
             FROM search_tokens t JOIN search_docs d ON d.rowid = t.doc;",
    )
    .unwrap();
    tables
        .into_iter()
        .chain(["search_documents".to_owned(), "search_index".to_owned()])
        .map(|table| {
            let cols: Vec<String> = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<Vec<String>>>()
                .unwrap()
                .into_iter()
                .filter(|c| !RANDOM.contains(&(table.as_str(), c.as_str())))
                .collect();
            let list = cols.join(", ");
            let mut st = conn
                .prepare(&format!("SELECT {list} FROM {table} ORDER BY {list}"))
                .unwrap();
            let all = st
                .query_map([], |r| {
                    (0..cols.len())
                        .map(|i| {
                            r.get::<_, rusqlite::types::Value>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .collect::<rusqlite::Result<Vec<_>>>()
                        .map(|v| v.join("|"))
                })
                .unwrap()
                .collect::<rusqlite::Result<Vec<_>>>()
                .unwrap();
            (table, all)
        })
        .collect()
}

#[test]
fn a_demo_written_any_way_holds_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str, way: Way| {
        let mut store = crate::sync::test_store(
            &dir.path().join(name),
            "610727000000",
            "0190a1b2-0000-7000-8000-000000000009",
        );
        // The bulk way takes a database that holds no record yet (otherwise it writes step by step).
        assert!(super::book::Book::fits(store.conn()).unwrap());
        let summary = generate_as(&mut store, 400, 5, way, &mut |_| {}).unwrap();
        let pragma = |name: &str| -> i64 {
            store
                .conn()
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .unwrap()
        };
        let (enforced, checkpoint) = (pragma("foreign_keys") == 1, pragma("wal_autocheckpoint"));
        assert!(
            enforced && checkpoint == 1000,
            "{way:?}: foreign keys are enforced and the log checkpointed every 1000 pages again after the demo"
        );
        assert!(summary.hazards > 0 && summary.findings > 0 && summary.petitions > 0);
        // Each family that walks a lifecycle took steps past its creation (each one a held record's save).
        let steps: Vec<(String, i64)> = store
            .conn()
            .prepare(
                "SELECT f.name, count(*) FROM audit a JOIN names f ON f.key = a.family
                 JOIN names x ON x.key = a.action WHERE x.name <> 'create' GROUP BY f.name",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for family in ["hazard", "finding", "petition", "patrol"] {
            assert!(
                steps.iter().any(|(f, n)| f == family && *n > 10),
                "{way:?}: {family} took no steps: {steps:?}"
            );
        }
        let findings = check::run(store.conn(), store.today());
        assert!(
            findings
                .iter()
                .all(|f| f.severity != check::Severity::Error),
            "{way:?}: {:?}",
            findings.iter().map(|f| &f.en).collect::<Vec<_>>()
        );
        rows(&store)
    };
    let held = make("held.db", Way::Held);
    for (name, way) in [("reread.db", Way::Reread), ("bulk.db", Way::Bulk)] {
        let other = make(name, way);
        assert_eq!(held.len(), other.len());
        for ((table, a), (_, b)) in held.iter().zip(&other) {
            assert_eq!(a.len(), b.len(), "{way:?}: {table}: row counts");
            for (x, y) in a.iter().zip(b) {
                assert_eq!(x, y, "{way:?}: {table}");
            }
        }
    }
}
