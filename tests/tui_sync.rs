//! The 同步 tab as a worker uses it: export with a progress bar to a folder, import a folder at the county,
//! confirm the new device, open a conflict and keep one side with a note.

mod common;

use common::tui::{count, ctrl_s, demo_app, press, screen, typed};
use ratatui::crossterm::event::KeyCode;
use wangge::domain::Lang;
use wangge::tui::app::App;

/// Replaces the text of the focused field.
fn retype(app: &mut App, text: &str) {
    for _ in 0..200 {
        press(app, KeyCode::Backspace);
    }
    typed(app, text);
}

fn text(app: &App) -> String {
    screen(app, 80, 24).0.join("\n")
}

fn county(dir: &std::path::Path) -> App {
    let path = dir.join("county.db");
    let mut store = wangge::store::Store::open(
        &path,
        wangge::store::OpenMode::CreateIfMissing,
        std::sync::Arc::new(wangge::domain::clock::FixedClock(common::now())),
    )
    .unwrap();
    let ctx = wangge::store::WriteCtx {
        device: wangge::domain::ids::DeviceId::parse("0190a000-0000-7000-8000-0000000c0001")
            .unwrap(),
        actor: "县中心".into(),
        region: wangge::domain::ids::RegionCode::parse("610727000000").unwrap(),
        now: common::now(),
    };
    store
        .write_raw(|tx| wangge::store::device::init(tx, &ctx, &ctx.region, &[9u8; 32]))
        .unwrap();
    App::new(store, Lang::Zh).unwrap()
}

#[test]
fn a_township_exports_and_the_county_imports_the_folder_and_confirms_the_device() {
    let (dir, mut town) = demo_app(60);
    let stick = dir.path().join("U盘");
    press(&mut town, KeyCode::Char('6'));
    let s = text(&town);
    assert!(s.contains("还没有导出过") && s.contains("e 导出"), "{s}");
    press(&mut town, KeyCode::Char('e'));
    assert!(text(&town).contains("导出交换包"));
    retype(&mut town, stick.to_str().unwrap());
    ctrl_s(&mut town);
    assert!(town.busy(), "the export runs in the background");
    town.wait_for_job();
    let s = text(&town);
    assert!(s.contains("已导出第 1-"), "{s}");
    assert!(s.contains("发往 610727000000"), "{s}");
    let files: Vec<_> = std::fs::read_dir(&stick).unwrap().collect();
    assert_eq!(files.len(), 1);

    let mut c = county(dir.path());
    press(&mut c, KeyCode::Char('6'));
    press(&mut c, KeyCode::Char('i'));
    retype(&mut c, stick.to_str().unwrap());
    ctrl_s(&mut c);
    c.wait_for_job();
    let s = text(&c);
    assert!(s.contains("新增") && s.contains("首次见到这台设备"), "{s}");
    assert!(s.contains("兴州街道 [未确认]"), "{s}");
    assert!(count(&c, "SELECT count(*) FROM hazards") > 0);
    press(&mut c, KeyCode::Char('c'));
    let s = text(&c);
    assert!(
        s.contains("[已确认]") && s.contains("已确认这台设备"),
        "{s}"
    );
    // The same folder again changes nothing.
    press(&mut c, KeyCode::Char('i'));
    ctrl_s(&mut c);
    c.wait_for_job();
    assert!(text(&c).contains("已经导入过"), "{}", text(&c));
    // An empty folder says so.
    let empty = dir.path().join("空");
    std::fs::create_dir(&empty).unwrap();
    press(&mut c, KeyCode::Char('i'));
    retype(&mut c, empty.to_str().unwrap());
    ctrl_s(&mut c);
    assert!(!c.busy());
    assert!(text(&c).contains("没有交换包"), "{}", text(&c));
}

#[test]
fn a_conflict_is_opened_and_the_other_side_kept_with_a_note() {
    let (dir, mut town) = demo_app(40);
    let stick = dir.path().join("stick");
    let req = wangge::sync::export::Request {
        out_dir: stick.clone(),
        to: None,
        full: false,
    };
    let first = match wangge::sync::export::export(&mut town.store, &req).unwrap() {
        wangge::sync::export::Outcome::Written { path, .. } => path,
        other => panic!("{other:?}"),
    };
    let mut c = county(dir.path());
    wangge::sync::import::import(&mut c.store, &first, false).unwrap();
    // Both sides edit the same hazard.
    let id: String = c
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {} FROM hazards t ORDER BY 1 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    for (app, text) in [(&mut town, "乡镇改"), (&mut c, "县里改")] {
        let mut h = wangge::store::hazards::get(app.store.conn(), &id).unwrap();
        h.description = format!("{text}：{}", h.description);
        app.store
            .write(|tx, ctx| wangge::store::hazards::update(tx, ctx, &h, None))
            .unwrap();
    }
    let second = match wangge::sync::export::export(&mut town.store, &req).unwrap() {
        wangge::sync::export::Outcome::Written { path, .. } => path,
        other => panic!("{other:?}"),
    };
    wangge::sync::import::import(&mut c.store, &second, false).unwrap();
    press(&mut c, KeyCode::Char('6'));
    let s = text(&c);
    assert!(s.contains("冲突 #1 隐患"), "{s}");
    // The device line comes first; the conflict is the next line.
    press(&mut c, KeyCode::Char('j'));
    press(&mut c, KeyCode::Enter);
    let s = text(&c);
    assert!(
        s.contains(" 问题") && s.contains("乡镇改") && s.contains("县里改"),
        "{s}"
    );
    assert!(
        s.contains("a 保留现在这版") && s.contains("b 改用另一版"),
        "{s}"
    );
    press(&mut c, KeyCode::Char('b'));
    // No note, no decision.
    ctrl_s(&mut c);
    assert!(text(&c).contains("改用另一版"));
    typed(&mut c, "电话核实");
    ctrl_s(&mut c);
    let s = text(&c);
    assert!(s.contains("已处理") && !s.contains("冲突 #1"), "{s}");
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM conflicts WHERE resolved_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM audit WHERE action = (SELECT key FROM names WHERE name = 'resolve_conflict') AND reason = '电话核实'"
        ),
        2
    );
}

