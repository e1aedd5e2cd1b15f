//! The worker's app on `TestBackend`: screens at 80×24 and 120×40, and key sequences through the same `App`
//! the real loop drives.

mod common;

use common::tui::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use wangge::domain::Lang;
use wangge::tui::app::{App, Screen};
use wangge::tui::field_key::FieldKey as Fk;

#[test]
fn every_tab_renders_at_80x24_and_120x40_within_the_width() {
    let (_d, mut app) = demo_app(300);
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        app.resize(h);
        for tab in 1..=6u8 {
            press(&mut app, KeyCode::Char((b'0' + tab) as char));
            let (rows, _) = screen(&app, w, h);
            let all = rows.join("\n");
            assert!(
                rows[0].contains("wangge") && rows[0].contains("兴州街道"),
                "{all}"
            );
            for r in &rows {
                assert!(
                    wangge::domain::text::width(r) <= w as usize,
                    "row too wide: {r}"
                );
            }
            let expect =
                ["今日待办", "安全检查", "隐患", "信访", "信访", "本设备"][tab as usize - 1];
            assert!(all.contains(expect), "tab {tab}: {all}");
            assert!(
                rows[h as usize - 1].contains("q 退出") || rows[h as usize - 1].contains("? 帮助"),
                "{all}"
            );
        }
    }
}

#[test]
fn an_overdue_hazard_is_followed_from_the_dashboard_and_assigned_with_a_chinese_note() {
    let (_d, mut app) = demo_app(400);
    app.resize(24);
    let (rows, _) = screen(&app, 80, 24);
    assert!(
        rows.iter()
            .any(|r| r.contains("逾期隐患") && r.contains("[Enter 进入]")),
        "{}",
        rows.join("\n")
    );
    press(&mut app, KeyCode::Enter); // into the overdue hazards listed under the line
    assert_eq!(app.dash.focus, Some(0));
    press(&mut app, KeyCode::Enter); // the first of them: its own record
    let Some(Screen::Detail(d)) = app.stack.last() else {
        panic!("no detail")
    };
    assert_eq!(d.id().as_str(), app.dash.rows[0].id);
    let (rows, _) = screen(&app, 80, 24);
    assert!(rows.join("\n").contains("逾期"), "{}", rows.join("\n"));
    press(&mut app, KeyCode::Esc); // back on the dashboard, same place
    assert!(app.stack.is_empty());
    assert_eq!(app.dash.focus, Some(0));
    press(&mut app, KeyCode::Char('G')); // the last line: the whole list
    press(&mut app, KeyCode::Enter); // 逾期隐患 → the hazard list, overdue only
    assert_eq!(app.tab, wangge::tui::tabs::Tab::Hazards);
    let (rows, _) = screen(&app, 80, 24);
    assert!(rows.join("\n").contains("仅逾期"));
    assert!(
        rows.iter().any(|r| r.contains("逾期")),
        "overdue marked with text"
    );
    // All hazards: f opens the filter, where "overdue only" is switched off; the demo always has a recent
    // hazard still 已发现.
    press(&mut app, KeyCode::Char('f'));
    assert!(matches!(app.stack.last(), Some(Screen::Form(..))));
    press(&mut app, KeyCode::Right);
    ctrl_s(&mut app);
    assert!(!app.lists[1].filter.overdue_only);
    let k = app.lists[1]
        .rows
        .iter()
        .position(|r| r.status == "found")
        .expect("a hazard to assign");
    for _ in 0..k {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Detail(d)) = app.stack.last() else {
        panic!("no detail")
    };
    let id = d.id().to_owned();
    let events_before = wangge::store::records::timeline(app.store.conn(), &id)
        .unwrap()
        .len();
    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(app.stack.last(), Some(Screen::Action(..))));
    typed(&mut app, "王秀英");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "整改〔2026〕7号");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "限期更换软管 q1");
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Detail(_))),
        "{:?}",
        app.status
    );
    let h = wangge::store::hazards::get(app.store.conn(), &id).unwrap();
    assert_eq!(h.responsible.as_deref(), Some("王秀英"));
    assert_eq!(h.status.code(), "assigned");
    let events = wangge::store::records::timeline(app.store.conn(), &id).unwrap();
    assert_eq!(events.len(), events_before + 1);
    assert_eq!(
        events.last().unwrap().note.as_deref(),
        Some("限期更换软管 q1"),
        "q inside a field is text"
    );
    assert_eq!(
        app.tab,
        wangge::tui::tabs::Tab::Hazards,
        "digits and q typed in a field never switch tabs or quit"
    );
    assert!(!app.quit);
}

