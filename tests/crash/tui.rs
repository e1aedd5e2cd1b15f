//! SIGKILL during a save made in the real terminal: a worker registers a petition in the TUI (in tmux), presses
//! Ctrl+S, and the program is killed 0–8 ms later. The save commits some 3–5 ms after the key here, so the kills
//! fall before, during and after its transaction (the tally says how many saved).
//! After every kill: `check` passes, every record saved before is there, and the new petition is either saved
//! whole (its journal row, its audit row, found by search) or not at all. A kill that left frames in the WAL
//! after its last commit cut a transaction short: those are counted as "mid-write".

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::common::tmux::{Tmux, wangge_cmd};
use super::{Dice, NOW, copy_db, journal, ok, one, sound, wangge};

/// Words no demo record holds.
const SUMMARY: &str = "断电试验反映河道采砂";

#[derive(Default)]
pub struct Saves {
    pub trials: usize,
    pub saved: usize,
    /// Kills that left a transaction's frames in the WAL without its commit.
    pub torn: usize,
}

/// Frames written to the WAL after its last commit frame (the WAL of the current generation only).
fn uncommitted_frames(db: &Path) -> usize {
    let Ok(wal) = std::fs::read(format!("{}-wal", db.display())) else {
        return 0;
    };
    if wal.len() < 32 {
        return 0;
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let page = be(&wal[8..12]) as usize;
    let salt = &wal[16..24];
    let (mut at, mut since_commit) = (32, 0);
    while at + 24 + page <= wal.len() && &wal[at + 8..at + 16] == salt {
        since_commit = if be(&wal[at + 4..at + 8]) != 0 {
            0
        } else {
            since_commit + 1
        };
        at += 24 + page;
    }
    since_commit
}

/// `trials` kills of a TUI save on copies of `base`; None where tmux cannot run here.
pub fn saves(base: &Path, dir: &Path, trials: usize, dice: &mut Dice) -> Option<Saves> {
    let petitions = "SELECT count(*) FROM petitions";
    let before = one(base, petitions);
    let journal_before = journal(base);
    let ours = format!("SELECT count(*) FROM petitions WHERE summary = '{SUMMARY}'");
    let mut s = Saves::default();
    let db = dir.join("tui.db");
    for _ in 0..trials {
        copy_db(base, &db);
        let t = Tmux::start("crash", &wangge_cmd(&db, NOW))?;
        t.wait_for("今日待办");
        t.keys(&["5", "n"]);
        t.wait_for("登记信访");
        t.keys(&["Down", "Down", "Down", "Down"]);
        t.text("赵六");
        t.keys(&["Enter", "Enter", "Enter", "Enter", "Enter"]);
        t.text(SUMMARY);
        t.keys(&["Enter"]);
        t.text("要求停止采砂");
        let screen = t.wait_for("要求停止采砂");
        assert!(screen.contains("要求停止采砂"), "{screen}");
        let pid = t.pid().expect("the pane's process").to_string();
        t.keys(&["C-s"]);
        std::thread::sleep(Duration::from_micros(dice.below(8_000)));
        let _ = Command::new("kill").args(["-9", &pid]).status();
        assert!(t.wait_gone(), "the program outlived SIGKILL");
        drop(t);
        s.trials += 1;
        s.torn += usize::from(uncommitted_frames(&db) > 0);
        sound(&db);
        let saved = one(&db, &ours);
        assert!(saved <= 1, "saved {saved} times");
        assert_eq!(
            one(&db, petitions),
            before + saved,
            "a petition went missing"
        );
        let journal_after = journal(&db);
        assert!(
            journal_after.starts_with(&journal_before),
            "the journal lost a change saved before"
        );
        if saved == 1 {
            s.saved += 1;
            assert!(
                journal_after.len() > journal_before.len(),
                "saved unjournalled"
            );
            let audited = format!(
                "SELECT count(*) FROM audit WHERE record = (SELECT key FROM petitions WHERE summary = '{SUMMARY}')"
            );
            assert!(one(&db, &audited) >= 1, "saved unaudited");
            let found = ok(wangge(&db).args(["search", "断电试验", "--format", "json"]));
            assert!(
                found.contains("\"total\":1"),
                "not found by search: {found}"
            );
        } else {
            assert_eq!(journal_after, journal_before, "half a save journalled");
        }
    }
    Some(s)
}
