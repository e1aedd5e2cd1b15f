//! The browsing figures, on the county database: search against the LIKE scan, list pages (first, deep,
//! filtered), start to first frame against an empty database, keystroke to frame on the lists, and the peak memory
//! of a worker going through every tab.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use wangge::domain::Lang;
use wangge::domain::record::Family;
use wangge::store::lists::{self, Filter};
use wangge::store::{OpenMode, search};
use wangge::tui::app::App;
use wangge::tui::view::{Theme, draw};

use super::data;
use super::table::{Figure, mb, ms, pct, times};

/// Words to search for, by length, taken from the data itself (and one that finds nothing).
fn queries(conn: &rusqlite::Connection) -> Vec<String> {
    let text: String = conn
        .query_row(
            "SELECT group_concat(description, '') FROM (SELECT description FROM hazards LIMIT 50)",
            [],
            |r| r.get(0),
        )
        .unwrap_or_default();
    let han: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = vec!["燃气".to_owned(), "村".to_owned(), "张".to_owned()];
    for len in 1..=4 {
        for start in [3usize, 17, 41] {
            if han.len() > start + len {
                out.push(han[start..start + len].iter().collect());
            }
        }
    }
    out.push("没有这种东西".into());
    let mut seen = std::collections::HashSet::new();
    out.retain(|q| seen.insert(q.clone()));
    out
}

pub fn search_figures(conn: &rusqlite::Connection, quick: bool, figures: &mut Vec<Figure>) {
    let runs = if quick { 20 } else { 50 };
    // Per query length: the search's times (first page and exact count together), and the scan's.
    let mut by_len: [(Vec<Duration>, Vec<Duration>); 4] = Default::default();
    for q in queries(conn) {
        let n = q.chars().count().clamp(1, 4) - 1;
        let page = times(runs, || {
            search::search(conn, &q, 20).unwrap();
        });
        let scan = times(if quick { 3 } else { 1 }, || {
            search::scan(conn, &q).unwrap();
        });
        by_len[n].0.extend(page);
        by_len[n].1.extend(scan);
    }
    for (i, (page, scan)) in by_len.iter_mut().enumerate() {
        if page.is_empty() {
            continue;
        }
        page.sort();
        scan.sort();
        let limit = if i == 0 { 50.0 } else { 20.0 };
        let (median, p95, base) = (pct(page, 0.5), pct(page, 0.95), pct(scan, 0.5));
        let ratio = base.as_secs_f64() / median.as_secs_f64().max(1e-9);
        figures.push(Figure {
            name: format!("search, {} char(s): first page + exact count", i + 1),
            median: ms(median),
            tail: format!("p95 {}", ms(p95)),
            baseline: ms(base),
            ratio: format!("{ratio:.0}x"),
            target: format!("p95 <= {limit} ms, >= 20x the scan"),
            pass: Some(p95.as_secs_f64() * 1e3 <= limit && ratio >= 20.0),
        });
    }
}

pub fn list_figures(conn: &rusqlite::Connection, quick: bool, figures: &mut Vec<Figure>) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
    let runs = if quick { 50 } else { 100 };
    for (family, table, date) in [
        (Family::Inspection, "inspections", "inspected_on"),
        (Family::Hazard, "hazards", "found_on"),
        (Family::Finding, "findings", "found_on"),
        (Family::Petition, "petitions", "received_on"),
    ] {
        let filter = Filter::new(family);
        let first = times(runs, || {
            lists::page(conn, &filter, today, &lists::At::First, 16).unwrap();
            lists::count(conn, &filter, today, Some(lists::COUNT_CAP)).unwrap();
        });
        // The key 100,000 rows deep (or as deep as the table goes).
        let rows: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap_or(0);
        let depth = 100_000.min(rows.saturating_sub(20)).max(0);
        let key: Option<(String, i64)> = conn
            .query_row(
                &format!(
                    "SELECT {date}, key FROM {table} WHERE deleted = 0 ORDER BY {date} DESC, key DESC LIMIT 1 OFFSET ?1"
                ),
                [depth],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        let at = key.map_or(lists::At::First, lists::At::After);
        let deep = times(runs, || {
            lists::page(conn, &filter, today, &at, 16).unwrap();
        });
        let mut overdue = Filter::new(family);
        overdue.overdue_only = true;
        let filtered = times(runs, || {
            lists::page(conn, &overdue, today, &lists::At::First, 16).unwrap();
            lists::count(conn, &overdue, today, Some(lists::COUNT_CAP)).unwrap();
        });
        for (what, t) in [
            ("first page and its count", first),
            ("page ~100,000 deep", deep),
            ("filter change (overdue), page and count", filtered),
        ] {
            let p95 = pct(&t, 0.95);
            figures.push(Figure::plain(
                format!("list {table}: {what}"),
                ms(pct(&t, 0.5)),
                format!("p95 {}", ms(p95)),
                "p95 <= 5 ms",
                p95 <= Duration::from_millis(5),
            ));
        }
    }
}

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.event(Event::Key(KeyEvent::new(code, modifiers)));
}

fn frame(app: &App, term: &mut Terminal<TestBackend>) {
    let _ = term.draw(|f| draw(f, app, Theme { color: false }));
}

fn timed(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    code: KeyCode,
    m: KeyModifiers,
    into: &mut Vec<Duration>,
) {
    let t = Instant::now();
    key(app, code, m);
    frame(app, term);
    into.push(t.elapsed());
}

