//! The command line as a user runs it: every subcommand, its output, its errors and exit codes.

mod common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const NOW: &str = "2026-11-28T09:41:00+08:00";

fn wangge(db: &Path) -> Command {
    let mut c = Command::cargo_bin("wangge").unwrap();
    c.env("WANGGE_NOW", NOW)
        .env_remove("WANGGE_DB")
        .env_remove("WANGGE_LANG")
        .arg("--db")
        .arg(db);
    c
}

fn report_json(db: &Path) -> Value {
    let out = wangge(db)
        .args(["report", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn init_then_check_and_key_facts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db)
        .args(["init", "--region", "610727101000", "--worker", "张伟"])
        .assert()
        .success()
        .stdout(predicate::str::contains("接官亭镇").and(predicate::str::contains("张伟")));
    wangge(&db)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("检查通过"));
    // A second init changes nothing and says why.
    wangge(&db)
        .args(["init", "--region", "610727102000", "--worker", "李四"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("已经初始化"));
}

#[test]
fn init_refuses_bad_input_without_creating_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    // A malformed code is a usage error (exit 2, clap's usage line); valid input refused is exit 1.
    for (region, worker, code, says) in [
        ("12345", "张伟", 2, "不是区划代码"),
        ("610727101000", "  ", 1, "网格员"),
        ("610727199000", "张伟", 1, "没有区划"),
    ] {
        wangge(&db)
            .args(["init", "--region", region, "--worker", worker])
            .assert()
            .code(code)
            .stderr(predicate::str::contains(says));
        assert!(!db.exists(), "{region} left a file");
        assert!(!dir.path().join("w.db-wal").exists());
    }
    wangge(&db)
        .args(["--lang", "en", "init", "--region", "x", "--worker", "a"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("is not a region code")
                .and(predicate::str::contains("--help")),
        );
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db).arg("frobnicate").assert().code(2);
    wangge(&db).args(["demo"]).assert().code(2);
    wangge(&db)
        .args(["demo", "--records", "many"])
        .assert()
        .code(2);
    wangge(&db)
        .args(["report", "--format", "pdf"])
        .assert()
        .code(2);
    wangge(&db)
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("report"));
    assert!(!db.exists());
}

#[test]
fn commands_on_a_missing_database_say_how_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    for cmd in [
        vec!["report"],
        vec!["check"],
        vec!["regions", "list"],
        vec!["holidays", "list"],
    ] {
        wangge(&db)
            .args(&cmd)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("wangge --db"));
    }
    assert!(!db.exists());
}

#[test]
fn a_non_sqlite_or_unwritable_db_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    wangge(&text)
        .arg("report")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("不是 wangge 数据库"));
    wangge(&text)
        .args(["demo", "--records", "5"])
        .assert()
        .code(1);
    assert_eq!(std::fs::read(&text).unwrap(), b"hello");
    wangge(dir.path())
        .arg("check")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("不是 wangge 数据库"));
    let nowhere = Path::new("/proc/wangge-cannot-be-here/w.db");
    wangge(nowhere)
        .args(["init", "--region", "610727", "--worker", "张伟"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("无法"));
}

#[test]
fn the_app_without_a_terminal_says_so_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("终端"));
    assert!(!db.exists());
}

#[test]
fn a_bad_wangge_now_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db)
        .env("WANGGE_NOW", "yesterday")
        .args(["init", "--region", "610727", "--worker", "a"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("WANGGE_NOW"));
}

