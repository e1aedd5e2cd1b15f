//! End to end: the real binary in tmux (a private server socket), driven by keys as a worker would, registering
//! a petition; the record is then found in the database. Skips cleanly where tmux is missing.

use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(socket: &str, args: &[&str]) -> Option<String> {
    // CI may run without a TERM of its own; the panes get a known one.
    let out = Command::new("tmux")
        .env("TERM", "xterm-256color")
        .arg("-L")
        .arg(socket)
        .args(args)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Polls the screen until `text` appears (no fixed sleeps).
fn wait_for(socket: &str, text: &str) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux(socket, &["capture-pane", "-p", "-t", "t"]).unwrap_or_default();
        if screen.contains(text) || start.elapsed() > Duration::from_secs(20) {
            return screen;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_worker_registers_a_petition_in_the_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let bin = env!("CARGO_BIN_EXE_wangge");
    let now = "2026-11-28T09:41:00+08:00";
    let ok = Command::new(bin)
        .env("WANGGE_NOW", now)
        .arg("--db")
        .arg(&db)
        .args(["init", "--region", "610727101000", "--worker", "张伟"])
        .status()
        .unwrap();
    assert!(ok.success());
    let socket = format!("wangge-test-{}", std::process::id());
    let cmd = format!("WANGGE_NOW={now} {bin} --db {}", db.display());
    tmux(
        &socket,
        &[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "80",
            "-y",
            "24",
            &cmd,
        ],
    );
    let started = Command::new("tmux")
        .args(["-L", &socket, "has-session", "-t", "t"])
        .status()
        .is_ok_and(|s| s.success());
    if !started {
        eprintln!("tmux could not start a session here: skipped");
        return;
    }
    tmux(&socket, &["set-option", "-g", "escape-time", "0"]);
    let screen = wait_for(&socket, "今日待办");
    assert!(
        screen.contains("接官亭镇") && screen.contains("张伟"),
        "{screen}"
    );
    tmux(&socket, &["send-keys", "-t", "t", "5", "n"]);
    wait_for(&socket, "登记信访");
    tmux(
        &socket,
        &["send-keys", "-t", "t", "Down", "Down", "Down", "Down"],
    );
    tmux(&socket, &["send-keys", "-t", "t", "-l", "赵六"]);
    tmux(
        &socket,
        &[
            "send-keys",
            "-t",
            "t",
            "Enter",
            "Enter",
            "Enter",
            "Enter",
            "Enter",
        ],
    );
    tmux(&socket, &["send-keys", "-t", "t", "-l", "河道采砂破坏耕地"]);
    tmux(&socket, &["send-keys", "-t", "t", "Enter"]);
    tmux(
        &socket,
        &["send-keys", "-t", "t", "-l", "要求停止采砂并恢复耕地 q 5"],
    );
    tmux(&socket, &["send-keys", "-t", "t", "C-s"]);
    let screen = wait_for(&socket, "已登记");
    assert!(screen.contains("受理告知期限"), "{screen}");
    assert!(!screen.contains("赵六"), "the name is masked: {screen}");
    tmux(&socket, &["send-keys", "-t", "t", "Escape", "q"]);
    let start = Instant::now();
    while tmux(&socket, &["has-session", "-t", "t"]).is_some()
        && Command::new("tmux")
            .args(["-L", &socket, "has-session", "-t", "t"])
            .status()
            .is_ok_and(|s| s.success())
        && start.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux(&socket, &["kill-server"]);
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
