//! The flat export for analysts above the county: `ledger --format jsonl` loads into an SQL engine (SQLite
//! stands in for DuckDB, PostgreSQL or ClickHouse) and its totals agree with `report`; docs/data-export.md
//! names every column and code it writes; personal data is masked by the one rule.

mod common;

use std::path::Path;

use common::{ok, wangge};
use serde_json::Value;

/// The JSON Lines of one family, loaded into an SQLite table `t(doc)`.
fn load(db: &Path, family: &str, into: &rusqlite::Connection) {
    let text = ok(wangge(db).args([
        "ledger", "--family", family, "--format", "jsonl", "--out", "-",
    ]));
    into.execute_batch(&format!(
        "DROP TABLE IF EXISTS {family}; CREATE TABLE {family}(doc TEXT);"
    ))
    .unwrap();
    for line in text.lines() {
        // Flat: no object or array inside, no version vectors.
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(
            v.as_object()
                .unwrap()
                .values()
                .all(|x| !x.is_object() && !x.is_array()),
            "{line}"
        );
        into.execute(&format!("INSERT INTO {family}(doc) VALUES (?1)"), [line])
            .unwrap();
    }
}

fn one(c: &rusqlite::Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_flat_export_loads_into_sql_and_agrees_with_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    ok(wangge(&db).args(["demo", "--records", "400"]));
    let report: Value = serde_json::from_str(&ok(
        wangge(&db).args(["report", "--format", "json", "--out", "-"])
    ))
    .unwrap();
    let sql = rusqlite::Connection::open_in_memory().unwrap();
    for family in ["hazards", "inspections", "findings", "petitions"] {
        load(&db, family, &sql);
    }
    let r = |path: &str| -> i64 {
        path.split('.')
            .fold(&report, |v, k| &v[k])
            .as_i64()
            .unwrap_or_else(|| panic!("report has no {path}"))
    };
    let q = |s: &str| one(&sql, s);
    assert_eq!(q("SELECT count(*) FROM hazards"), r("hazards.total"));
    assert_eq!(
        q("SELECT count(*) FROM hazards WHERE doc->>'status' = 'closed'"),
        r("hazards.closed")
    );
    assert_eq!(
        q("SELECT count(*) FROM hazards WHERE doc->>'overdue' = 1"),
        r("hazards.overdue")
    );
    assert_eq!(
        q("SELECT count(*) FROM hazards WHERE doc->>'grade' = 'major'"),
        r("hazards.major")
    );
    assert_eq!(
        q("SELECT count(*) FROM inspections"),
        r("inspections.total")
    );
    assert_eq!(
        q("SELECT count(*) FROM inspections WHERE doc->>'failed_count' > 0"),
        r("inspections.with_failures")
    );
    assert_eq!(
        q("SELECT coalesce(sum(doc->>'failed_count'), 0) FROM inspections"),
        r("inspections.items_failed")
    );
    assert_eq!(
        q("SELECT count(*) FROM findings"),
        r("patrol_findings.total")
    );
    assert_eq!(
        q("SELECT count(*) FROM findings WHERE doc->>'overdue' = 1"),
        r("patrol_findings.overdue")
    );
    assert_eq!(q("SELECT count(*) FROM petitions"), r("petitions.total"));
    assert_eq!(
        q("SELECT coalesce(sum(doc->>'people'), 0) FROM petitions"),
        r("petitions.people")
    );
    assert_eq!(
        q("SELECT count(*) FROM petitions WHERE doc->>'is_repeat' = 1"),
        r("petitions.repeat")
    );
    // The townships (and the county's own row) add up to the totals, and each agrees with the export's rows.
    let towns: Vec<&Value> = report["by_township"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report.get("county_level"))
        .collect();
    for (field, total) in [
        ("hazards", "hazards.total"),
        ("hazards_overdue", "hazards.overdue"),
        ("petitions", "petitions.total"),
        ("petitions_overdue", "petitions.overdue"),
        ("findings", "patrol_findings.total"),
        ("inspections", "inspections.total"),
    ] {
        let sum: i64 = towns.iter().map(|t| t[field].as_i64().unwrap()).sum();
        assert_eq!(sum, r(total), "{field}");
    }
    for t in &towns {
        let code = t["code"].as_str().unwrap();
        let got = q(&format!(
            "SELECT count(*) FROM hazards WHERE substr(doc->>'region_code', 1, 9) || '000' = '{code}'"
        ));
        assert_eq!(got, t["hazards"].as_i64().unwrap(), "hazards of {code}");
    }
    // By category, code by code.
    let by = report["hazards"]["by_category"].as_object().unwrap();
    for (code, n) in by {
        let got: i64 = sql
            .query_row(
                "SELECT count(*) FROM hazards WHERE doc->>'category' = ?1",
                [code],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(got, n.as_i64().unwrap(), "hazards of {code}");
    }
    // A code and its label side by side; days as ISO text; personal data masked by the one rule.
    let v: Value = serde_json::from_str(
        &sql.query_row(
            "SELECT doc FROM petitions WHERE doc->>'phone' IS NOT NULL LIMIT 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        v["status_label"].as_str().is_some_and(|l| !l.is_empty()),
        "{v}"
    );
    assert_eq!(v["received_on"].as_str().unwrap().len(), 10, "{v}");
    let phone = v["phone"].as_str().unwrap();
    assert!(
        phone.starts_with("****") && phone.chars().count() == 8,
        "{v}"
    );
    let name = v["petitioner_name"].as_str().unwrap();
    assert!(name.ends_with("**") && name.chars().count() == 3, "{v}");
    assert!(
        v.get("address").is_none() && v.get("content").is_none(),
        "{v}"
    );
}

#[test]
fn the_data_export_document_names_every_column_and_code() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data-export.md"))
        .unwrap();
    let want = wangge::report::export_doc::markdown();
    assert!(
        doc.contains(&want),
        "docs/data-export.md is out of date; put this in it:\n{want}"
    );
}

/// An English ledger tells the descriptions the app composed from failed items in English.
#[test]
fn an_english_ledger_tells_composed_descriptions_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    ok(wangge(&db).args(["demo", "--records", "200"]));
    let en = ok(wangge(&db).args([
        "--lang", "en", "ledger", "--family", "hazards", "--format", "jsonl",
    ]));
    let zh = ok(wangge(&db).args([
        "--lang", "zh", "ledger", "--family", "hazards", "--format", "jsonl",
    ]));
    assert!(zh.contains("不合格："), "the demo composes some");
    assert!(!en.contains("不合格："), "{en}");
    assert!(en.contains("failed: "));
}