#[test]
fn demo_then_report_are_consistent_and_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    wangge(&db)
        .args(["demo", "--records", "600", "--seed", "7"])
        .assert()
        .success()
        .stdout(predicate::str::contains("已添加 600 条记录"));
    let r = report_json(&db);
    let top = r["inspections"]["total"].as_i64().unwrap()
        + r["patrol_findings"]["total"].as_i64().unwrap()
        + r["petitions"]["total"].as_i64().unwrap();
    assert_eq!(top, 600);
    let towns = r["by_township"].as_array().unwrap();
    assert_eq!(towns.len(), 17, "every township has data in a county demo");
    let codes: Vec<&str> = towns.iter().map(|t| t["code"].as_str().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "ordered by code");
    let sum = |key: &str| towns.iter().map(|t| t[key].as_i64().unwrap()).sum::<i64>();
    assert_eq!(
        sum("inspections"),
        r["inspections"]["total"].as_i64().unwrap()
    );
    assert_eq!(sum("hazards"), r["hazards"]["total"].as_i64().unwrap());
    assert_eq!(
        sum("hazards_overdue"),
        r["hazards"]["overdue"].as_i64().unwrap()
    );
    assert_eq!(
        sum("findings"),
        r["patrol_findings"]["total"].as_i64().unwrap()
    );
    // County-level petitions count in the total and in no township.
    assert!(sum("petitions") < r["petitions"]["total"].as_i64().unwrap());
    let h = &r["hazards"];
    assert_eq!(
        h["open"].as_i64().unwrap() + h["closed"].as_i64().unwrap(),
        h["total"].as_i64().unwrap()
    );
    assert!(
        h["overdue"].as_i64().unwrap() > 0,
        "some hazards are overdue"
    );
    assert!(r["petitions"]["overdue"].as_i64().unwrap() > 0);
    assert!(r["petitions"]["extended"].as_i64().unwrap() > 0);
    assert!(r["petitions"]["repeat"].as_i64().unwrap() > 0);
    // Every lifecycle state is present.
    for s in wangge::domain::hazard::HazardStatus::ALL {
        assert!(
            h["by_status"][s.code()].as_i64().unwrap_or(0) > 0,
            "hazard status {s:?} missing"
        );
    }
    for s in wangge::domain::patrol::FindingStatus::ALL {
        let n = r["patrol_findings"]["by_status"][s.code()]
            .as_i64()
            .unwrap_or(0);
        assert!(n > 0, "finding status {s:?} missing");
    }
    for s in wangge::domain::petition::PetitionStatus::ALL {
        let n = r["petitions"]["by_status"][s.code()].as_i64().unwrap_or(0);
        assert!(n > 0, "petition status {s:?} missing");
    }
    assert_eq!(
        r["rates"]["hazard_rectification"]["denominator"],
        h["total"]
    );
    wangge(&db).arg("check").assert().success();
    // The text report names the county and a township.
    wangge(&db)
        .arg("report")
        .assert()
        .success()
        .stdout(predicate::str::contains("略阳县").and(predicate::str::contains("观音寺镇")));
    // Running again adds more.
    wangge(&db)
        .args(["demo", "--records", "50"])
        .assert()
        .success();
    let r2 = report_json(&db);
    let top2 = r2["inspections"]["total"].as_i64().unwrap()
        + r2["patrol_findings"]["total"].as_i64().unwrap()
        + r2["petitions"]["total"].as_i64().unwrap();
    assert_eq!(top2, 650);
}

#[test]
fn same_seed_same_now_fresh_file_gives_an_identical_report() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a.db"),
        dir.path().join("b.db"),
        dir.path().join("c.db"),
    );
    for db in [&a, &b] {
        wangge(db)
            .args([
                "demo",
                "--records",
                "300",
                "--seed",
                "42",
                "--township",
                "610727105000",
            ])
            .assert()
            .success();
    }
    wangge(&c)
        .args([
            "demo",
            "--records",
            "300",
            "--seed",
            "43",
            "--township",
            "610727105000",
        ])
        .assert()
        .success();
    let ra = report_json(&a);
    assert_eq!(ra, report_json(&b));
    assert_ne!(ra, report_json(&c));
    let towns = ra["by_township"].as_array().unwrap();
    assert_eq!(towns.len(), 1);
    assert_eq!(towns[0]["name"], "徐家坪镇");
    // A township demo refuses to continue as another township.
    wangge(&a)
        .args(["demo", "--records", "10", "--township", "610727106000"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("610727105000"));
}