#[test]
fn an_illegal_lifecycle_key_does_nothing_but_say_why() {
    let (_d, mut app) = demo_app(300);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Detail(d)) = app.stack.last() else {
        panic!()
    };
    let id = d.id().to_owned();
    let before = wangge::store::records::timeline(app.store.conn(), &id).unwrap();
    // 'l' (终结) is legal only after a review decision.
    press(&mut app, KeyCode::Char('l'));
    assert!(matches!(app.stack.last(), Some(Screen::Detail(_))));
    let msg = app.status.clone().unwrap();
    assert!(msg.contains("不能") || msg.contains("已办结"), "{msg}");
    assert_eq!(
        wangge::store::records::timeline(app.store.conn(), &id).unwrap(),
        before
    );
}

#[test]
fn personal_data_is_masked_and_revealing_it_is_audited() {
    let (_d, mut app) = demo_app(300);
    press(&mut app, KeyCode::Char('5'));
    let (rows, _) = screen(&app, 80, 24);
    let name = app.lists[3].rows[0].person.clone().unwrap();
    assert!(
        !rows.join("\n").contains(&name),
        "full names never in the list"
    );
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Detail(d)) = app.stack.last() else {
        panic!()
    };
    let wangge::tui::detail::Shown::Petition(p) = &d.shown else {
        panic!()
    };
    let (id_number, phone, pid) = (
        p.id_number.clone(),
        p.phone.clone().unwrap(),
        p.meta.id.clone(),
    );
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(!text.contains(&phone) && !text.contains(&name));
    if let Some(idn) = &id_number {
        assert!(!text.contains(idn.as_str()) && text.contains(&idn[14..]));
    }
    press(&mut app, KeyCode::Char('i'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains(&phone), "revealed");
    let n: i64 = app
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE record = (SELECT key FROM ids WHERE id = unhex(replace(?1, '-', ''))) AND action = (SELECT key FROM names WHERE name = 'reveal')",
            [&pid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    // The reveal is in the log, and the record still matches its last recorded state.
    let errors: Vec<_> = wangge::store::check::run(app.store.conn(), app.today)
        .into_iter()
        .filter(|f| f.severity == wangge::store::check::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_cursor_sits_at_the_caret_after_typing_chinese() {
    let (_d, mut app) = demo_app(100);
    press(&mut app, KeyCode::Char('w'));
    let (_, mut t0) = screen(&app, 80, 24);
    let start = t0.get_cursor_position().unwrap();
    typed(&mut app, "李娜");
    let (_, mut t) = screen(&app, 80, 24);
    let pos = t.get_cursor_position().unwrap();
    assert_eq!(pos.y, start.y);
    assert_eq!(pos.x, start.x + 4, "two Han characters are four cells");
    app.event(Event::Paste("\u{1b}[31m王\n".into()));
    let (_, mut t) = screen(&app, 80, 24);
    assert_eq!(
        t.get_cursor_position().unwrap().x,
        start.x + 4 + 2 + 4,
        "paste: control characters stripped"
    );
    ctrl_s(&mut app);
    assert!(app.status.is_some() || app.device.worker != "张伟");
}

#[test]
fn search_finds_one_chinese_character_and_opens_the_hit() {
    let (_d, mut app) = demo_app(300);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "气");
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Search(s)) = app.stack.last() else {
        panic!()
    };
    assert!(s.total > 0 && !s.hits.is_empty());
    let family = s.hits[0].family;
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.stack.last(), Some(Screen::Detail(_))));
    // The header names the tab the record is listed on.
    assert_eq!(app.tab, wangge::tui::tabs::Tab::of(family));
}

#[test]
fn hostile_text_from_the_database_is_neutralised_on_screen() {
    let (_d, mut app) = demo_app(200);
    app.store
        .conn()
        .execute("UPDATE hazards SET description = 'x\u{1b}]0;pwned\u{7}\u{202E}y' WHERE rowid = (SELECT max(rowid) FROM hazards)", [])
        .unwrap();
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('G'));
    let (rows, _) = screen(&app, 120, 40);
    let text = rows.join("\n");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202E}'));
}