/// Opening the database, building the app and drawing its first frame.
fn start(path: &Path) -> Result<Duration, String> {
    let t = Instant::now();
    let store = data::open(path, OpenMode::Existing)?;
    let app = App::new(store, Lang::Zh).map_err(|e| e.to_string())?;
    let mut term = Terminal::new(TestBackend::new(120, 40)).map_err(|e| e.to_string())?;
    frame(&app, &mut term);
    Ok(t.elapsed())
}

pub fn start_figure(path: &Path, figures: &mut Vec<Figure>) -> Result<(), String> {
    let empty = data::dir().join("empty.db");
    drop(data::fresh(&empty, data::COUNTY)?);
    let runs = 15;
    let mut full = (0..=runs)
        .map(|_| start(path))
        .skip(1)
        .collect::<Result<Vec<_>, _>>()?;
    let mut base = (0..=runs)
        .map(|_| start(&empty))
        .skip(1)
        .collect::<Result<Vec<_>, _>>()?;
    full.sort();
    base.sort();
    wangge::store::remove_db_files(&empty);
    let (m, b) = (pct(&full, 0.5), pct(&base, 0.5));
    figures.push(Figure {
        name: "start to first frame (warm cache)".into(),
        median: ms(m),
        tail: format!("p95 {}", ms(pct(&full, 0.95))),
        baseline: ms(b),
        ratio: format!("{:.1}x", m.as_secs_f64() / b.as_secs_f64().max(1e-9)),
        target: "<= 100 ms (baseline: empty db)".into(),
        pass: Some(m <= Duration::from_millis(100)),
    });
    // What the overview reads once the first frame is up (a key pressed meanwhile waits for it).
    let store = data::open(path, OpenMode::Existing)?;
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
    let t = times(10, || {
        wangge::store::dashboard::totals(store.conn(), today).unwrap();
    });
    figures.push(Figure {
        name: "overview totals, read after the first frame".into(),
        median: ms(pct(&t, 0.5)),
        tail: format!("p95 {}", ms(pct(&t, 0.95))),
        baseline: "-".into(),
        ratio: "-".into(),
        target: "(no target: blocks keys while read)".into(),
        pass: None,
    });
    Ok(())
}

/// Keystroke to frame on each list tab: scrolling (Down, PageDown, PageUp) and a filter change (overdue on,
/// then off), each key handled and the screen drawn on a 120×40 test terminal.
pub fn keystroke_figures(path: &Path, figures: &mut Vec<Figure>) -> Result<(), String> {
    let store = data::open(path, OpenMode::Existing)?;
    let mut app = App::new(store, Lang::Zh).map_err(|e| e.to_string())?;
    let mut term = Terminal::new(TestBackend::new(120, 40)).map_err(|e| e.to_string())?;
    let (mut scroll, mut filter) = (Vec::new(), Vec::new());
    let none = KeyModifiers::NONE;
    for tab in ['2', '3', '4', '5'] {
        key(&mut app, KeyCode::Char(tab), none);
        frame(&app, &mut term);
        for round in 0..20 {
            for _ in 0..5 {
                timed(&mut app, &mut term, KeyCode::Down, none, &mut scroll);
            }
            let page = if round % 4 == 3 {
                KeyCode::PageUp
            } else {
                KeyCode::PageDown
            };
            timed(&mut app, &mut term, page, none, &mut scroll);
            // The filter form: its first field is "overdue only"; Ctrl-S applies it.
            key(&mut app, KeyCode::Char('f'), none);
            key(&mut app, KeyCode::Right, none);
            timed(
                &mut app,
                &mut term,
                KeyCode::Char('s'),
                KeyModifiers::CONTROL,
                &mut filter,
            );
        }
    }
    for (what, mut t) in [("scrolling", scroll), ("filter change", filter)] {
        t.sort();
        let p99 = pct(&t, 0.99);
        figures.push(Figure::plain(
            format!("keystroke to frame, lists, {what} ({} keys)", t.len()),
            ms(pct(&t, 0.5)),
            format!("p99 {}", ms(p99)),
            "p99 <= 16 ms",
            p99 <= Duration::from_millis(16),
        ));
    }
    Ok(())
}

/// The child's walk for the memory figure: every tab, pages down and back, a filter, a search, the help.
pub fn walk(path: &Path) -> Result<(), String> {
    let store = data::open(path, OpenMode::Existing)?;
    let mut app = App::new(store, Lang::Zh).map_err(|e| e.to_string())?;
    let mut term = Terminal::new(TestBackend::new(120, 40)).map_err(|e| e.to_string())?;
    let none = KeyModifiers::NONE;
    let mut press = |app: &mut App, code| {
        key(app, code, none);
        frame(app, &mut term);
        while app.idle() {
            frame(app, &mut term);
        }
    };
    for tab in ['1', '2', '3', '4', '5', '6'] {
        press(&mut app, KeyCode::Char(tab));
        for _ in 0..30 {
            press(&mut app, KeyCode::PageDown);
        }
        press(&mut app, KeyCode::End);
        press(&mut app, KeyCode::Home);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('?'));
        press(&mut app, KeyCode::Esc);
    }
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('/'));
    for c in "燃气".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    Ok(())
}

pub fn memory_figure(path: &Path, figures: &mut Vec<Figure>) -> Result<(), String> {
    let run = data::child(&["browse", &path.to_string_lossy()])?;
    figures.push(Figure::plain(
        "peak memory browsing every tab".into(),
        mb(run.rss_kb),
        format!("{:.1} s walk", run.secs),
        "<= 30 MB",
        run.rss_kb > 0 && run.rss_kb <= 30 * 1024,
    ));
    Ok(())
}