#[test]
fn report_formats_periods_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["demo", "--records", "200", "--township", "610727001000"])
        .assert()
        .success();
    let out = wangge(&db)
        .args(["report", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        out.stdout.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 BOM for Excel"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("隐患") && text.contains("兴州街道"));
    let file = dir.path().join("r.json");
    wangge(&db)
        .args(["report", "--format", "json", "--out"])
        .arg(&file)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(v["as_of"].is_string());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let out = wangge(&db)
        .args([
            "report",
            "--format",
            "json",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["period"]["inspections"].as_i64().unwrap() <= v["inspections"]["total"].as_i64().unwrap()
    );
    wangge(&db)
        .args(["report", "--from", "2026-13-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("日期"));
    wangge(&db)
        .args(["report", "--from", "2026-12-01", "--to", "2026-11-01"])
        .assert()
        .code(1);
}

#[test]
fn reports_hold_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["demo", "--records", "300"])
        .assert()
        .success();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let names: Vec<(String, Option<String>, Option<String>)> = conn
        .prepare("SELECT petitioner_name, id_number, phone FROM petitions")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(conn);
    for format in ["table", "json", "csv"] {
        let out = wangge(&db)
            .args(["report", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for (name, id, phone) in &names {
            assert!(
                !text.contains(name.as_str()),
                "{format} report shows {name}"
            );
            if let Some(id) = id {
                assert!(!text.contains(id.as_str()));
            }
            if let Some(phone) = phone {
                assert!(!text.contains(phone.as_str()));
            }
        }
    }
}

#[test]
fn check_catches_a_hand_broken_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["demo", "--records", "100", "--township", "610727110000"])
        .assert()
        .success();
    wangge(&db).arg("check").assert().success();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(r#"UPDATE audit SET changes = '{"x":1}' WHERE seq = 10"#, [])
        .unwrap();
    drop(conn);
    wangge(&db)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("审计链断裂").and(predicate::str::contains("第 10 条")));
}

#[cfg(unix)]
#[test]
fn check_warns_about_a_world_readable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db)
        .args(["init", "--region", "610727", "--worker", "李明"])
        .assert()
        .success();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    wangge(&db)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("[警告]").and(predicate::str::contains("chmod 600")));
}

#[test]
fn backup_reports_identically() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let copy = dir.path().join("copy.db");
    wangge(&db)
        .args(["demo", "--records", "150", "--township", "610727103000"])
        .assert()
        .success();
    wangge(&db)
        .arg("backup")
        .arg(&copy)
        .assert()
        .success()
        .stdout(predicate::str::contains("已备份"));
    assert_eq!(report_json(&db), report_json(&copy));
    wangge(&copy).arg("check").assert().success();
    wangge(&db).arg("backup").arg(&copy).assert().code(1);
}

