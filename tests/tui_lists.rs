//! What the lists and forms show of records on file: a place picked from those already known, an
//! inspection's failed items, and a hazard that passed re-inspection no longer counting days.

mod common;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use wangge::tui::app::Screen;
use wangge::tui::field_key::FieldKey as Fk;

#[test]
fn a_place_on_file_is_picked_from_suggestions_while_typing() {
    let (_d, mut app) = demo_app(200);
    let (id, name, address): (String, String, String) = app
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {}, name, address FROM places t WHERE deleted = 0 ORDER BY 1 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let places_before = count(&app, "SELECT count(*) FROM places");
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    // Part of the name: the places that contain it are offered under the field.
    let part: String = name.chars().take(2).collect();
    typed(&mut app, &part);
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!("no form")
    };
    let k = p
        .suggestions
        .iter()
        .position(|s| s.0 == id)
        .expect("the place is offered");
    let (rows, _) = screen(&app, 80, 24);
    assert!(
        rows.iter().any(|r| r.contains("已有场所")),
        "{}",
        rows.join("\n")
    );
    for _ in 0..=k {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!("no form")
    };
    assert_eq!(p.get(Fk::Place), name);
    assert_eq!(p.get(Fk::Address), address);
    assert_eq!(
        p.focus_key(),
        Some(Fk::Date),
        "on to the date, then the checklist"
    );
    assert!(p.suggestions.is_empty());
    press(&mut app, KeyCode::Enter);
    let Some(Screen::Checklist(c)) = app.stack.last() else {
        panic!("no checklist: {:?}", app.status)
    };
    assert!(c.known_place);
    assert_eq!(c.place.meta.id, id);
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('p'));
    }
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Detail(_))),
        "{:?}",
        app.status
    );
    assert_eq!(count(&app, "SELECT count(*) FROM places"), places_before);
}

#[test]
fn typing_a_new_place_offers_nothing_and_letters_stay_text() {
    let (_d, mut app) = demo_app(50);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "qj不存在的场所");
    let Some(Screen::Form(_, p)) = app.stack.last() else {
        panic!("no form")
    };
    assert!(p.suggestions.is_empty());
    assert_eq!(p.get(Fk::Place), "qj不存在的场所");
}

#[test]
fn the_inspection_list_shows_the_failed_items_or_the_inspector() {
    let (_d, mut app) = demo_app(300);
    app.resize(40);
    press(&mut app, KeyCode::Char('2'));
    let failed = app.lists[0]
        .rows
        .iter()
        .find(|r| !r.text.is_empty())
        .expect("an inspection with failed items on the first page")
        .clone();
    let codes: i64 = count(
        &app,
        &format!(
            "SELECT count(*) FROM inspections i, json_each(i.results) r
             WHERE i.{} AND substr(r.value, 1, 1) = 'f'",
            common::by_id(&failed.id)
        ),
    );
    assert_eq!(failed.text.split(' ').count() as i64, codes);
    let (rows, _) = screen(&app, 120, 40);
    assert!(
        rows.iter()
            .any(|r| r.contains(&format!("不合格 {}", failed.text))),
        "{}",
        rows.join("\n")
    );
    assert!(
        rows.iter().any(|r| r.contains("检查人")),
        "{}",
        rows.join("\n")
    );
}

#[test]
fn a_hazard_past_re_inspection_counts_no_days_and_is_not_overdue() {
    let (_d, mut app) = demo_app(300);
    app.resize(40);
    let passed = count(
        &app,
        "SELECT count(*) FROM hazards WHERE status = 'review_passed' AND deadline < '2026-11-28'",
    );
    let running = count(
        &app,
        "SELECT count(*) FROM hazards WHERE status NOT IN ('closed', 'review_passed') AND deadline < '2026-11-28'",
    );
    assert!(
        passed > 0,
        "the demo has a hazard awaiting 销号 past its deadline"
    );
    assert_eq!(app.dash.totals.hazards_overdue, running);
    // The list, filtered to 复查通过: no days column.
    press(&mut app, KeyCode::Char('3'));
    app.lists[1].filter.status = Some("review_passed".into());
    app.refresh().unwrap();
    assert!(!app.lists[1].rows.is_empty());
    assert!(app.lists[1].rows.iter().all(|r| r.due.is_none()));
    let (rows, _) = screen(&app, 120, 40);
    assert!(
        !rows
            .iter()
            .any(|r| r.contains("逾期 ") && r.contains(" 天")),
        "{}",
        rows.join("\n")
    );
}