#[test]
fn help_lists_the_keys_of_the_screen_and_q_quits() {
    let (_d, mut app) = demo_app(50);
    press(&mut app, KeyCode::Char('?'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("帮助") && text.contains("筛选"), "{text}");
    press(&mut app, KeyCode::Char('x'));
    assert!(app.stack.is_empty());
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn a_gas_inspection_with_one_failed_item_leaves_all_its_rows() {
    let (_d, mut app) = demo_app(60);
    let before = [
        count(&app, "SELECT count(*) FROM inspections"),
        count(&app, "SELECT count(*) FROM hazards"),
        count(&app, "SELECT count(*) FROM timeline"),
        count(&app, "SELECT count(*) FROM audit"),
        count(&app, "SELECT count(*) FROM journal"),
    ];
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "江神庙巷4号");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "兴州街道江神庙巷4号");
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Checklist(_))),
        "{:?}",
        app.stack.last().map(|_| ())
    );
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("G12") && text.contains("未查"), "{text}");
    // Saving with items left unmarked is refused, and says how many.
    ctrl_s(&mut app);
    let Some(Screen::Checklist(c)) = app.stack.last() else {
        panic!()
    };
    assert!(c.error.as_deref().unwrap_or("").contains("12 项"));
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Char('f')); // a failed item stays selected: the note is its own
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "橡胶管老化");
    press(&mut app, KeyCode::Tab); // done with the note: on to G3
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('+'));
    press(&mut app, KeyCode::Char('j'));
    for _ in 0..10 {
        // Marking an item moves to the next one.
        press(&mut app, KeyCode::Char('p'));
    }
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("不合格 1 项"), "{text}");
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Detail(_))),
        "{:?}",
        app.status
    );
    let after = [
        count(&app, "SELECT count(*) FROM inspections"),
        count(&app, "SELECT count(*) FROM hazards"),
        count(&app, "SELECT count(*) FROM timeline"),
        count(&app, "SELECT count(*) FROM audit"),
        count(&app, "SELECT count(*) FROM journal"),
    ];
    // Place + inspection + hazard: three records, three audit and journal rows, three timeline events.
    assert_eq!(
        after
            .iter()
            .zip(before)
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
        [1, 1, 3, 3, 3]
    );
    let (desc, deadline): (String, String) = app
        .store
        .conn()
        .query_row("SELECT description, deadline FROM hazards ORDER BY created_at DESC, rowid DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(desc, "橡胶管老化");
    assert_eq!(
        deadline, "2026-12-29",
        "30 days by default, one more with +"
    );
}

#[test]
fn a_patrol_with_no_findings_is_recorded_as_nothing_found() {
    let (_d, mut app) = demo_app(60);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('n'));
    typed(&mut app, "西关至后山巡护线");
    ctrl_s(&mut app);
    assert!(matches!(app.stack.last(), Some(Screen::PatrolRun(_))));
    press(&mut app, KeyCode::Char('c'));
    typed(&mut app, "8.5");
    ctrl_s(&mut app);
    assert!(app.stack.is_empty(), "{:?}", app.status);
    assert!(app.status.as_deref().unwrap_or("").contains("未发现问题"));
    let (nothing, km): (bool, f64) = app
        .store
        .conn()
        .query_row(
            "SELECT nothing_found, distance_km FROM patrols WHERE route = '西关至后山巡护线'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(nothing);
    assert_eq!(km, 8.5);
}

#[test]
fn registering_a_repeat_petition_is_pointed_out_before_saving() {
    let (_d, mut app) = demo_app(60);
    for round in 0..2 {
        press(&mut app, KeyCode::Char('5'));
        press(&mut app, KeyCode::Char('n'));
        for _ in 0..4 {
            press(&mut app, KeyCode::Down);
        }
        typed(&mut app, "王建国");
        press(&mut app, KeyCode::Enter);
        typed(&mut app, "11010519491231002X");
        for _ in 0..4 {
            press(&mut app, KeyCode::Enter);
        }
        typed(&mut app, "征地补偿");
        press(&mut app, KeyCode::Enter);
        typed(&mut app, "要求补发");
        ctrl_s(&mut app);
        if round == 1 {
            let Some(Screen::Form(_, p)) = app.stack.last() else {
                panic!("saved without a word")
            };
            assert!(
                p.error.as_deref().unwrap_or("").contains("重复信访"),
                "{:?}",
                p.error
            );
            ctrl_s(&mut app);
        }
        assert!(
            matches!(app.stack.last(), Some(Screen::Detail(_))),
            "{:?}",
            app.status
        );
        app.stack.clear();
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM petitions WHERE repeat_key IS NOT NULL AND summary = '征地补偿'"
        ),
        1
    );
}