#[test]
fn regions_import_reports_the_bad_line_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db)
        .args(["init", "--region", "610727101000", "--worker", "张伟"])
        .assert()
        .success();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "code,name,level,parent\n610727101201,石家坝村,village,610727101000\n610727101201001,第1网格,grid,610727101201\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "code,name,level,parent\n610727101202,何家岩村,village,610727101000\n610727101202001,第1网格,village,610727101202\n",
    )
    .unwrap();
    wangge(&db)
        .args(["regions", "import"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("第 3 行").and(predicate::str::contains("没有导入")));
    wangge(&db)
        .args(["regions", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("何家岩村").not());
    wangge(&db)
        .args(["regions", "import"])
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains("2"));
    // GBK, as Excel saves it on Chinese Windows.
    let (gbk, _, _) = encoding_rs::GBK
        .encode("code,name,level,parent\n610727101203,黑木林村,village,610727101000\n");
    let gbk_file = dir.path().join("gbk.csv");
    std::fs::write(&gbk_file, &gbk).unwrap();
    wangge(&db)
        .args(["regions", "import"])
        .arg(&gbk_file)
        .assert()
        .success();
    let out = wangge(&db)
        .args(["regions", "list", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"石家坝村") && names.contains(&"第1网格") && names.contains(&"黑木林村")
    );
    assert!(names.contains(&"观音寺镇"));
    wangge(&db)
        .args(["regions", "import"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("文件夹"));
}

#[test]
fn holidays_list_and_import_next_year() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db)
        .args(["init", "--region", "610727", "--worker", "李明"])
        .assert()
        .success();
    wangge(&db)
        .args(["holidays", "list", "--year", "2026"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2026-10-01").and(predicate::str::contains("国庆节")));
    wangge(&db)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("2027 年节假日未导入"));
    let file = dir.path().join("2027.csv");
    std::fs::write(
        &file,
        "date,kind,name_zh,name_en\n2027-01-01,holiday,元旦,New Year's Day\n",
    )
    .unwrap();
    wangge(&db)
        .args(["holidays", "import"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("2027"));
    wangge(&db)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("2027 年节假日未导入").not());
    std::fs::write(
        &file,
        "date,kind,name_zh,name_en\n2027-02-30,holiday,春节,Spring Festival\n",
    )
    .unwrap();
    wangge(&db)
        .args(["holidays", "import"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("第 2 行"));
}

#[test]
fn english_everywhere_with_lang_en() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["--lang", "en", "demo", "--records", "60"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Added 60 records"));
    wangge(&db)
        .args(["--lang", "en", "report"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Hazards").and(predicate::str::contains("as of")));
    wangge(&db)
        .env("WANGGE_LANG", "en")
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("Check passed"));
}

#[test]
fn a_grid_device_loads_its_regions_before_init() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("grid.db");
    let csv = dir.path().join("r.csv");
    std::fs::write(
        &csv,
        "code,name,level,parent\n610727101201,石家坝村,village,610727101000\n610727101201001,第1网格,grid,610727101201\n",
    )
    .unwrap();
    wangge(&db)
        .args(["init", "--region", "610727101201001", "--worker", "张伟"])
        .assert()
        .code(1);
    assert!(!db.exists());
    wangge(&db)
        .args(["regions", "import"])
        .arg(&csv)
        .assert()
        .success()
        .stdout(predicate::str::contains("init --region"));
    wangge(&db)
        .args(["init", "--region", "610727101201001", "--worker", "张伟"])
        .assert()
        .success()
        .stdout(predicate::str::contains("第1网格"));
    // A bad file on a new path leaves nothing behind.
    let other = dir.path().join("other.db");
    std::fs::write(&csv, "code,name\n1,2\n").unwrap();
    wangge(&other)
        .args(["regions", "import"])
        .arg(&csv)
        .assert()
        .code(1);
    assert!(!other.exists());
}

#[test]
fn report_out_never_destroys_a_database_and_follows_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["demo", "--records", "60", "--township", "610727104000"])
        .assert()
        .success();
    let before = std::fs::read(&db).unwrap();
    wangge(&db)
        .args(["report", "--out"])
        .arg(&db)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("不会覆盖"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    wangge(&db)
        .args(["report", "--out"])
        .arg(dir.path())
        .assert()
        .code(1);
    let csv = dir.path().join("报表.csv");
    wangge(&db)
        .args(["report", "--out"])
        .arg(&csv)
        .assert()
        .success();
    assert!(
        std::fs::read(&csv).unwrap().starts_with(b"\xEF\xBB\xBF"),
        "the .csv extension picks CSV"
    );
    // A report file is replaced whole on the next run.
    wangge(&db)
        .args(["report", "--from", "2026-11-01", "--out"])
        .arg(&csv)
        .assert()
        .success();
    let text = String::from_utf8(std::fs::read(&csv).unwrap()).unwrap();
    assert!(
        text.contains("统计期 2026-11-01") && text.contains("隐患整改率"),
        "{text}"
    );
    let json = dir.path().join("r.json");
    wangge(&db)
        .args(["report", "--out"])
        .arg(&json)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(
        v["as_of"].as_str().unwrap().ends_with("+08:00"),
        "China time"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("partial"))
    );
}

