//! Villages and grids added and renamed on the 区划 screen (`R`): inside the device's jurisdiction, offered by
//! every form at once, found by search under their new name, and carried up to the county.

mod common;

use common::exchange::{COUNTY, JIEGUAN, db, one, register, send, take, touch_any};
use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use wangge::domain::Lang;
use wangge::tui::app::App;

/// A device of 接官亭镇 as `init` leaves it: the built-in townships, no village yet.
fn fresh_app(lang: Lang) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = wangge::store::Store::open(
        &dir.path().join("f.db"),
        wangge::store::OpenMode::CreateIfMissing,
        std::sync::Arc::new(wangge::domain::clock::FixedClock(common::now())),
    )
    .unwrap();
    let ctx = wangge::store::WriteCtx {
        device: wangge::domain::ids::DeviceId::parse("0190a000-0000-7000-8000-00000000d001")
            .unwrap(),
        actor: "张伟".into(),
        region: common::code(JIEGUAN),
        now: common::now(),
    };
    store
        .write_raw(|tx| wangge::store::device::init(tx, &ctx, &ctx.region, &[7u8; 32]))
        .unwrap();
    let mut app = App::new(store, lang).unwrap();
    while app.idle() {}
    (dir, app)
}

fn erase(app: &mut App, n: usize) {
    for _ in 0..n {
        press(app, KeyCode::Backspace);
    }
}

#[test]
fn a_new_device_adds_a_village_and_a_grid_on_screen_and_forms_offer_them() {
    let (_d, mut app) = fresh_app(Lang::Zh);
    let home = screen(&app, 80, 24).0.join("\n");
    assert!(home.contains("还没有村和网格：按 R 添加"), "{home}");
    press(&mut app, KeyCode::Char('R'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("0 个村（社区），0 个网格") && text.contains("n 添加村/网格"),
        "{text}"
    );
    // A village under the township: its number suggested as the first free one.
    press(&mut app, KeyCode::Char('n'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("之下添加村社区") && text.contains("201"),
        "{text}"
    );
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "何家岩村");
    ctrl_s(&mut app);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("已保存 何家岩村（610727101201）") && text.contains("1 个村（社区）"),
        "{text}"
    );
    // Before it has a grid, the village itself is where a new record may lie: offered at once, and the
    // overview no longer says there is none.
    assert!(
        app.here
            .grids
            .iter()
            .any(|(code, label)| code == "610727101201" && label.contains("何家岩村")),
        "{:?}",
        app.here.grids
    );
    press(&mut app, KeyCode::Esc);
    let home = screen(&app, 80, 24).0.join("\n");
    assert!(!home.contains("还没有村和网格"), "{home}");
    press(&mut app, KeyCode::Char('R'));
    press(&mut app, KeyCode::Char('j'));
    // A grid under the village, now selected.
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "一组");
    ctrl_s(&mut app);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("610727101201001") && text.contains("1 个网格"),
        "{text}"
    );
    // A number taken already is refused on the form, which stays open with what was typed.
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Char('n'));
    erase(&mut app, 3);
    typed(&mut app, "201");
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "重号村");
    ctrl_s(&mut app);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("已有：何家岩村") && text.contains("重号村"),
        "{text}"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    // Every form offers the new grid at once, and the audit log has both.
    assert!(
        app.here
            .grids
            .iter()
            .any(|(code, label)| code == "610727101201001"
                && label.contains("何家岩村")
                && label.contains("一组")),
        "{:?}",
        app.here.grids
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit WHERE family = (SELECT key FROM names WHERE name = 'region') AND action = (SELECT key FROM names WHERE name = 'add')"
        ),
        2
    );
    press(&mut app, KeyCode::Esc);
    let home = screen(&app, 80, 24).0.join("\n");
    assert!(!home.contains("还没有村和网格"), "{home}");
}

