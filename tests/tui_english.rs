//! English screens show no Chinese the app composed itself: timeline notes stored as codes and values are told
//! in English, action names included.

mod common;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use wangge::domain::Lang;

/// Whether `s` holds a Han character.
fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn timelines_read_in_english_with_the_notes_the_app_wrote() {
    let (_d, mut app) = demo_app(80);
    app.lang = Lang::En;
    // A hazard: opened with its grade and deadline.
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Enter);
    screen(&app, 80, 24);
    press(&mut app, KeyCode::Char('G'));
    let rows = screen(&app, 80, 24).0;
    let opened = rows
        .iter()
        .find(|r| r.contains("created"))
        .unwrap_or_else(|| panic!("no 'created' line:\n{}", rows.join("\n")));
    assert!(opened.contains(" hazard, due 20"), "{opened}");
    assert!(!has_han(opened.split("hazard, due").next().unwrap_or("")) || opened.contains("  "));
    assert!(
        !rows.iter().any(|r| r.contains("隐患，期限")),
        "{}",
        rows.join("\n")
    );
    // An inspection: its category in English before the place's own name.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    screen(&app, 80, 24);
    press(&mut app, KeyCode::Char('G'));
    let rows = screen(&app, 80, 24).0;
    let created = rows
        .iter()
        .find(|r| r.contains("created"))
        .unwrap_or_else(|| panic!("no 'created' line:\n{}", rows.join("\n")));
    let category = created.split_whitespace().nth(3).unwrap_or("");
    assert!(!has_han(category), "{created}");
}

#[test]
fn a_patrols_steps_are_named_in_chinese_on_chinese_screens() {
    let (_d, mut app) = demo_app(80);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('v'));
    press(&mut app, KeyCode::Enter);
    screen(&app, 80, 24);
    press(&mut app, KeyCode::Char('G'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("开始巡查"), "{text}");
    assert!(!text.contains(" start "), "{text}");
}

#[test]
fn a_hazard_described_by_its_failed_item_reads_in_english() {
    let (_d, mut app) = demo_app(120);
    app.lang = Lang::En;
    press(&mut app, KeyCode::Char('3'));
    let Some(k) = app.lists[1]
        .rows
        .iter()
        .position(|r| r.text.starts_with("不合格："))
    else {
        panic!("no hazard described by its failed item on the first page")
    };
    let list = screen(&app, 120, 40).0.join("\n");
    assert!(list.contains("failed: "), "{list}");
    for _ in 0..k {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("failed: ") && !text.contains("不合格："),
        "{text}"
    );
}

#[test]
fn search_hits_tell_composed_descriptions_in_english() {
    let (_d, mut app) = demo_app(200);
    app.lang = Lang::En;
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "不合格");
    press(&mut app, KeyCode::Enter);
    let rows = screen(&app, 80, 24).0;
    let hits: Vec<&String> = rows.iter().filter(|r| r.contains(" hazard ")).collect();
    assert!(!hits.is_empty(), "{}", rows.join("\n"));
    assert!(
        hits.iter().all(|r| !r.contains("不合格：")),
        "{}",
        rows.join("\n")
    );
    assert!(
        hits.iter().any(|r| r.contains("failed: ")),
        "{}",
        rows.join("\n")
    );
}