#[test]
fn demo_refuses_a_real_device_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("real.db");
    wangge(&db)
        .args(["init", "--region", "610727101000", "--worker", "张伟"])
        .assert()
        .success();
    wangge(&db)
        .args(["demo", "--records", "10"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("真实设备"));
    wangge(&db)
        .args(["demo", "--records", "10", "--township", "610727101201"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("村社区代码"));
    wangge(&db)
        .args(["demo", "--records", "99999999999"])
        .assert()
        .code(1);
}

#[test]
fn read_commands_refuse_an_empty_file_and_leave_it_empty() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    for cmd in [vec!["report"], vec!["check"], vec!["regions", "list"]] {
        wangge(&empty)
            .args(&cmd)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("不是 wangge 数据库"));
    }
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    // Setting up a device may use an empty file someone created for it.
    wangge(&empty)
        .args(["init", "--region", "610727", "--worker", "李明"])
        .assert()
        .success();
}

#[test]
fn a_bad_environment_never_breaks_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db)
        .env("WANGGE_LANG", "fr")
        .args(["init", "--region", "610727", "--worker", "李明"])
        .assert()
        .success()
        .stdout(predicate::str::contains("已初始化"));
    wangge(&db)
        .env("WANGGE_LANG", "")
        .arg("check")
        .assert()
        .success();
    wangge(&db)
        .env("WANGGE_LANG", "en_US.UTF-8")
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("Check passed"));
    let mut c = Command::cargo_bin("wangge").unwrap();
    c.env("WANGGE_DB", "")
        .env("WANGGE_NOW", NOW)
        .env("HOME", dir.path())
        .env_remove("XDG_DATA_HOME")
        .arg("check");
    c.assert()
        .code(1)
        .stderr(predicate::str::contains("wangge.db"));
    wangge(&db)
        .env("WANGGE_NOW", "9999-12-31T00:00:00Z")
        .arg("check")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("2099"));
}

#[test]
fn imports_refuse_control_characters_and_impossible_years() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    wangge(&db)
        .args([
            "init",
            "--region",
            "610727101000",
            "--worker",
            "张\u{202E}伟",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("控制"));
    wangge(&db)
        .args(["init", "--region", "610727101000", "--worker", "张伟"])
        .assert()
        .success();
    let csv = dir.path().join("r.csv");
    std::fs::write(
        &csv,
        "code,name,level,parent\n610727101201,石家\u{0}坝村,village,610727101000\n",
    )
    .unwrap();
    wangge(&db)
        .args(["regions", "import"])
        .arg(&csv)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("第 2 行"));
    std::fs::write(
        &csv,
        "date,kind,name_zh,name_en\n9999-01-01,holiday,元旦,New Year\n",
    )
    .unwrap();
    wangge(&db)
        .args(["holidays", "import"])
        .arg(&csv)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("2000"));
    std::fs::write(&csv, "date,kind,name_zh,name_en\n").unwrap();
    wangge(&db)
        .args(["holidays", "import"])
        .arg(&csv)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("没有节假日"));
}

