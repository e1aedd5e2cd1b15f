//! The keymap table is the only source of keys: on every screen, each key the screen acts on is a row of the
//! table that its help shows at 80×24 (in both languages) and, for the main ones, its hint line shows on a wide
//! terminal; a key no row binds changes nothing.

mod common;

use common::tui::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use wangge::domain::Lang;
use wangge::tui::app::{App, Screen};
use wangge::tui::keymap::{self, Action, Context};

/// Every press a worker could make: printable ASCII, Ctrl with a letter, and the keys without a character.
fn every_press() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> = (' '..='~')
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect();
    keys.extend(('a'..='z').map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    keys.extend(
        [
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::Insert,
        ]
        .into_iter()
        .chain((1..=12).map(KeyCode::F))
        .map(|c| KeyEvent::new(c, KeyModifiers::NONE)),
    );
    keys
}

/// The screens whose keys the table resolves, each reached by keys from the overview.
fn screens() -> Vec<(&'static str, Vec<KeyCode>)> {
    use KeyCode::*;
    vec![
        ("overview", vec![]),
        ("hazard list", vec![Char('3')]),
        ("hazard", vec![Char('3'), Enter]),
        ("petition", vec![Char('5'), Enter]),
        ("patrols", vec![Char('4'), Char('v')]),
        ("sync", vec![Char('6')]),
        ("regions", vec![Char('R')]),
        ("search results", vec![Char('/'), Char('村'), Enter]),
    ]
}

fn reach(lang: Lang, keys: &[KeyCode]) -> (tempfile::TempDir, App) {
    let (d, mut app) = demo_app(60);
    app.lang = lang;
    for k in keys {
        press(&mut app, *k);
    }
    (d, app)
}

fn help_text(app: &mut App) -> String {
    app.event(Event::Key(KeyEvent::new(
        KeyCode::Char('?'),
        KeyModifiers::NONE,
    )));
    let text = screen(app, 80, 24).0.join("\n");
    press(app, KeyCode::Char(' '));
    text
}

#[test]
fn every_key_a_screen_takes_is_in_its_help_at_80x24_in_both_languages() {
    for lang in [Lang::Zh, Lang::En] {
        for (name, keys) in screens() {
            let (_d, mut app) = reach(lang, &keys);
            let context = app.context();
            assert!(Context::RESOLVED.contains(&context), "{name}: {context:?}");
            let help = help_text(&mut app);
            // Every tab by name, whole.
            let last_tab = lang.pick("6 同步", "6 Sync");
            assert!(help.contains(last_tab), "{name} ({lang:?}):\n{help}");
            for key in every_press() {
                let Some((row, _)) = keymap::binding(context, key) else {
                    continue;
                };
                let does = lang.pick(row.zh, row.en);
                let start: String = does.chars().take(4).collect();
                assert!(
                    help.contains(row.keys) && help.contains(&start),
                    "{name} ({lang:?}): {key:?} is bound by '{} {does}', which its help does not show:\n{help}",
                    row.keys
                );
            }
        }
    }
}

#[test]
fn a_key_no_row_binds_changes_nothing_on_any_screen() {
    for (name, keys) in screens() {
        let (_d, mut app) = reach(Lang::Zh, &keys);
        let context = app.context();
        let before = screen(&app, 80, 24).0;
        let depth = app.stack.len();
        for key in every_press() {
            if keymap::binding(context, key).is_some() {
                continue;
            }
            app.event(Event::Key(key));
            while app.idle() {}
            assert_eq!(
                (screen(&app, 80, 24).0, app.stack.len(), app.quit),
                (before.clone(), depth, false),
                "{name}: {key:?} is in no row of the table, yet it changed the screen"
            );
        }
    }
}

#[test]
fn the_main_keys_of_every_screen_are_on_its_hint_line_when_there_is_room() {
    for lang in [Lang::Zh, Lang::En] {
        for (name, keys) in screens() {
            let (_d, app) = reach(lang, &keys);
            let context = app.context();
            let rows = screen(&app, 200, 30).0;
            let hint_line = rows.last().unwrap();
            let detail = matches!(app.stack.last(), Some(Screen::Detail(_)));
            for b in keymap::for_context(context).filter(|b| b.hint) {
                // Keys that would do nothing here are left off: `v` off the Qinling tab, `i` where nothing
                // is masked, Tab and Enter on a record with no related record to open.
                let no_links =
                    matches!(app.stack.last(), Some(Screen::Detail(d)) if d.links.is_empty());
                let idle = match b.action() {
                    Action::SwitchList => name != "patrols",
                    Action::Reveal => detail && !hint_line.contains(" i "),
                    Action::NextField | Action::Open => detail && no_links,
                    _ => false,
                };
                if idle {
                    continue;
                }
                let hint = format!("{} {}", b.keys, lang.pick(b.zh, b.en));
                assert!(
                    hint_line.contains(&hint),
                    "{name} ({lang:?}): '{hint}' is not on the hint line:\n{hint_line}"
                );
            }
        }
    }
}

#[test]
fn the_checklist_and_a_patrol_under_way_take_their_keys_from_the_table() {
    use wangge::tui::keymap::resolve;
    let press_of = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    assert_eq!(
        resolve(Context::Checklist, press_of('f')),
        Some(Action::Mark(wangge::domain::inspection::ItemResult::Fail))
    );
    assert_eq!(
        resolve(Context::Checklist, press_of('-')),
        Some(Action::Deadline(-1))
    );
    assert_eq!(resolve(Context::Checklist, press_of('1')), None);
    assert_eq!(resolve(Context::Patrol, press_of('a')), Some(Action::New));
    // A lifecycle letter in the detail view, but never one the table binds otherwise.
    assert_eq!(
        resolve(Context::Detail, press_of('r')),
        Some(Action::Act('r'))
    );
    assert_eq!(resolve(Context::Detail, press_of('q')), Some(Action::Quit));
    assert_eq!(resolve(Context::Detail, press_of('e')), Some(Action::Edit));
}

#[test]
fn search_hits_scroll_so_the_selected_one_is_seen() {
    let (_d, mut app) = demo_app(200);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "村");
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Search(s)) = app.stack.last() else {
        panic!("no search screen")
    };
    assert!(s.hits.len() > 40, "{} hits", s.hits.len());
    for _ in 0..40 {
        press(&mut app, KeyCode::Char('j'));
    }
    let rows = screen(&app, 80, 24).0;
    assert!(
        rows.iter().any(|r| r.starts_with('>')),
        "the selected hit is off screen:\n{}",
        rows.join("\n")
    );
}
