//! No dead ends and no unaudited reveal: a patrol left under way is opened again where it was; an edit's reason
//! is read on the record's timeline; a form that offers the masked owner's name records that as a reveal.

mod common;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use wangge::tui::app::Screen;

#[test]
fn a_patrol_left_under_way_opens_again_where_it_was() {
    let (_d, mut app) = demo_app(60);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('n'));
    typed(&mut app, "测试巡护线");
    ctrl_s(&mut app);
    assert!(matches!(app.stack.last(), Some(Screen::PatrolRun(_))));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("Esc 先离开"), "{text}");
    // Left for the overview, then found in the patrol list.
    press(&mut app, KeyCode::Esc);
    assert!(app.stack.is_empty());
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('v'));
    let Some(k) = app.lists[4]
        .rows
        .iter()
        .position(|r| r.place.contains("测试巡护线"))
    else {
        panic!("the patrol is not listed")
    };
    for _ in 0..k {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    let Some(Screen::PatrolRun(run)) = app.stack.last() else {
        panic!("the patrol under way did not open to go on")
    };
    assert_eq!((run.patrol.route.as_str(), run.findings), ("测试巡护线", 0));
    // On with a finding, then finished.
    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(app.stack.last(), Some(Screen::Form(..))));
}

#[test]
fn an_edits_reason_is_on_the_timeline() {
    let (_d, mut app) = demo_app(60);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('e'));
    // The reason is the form's last field.
    press(&mut app, KeyCode::BackTab);
    typed(&mut app, "责任人电话核实后更正");
    ctrl_s(&mut app);
    screen(&app, 80, 24);
    press(&mut app, KeyCode::Char('G'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("修改") && text.contains("责任人电话核实后更正"),
        "{text}"
    );
}

#[test]
fn offering_the_masked_owner_as_responsible_party_is_an_audited_reveal() {
    let (_d, mut app) = demo_app(120);
    press(&mut app, KeyCode::Char('3'));
    // A hazard that can be assigned, at a place with an owner.
    let ids: Vec<String> = app.lists[1].rows.iter().map(|r| r.id.to_string()).collect();
    let k = ids
        .iter()
        .position(|id| {
            count(
                &app,
                &format!(
                    "SELECT count(*) FROM hazards h JOIN places p ON p.key = h.place_key
                     WHERE h.{} AND h.status = 'found' AND coalesce(p.owner_name, '') <> ''",
                    common::by_id(id)
                ),
            ) == 1
        })
        .expect("no hazard to assign with an owner on file on the first page");
    for _ in 0..k {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    let reveals = |app: &wangge::tui::app::App| {
        count(
            app,
            &format!(
                "SELECT count(*) FROM audit WHERE action = (SELECT key FROM names WHERE name = 'reveal') AND record = (SELECT key FROM ids WHERE id = unhex(replace('{}', '-', '')))",
                ids[k]
            ),
        )
    };
    assert_eq!(reveals(&app), 0);
    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(app.stack.last(), Some(Screen::Action(..))));
    assert_eq!(reveals(&app), 1, "the owner's name offered unaudited");
}

#[test]
fn a_patrols_findings_and_an_inspections_hazards_open_from_its_detail() {
    let (_d, mut app) = demo_app(200);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('v'));
    let Some(k) = app.lists[4]
        .rows
        .iter()
        .position(|r| r.findings.unwrap_or(0) > 0 && r.status == "closed")
    else {
        panic!("no finished patrol with findings on the first page")
    };
    for _ in 0..k {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("Tab 选关联记录") && text.contains("Enter 打开所选"),
        "{text}"
    );
    // Scrolled to the end first (on a short terminal): Tab brings the selected finding back into sight.
    screen(&app, 80, 12);
    press(&mut app, KeyCode::Char('G'));
    screen(&app, 80, 12);
    let Some(Screen::Detail(d)) = app.stack.last() else {
        panic!("no detail")
    };
    assert!(
        d.scroll > 0,
        "the view did not scroll: the test shows nothing"
    );
    press(&mut app, KeyCode::Tab);
    screen(&app, 80, 12);
    let Some(Screen::Detail(d)) = app.stack.last() else {
        panic!("no detail")
    };
    let (rows, shown) = d.drawn.borrow().clone();
    assert!(
        rows[0] >= d.scroll && rows[0] < d.scroll + shown,
        "link on line {} out of sight ({}..{})",
        rows[0],
        d.scroll,
        d.scroll + shown
    );
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Detail(d)) = app.stack.last() else {
        panic!("nothing opened")
    };
    assert_eq!(d.family(), wangge::domain::record::Family::Finding);
    // Esc goes back to the patrol.
    press(&mut app, KeyCode::Esc);
    let Some(Screen::Detail(d)) = app.stack.last() else {
        panic!("not back on the patrol")
    };
    assert_eq!(d.family(), wangge::domain::record::Family::Patrol);
}

/// Back from a hazard opened from its inspection, the inspection shows the hazard as it is now.
#[test]
fn back_on_an_inspection_its_hazards_are_shown_as_they_are_now() {
    use wangge::domain::hazard::HazardAction;
    let (_d, mut app) = demo_app(200);
    press(&mut app, KeyCode::Char('2'));
    // An inspection whose hazard was only found (it may be assigned).
    let open: Vec<String> = {
        let conn = app.store.conn();
        let mut st = conn
            .prepare(&format!(
                "SELECT {} FROM hazards h WHERE status = 'found' AND inspection_key IS NOT NULL",
                wangge::store::keys::id_of("h.inspection_key")
            ))
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut found = false;
    for _ in 0..15 {
        let l = &app.lists[0];
        if open.contains(&l.rows[l.selected].id) {
            found = true;
            break;
        }
        press(&mut app, KeyCode::Char('j'));
    }
    assert!(found, "no inspection with an open hazard on the first page");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Detail(h)) = app.stack.last() else {
        panic!("the hazard did not open")
    };
    let (id, version) = (h.id().to_string(), h.shown.meta().version);
    // Meanwhile the hazard moves on (as a step saved on its detail would move it).
    app.store
        .write(|tx, c| {
            let assign = HazardAction::Assign {
                responsible: "王强".into(),
                notice_no: None,
                note: "限期整改".into(),
            };
            wangge::store::hazards::act(tx, c, &id, version, &assign).map(|_| ())
        })
        .unwrap();
    press(&mut app, KeyCode::Esc);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("已交办"), "{text}");
}