#[test]
fn search_finds_a_petitioner_by_name_and_shows_the_name_masked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["demo", "--records", "200", "--township", "610727101000"])
        .assert()
        .success();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (name, case_no): (String, String) = conn
        .query_row(
            "SELECT petitioner_name, case_no FROM petitions WHERE length(petitioner_name) >= 2 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);
    let out = wangge(&db)
        .args(["search", &name, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["total"].as_i64().unwrap() >= 1, "{v}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(&name),
        "the name itself is never shown: {text}"
    );
    assert!(text.contains(&case_no), "{text}");
    assert!(v["hits"][0]["family"].is_string() && v["hits"][0]["id"].is_string());
    // The table, a limit, and a query with no hits.
    wangge(&db)
        .args(["search", "燃气", "--limit", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("条结果"));
    let out = wangge(&db)
        .args(["search", "没有这种东西xyz", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 0);
}

/// Every `--help` fits an 80-column terminal (CJK characters two columns wide): clap wraps it.
#[test]
fn every_help_fits_80_columns() {
    use clap::CommandFactory;
    fn paths(cmd: &clap::Command, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(at.clone());
        for sub in cmd.get_subcommands() {
            let mut next = at.clone();
            next.push(sub.get_name().to_owned());
            paths(sub, next, out);
        }
    }
    let mut all = Vec::new();
    paths(&wangge::cli::Cli::command(), Vec::new(), &mut all);
    assert!(all.len() > 30, "{}", all.len());
    for path in all {
        let out = Command::cargo_bin("wangge")
            .unwrap()
            .env("COLUMNS", "80")
            .args(&path)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{path:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            assert!(
                wangge::domain::text::width(line) <= 80,
                "wangge {} --help: {} columns:\n{line}",
                path.join(" "),
                wangge::domain::text::width(line)
            );
        }
    }
}

/// A demo database of `records` top-level records in a fresh folder.
fn demo_db(records: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["demo", "--records", records])
        .assert()
        .success();
    (dir, db)
}

/// An output file never replaces a database's journal files or a database in use, and committed data stays.
#[test]
fn no_output_overwrites_a_databases_journal_files() {
    let (dir, db) = demo_db("20");
    // A database held open (as the app holds it) has a live WAL beside it.
    let held = rusqlite::Connection::open(&db).unwrap();
    held.execute_batch(
        "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS z(x); INSERT INTO z VALUES (1);",
    )
    .unwrap();
    let wal = dir.path().join("d.db-wal");
    let before = std::fs::read(&wal).unwrap_or_default();
    for target in ["d.db-wal", "d.db-shm", "d.db-journal", "d.db"] {
        let out = dir.path().join(target);
        wangge(&db)
            .args(["report", "--format", "csv", "--out"])
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("不会覆盖"));
    }
    assert_eq!(std::fs::read(&wal).unwrap_or_default(), before);
    // Nor does a backup: SQLite would delete a "journal" it finds beside another database.
    for target in ["other.db-wal", "d.db-shm"] {
        wangge(&db)
            .arg("backup")
            .arg(dir.path().join(target))
            .assert()
            .code(1)
            .stderr(predicate::str::contains("不会覆盖"));
    }
    // A new file beside them is fine.
    wangge(&db)
        .args(["report", "--format", "csv", "--out"])
        .arg(dir.path().join("报表.csv"))
        .assert()
        .success();
    drop(held);
}

/// Malformed values exit 2 with the usage line, whoever checks them; a refusal of well-formed input exits 1.
#[test]
fn malformed_values_exit_2_and_refusals_exit_1() {
    let (_dir, db) = demo_db("20");
    for args in [
        &["ledger", "--family", "hazards", "--from", "2026-02-30"][..],
        &["report", "--to", "tomorrow"],
        &["purge-personal", "--closed-before", "x"],
        &["setting", "set", "repeat-window-days", "many"],
        &["setting", "set", "day-count", "lunar"],
        &["search", "x", "--limit", "-1"],
    ] {
        wangge(&db)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("Usage"));
    }
}

/// `--out -` (or no `--out`) writes a ledger to standard output; XLSX needs a file.
#[test]
fn a_ledger_goes_to_standard_output() {
    let (_dir, db) = demo_db("40");
    let csv = wangge(&db)
        .args(["ledger", "--family", "petitions", "--out", "-"])
        .output()
        .unwrap();
    assert!(csv.status.success());
    assert!(csv.stdout.starts_with(b"\xEF\xBB\xBF"));
    let jsonl = wangge(&db)
        .args(["ledger", "--family", "petitions", "--format", "jsonl"])
        .output()
        .unwrap();
    let lines = String::from_utf8(jsonl.stdout).unwrap();
    assert!(lines.lines().count() > 0);
    for line in lines.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v["id"].as_str().is_some_and(|id| id.len() == 36), "{line}");
    }
    wangge(&db)
        .args(["ledger", "--family", "petitions", "--format", "xlsx"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("XLSX"));
}

