//! Two programs on one file: a save made while another program holds the write lock (a county import) waits
//! visibly, keeps the worker's input, lets keys in, and goes through once the lock is free; reading goes on
//! meanwhile.

mod common;

use common::tui::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use wangge::tui::app::{App, Screen};

/// A hazard's edit form with `text` added to its description, saved while another program (an import) holds the
/// write lock: the save waits. Returns the app, the hazard's id and the other program's connection.
fn save_during_an_import(
    records: usize,
    text: &str,
) -> (tempfile::TempDir, App, String, rusqlite::Connection) {
    let (dir, mut app) = demo_app(records);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('e'));
    let n = app.stack.len();
    let Some(Screen::Detail(d)) = app.stack.get(n - 2) else {
        panic!("no edit form over a detail view: {:?}", app.status)
    };
    let id = d.id().to_owned();
    app.event(Event::Key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE)));
    typed(&mut app, text);
    let other = rusqlite::Connection::open(dir.path().join("d.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    ctrl_s(&mut app);
    assert!(app.waiting, "{:?}", app.status);
    (dir, app, id.to_string(), other)
}

#[test]
fn a_save_during_another_programs_write_waits_and_then_goes_through() {
    // An edit of a hazard (tab 3, the first, e) saved while another program (an import) holds the write lock.
    let (_dir, mut app, id, other) = save_during_an_import(60, "导入期间补充");
    let (rows, _) = screen(&app, 80, 24);
    let text = rows.join("\n");
    assert!(text.contains("正在等待导入完成"), "{text}");
    assert!(!text.contains("locked") && !text.contains("锁"), "{text}");
    assert!(matches!(app.stack.last(), Some(Screen::Form(..))));
    // Still waiting after another try; the database is unchanged, and can be read.
    assert!(!app.idle());
    assert!(app.waiting);
    let description = |app: &wangge::tui::app::App| {
        wangge::store::hazards::get(app.store.conn(), &id)
            .unwrap()
            .description
    };
    assert!(!description(&app).contains("导入期间补充"));
    // Keys still work while it waits: the worker adds to the text.
    typed(&mut app, "（续）");
    assert!(app.waiting);
    // The import ends: the next try saves, with everything typed.
    other.execute_batch("COMMIT").unwrap();
    assert!(app.idle(), "{:?}", app.status);
    assert!(!app.waiting);
    assert!(
        matches!(app.stack.last(), Some(Screen::Detail(_))),
        "{:?}",
        app.status
    );
    assert!(description(&app).contains("导入期间补充（续）"));
}

#[test]
fn leaving_the_form_stops_the_wait_and_nothing_is_saved() {
    let (_dir, mut app, _, other) = save_during_an_import(40, "不保存");
    // Esc, then y: discard the form.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    other.execute_batch("COMMIT").unwrap();
    assert!(!app.idle());
    assert!(!app.waiting);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM hazards WHERE description LIKE '%不保存%'"
        ),
        0
    );
}

#[test]
fn a_waiting_save_set_aside_lets_the_worker_read_and_still_goes_through() {
    let (_dir, mut app, id, other) = save_during_an_import(60, "边看边等");
    // Esc asks; any key but y sets the form aside.
    press(&mut app, KeyCode::Esc);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("先去查看别的"), "{text}");
    press(&mut app, KeyCode::Char('n'));
    assert!(app.parked.is_some() && app.waiting);
    assert!(app.stack.is_empty(), "back to the list");
    // Reading goes on: another tab, a record opened, and the line says what waits.
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.stack.last(), Some(Screen::Detail(_))));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("一项保存等待导入完成"), "{text}");
    // Writing waits its turn: a new entry is refused with the reason.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('n'));
    assert!(app.stack.is_empty(), "no form opened");
    assert!(
        app.status.as_deref().unwrap_or("").contains("还在等待"),
        "{:?}",
        app.status
    );
    // Still locked: a try changes nothing and the worker stays where they were.
    assert!(!app.idle());
    assert_eq!(app.tab, wangge::tui::tabs::Tab::Petitions);
    assert!(app.parked.is_some());
    // F2 brings the form back with everything typed; Esc sets it aside again.
    press(&mut app, KeyCode::F(2));
    assert!(matches!(app.stack.last(), Some(Screen::Form(..))));
    typed(&mut app, "。");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('n'));
    assert!(app.parked.is_some());
    press(&mut app, KeyCode::Char('2'));
    // The import ends: the save goes through, and the worker is still on the tab they were reading.
    other.execute_batch("COMMIT").unwrap();
    assert!(app.idle(), "{:?}", app.status);
    assert!(!app.waiting && app.parked.is_none());
    assert_eq!(app.tab, wangge::tui::tabs::Tab::Inspections);
    assert!(app.stack.is_empty());
    assert!(app.status.as_deref().unwrap_or("").contains("已保存"));
    let saved = wangge::store::hazards::get(app.store.conn(), &id)
        .unwrap()
        .description;
    assert!(saved.contains("边看边等。"), "{saved}");
}

#[test]
fn quitting_with_a_save_set_aside_asks_over_the_form() {
    let (_dir, mut app, _, other) = save_during_an_import(40, "别丢");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter);
    assert!(app.parked.is_some());
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quit);
    assert!(matches!(app.stack.last(), Some(Screen::ConfirmQuit)));
    // While the question is up the save waits; any key but y goes back to the form, still waiting.
    assert!(!app.idle());
    assert!(app.waiting);
    press(&mut app, KeyCode::Char('n'));
    assert!(matches!(app.stack.last(), Some(Screen::Form(..))));
    other.execute_batch("COMMIT").unwrap();
    assert!(app.idle(), "{:?}", app.status);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM hazards WHERE description LIKE '%别丢%'"
        ),
        1
    );
}

#[test]
fn a_waiting_edit_whose_record_the_import_changed_is_refused_not_reported_saved() {
    let (_dir, mut app, id, other) = save_during_an_import(40, "我的改动");
    // The import brings a newer version of this very hazard.
    other
        .execute(
            &format!(
                "UPDATE hazards SET description = '导入的改动', version = version + 1 WHERE {}",
                common::BY_ID
            ),
            [&id],
        )
        .unwrap();
    other.execute_batch("COMMIT").unwrap();
    assert!(!app.idle(), "not saved");
    assert!(!app.waiting);
    assert!(
        !app.status.as_deref().unwrap_or("").contains("已保存"),
        "{:?}",
        app.status
    );
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!("the form stays up")
    };
    assert!(
        p.error.as_deref().unwrap_or("").contains("Ctrl+R"),
        "{:?}",
        p.error
    );
    assert_eq!(
        wangge::store::hazards::get(app.store.conn(), &id)
            .unwrap()
            .description,
        "导入的改动"
    );
}
