//! The 同步 tab: what this database knows of the exchange (devices, gaps, forks, quarantine, conflicts), and
//! its actions. Export and import run on a thread of their own with their own connection, so the screen keeps
//! drawing a progress bar and the worker can keep reading; the result lines land in the tab's log.

use super::field_key::FieldKey as Fk;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};

use super::app::{App, Screen};
use super::keymap::Action;
use super::prompt::{Field, Prompt};
use crate::domain::Lang;
use crate::store::{OpenMode, Store, StoreError};
use crate::sync::review::{self, Keep};
use crate::sync::status::{self, Status};
use crate::sync::{export, import, trust, words};

/// A line of the tab that can be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Device(usize),
    /// A bundle held, unmerged, until its sender is confirmed.
    Held(usize),
    Quarantined(usize),
    Conflict(usize),
}

/// What a background job says.
pub enum JobMsg {
    Progress(u64, u64),
    Line(String),
    Done,
}

/// An export or import under way.
pub struct Job {
    pub title: String,
    pub done: u64,
    pub total: u64,
    rx: Receiver<JobMsg>,
}

/// The tab's state.
#[derive(Default)]
pub struct SyncTab {
    pub status: Option<Status>,
    pub selected: usize,
    /// What the last exports and imports said, newest last.
    pub log: Vec<String>,
    pub job: Option<Job>,
    /// The folder last exported to or imported from, offered next time.
    pub last_dir: String,
}

/// What a key on the 同步 tab leads to, beyond moving through it.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Stay,
    /// A line for the status bar (zh, en).
    Say(&'static str, &'static str),
    /// The export form.
    Export,
    /// The form that registers the county's card.
    Card,
    /// The import form.
    Import,
    /// Confirm a device (and merge the bundles held for it).
    Confirm(crate::domain::ids::DeviceId),
    /// Check the held records again.
    Retry,
    /// Ask why, then discard a quarantined record.
    Discard(i64),
    /// Open a conflict.
    Open(i64),
}

impl SyncTab {
    /// Handles a key's action; `county`: this database is a county's (it registers no card); `busy`: an export
    /// or import is running (only moving is possible meanwhile).
    pub fn act(&mut self, action: Action, county: bool, busy: bool) -> Next {
        let items = self.items();
        let chosen = items.get(self.selected).copied();
        match action {
            Action::Down => self.selected = (self.selected + 1).min(items.len().saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Act('e' | 'a' | 'i' | 'c' | 'r' | 'x') | Action::Open if busy => {
                return Next::Say(
                    "正在导出或导入，请稍候",
                    "An export or import is running; please wait",
                );
            }
            Action::Act('e') => return Next::Export,
            Action::Act('a') if county => {
                return Next::Say(
                    "县级数据库不登记名片：县级密钥用 wangge key county-init 创建，名片用 key card 写出",
                    "A county registers no card: it makes its key (wangge key county-init) and writes its card (key card)",
                );
            }
            Action::Act('a') => return Next::Card,
            Action::Act('i') => return Next::Import,
            Action::Act('r') => return Next::Retry,
            Action::Act('c') => {
                let Some(st) = &self.status else {
                    return Next::Stay;
                };
                return match chosen {
                    Some(Item::Device(i))
                        if st.devices[i].status == crate::store::exchange::PeerStatus::Revoked =>
                    {
                        Next::Say(
                            "这台设备已撤销信任，不能在这里确认；确需恢复请用 wangge trust add 重新登记",
                            "This device is revoked; it cannot be confirmed here (wangge trust add registers it again)",
                        )
                    }
                    Some(Item::Device(i)) => Next::Confirm(st.devices[i].device.clone()),
                    Some(Item::Held(i)) => Next::Confirm(st.held[i].device.clone()),
                    _ => Next::Say("请先选中一台设备", "Choose a device first"),
                };
            }
            Action::Act('x') => {
                return match (chosen, &self.status) {
                    (Some(Item::Quarantined(i)), Some(st)) => Next::Discard(st.quarantine[i].id),
                    _ => Next::Say("请先选中一条隔离记录", "Choose a held record first"),
                };
            }
            Action::Open => {
                if let (Some(Item::Conflict(i)), Some(st)) = (chosen, &self.status) {
                    return Next::Open(st.conflicts[i].id);
                }
            }
            _ => {}
        }
        Next::Stay
    }

    /// The choosable lines: devices, then held records, then open conflicts.
    pub fn items(&self) -> Vec<Item> {
        let Some(st) = &self.status else {
            return Vec::new();
        };
        (0..st.devices.len())
            .map(Item::Device)
            .chain((0..st.held.len()).map(Item::Held))
            .chain((0..st.quarantine.len()).map(Item::Quarantined))
            .chain((0..st.conflicts.len()).map(Item::Conflict))
            .collect()
    }
}

/// Bundle files in a folder (by name, so batches go in order), or the one file given.
pub fn bundle_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "wgb" || e == "wga"))
        .collect();
    files.sort();
    Ok(files)
}

