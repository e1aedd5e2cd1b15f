//! The worker's app on `TestBackend`: a demo database, the screen as text, keys pressed through `App::event`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use wangge::domain::Lang;
use wangge::tui::app::App;
use wangge::tui::view::{Theme, draw};

use super::now;

pub fn demo_app(records: usize) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let mut store = wangge::store::Store::open(
        &path,
        wangge::store::OpenMode::CreateIfMissing,
        std::sync::Arc::new(wangge::domain::clock::FixedClock(now())),
    )
    .unwrap();
    let ctx = wangge::store::WriteCtx {
        device: wangge::domain::ids::DeviceId::parse("0190a000-0000-7000-8000-00000000d001")
            .unwrap(),
        actor: "张伟".into(),
        region: wangge::domain::ids::RegionCode::parse("610727001000").unwrap(),
        now: now(),
    };
    store
        .write_raw(|tx| wangge::store::device::init(tx, &ctx, &ctx.region, &[7u8; 32]))
        .unwrap();
    store
        .write_raw(|tx| wangge::store::device::set_setting(tx, "demo", "1"))
        .unwrap();
    wangge::demo::generate(&mut store, records, 3, &mut |_| {}).unwrap();
    let mut app = App::new(store, Lang::Zh).unwrap();
    while app.idle() {}
    (dir, app)
}

/// The screen as text, one string per row (wide characters appear once).
pub fn screen(app: &App, w: u16, h: u16) -> (Vec<String>, Terminal<TestBackend>) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, app, Theme { color: false })).unwrap();
    let buf = t.backend().buffer().clone();
    let rows = (0..h)
        .map(|y| {
            let mut row = String::new();
            let mut x = 0;
            while x < w {
                let sym = buf[(x, y)].symbol();
                row.push_str(sym);
                // A wide character covers the next cell too.
                x += wangge::domain::text::width(sym).max(1) as u16;
            }
            row
        })
        .collect();
    (rows, t)
}

/// A key, then what the app's loop does when no other key waits.
pub fn press(app: &mut App, code: KeyCode) {
    app.event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    while app.idle() {}
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

pub fn ctrl_s(app: &mut App) {
    app.event(Event::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    while app.idle() {}
}

/// One number from the app's database.
pub fn count(app: &App, sql: &str) -> i64 {
    app.store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}