#[test]
fn a_petition_shows_its_content_wrapped_and_a_moved_deadline_says_so() {
    let (_d, mut app) = demo_app(50);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Char('n'));
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "王秀英");
    for _ in 0..5 {
        press(&mut app, KeyCode::Down);
    }
    typed(&mut app, "工资拖欠");
    press(&mut app, KeyCode::Down);
    let content =
        "在工地干活半年，老板欠工资八千元至今未付，多次讨要无果，请求帮助追讨，落款王秀英。";
    typed(&mut app, content);
    ctrl_s(&mut app);
    assert!(
        matches!(app.stack.last(), Some(Screen::Detail(_))),
        "{:?}",
        app.status
    );
    let rows = screen(&app, 80, 24).0;
    let text = rows.join("\n");
    // Received Saturday 2026-11-28: day 15 is Sunday 12-13, so the notice is due Monday 12-14.
    assert!(
        text.contains("2026-12-14") && text.contains("遇休顺延"),
        "{text}"
    );
    let shown: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        shown.contains(content),
        "the whole content is on screen: {text}"
    );
}

#[test]
fn the_overview_shows_what_is_due_first_and_its_totals_once_idle() {
    let (_dir, mut app) = demo_app(300);
    app.dash.totals.totals = None;
    app.refresh().unwrap();
    let first = screen(&app, 120, 40).0.join("\n");
    assert!(first.contains("检查 本月 .."), "{first}");
    assert!(
        app.dash.totals.hazards_overdue > 0,
        "what is due is there at once"
    );
    assert!(app.idle(), "the totals are read when idle");
    assert!(!app.idle(), "and only once");
    let t = app.dash.totals.totals.clone().expect("totals");
    let later = screen(&app, 120, 40).0.join("\n");
    assert!(
        later.contains(&format!("检查 本月 {}", t.inspections_month)),
        "{later}"
    );
    // The busiest villages, as one plain query over every row counts them.
    let reference: Vec<(String, i64, i64)> = {
        let conn = app.store.conn();
        let mut st = conn
            .prepare(
                "WITH x(v, h, p) AS (
                    SELECT substr(region_code, 1, 12), status <> 'closed', 0 FROM hazards
                        WHERE deleted = 0 AND length(region_code) >= 12
                    UNION ALL SELECT substr(region_code, 1, 12), 0, office_due IS NOT NULL FROM petitions
                        WHERE deleted = 0 AND length(region_code) >= 12)
                 SELECT coalesce(r.name, x.v), sum(h), sum(p) FROM x LEFT JOIN regions r ON r.code = x.v
                 WHERE x.v NOT LIKE '%000' GROUP BY x.v HAVING sum(h) + sum(p) > 0
                 ORDER BY sum(h) + sum(p) DESC, x.v LIMIT 6",
            )
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(!reference.is_empty());
    assert_eq!(t.by_village, reference);
}

#[test]
fn an_overdue_list_runs_from_the_most_overdue_and_pages_both_ways() {
    use wangge::domain::record::Family;
    use wangge::store::lists::{self, At, Filter};
    let (_dir, app) = demo_app(400);
    let conn = app.store.conn();
    // Seen from a year on, every open case is overdue.
    let today = app.today + chrono::Days::new(365);
    for (family, sql) in [
        (
            Family::Hazard,
            "SELECT key FROM hazards WHERE deleted = 0 AND status NOT IN ('review_passed', 'closed')
             AND deadline < ?1 ORDER BY deadline, key",
        ),
        (
            Family::Finding,
            "SELECT key FROM findings WHERE deleted = 0 AND status = 'referred' AND deadline < ?1
             ORDER BY deadline, key",
        ),
        (
            Family::Petition,
            "SELECT key FROM petitions WHERE deleted = 0 AND office_due < ?1 ORDER BY office_due, key",
        ),
    ] {
        let mut f = Filter::new(family);
        f.overdue_only = true;
        assert!(f.by_deadline());
        let reference: Vec<i64> = conn
            .prepare(sql)
            .unwrap()
            .query_map([today.to_string()], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            reference.len() > 6,
            "{family:?}: the demo has overdue records ({})",
            reference.len()
        );
        // A row is keyed by its record's key in this database.
        let ids = |rows: &[lists::Row]| rows.iter().map(|r| r.key.1).collect::<Vec<_>>();
        let first = lists::page(conn, &f, today, &At::First, 4).unwrap();
        assert_eq!(ids(&first), reference[..4], "{family:?}");
        // Each row's deadline is its key, and the first is the most overdue.
        for r in &first {
            assert_eq!(r.key.0, r.due.unwrap().to_string());
        }
        let next = lists::page(conn, &f, today, &At::After(first[3].key.clone()), 2).unwrap();
        assert_eq!(ids(&next), reference[4..6], "{family:?} the page below");
        let back = lists::page(conn, &f, today, &At::Before(next[0].key.clone()), 4).unwrap();
        assert_eq!(back, first, "{family:?} back up");
        let last = lists::page(conn, &f, today, &At::Last, 3).unwrap();
        assert_eq!(
            ids(&last),
            reference[reference.len() - 3..],
            "{family:?} the last page"
        );
    }
    // Without a due filter, the same lists run by date, newest first.
    let f = Filter::new(Family::Petition);
    assert!(!f.by_deadline());
    let rows = lists::page(conn, &f, today, &At::First, 5).unwrap();
    assert!(
        rows.windows(2)
            .all(|w| w[0].key > w[1].key && w[0].key.0 == w[0].date)
    );
}