#[test]
fn esc_on_a_changed_form_asks_before_discarding() {
    let (_d, mut app) = demo_app(30);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "王");
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.stack.last(), Some(Screen::ConfirmDiscard)));
    press(&mut app, KeyCode::Char('n'));
    assert!(
        matches!(app.stack.last(), Some(Screen::Form(..))),
        "any other key keeps editing"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.stack.is_empty());
}

#[test]
fn the_readme_key_table_is_the_keymap() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = wangge::tui::keymap::markdown_table();
    assert!(
        readme.contains(&table),
        "README's key table drifted from the keymap; put this in README.md:\n{table}"
    );
}

#[test]
fn the_filter_form_narrows_a_list_by_status_and_date() {
    let (_d, mut app) = demo_app(400);
    press(&mut app, KeyCode::Char('5'));
    let all = app.lists[3].total;
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right); // status: the first one, 已登记
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "2026-11-01");
    ctrl_s(&mut app);
    let l = &app.lists[3];
    assert_eq!(l.filter.status.as_deref(), Some("registered"));
    assert!(l.total > 0 && l.total < all, "{} of {all}", l.total);
    assert!(
        l.rows
            .iter()
            .all(|r| r.status == "registered" && r.date.as_str() >= "2026-11-01")
    );
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("已登记") && text.contains("2026-11-01~"),
        "{text}"
    );
}

#[test]
fn a_deadline_in_a_year_without_holidays_says_so() {
    let (_d, mut app) = demo_app(100);
    press(&mut app, KeyCode::Char('5'));
    // Find an accepted case: its handling deadline falls in January 2027, a year the table lacks.
    let k = app.lists[3]
        .rows
        .iter()
        .position(|r| r.due.is_some_and(|d| d.to_string().starts_with("2027")));
    let Some(k) = k else {
        panic!("no case due in 2027")
    };
    for _ in 0..k {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 120, 40).0.join("\n");
    assert!(
        text.contains("2027 年节假日表未导入，只按周末顺延"),
        "{text}"
    );
}

#[test]
fn an_edit_saves_through_the_version_check_and_a_stale_one_is_refused() {
    let (_d, mut app) = demo_app(100);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('e'));
    let Some(Screen::Form(..)) = app.stack.last() else {
        panic!("no edit form: {:?}", app.status)
    };
    let n = app.stack.len();
    let Some(Screen::Detail(d)) = app.stack.get(n - 2) else {
        panic!()
    };
    let id = d.id().to_owned();
    // Someone else changes the hazard meanwhile (another TUI on the same file).
    let h = wangge::store::hazards::get(app.store.conn(), &id).unwrap();
    let mut other = h.clone();
    other.description = "别人的改动".into();
    app.store
        .write(|tx, c| wangge::store::hazards::update(tx, c, &other, None))
        .unwrap();
    // This worker's edit was read before: refused with a reload hint, nothing overwritten.
    app.event(Event::Key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE)));
    typed(&mut app, "补充");
    ctrl_s(&mut app);
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!()
    };
    assert!(
        p.error.as_deref().unwrap_or("").contains("重新载入"),
        "{:?}",
        p.error
    );
    assert_eq!(
        wangge::store::hazards::get(app.store.conn(), &id)
            .unwrap()
            .description,
        "别人的改动"
    );
    // The whole hint shows at 80×24 (the message takes two lines).
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("Ctrl+R 载入最新版本"), "{text}");
    // Ctrl+R: the newest version shows behind the form, and what was typed stays.
    app.event(Event::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    )));
    let n = app.stack.len();
    let (Some(Screen::Detail(d)), Some(Screen::Form(_, p))) =
        (app.stack.get(n - 2), app.stack.last())
    else {
        panic!("the form over the detail: {:?}", app.status)
    };
    let wangge::tui::detail::Shown::Hazard(h) = &d.shown else {
        panic!()
    };
    assert_eq!(h.description, "别人的改动");
    assert!(p.get(Fk::Description).ends_with("补充"));
    assert!(p.error.as_deref().unwrap_or("").contains("已载入最新版本"));
    // Checked, with a reason, saved against the version now shown.
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "核对后更正");
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Detail(_))),
        "{:?}",
        app.status
    );
    assert!(
        wangge::store::hazards::get(app.store.conn(), &id)
            .unwrap()
            .description
            .ends_with("补充")
    );
    let audit: String = app
        .store
        .conn()
        .query_row(
            "SELECT reason FROM audit WHERE record = (SELECT key FROM ids WHERE id = unhex(replace(?1, '-', ''))) ORDER BY seq DESC LIMIT 1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit, "核对后更正");
}