/// Why a resolution or a discard is being asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Keep(i64, Keep),
    Discard(i64),
}

impl App {
    pub(super) fn sync_refresh(&mut self) -> Result<(), StoreError> {
        self.sync.status = Some(status::status(&self.store)?);
        let n = self.sync.items().len();
        self.sync.selected = self.sync.selected.min(n.saturating_sub(1));
        Ok(())
    }

    /// Whether a job runs (the main loop then wakes up to draw its progress).
    pub fn busy(&self) -> bool {
        self.sync.job.is_some()
    }

    /// Takes what the job has said; when it is done, reloads the tab.
    pub fn tick(&mut self) {
        loop {
            let msg = match &self.sync.job {
                Some(job) => job.rx.try_recv(),
                None => return,
            };
            match msg {
                Ok(m) => self.heard(m),
                Err(std::sync::mpsc::TryRecvError::Empty) => return,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.heard(JobMsg::Line(
                        self.t(
                            "后台任务意外中断；数据库没有半途的改动，请重试",
                            "The job stopped unexpectedly; nothing was half-written. Try again",
                        )
                        .into(),
                    ));
                    self.heard(JobMsg::Done)
                }
            }
        }
    }

    /// Waits until the job is done (tests, and quitting while one runs).
    pub fn wait_for_job(&mut self) {
        loop {
            let msg = match &self.sync.job {
                Some(job) => job.rx.recv().unwrap_or(JobMsg::Done),
                None => return,
            };
            self.heard(msg);
        }
    }

    fn heard(&mut self, msg: JobMsg) {
        match msg {
            JobMsg::Progress(d, t) => {
                if let Some(job) = &mut self.sync.job {
                    (job.done, job.total) = (d, t);
                }
            }
            JobMsg::Line(l) => {
                self.sync.log.extend(l.lines().map(str::to_owned));
                let keep = self.sync.log.len().saturating_sub(200);
                self.sync.log.drain(..keep);
            }
            JobMsg::Done => {
                self.sync.job = None;
                let r = self.refresh();
                self.report(r);
            }
        }
    }

    fn start(
        &mut self,
        title: String,
        work: impl FnOnce(&mut Store, &Sender<JobMsg>) + Send + 'static,
    ) {
        let (tx, rx) = channel();
        let path = self.store.path().to_owned();
        let clock = self.store.clock();
        let lang = self.lang;
        std::thread::spawn(move || {
            match Store::open(&path, OpenMode::Existing, clock) {
                Ok(mut store) => work(&mut store, &tx),
                Err(e) => {
                    let _ = tx.send(JobMsg::Line(crate::domain::Localized::message(&e, lang)));
                }
            }
            let _ = tx.send(JobMsg::Done);
        });
        self.sync.job = Some(Job {
            title,
            done: 0,
            total: 0,
            rx,
        });
    }

    pub(super) fn start_export(&mut self, dir: String, to: Option<crate::domain::ids::RegionCode>) {
        self.sync.last_dir = dir.clone();
        let lang = self.lang;
        let title = self.t("正在导出", "Exporting").to_owned();
        self.start(title, move |store, tx| {
            let req = export::Request {
                out_dir: PathBuf::from(dir),
                to,
                full: false,
            };
            let progress = |d, t| {
                let _ = tx.send(JobMsg::Progress(d, t));
            };
            let lines = match export::export_with(store, &req, &progress) {
                Ok(outcome) => words::exported(&outcome, lang),
                Err(e) => vec![crate::domain::Localized::message(&e, lang)],
            };
            for l in lines {
                let _ = tx.send(JobMsg::Line(l));
            }
        });
    }

    pub(super) fn start_import(&mut self, path: String) {
        let path = PathBuf::from(path.trim());
        let files = match bundle_files(&path) {
            Ok(f) if !f.is_empty() => f,
            Ok(_) => {
                self.status = Some(
                    self.t(
                        "这个文件夹里没有交换包（.wgb 文件）",
                        "No bundles (.wgb files) in this folder",
                    )
                    .into(),
                );
                return;
            }
            Err(e) => {
                self.report(Err(StoreError::Io { path, source: e }));
                return;
            }
        };
        self.sync.last_dir = if path.is_dir() {
            path.display().to_string()
        } else {
            path.parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        };
        let lang = self.lang;
        let title = self.t("正在导入", "Importing").to_owned();
        self.start(title, move |store, tx| {
            let n = files.len() as u64;
            for (i, f) in files.iter().enumerate() {
                let i = i as u64;
                let progress = |d: u64, t: u64| {
                    // Each file is an equal share of the bar.
                    let share = 1000 * i + (1000 * d).checked_div(t).unwrap_or(0);
                    let _ = tx.send(JobMsg::Progress(share, 1000 * n));
                };
                let line = match import::take(store, f, false, &progress) {
                    Ok(t) => words::taken(&t, lang),
                    Err(e) => words::refused(f, &e, lang),
                };
                let _ = tx.send(JobMsg::Line(line));
            }
            // As the command line does: a file grown by a quarter is compacted (the screen keeps working).
            let done = store.compact_if_due(&mut |work| {
                let _ = tx.send(JobMsg::Line(work.message(lang)));
            });
            if let Some(line) = words::compacted(&done, lang) {
                let _ = tx.send(JobMsg::Line(line));
            }
        });
    }

    /// A key on the 同步 tab itself.
    pub(super) fn sync_action(&mut self, action: Action) {
        let t = |zh: &'static str, en: &'static str| self.lang.pick(zh, en).to_owned();
        let county = self.device.region.level() == crate::domain::region::Level::County;
        let busy = self.busy();
        match self.sync.act(action, county, busy) {
            Next::Stay => {}
            Next::Say(zh, en) => self.status = Some(t(zh, en)),
            Next::Export => {
                // Up by default; a county has nothing above it and sends down only.
                let mut options = Vec::new();
                if !county {
                    options.push((
                        String::new(),
                        t("上级（默认）", "the region above (default)"),
                    ));
                }
                options.extend(self.here.children.iter().cloned());
                let dir = self.default_dir();
                let prompt = Prompt::new(
                    t("导出交换包", "Export a bundle"),
                    vec![
                        Field::filled(Fk::Dir, t("写到文件夹", "into folder"), true, &dir)
                            .limit(4096),
                        Field::choice(Fk::To, t("发给", "for"), options),
                    ],
                );
                self.stack
                    .push(Screen::Form(super::forms::FormKind::Export, prompt));
            }
            Next::Card => {
                let prompt = Prompt::new(
                    t("登记县级名片", "Register the county card"),
                    vec![Field::text(Fk::Card, t("名片文件", "card file"), true).limit(4096)],
                );
                self.stack
                    .push(Screen::Form(super::forms::FormKind::Card, prompt));
            }
            Next::Import => {
                let dir = self.default_dir();
                let prompt = Prompt::new(
                    t("导入交换包", "Import bundles"),
                    vec![
                        Field::filled(Fk::Path, t("文件或文件夹", "file or folder"), true, &dir)
                            .limit(4096),
                    ],
                );
                self.stack
                    .push(Screen::Form(super::forms::FormKind::Import, prompt));
            }
            Next::Confirm(device) => {
                let r = trust::confirm(&mut self.store, &device).map(|merged| {
                    let merged = merged.unwrap_or_default();
                    let failed = merged.iter().filter(|m| m.result.is_err()).count();
                    self.status = Some(match (merged.len(), failed, self.lang) {
                        (0, _, _) => t("已确认这台设备", "Device confirmed"),
                        (n, 0, Lang::Zh) => format!("已确认这台设备，暂存的 {n} 个交换包已合并"),
                        (n, 0, Lang::En) => format!("Device confirmed; its held {} merged", crate::domain::text::count(n as u64, "bundle was", "bundles were")),
                        (n, f, Lang::Zh) => format!("已确认这台设备；暂存的 {n} 个交换包中 {f} 个未能合并，仍暂存（wangge trust confirm 查看原因）"),
                        (n, f, Lang::En) => format!("Device confirmed; {f} of its {} could not be merged and stay held (wangge trust confirm says why)", crate::domain::text::count(n as u64, "held bundle", "held bundles")),
                    });
                });
                self.report(r);
                let r = self.sync_refresh();
                self.report(r);
            }
            Next::Retry => {
                match review::retry(&mut self.store) {
                    Ok(r) => self.status = Some(words::rechecked(&r, self.lang)),
                    Err(e) => self.report(Err(e)),
                }
                let r = self.sync_refresh();
                self.report(r);
            }
            Next::Discard(id) => self.ask_note(
                Decision::Discard(id),
                t("丢弃这条隔离记录", "Discard this held record"),
            ),
            Next::Open(id) => match review::view(self.store.conn(), id, self.lang) {
                Ok(v) => self.stack.push(Screen::Conflict(Box::new(v))),
                Err(e) => self.report(Err(e)),
            },
        }
    }

    fn default_dir(&self) -> String {
        if self.sync.last_dir.is_empty() {
            self.store
                .path()
                .parent()
                .map(|p| p.join("exchange").display().to_string())
                .unwrap_or_else(|| "exchange".into())
        } else {
            self.sync.last_dir.clone()
        }
    }

    /// A key on an open conflict: `a` keeps the current version, `b` the other; both ask for a note.
    pub(super) fn conflict_action(&mut self, action: Action) {
        let Some(Screen::Conflict(v)) = self.stack.last() else {
            return;
        };
        let id = v.conflict.id;
        let t = |zh: &'static str, en: &'static str| self.lang.pick(zh, en).to_owned();
        match action {
            Action::Act('a') => self.ask_note(
                Decision::Keep(id, Keep::Current),
                t("保留现在这版", "Keep the current version"),
            ),
            Action::Act('b') => self.ask_note(
                Decision::Keep(id, Keep::Other),
                t("改用另一版", "Take the other version"),
            ),
            _ => {}
        }
    }

    fn ask_note(&mut self, decision: Decision, title: String) {
        let prompt = Prompt::new(
            format!(
                "{title}{}",
                self.t(
                    "（理由记入审计日志）",
                    " (the reason goes to the audit log)"
                )
            ),
            vec![Field::note(
                Fk::Note,
                self.t("理由", "reason").to_owned(),
                true,
                "",
            )],
        );
        self.stack.push(Screen::Form(
            super::forms::FormKind::Decide(decision),
            prompt,
        ));
    }

    /// Carries out a resolution or discard with its note.
    pub(super) fn decide(&mut self, decision: Decision, note: &str) -> Result<(), StoreError> {
        match decision {
            Decision::Keep(id, keep) => review::resolve(&mut self.store, id, keep, note)?,
            Decision::Discard(id) => review::discard(&mut self.store, id, note)?,
        }
        // Back to the tab.
        while matches!(
            self.stack.last(),
            Some(Screen::Form(..) | Screen::Conflict(_))
        ) {
            self.stack.pop();
        }
        self.status = Some(
            self.t(
                "已处理，理由已记入审计日志",
                "Done; the reason is in the audit log",
            )
            .into(),
        );
        self.sync_refresh()
    }
}