#[test]
fn a_long_list_says_more_than_a_thousand_until_its_last_page_counts_it_whole() {
    let (_dir, mut app) = demo_app(1_900);
    let all = count(&app, "SELECT count(*) FROM inspections WHERE deleted = 0");
    assert!(all > 1_000, "{all}");
    press(&mut app, KeyCode::Char('2'));
    let top = screen(&app, 100, 30).0.join("\n");
    assert!(top.contains("共 1000+"), "{top}");
    press(&mut app, KeyCode::Char('G'));
    let bottom = screen(&app, 100, 30).0.join("\n");
    assert!(bottom.contains(&format!("共 {all}")), "{bottom}");
    assert!(
        bottom.contains(&format!("/ 共 {all} 条")),
        "the footer's range ends at the last row: {bottom}"
    );
    press(&mut app, KeyCode::Char('g'));
    let again = screen(&app, 100, 30).0.join("\n");
    assert!(again.contains("共 1000+"), "{again}");
}

#[test]
fn paging_up_from_the_last_page_ends_on_a_full_top_page() {
    let (_dir, mut app) = demo_app(400);
    let all = count(&app, "SELECT count(*) FROM inspections WHERE deleted = 0");
    let page = app.page_size as i64;
    assert!(all % page != 0, "the top page would be short: {all} rows");
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('G'));
    for _ in 0..all / page + 2 {
        press(&mut app, KeyCode::PageUp);
    }
    let top = screen(&app, 100, 30).0.join("\n");
    assert!(top.contains(&format!("第 1-{page} 条")), "{top}");
    // Up past the top of a page lands on the row just above, not at the page's end.
    press(&mut app, KeyCode::Char('G'));
    for _ in 0..page {
        press(&mut app, KeyCode::Up);
    }
    let l = &app.lists[0];
    assert_eq!(
        l.offset + l.selected as i64,
        all - page - 1,
        "{}",
        l.selected
    );
}

/// At 80×24 in English a list's labels may not fit their columns; the selected row's are then spelled out whole
/// on the list's footer, and a case number is never cut.
#[test]
fn a_selected_rows_cut_labels_are_shown_whole_at_80_columns() {
    use wangge::domain::Lang;
    use wangge::domain::petition::{PetitionCategory, PetitionStatus};
    let (_d, mut app) = demo_app(200);
    app.lang = Lang::En;
    press(&mut app, KeyCode::Char('5'));
    let mut seen_cut = 0;
    for _ in 0..20 {
        let (rows, _) = screen(&app, 80, 24);
        let text = rows.join("\n");
        let l = app
            .lists
            .iter()
            .find(|l| l.filter.family == wangge::domain::record::Family::Petition)
            .unwrap();
        let row = &l.rows[l.selected];
        assert!(text.contains(&row.place), "case number cut:\n{text}");
        for label in [
            PetitionCategory::from_code(&row.category)
                .unwrap()
                .label(Lang::En),
            PetitionStatus::from_code(&row.status)
                .unwrap()
                .label(Lang::En),
        ] {
            assert!(text.contains(label), "'{label}' not whole:\n{text}");
            if !rows.iter().any(|r| r.starts_with('>') && r.contains(label)) {
                seen_cut += 1;
            }
        }
        press(&mut app, KeyCode::Down);
    }
    assert!(seen_cut > 0, "no label was cut: the test shows nothing");
}