#[test]
fn the_regions_screen_fits_80x24_in_english() {
    let (_d, mut app) = fresh_app(Lang::En);
    press(&mut app, KeyCode::Char('R'));
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "Hejiayan");
    ctrl_s(&mut app);
    let (rows, _) = screen(&app, 80, 24);
    let text = rows.join("\n");
    assert!(
        text.contains("1 village, 0 grids") && text.contains("n add village/grid"),
        "{text}"
    );
    assert!(text.contains("Saved Hejiayan (610727101201)"), "{text}");
    for row in &rows {
        assert!(wangge::domain::text::width(row) <= 80, "{row}");
    }
    // Neither the township nor this device's own region is renamed here.
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Char('e'));
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("not renamed here"), "{text}");
}

#[test]
fn a_renamed_village_is_found_by_its_new_name() {
    let (_d, mut app) = demo_app(200);
    // The village of the first inspection's place.
    let village: String = app
        .store
        .conn()
        .query_row(
            "SELECT substr(p.region_code, 1, 12) FROM inspections i JOIN places p ON p.key = i.place_key
             WHERE i.deleted = 0 AND length(p.region_code) = 15 ORDER BY i.key LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    press(&mut app, KeyCode::Char('R'));
    let Some(wangge::tui::app::Screen::Regions(s)) = app.stack.last() else {
        panic!("no regions screen");
    };
    let at = s
        .rows
        .iter()
        .position(|r| r.code.as_str() == village)
        .unwrap();
    let old = s.rows[at].name.clone();
    for _ in 0..at {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Char('e'));
    erase(&mut app, old.chars().count());
    typed(&mut app, "青木川新村");
    ctrl_s(&mut app);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains("已保存 青木川新村"), "{text}");
    let (n, hits) = wangge::store::search::search(app.store.conn(), "青木川新村", 50).unwrap();
    assert!(n > 0 && !hits.is_empty(), "nothing found by the new name");
    let (old_hits, _) = wangge::store::search::search(app.store.conn(), &old, 50).unwrap();
    assert_eq!(old_hits, 0, "still found by the old name {old}");
    // The search screen finds them too.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "青木川新村");
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(text.contains(&format!("共 {n} 条结果")), "{text}");
    // A record opened from there names its region by the new name.
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24).0.join("\n");
    assert!(
        text.contains("所在区划") && text.contains("青木川新村"),
        "{text}"
    );
}

#[test]
fn a_village_added_or_renamed_below_reaches_the_county_with_the_next_batch() {
    let mut town = db(JIEGUAN, 1, 30);
    let mut county = db(COUNTY, 9, 0);
    register(&mut county, 1, JIEGUAN);
    take(&mut county, &send(&mut town, None)).unwrap();
    let village: String = town
        .store
        .conn()
        .query_row(
            "SELECT substr(region_code, 1, 12) FROM places WHERE deleted = 0 AND length(region_code) = 15
             ORDER BY key LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let village = common::code(&village);
    let township = common::code(JIEGUAN);
    town.store
        .write(|tx, c| {
            wangge::store::regions::rename(tx, c, &village, "青木川新村")?;
            wangge::store::regions::add(tx, c, &township, 240, "燕子砭村").map(|_| ())
        })
        .unwrap();
    touch_any(&mut town);
    let summary = take(&mut county, &send(&mut town, None)).unwrap();
    assert_eq!((summary.regions_added, summary.regions_renamed), (1, 1));
    let name = |code: &str| -> String {
        county
            .store
            .conn()
            .query_row("SELECT name FROM regions WHERE code = ?1", [code], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(name(village.as_str()), "青木川新村");
    assert_eq!(name("610727101240"), "燕子砭村");
    // The county finds the village's records by the new name.
    let (n, _) = wangge::store::search::search(county.store.conn(), "青木川新村", 10).unwrap();
    assert!(
        n > 0,
        "the county does not find the village's records by its new name"
    );
    // A region line from above never renames what a township named.
    let row = wangge::store::exchange::region_row(county.store.conn(), village.as_str())
        .unwrap()
        .unwrap();
    let mut other = db(JIEGUAN, 2, 0);
    let change = other
        .store
        .write_raw(|tx| wangge::store::exchange::add_region(tx, &row, false))
        .unwrap();
    assert_eq!(change, wangge::store::exchange::RegionChange::Unchanged);
    assert_ne!(
        one(
            &other,
            &format!(
                "SELECT count(*) FROM regions WHERE code = '{}' AND name = '青木川新村'",
                village.as_str()
            )
        ),
        1
    );
}
