//! An inspection corrected after saving: its date, party, 初判 and note change through the version check and
//! the audit log, while its results and the hazards they opened stay exactly as they were.

mod common;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use wangge::domain::inspection::Verdict;
use wangge::store::inspections;

/// The hazards of an inspection, as (id, version, status) rows.
fn hazards_of(app: &wangge::tui::app::App, id: &str) -> Vec<(String, i64, String)> {
    let mut st = app
        .store
        .conn()
        .prepare(&format!(
            "SELECT {}, version, status FROM hazards t WHERE inspection_{} ORDER BY 1",
            common::row_id(),
            common::BY_ID
        ))
        .unwrap();
    st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn an_inspection_is_corrected_on_screen_and_its_hazards_are_untouched() {
    let (_d, mut app) = demo_app(80);
    press(&mut app, KeyCode::Char('2'));
    // The first inspection listed with a failed item.
    let Some(k) = app.lists[0]
        .rows
        .iter()
        .position(|r| r.text != "-" && !r.text.is_empty())
    else {
        panic!("no inspection with a failed item on the first page")
    };
    let id = app.lists[0].rows[k].id.to_string();
    for _ in 0..k {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    let before = hazards_of(&app, &id);
    assert!(!before.is_empty());
    let results_before = inspections::get(app.store.conn(), &id)
        .unwrap()
        .unwrap()
        .results;
    press(&mut app, KeyCode::Char('e'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("更正检查（各项结果和隐患不变）"), "{text}");
    // Back round to the note (the last field but the reason), then the reason.
    for _ in 0..2 {
        press(&mut app, KeyCode::BackTab);
    }
    typed(&mut app, "复核：燃气表编号另记");
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "补记备注");
    ctrl_s(&mut app);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("已保存") && text.contains("燃气表编号另记"),
        "{text}"
    );
    // The timeline says what changed and why.
    press(&mut app, KeyCode::Char('G'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("改了 备注：补记备注"), "{text}");
    let after = inspections::get(app.store.conn(), &id).unwrap().unwrap();
    assert!(after.note.unwrap_or_default().contains("燃气表编号另记"));
    assert_eq!(after.results, results_before, "results stay");
    assert_eq!(hazards_of(&app, &id), before, "hazards stay");
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM audit WHERE family = (SELECT key FROM names WHERE name = 'inspection') AND record = (SELECT key FROM ids WHERE id = unhex(replace('{id}', '-', ''))) AND action = (SELECT key FROM names WHERE name = 'update') AND reason = '补记备注'"
            )
        ),
        1
    );
}

#[test]
fn a_verdict_that_contradicts_the_failed_items_is_refused() {
    assert_eq!(Verdict::agreeing(0), &[Verdict::NoHazard]);
    assert!(!Verdict::agreeing(2).contains(&Verdict::NoHazard));
    let (_d, app) = demo_app(120);
    let id: String = app
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {} FROM inspections t WHERE category = 'house' AND failed_count > 0 AND deleted = 0 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut store = app.store;
    let mut insp = inspections::get(store.conn(), &id).unwrap().unwrap();
    insp.verdict = Some(Verdict::NoHazard);
    let err = store
        .write(|tx, c| inspections::correct(tx, c, &insp, None).map(|_| ()))
        .unwrap_err();
    assert!(
        wangge::domain::Localized::message(&err, wangge::domain::Lang::Zh)
            .contains("与检查结果不符"),
        "{err:?}"
    );
    // A date after today is refused too; one that agrees is taken.
    insp.verdict = Some(Verdict::Serious);
    insp.inspected_on = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    assert!(
        store
            .write(|tx, c| inspections::correct(tx, c, &insp, None).map(|_| ()))
            .is_err()
    );
    insp.inspected_on = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let saved = store
        .write(|tx, c| inspections::correct(tx, c, &insp, Some("复核")))
        .unwrap();
    assert_eq!(saved.verdict, Some(Verdict::Serious));
    assert_eq!(saved.meta.version, insp.meta.version + 1);
}
