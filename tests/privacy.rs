//! Privacy: petitioners' personal data erased when its time is up (`purge-personal`), the erasure audited
//! without the values and carried to the county, and gone from the search index.

mod common;

use chrono::NaiveDate;
use common::exchange::{COUNTY, JIEGUAN, db, one, send, take};
use wangge::store::retention::{self, ERASED};

const TODAY: &str = "2026-11-28";

fn today() -> NaiveDate {
    TODAY.parse().unwrap()
}

/// (id, name, ID number, phone) of every petition.
fn people(conn: &rusqlite::Connection) -> Vec<(String, String, Option<String>, Option<String>)> {
    let mut st = conn
        .prepare(&format!(
            "SELECT {}, petitioner_name, id_number, phone FROM petitions t ORDER BY 1",
            common::row_id()
        ))
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn ended_cases_lose_their_personal_data_and_the_county_follows() {
    let mut town = db(JIEGUAN, 1, 300);
    let mut county = db(COUNTY, 9, 0);
    take(&mut county, &send(&mut town, None)).unwrap();
    let before = people(town.store.conn());
    let due: Vec<String> = retention::due(town.store.conn(), today())
        .unwrap()
        .into_iter()
        .map(String::from)
        .collect();
    assert!(!due.is_empty(), "the demo has ended cases");
    assert!(due.len() < before.len(), "and open ones");
    let open_before: Vec<_> = before
        .iter()
        .filter(|p| !due.contains(&p.0))
        .cloned()
        .collect();

    let n = town
        .store
        .write(|tx, ctx| retention::purge(tx, ctx, today()))
        .unwrap();
    assert_eq!(n, due.len());
    let after = people(town.store.conn());
    for p in &after {
        if due.contains(&p.0) {
            assert_eq!((p.1.as_str(), &p.2, &p.3), (ERASED, &None, &None), "{p:?}");
        }
    }
    // Open cases are untouched.
    let open_after: Vec<_> = after
        .iter()
        .filter(|p| !due.contains(&p.0))
        .cloned()
        .collect();
    assert_eq!(open_before, open_after);
    assert_eq!(
        one(
            &town,
            "SELECT count(*) FROM petitions WHERE address IS NOT NULL AND petitioner_name = '（已清除）'"
        ),
        0
    );
    // Twice is once.
    assert!(
        retention::due(town.store.conn(), today())
            .unwrap()
            .is_empty()
    );

    // The audit names the fields, never the values; the chain and the journal still hold.
    let audit: String = town
        .store
        .conn()
        .query_row(
            "SELECT group_concat(coalesce(changes, ''), '\n') FROM audit WHERE action = (SELECT key FROM names WHERE name = 'purge_personal')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(audit.contains("petitioner_name"), "{audit}");
    for p in before.iter().filter(|p| due.contains(&p.0)) {
        assert!(!audit.contains(&p.1), "the audit holds a name");
        if let Some(id) = &p.2 {
            assert!(!audit.contains(id.as_str()), "the audit holds an ID number");
        }
    }
    let errors: Vec<_> = wangge::store::check::run(town.store.conn(), today())
        .into_iter()
        .filter(|f| f.severity == wangge::store::check::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // Search no longer finds an erased petitioner by name (names that only erased cases held).
    let kept: std::collections::HashSet<&str> = after.iter().map(|p| p.1.as_str()).collect();
    let gone = before
        .iter()
        .filter(|p| due.contains(&p.0) && !kept.contains(p.1.as_str()))
        .map(|p| p.1.clone())
        .next()
        .expect("a name only ended cases held");
    let (_, hits) = wangge::store::search::search(town.store.conn(), &gone, 50).unwrap();
    assert!(
        hits.iter().all(|h| !due.contains(&h.id)),
        "{gone} still finds an erased case"
    );

    // The erasure travels: the county's copies are erased too.
    take(&mut county, &send(&mut town, None)).unwrap();
    let at_county = people(county.store.conn());
    for p in at_county.iter().filter(|p| due.contains(&p.0)) {
        assert_eq!((p.1.as_str(), &p.2, &p.3), (ERASED, &None, &None), "{p:?}");
    }
}

#[test]
fn nothing_is_due_before_the_first_case_ended() {
    let town = db(JIEGUAN, 1, 120);
    let first: String = town
        .store
        .conn()
        .query_row("SELECT min(received_on) FROM petitions", [], |r| r.get(0))
        .unwrap();
    let first: NaiveDate = first.parse().unwrap();
    assert!(retention::due(town.store.conn(), first).unwrap().is_empty());
}

#[test]
fn purge_personal_counts_first_and_refuses_a_future_date() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let wangge = || {
        let mut c = assert_cmd::Command::cargo_bin("wangge").unwrap();
        c.env("WANGGE_NOW", common::NOW)
            .env_remove("WANGGE_LANG")
            .env_remove("WANGGE_DB")
            .arg("--db")
            .arg(&path);
        c
    };
    wangge()
        .args(["demo", "--records", "200", "--township", JIEGUAN])
        .assert()
        .success();
    let erased = || -> i64 {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row(
            "SELECT count(*) FROM petitions WHERE petitioner_name = ?1",
            [ERASED],
            |r| r.get(0),
        )
        .unwrap()
    };
    let counted = wangge()
        .args(["purge-personal", "--closed-before", TODAY])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let counted = String::from_utf8(counted).unwrap();
    assert!(counted.contains("加 --yes"), "{counted}");
    assert_eq!(erased(), 0, "counting erases nothing");
    wangge()
        .args(["purge-personal", "--closed-before", "2026-12-01", "--yes"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("不能晚于今天"));
    wangge()
        .args(["purge-personal", "--closed-before", "2026-13-01", "--yes"])
        .assert()
        .code(2);
    wangge()
        .args(["purge-personal", "--closed-before", TODAY, "--yes"])
        .assert()
        .success()
        .stdout(predicates::str::contains("已清除"));
    assert!(erased() > 0);
    assert!(
        counted.contains(&format!("有 {} 件", erased())),
        "{counted}"
    );
    wangge().arg("check").assert().success();
}

/// Every file wangge writes is the owner's alone, and `check` warns when the database is not.
#[cfg(unix)]
#[test]
fn every_file_wangge_writes_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let wangge = |db: &std::path::Path| {
        let mut c = assert_cmd::Command::cargo_bin("wangge").unwrap();
        c.env("WANGGE_NOW", common::NOW)
            .env_remove("WANGGE_LANG")
            .env_remove("WANGGE_DB")
            .arg("--db")
            .arg(db);
        c
    };
    let (county, town) = (p("county.db"), p("town.db"));
    let run = |db: &std::path::Path, args: &[&str], file: Option<&std::path::Path>| {
        let mut c = wangge(db);
        c.args(args);
        if let Some(f) = file {
            c.arg(f);
        }
        c.assert().success();
    };
    run(
        &county,
        &["init", "--region", COUNTY, "--worker", "县中心"],
        None,
    );
    run(&county, &["key", "county-init"], None);
    run(&county, &["key", "card"], Some(&p("card.txt")));
    run(
        &county,
        &["key", "export-identity"],
        Some(&p("identity.txt")),
    );
    run(
        &town,
        &["demo", "--records", "60", "--township", JIEGUAN],
        None,
    );
    run(&town, &["export", "--out"], Some(&p("plain")));
    run(&town, &["recipient", "add", "--card"], Some(&p("card.txt")));
    run(&town, &["export", "--full", "--out"], Some(&p("sealed")));
    let bundles: Vec<_> = ["plain", "sealed"]
        .iter()
        .flat_map(|d| std::fs::read_dir(p(d)).unwrap().map(|e| e.unwrap().path()))
        .collect();
    run(&county, &["import"], Some(&bundles[0]));
    run(&county, &["ack", "--out"], Some(&p("acks")));
    run(&town, &["backup"], Some(&p("backup.db")));
    run(&county, &["report", "--out"], Some(&p("report.xlsx")));
    run(&county, &["report", "--out"], Some(&p("report.csv")));
    run(
        &county,
        &["ledger", "--family", "petitions", "--out"],
        Some(&p("ledger.xlsx")),
    );
    let acks: Vec<_> = std::fs::read_dir(p("acks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!acks.is_empty() && bundles.len() == 2);
    let written = [
        county.clone(),
        town.clone(),
        p("card.txt"),
        p("identity.txt"),
        p("backup.db"),
        p("report.xlsx"),
        p("report.csv"),
        p("ledger.xlsx"),
    ];
    for f in written.iter().chain(&bundles).chain(&acks) {
        let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
    std::fs::set_permissions(&town, std::fs::Permissions::from_mode(0o644)).unwrap();
    wangge(&town)
        .arg("check")
        .assert()
        .success()
        .stdout(predicates::str::contains("chmod 600"));
}
