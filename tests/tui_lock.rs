//! Two programs on one file: a save made while another program holds the write lock (a county import) waits
//! visibly, keeps the worker's input, lets keys in, and goes through once the lock is free; reading goes on
//! meanwhile.

mod common;

use common::tui::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use wangge::tui::app::Screen;

#[test]
fn a_save_during_another_programs_write_waits_and_then_goes_through() {
    let (dir, mut app) = demo_app(60);
    // An edit of a hazard: tab 3, open the first, e.
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('e'));
    let n = app.stack.len();
    let Some(Screen::Detail(d)) = app.stack.get(n - 2) else {
        panic!("no edit form over a detail view: {:?}", app.status)
    };
    let id = d.id().to_owned();
    app.event(Event::Key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE)));
    typed(&mut app, "导入期间补充");
    // Another program (an import) takes the write lock and holds it.
    let other = rusqlite::Connection::open(dir.path().join("d.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    ctrl_s(&mut app);
    assert!(app.waiting, "{:?}", app.status);
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
    let (dir, mut app) = demo_app(40);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('e'));
    typed(&mut app, "不保存");
    let other = rusqlite::Connection::open(dir.path().join("d.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    ctrl_s(&mut app);
    assert!(app.waiting);
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