/// `init` says which folders it made for the database.
#[test]
fn init_says_which_folders_it_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("一").join("二").join("w.db");
    wangge(&db)
        .args(["init", "--region", "610727001000", "--worker", "李明"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "已创建文件夹 {}",
            dir.path().join("一").display()
        )))
        .stdout(predicate::str::contains(format!(
            "已创建文件夹 {}",
            dir.path().join("一").join("二").display()
        )));
}

/// The report's table fits an 80-column terminal in both languages.
#[test]
fn the_report_table_fits_80_columns() {
    let (_dir, db) = demo_db("300");
    for lang in ["zh", "en"] {
        let out = wangge(&db)
            .args(["--lang", lang, "report"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            assert!(
                wangge::domain::text::width(line) <= 80,
                "{lang}: {} columns:\n{line}",
                wangge::domain::text::width(line)
            );
        }
    }
}

#[test]
fn compact_gives_back_the_free_space_and_changes_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["demo", "--records", "200"])
        .assert()
        .success();
    // Free pages, as a migration or an erasure leaves them.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE filler (x BLOB); INSERT INTO filler VALUES (zeroblob(2000000)); DROP TABLE filler;")
        .unwrap();
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    assert!(free > 400, "{free}");
    let report = |db: &std::path::Path| {
        String::from_utf8(
            wangge(db)
                .args(["report", "--format", "json"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
    };
    let before = report(&db);
    drop(conn);
    wangge(&db)
        .arg("compact")
        .assert()
        .success()
        .stdout(predicate::str::contains("已整理："));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    assert_eq!(free, 0);
    drop(conn);
    assert_eq!(report(&db), before);
    wangge(&db).arg("check").assert().success();
}

#[test]
fn an_upgrade_or_a_rebuild_on_opening_says_why_it_waits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    wangge(&db)
        .args(["demo", "--records", "200"])
        .assert()
        .success()
        .stderr(predicate::str::contains("正在").not());
    let found = |db: &std::path::Path| {
        String::from_utf8(wangge(db).args(["search", "燃气"]).output().unwrap().stdout).unwrap()
    };
    let before = found(&db);
    assert!(before.contains("燃气"), "{before}");
    // Made a database of the version before, and opened.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let latest: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    common::back_to(&conn, latest - 1);
    drop(conn);
    wangge(&db)
        .args(["search", "燃气"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "正在升级数据库（第 {} 版 → 第 {latest} 版）",
            latest - 1
        )))
        .stdout(before.clone());
    // Nothing is left to do: nothing is said.
    wangge(&db)
        .args(["search", "燃气"])
        .assert()
        .success()
        .stderr("");
    // An index left stale (a bulk write cut short) is rebuilt first, and it says so, in English too.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE settings SET value = '1' WHERE key = 'search_stale'",
        [],
    )
    .unwrap();
    drop(conn);
    wangge(&db)
        .args(["--lang", "en", "check"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Rebuilding the search index"));
    assert_eq!(found(&db), before);
}

#[test]
fn a_large_write_compacts_the_file_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    // Over 16 MB written from nothing: compacted at the end.
    wangge(&db)
        .args(["demo", "--records", "10000"])
        .assert()
        .success()
        .stderr(predicate::str::contains("正在整理文件").and(predicate::str::contains("已整理：")));
    // Made under a working name and compacted on the way to its own: nothing else is left in the folder.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["d.db"]);
    // A few more records: far from a quarter more, nothing to do.
    wangge(&db)
        .args(["demo", "--records", "100"])
        .assert()
        .success()
        .stderr(predicate::str::contains("整理").not());
    wangge(&db).arg("check").assert().success();
}