#[test]
fn q_asks_before_quitting_a_changed_form_and_is_text_inside_a_field() {
    let (_d, mut app) = demo_app(30);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    // The first field is a choice: q there means quit, and nothing has changed yet.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char('q'));
    assert!(
        matches!(app.stack.last(), Some(Screen::ConfirmQuit)),
        "changed: asks first"
    );
    press(&mut app, KeyCode::Char('n'));
    assert!(!app.quit && matches!(app.stack.last(), Some(Screen::Form(..))));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "qq");
    assert!(!app.quit, "in a text field q is text");
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!()
    };
    assert_eq!(p.get(Fk::Place), "qq");
    for _ in 0..3 {
        press(&mut app, KeyCode::Up);
    }
    press(&mut app, KeyCode::Char('q'));
    press(&mut app, KeyCode::Char('y'));
    assert!(app.quit);
}

/// `q` on a checklist with nothing marked yet still asks: the place form beneath holds what was typed.
#[test]
fn q_on_a_fresh_checklist_asks_for_the_place_form_beneath() {
    let (_d, mut app) = demo_app(30);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "新户");
    press(&mut app, KeyCode::Down);
    typed(&mut app, "3 组 8 号");
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Checklist(_))),
        "{:?}",
        app.status
    );
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quit, "quit without asking: the place form was lost");
    assert!(matches!(app.stack.last(), Some(Screen::ConfirmQuit)));
}

#[test]
fn a_second_inspection_of_the_same_place_reuses_it() {
    let (_d, mut app) = demo_app(30);
    let places = |app: &App| count(app, "SELECT count(*) FROM places WHERE name = '东渡路21号'");
    for round in 0..2 {
        press(&mut app, KeyCode::Char('2'));
        press(&mut app, KeyCode::Char('n'));
        for _ in 0..3 {
            press(&mut app, KeyCode::Down);
        }
        typed(&mut app, "东渡路21号");
        press(&mut app, KeyCode::Enter);
        typed(&mut app, "兴州街道东渡路21号");
        ctrl_s(&mut app);
        let Some(Screen::Checklist(c)) = app.stack.last() else {
            panic!("{:?}", app.status)
        };
        assert_eq!(c.known_place, round == 1);
        for _ in 0..12 {
            press(&mut app, KeyCode::Char('p'));
        }
        ctrl_s(&mut app);
        assert!(
            matches!(app.stack.last(), Some(Screen::Detail(_))),
            "{:?}",
            app.status
        );
        app.stack.clear();
    }
    assert_eq!(places(&app), 1);
}

#[test]
fn petition_content_takes_several_lines() {
    let (_d, mut app) = demo_app(30);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "李四");
    for _ in 0..5 {
        press(&mut app, KeyCode::Enter);
    }
    typed(&mut app, "修路占地");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "第一行");
    app.event(Event::Key(KeyEvent::new(
        KeyCode::Char('j'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "第二行");
    let (rows, mut t) = screen(&app, 80, 24);
    let text = rows.join("\n");
    assert!(
        text.contains("第一行") && text.contains("第二行") && text.contains("Ctrl+J"),
        "{text}"
    );
    let pos = t.get_cursor_position().unwrap();
    let line = rows[pos.y as usize].clone();
    assert!(
        line.contains("第二行"),
        "the caret is on the second line: {line}"
    );
    app.event(Event::Paste("第三行\r\n第四行".into()));
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Detail(_))),
        "{:?}",
        app.status
    );
    let content: String = app
        .store
        .conn()
        .query_row(
            "SELECT content FROM petitions WHERE summary = '修路占地'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(content, "第一行\n第二行第三行\n第四行");
}

#[test]
fn english_at_80_columns_keeps_where_and_who_in_the_header() {
    let (_d, mut app) = demo_app(30);
    app.lang = Lang::En;
    for tab in ['1', '3', '5'] {
        press(&mut app, KeyCode::Char(tab));
        let (rows, _) = screen(&app, 80, 24);
        assert!(
            rows[0].contains("兴州街道") && rows[0].contains("张伟"),
            "{}",
            rows[0]
        );
        assert!(rows[0].contains('['), "{}", rows[0]);
    }
}