fn bundle(app: &mut App, dir: &std::path::Path, to: Option<&str>) -> std::path::PathBuf {
    let req = wangge::sync::export::Request {
        out_dir: dir.to_owned(),
        to: to.map(|t| wangge::domain::ids::RegionCode::parse(t).unwrap()),
        full: false,
    };
    match wangge::sync::export::export(&mut app.store, &req).unwrap() {
        wangge::sync::export::Outcome::Written { path, .. } => path,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_county_assigns_a_hazard_down_and_the_township_answers_it_on_screen() {
    let (dir, mut town) = demo_app(60);
    let stick = dir.path().join("stick");
    let mut c = county(dir.path());
    let up = bundle(&mut town, &stick, None);
    wangge::sync::import::import(&mut c.store, &up, false).unwrap();
    let id: String = c
        .store
        .conn()
        .query_row(
            &format!(
                "SELECT {} FROM hazards t WHERE status <> 'closed' ORDER BY 1 LIMIT 1",
                common::row_id()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    // The county opens the hazard and assigns it to 兴州街道 (the first township).
    c.open(wangge::domain::record::Family::Hazard, &id).unwrap();
    let s = text(&c);
    assert!(s.contains("m 交办下级"), "{s}");
    press(&mut c, KeyCode::Char('m'));
    let s = text(&c);
    assert!(
        s.contains("兴州街道 610727001000") && s.contains("交办要求"),
        "{s}"
    );
    press(&mut c, KeyCode::Enter);
    press(&mut c, KeyCode::Enter);
    typed(&mut c, "县安委办督办，限期整改");
    ctrl_s(&mut c);
    let s = text(&c);
    assert!(s.contains("县安委办督办") && s.contains("待办结"), "{s}");
    assert!(
        !s.contains("m 交办下级"),
        "assigned once until answered: {s}"
    );

    // Down to the township, which sees it on its dashboard and answers it.
    let down = bundle(&mut c, &stick, Some("610727001000"));
    wangge::sync::import::import(&mut town.store, &down, false).unwrap();
    press(&mut town, KeyCode::Char('1'));
    let s = text(&town);
    assert!(s.contains("交办隐患 待办结"), "{s}");
    for _ in 0..6 {
        press(&mut town, KeyCode::Char('j'));
    }
    press(&mut town, KeyCode::Enter);
    press(&mut town, KeyCode::Enter);
    let s = text(&town);
    assert!(
        s.contains("县安委办督办") && s.contains("f 办结交办"),
        "{s}"
    );
    press(&mut town, KeyCode::Char('f'));
    typed(&mut town, "已督促业主整改");
    ctrl_s(&mut town);
    let s = text(&town);
    assert!(s.contains("已办结") && s.contains("已督促业主整改"), "{s}");

    // Back up: the county sees the answer.
    let answer = bundle(&mut town, &stick, None);
    wangge::sync::import::import(&mut c.store, &answer, false).unwrap();
    press(&mut c, KeyCode::Esc);
    c.open(wangge::domain::record::Family::Hazard, &id).unwrap();
    let s = text(&c);
    assert!(s.contains("已办结") && s.contains("已督促业主整改"), "{s}");
    assert!(s.contains("m 交办下级"), "may be assigned again: {s}");
}

#[test]
fn a_township_registers_the_county_card_on_the_sync_tab_and_exports_encrypted() {
    let (dir, mut town) = demo_app(30);
    let mut c = county(dir.path());
    wangge::sync::seal::county_init(&mut c.store).unwrap();
    let card = dir.path().join("县级名片.txt");
    wangge::sync::seal::write_card(&c.store, &card).unwrap();
    press(&mut town, KeyCode::Char('6'));
    let s = text(&town);
    assert!(s.contains("交换包内容未加密"), "{s}");
    press(&mut town, KeyCode::Char('a'));
    typed(
        &mut town,
        dir.path().join("nonexistent.txt").to_str().unwrap(),
    );
    ctrl_s(&mut town);
    assert!(
        text(&town).contains("登记县级名片"),
        "stays open on an error"
    );
    retype(&mut town, card.to_str().unwrap());
    ctrl_s(&mut town);
    let s = text(&town);
    assert!(
        s.contains("已登记县级名片") && s.contains("交换包加密给 age1"),
        "{s}"
    );
    press(&mut town, KeyCode::Char('e'));
    retype(&mut town, dir.path().join("stick").to_str().unwrap());
    ctrl_s(&mut town);
    town.wait_for_job();
    let s = text(&town);
    assert!(
        s.contains("内容已加密给县级密钥") && s.contains("未确认 1 批"),
        "{s}"
    );
    // The county takes it, and its acknowledgement, imported on the tab, confirms the batch.
    let bundle = std::fs::read_dir(dir.path().join("stick"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    wangge::sync::import::import(&mut c.store, &bundle, false).unwrap();
    let acks = wangge::sync::ack::write_all(&c.store, &dir.path().join("acks")).unwrap();
    press(&mut town, KeyCode::Char('i'));
    retype(&mut town, acks[0].to_str().unwrap());
    ctrl_s(&mut town);
    town.wait_for_job();
    let s = text(&town);
    assert!(
        s.contains("县里已确认 1 批，未确认 0 批") && s.contains("县里的回执"),
        "{s}"
    );
}
