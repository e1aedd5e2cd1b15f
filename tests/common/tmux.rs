//! The real binary in a terminal: tmux on a private server socket, one session `t` at 80×24, driven by keys.
//! Every helper returns None (and the test skips) where tmux is missing or cannot start a session.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server; killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A server named after this process and `name`, with session `t` running `cmd` (through `sh -c`).
    pub fn start(name: &str, cmd: &str) -> Option<Tmux> {
        Command::new("tmux").arg("-V").output().ok()?;
        let t = Tmux {
            socket: format!("wangge-{name}-{}", std::process::id()),
        };
        t.run(&[
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
            cmd,
        ])?;
        if !t.alive() {
            return None;
        }
        t.run(&["set-option", "-g", "escape-time", "0"]);
        Some(t)
    }

    pub fn run(&self, args: &[&str]) -> Option<String> {
        // CI may run without a TERM of its own; the panes get a known one.
        let out = Command::new("tmux")
            .env("TERM", "xterm-256color")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .ok()?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Keys by name (`Enter`, `C-s`, `Down`) or single characters.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Text typed literally.
    pub fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "t", "-l", text]);
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
            .unwrap_or_default()
    }

    /// Polls the screen until `text` appears or 20 s pass (no fixed sleeps); returns the last screen.
    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) || start.elapsed() > Duration::from_secs(20) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process in the pane (the command runs with `exec`, so this is the program itself).
    pub fn pid(&self) -> Option<u32> {
        self.run(&["display-message", "-p", "-t", "t", "#{pane_pid}"])?
            .trim()
            .parse()
            .ok()
    }

    pub fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "t"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Waits up to 10 s for the session to end (its program exited or was killed).
    pub fn wait_gone(&self) -> bool {
        let start = Instant::now();
        while self.alive() {
            if start.elapsed() > Duration::from_secs(10) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// The shell command that runs wangge on `db` at the tests' fixed clock, as the pane's own process.
pub fn wangge_cmd(db: &Path, now: &str) -> String {
    format!(
        "exec env WANGGE_NOW={now} WANGGE_LANG=zh {} --db '{}'",
        env!("CARGO_BIN_EXE_wangge"),
        db.display()
    )
}
