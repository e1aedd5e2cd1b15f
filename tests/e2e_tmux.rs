//! End to end: the real binary in tmux (a private server socket), driven by keys as a worker would, registering
//! a petition; the record is then found in the database. Skips cleanly where tmux is missing.

mod common;

use common::tmux::{Tmux, wangge_cmd};
use common::{ok, wangge};

#[test]
fn a_worker_registers_a_petition_in_the_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let now = common::NOW;
    ok(wangge(&db).args(["init", "--region", "610727101000", "--worker", "张伟"]));
    let Some(t) = Tmux::start("e2e", &wangge_cmd(&db, now)) else {
        eprintln!("tmux missing or cannot start a session here: skipped");
        return;
    };
    let screen = t.wait_for("今日待办");
    assert!(
        screen.contains("接官亭镇") && screen.contains("张伟"),
        "{screen}"
    );
    t.keys(&["5", "n"]);
    t.wait_for("登记信访");
    t.keys(&["Down", "Down", "Down", "Down"]);
    t.text("赵六");
    t.keys(&["Enter", "Enter", "Enter", "Enter", "Enter"]);
    t.text("河道采砂破坏耕地");
    t.keys(&["Enter"]);
    t.text("要求停止采砂并恢复耕地 q 5");
    t.keys(&["C-s"]);
    // The saved case's detail, whole (waited for by its last part to be drawn).
    let screen = t.wait_for("受理告知期限");
    assert!(screen.contains("已登记"), "{screen}");
    assert!(!screen.contains("赵六"), "the name is masked: {screen}");
    t.keys(&["Escape", "q"]);
    assert!(t.wait_gone(), "q quits");
    drop(t);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (name, summary, content): (String, String, String) = conn
        .query_row(
            "SELECT petitioner_name, summary, content FROM petitions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (name.as_str(), summary.as_str()),
        ("赵六", "河道采砂破坏耕地")
    );
    assert_eq!(
        content, "要求停止采砂并恢复耕地 q 5",
        "q and digits inside a field are text"
    );
}

/// Two workers' terminals on one database file: both edit the same hazard; the first save goes through, the
/// second is refused (it was read before the first) and nothing is overwritten; Ctrl+R then shows the second
/// worker the first one's change, their own text kept.
#[test]
fn two_terminals_on_one_file_never_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let now = common::NOW;
    ok(wangge(&db).args(["demo", "--records", "40", "--township", "610727101000"]));
    let (Some(a), Some(b)) = (
        Tmux::start("two-a", &wangge_cmd(&db, now)),
        Tmux::start("two-b", &wangge_cmd(&db, now)),
    ) else {
        eprintln!("tmux missing or cannot start a session here: skipped");
        return;
    };
    // Both open the newest hazard's edit form.
    for t in [&a, &b] {
        t.wait_for("今日待办");
        t.keys(&["3"]);
        t.wait_for("类别");
        t.keys(&["Enter"]);
        t.wait_for("Esc");
        t.keys(&["e"]);
        t.wait_for("修改原因");
        t.keys(&["End"]);
    }
    a.text("甲补充");
    a.keys(&["C-s"]);
    let screen = a.wait_for("已保存");
    assert!(screen.contains("已保存"), "{screen}");
    b.text("乙补充");
    b.keys(&["C-s"]);
    let screen = b.wait_for("重新载入");
    assert!(
        screen.contains("重新载入"),
        "the stale edit is refused: {screen}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let described = |text: &str| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM hazards WHERE description LIKE '%' || ?1 || '%'",
            [text],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(described("甲补充"), 1);
    assert_eq!(described("乙补充"), 0, "nothing overwritten");
    // Ctrl+R in the second terminal: the first one's change shows behind the form, which keeps its text.
    b.keys(&["C-r"]);
    let screen = b.wait_for("已载入最新版本");
    assert!(
        screen.contains("甲补充") && screen.contains("乙补充"),
        "{screen}"
    );
    // Keys one at a time: Esc and a letter in one write would read as Alt+letter.
    b.keys(&["Escape"]);
    b.wait_for("放弃修改吗");
    b.keys(&["y"]);
    for t in [&a, &b] {
        t.wait_for("问题");
        t.keys(&["Escape"]);
        t.wait_for("类别");
        t.keys(&["q"]);
        assert!(t.wait_gone(), "q quits: {}", t.screen());
    }
}