#[test]
fn a_house_survey_records_the_building_and_dates_can_be_picked() {
    let (_d, mut app) = demo_app(30);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Right); // 燃气 → 人员密集场所 → 电动自行车 → 自建房
    }
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "西关村3组12号");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "西关村3组12号");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter); // kind, owner, phone → floors
    }
    typed(&mut app, "4");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "1998");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter); // structure, use, occupancy → date
    }
    press(&mut app, KeyCode::PageDown); // the day before today
    ctrl_s(&mut app);
    let Some(Screen::Checklist(c)) = app.stack.last() else {
        panic!("{:?}", app.status)
    };
    assert_eq!(c.date.to_string(), "2026-11-27");
    assert_eq!((c.place.floors, c.place.year_built), (Some(4), Some(1998)));
    assert!(
        c.verdict.is_some(),
        "a house survey asks for its first judgement"
    );
    // A typo in a number is refused by name.
    app.stack.clear();
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "x");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "y");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    typed(&mut app, "四");
    ctrl_s(&mut app);
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!()
    };
    assert!(
        p.problems().iter().any(|m| m.contains("层数")),
        "{:?}",
        p.problems()
    );
    assert_eq!(
        p.focus_key(),
        Some(Fk::Floors),
        "the caret on the field to put right"
    );
}

/// Defaults follow the context: a finding reported on a patrol starts in the patrol's zone.
#[test]
fn a_finding_starts_in_its_patrols_zone() {
    let (_d, mut app) = demo_app(20);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('n'));
    typed(&mut app, "核心区巡护线");
    press(&mut app, KeyCode::Enter);
    // The zone: one step right of the general zone is the core zone.
    press(&mut app, KeyCode::Right);
    ctrl_s(&mut app);
    let Some(Screen::PatrolRun(run)) = app.stack.last() else {
        panic!("{:?}", app.status);
    };
    let zone = run.patrol.zone;
    assert_ne!(zone, wangge::domain::patrol::Zone::General);
    press(&mut app, KeyCode::Char('a'));
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!("no finding form");
    };
    assert_eq!(p.get(Fk::Zone), zone.code());
}

/// No dead end: a future date is refused as the worker leaves the field, before the checklist; from the
/// checklist Esc goes back to the place form and every answer comes along when the worker goes on again.
#[test]
fn back_from_the_checklist_to_the_form_keeps_every_answer() {
    let (_d, mut app) = demo_app(60);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "江神庙巷6号");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "兴州街道江神庙巷6号");
    // To the date field, typed a day ahead: refused on leaving it, the form not left.
    for _ in 0..9 {
        press(&mut app, KeyCode::Enter);
    }
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!()
    };
    assert_eq!(p.focus_key(), Some(Fk::Date));
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::Up);
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!()
    };
    assert!(
        p.problems().iter().any(|m| m.contains("晚于今天")),
        "{:?}",
        p.problems()
    );
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Form(..))),
        "a future date never reaches the checklist"
    );
    press(&mut app, KeyCode::PageDown);
    ctrl_s(&mut app);
    assert!(matches!(app.stack.last(), Some(Screen::Checklist(_))));
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "软管超过两米");
    press(&mut app, KeyCode::Esc); // done with the note, still on G2
    press(&mut app, KeyCode::Esc); // back to the form
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!("Esc on the checklist goes back to its form")
    };
    assert!(
        p.error.as_deref().unwrap_or("").contains("2 项"),
        "{:?}",
        p.error
    );
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("江神庙巷6号"), "the form as it was: {text}");
    ctrl_s(&mut app);
    let Some(Screen::Checklist(c)) = app.stack.last() else {
        panic!()
    };
    assert_eq!(c.failed(), 1);
    assert_eq!(c.notes[1], "软管超过两米");
    assert_eq!(c.selected, 1);
}

/// Tab 4 lists patrols beside their findings: `v` switches, a patrol shows its date, route, distance and how
/// many findings it had, and opens with its findings listed.
#[test]
fn patrols_are_listed_on_tab_4_and_open_with_their_findings() {
    let (_d, mut app) = demo_app(200);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('v'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("巡查记录") && text.contains("公里"), "{text}");
    let with_findings: i64 = count(
        &app,
        "SELECT count(*) FROM patrols p WHERE EXISTS (SELECT 1 FROM findings f WHERE f.patrol_key = p.key)",
    );
    assert!(with_findings > 0);
    // The first patrol with a finding, opened: its findings are listed under it.
    let Some(k) = app.lists[4]
        .rows
        .iter()
        .position(|r| r.findings.unwrap_or(0) > 0)
    else {
        panic!("no patrol with findings on the first page")
    };
    for _ in 0..k {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("巡查路线") && text.contains("发现 2026-"),
        "{text}"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('v'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("秦岭巡查·发现"), "{text}");
}
