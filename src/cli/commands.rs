//! Dispatch: read the environment, open the store, run the subcommand. Also the small read-only commands.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Datelike;

use super::out::print;
use super::{Cli, Command, HolidaysCmd, KeyCmd, ListFormat, RegionsCmd, SyncCmd};
use crate::domain::clock::{self, Clock, FixedClock, SystemClock};
use crate::domain::deadline::DayKind;
use crate::domain::region::Level;
use crate::domain::{Lang, Localized};
use crate::error::AppError;
use crate::report;
use crate::store::check::Severity;
use crate::store::{self, OpenMode, Store};

pub type Result<T> = std::result::Result<T, AppError>;

/// The clock: `WANGGE_NOW` when set (years 2000–2099), else the system clock.
fn clock_from_env() -> Result<Arc<dyn Clock>> {
    match std::env::var("WANGGE_NOW") {
        Ok(s) if !s.trim().is_empty() => {
            let now = clock::parse_instant(&s)?;
            if !(2000..=2099).contains(&clock::china_date(now).year()) {
                return Err(AppError::input(
                    format!(
                        "WANGGE_NOW 的年份应在 2000 到 2099 之间（现在是 {}）",
                        s.trim()
                    ),
                    format!(
                        "WANGGE_NOW must lie in the years 2000 to 2099 (it is {})",
                        s.trim()
                    ),
                ));
            }
            Ok(Arc::new(FixedClock(now)))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

/// `--db`, else a non-empty `WANGGE_DB`, else the platform data dir.
fn db_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(p) = &cli.db {
        return Ok(p.clone());
    }
    if let Some(p) = std::env::var_os("WANGGE_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "wangge").ok_or_else(|| {
        AppError::input(
            "找不到用户数据目录，请用 --db 指定数据库文件",
            "No user data directory; give the database with --db",
        )
    })?;
    Ok(dirs.data_dir().join("wangge.db"))
}

/// Creates the database's folder if missing, owner-only (0700 on Unix).
pub fn ensure_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir).map_err(|e| AppError::io(dir, e))
        }
        _ => Ok(()),
    }
}

/// After a large write (an import, a demo): compacts the file when `Store::compaction_due` says so, saying why
/// and how it went on standard error. The write is done whatever happens here: a compaction that fails leaves the
/// file as it was, says so, and the command still succeeds.
pub fn compact_if_due(store: &Store, lang: Lang) {
    let done = store.compact_if_due(&mut |work| eprintln!("{}", work.message(lang)));
    if let Some(line) = crate::sync::words::compacted(&done, lang) {
        eprintln!("{line}");
    }
}

/// Opens an existing database (see `open_as`).
pub fn open(path: &Path, clock: Arc<dyn Clock>, lang: Lang) -> Result<Store> {
    open_as(path, OpenMode::Existing, clock, lang)
}

/// Opens a database, saying on standard error why it waits when an upgrade or a rebuild of the search index
/// comes first.
pub fn open_as(path: &Path, mode: OpenMode, clock: Arc<dyn Clock>, lang: Lang) -> Result<Store> {
    Ok(Store::open_noting(path, mode, clock, &mut |work| {
        eprintln!("{}", work.message(lang))
    })?)
}

pub fn run(cli: Cli, lang: Lang) -> Result<i32> {
    let clock = clock_from_env()?;
    let path = db_path(&cli)?;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    match &cli.command {
        None => open_tui(&path, clock, lang, cli.worker.as_deref()),
        Some(Command::Init { region, worker }) => {
            super::setup::init(&path, clock, region, worker, lang)
        }
        Some(Command::Demo {
            records,
            seed,
            township,
        }) => super::setup::demo(&path, clock, *records, *seed, township.as_ref(), lang),
        Some(Command::Ledger {
            family,
            format,
            out,
            from,
            to,
            region,
        }) => {
            let store = open(&path, clock, lang)?;
            let args = super::reports::LedgerArgs {
                family: family.family(),
                format: *format,
                out: out.as_deref().filter(|p| *p != Path::new("-")),
                from: *from,
                to: *to,
                region: region.as_ref(),
            };
            super::reports::ledger(&store, args, lang)
        }
        Some(Command::Report {
            format,
            out,
            from,
            to,
        }) => {
            let store = open(&path, clock, lang)?;
            super::reports::report(
                &store,
                *format,
                out.as_deref().filter(|p| *p != Path::new("-")),
                *from,
                *to,
                lang,
            )
        }
        Some(Command::Check) => check(&path, clock, lang),
        Some(Command::Setting { action }) => setting(&mut open(&path, clock, lang)?, action, lang),
        Some(Command::Reindex) => {
            let mut store = open(&path, clock, lang)?;
            let started = std::time::Instant::now();
            store::search::rebuild(&mut store)?;
            let docs: i64 = store
                .conn()
                .query_row("SELECT count(*) FROM search_docs", [], |r| r.get(0))
                .map_err(store::StoreError::from)?;
            print(&match lang {
                Lang::Zh => format!(
                    "搜索索引已重建：{docs} 条记录，用时 {:.1} 秒",
                    started.elapsed().as_secs_f64()
                ),
                Lang::En => format!(
                    "The search index was rebuilt: {docs} records in {:.1} s",
                    started.elapsed().as_secs_f64()
                ),
            })?;
            Ok(0)
        }
        Some(Command::PurgePersonal { closed_before, yes }) => {
            super::retention::purge_personal(&path, clock, *closed_before, *yes, lang)
        }
        Some(Command::Compact) => {
            let store = open(&path, clock, lang)?;
            let sizes = store.compact()?;
            print(&crate::sync::words::compacted(&Ok(Some(sizes)), lang).unwrap_or_default())?;
            Ok(0)
        }
        Some(Command::Backup { file }) => {
            super::out::refuse_journal_name(file)?;
            let store = open(&path, clock, lang)?;
            store.backup(file)?;
            print(&format!(
                "{} {}",
                t("已备份到", "Backed up to"),
                file.display()
            ))?;
            Ok(0)
        }
        Some(Command::Regions {
            action: RegionsCmd::List { format },
        }) => {
            let store = open(&path, clock, lang)?;
            regions_list(&store, *format, lang)
        }
        Some(Command::Regions {
            action: RegionsCmd::Import { file },
        }) => super::setup::regions_import(&path, clock, file, lang),
        Some(Command::Holidays {
            action: HolidaysCmd::List { year },
        }) => {
            let store = open(&path, clock, lang)?;
            holidays_list(&store, *year, lang)
        }
        Some(Command::Holidays {
            action: HolidaysCmd::Import { file },
        }) => super::setup::holidays_import(&path, clock, file, lang),
        Some(Command::Export { out, to, full }) => super::exchange::export(
            &mut open(&path, clock, lang)?,
            out,
            to.as_ref(),
            *full,
            lang,
        ),
        Some(Command::Search {
            query,
            limit,
            format,
        }) => search(&open(&path, clock, lang)?, query, *limit, *format, lang),
        Some(Command::Ack { out }) => {
            let store = open(&path, clock, lang)?;
            let files = crate::sync::ack::write_all(&store, out)?;
            if files.is_empty() {
                super::out::print(lang.pick(
                    "还没有收到任何设备的交换包，没有回执可写",
                    "No bundles received from any device yet; no acknowledgement written",
                ))?;
            }
            for f in files {
                super::out::print(&f.display().to_string())?;
            }
            Ok(0)
        }
        Some(Command::Import { files, dry_run }) => {
            super::exchange::import(&mut open(&path, clock, lang)?, files, *dry_run, lang)
        }
        Some(Command::Assign {
            hazard,
            petition,
            to,
            deadline,
            note,
        }) => {
            let (family, id) = match (hazard, petition) {
                (Some(h), _) => (crate::domain::record::Family::Hazard, h),
                (None, Some(p)) => (crate::domain::record::Family::Petition, p),
                (None, None) => {
                    return Err(AppError::input(
                        "请用 --hazard 或 --petition 指定要交办的记录",
                        "Name the record with --hazard or --petition",
                    ));
                }
            };
            super::exchange::assign(
                &mut open(&path, clock, lang)?,
                family,
                id,
                to,
                *deadline,
                note,
                lang,
            )
        }
        Some(Command::Key {
            action: KeyCmd::Show,
        }) => super::exchange::key_show(&open(&path, clock, lang)?, lang),
        Some(Command::Key { action }) => {
            super::keys::key(&mut open(&path, clock, lang)?, action, lang)
        }
        Some(Command::Recipient { action }) => {
            super::keys::recipient(&mut open(&path, clock, lang)?, action, lang)
        }
        Some(Command::Trust { action }) => {
            super::exchange::trust(&mut open(&path, clock, lang)?, action, lang)
        }
        Some(Command::Sync {
            action: SyncCmd::Status { format },
        }) => super::exchange::status(&open(&path, clock, lang)?, *format, lang),
        Some(Command::Sync { action }) => {
            super::review::run(&mut open(&path, clock, lang)?, action, lang)
        }
    }
}

/// Opens the app; with no database yet, the first-run screen sets one up (or opens a demo database beside it).
fn open_tui(path: &Path, clock: Arc<dyn Clock>, lang: Lang, worker: Option<&str>) -> Result<i32> {
    use crate::tui::firstrun::Choice;
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(AppError::input(
            "wangge 的操作界面需要在终端里运行；在脚本里请使用子命令（wangge --help 列出全部命令）",
            "The wangge screen needs a terminal; scripts use the subcommands (wangge --help lists them)",
        ));
    }
    let mut path = path.to_path_buf();
    if !path.exists() {
        let mut townships: Vec<(String, String)> = store::regions::builtin()?
            .into_iter()
            .map(|r| (r.code.to_string(), format!("{} {}", r.name, r.code)))
            .collect();
        // Most devices belong to a township: the county comes last.
        townships.rotate_left(1);
        let choice = crate::tui::first_run(lang, clock.today(), &townships)
            .map_err(|e| AppError::io(&path, e))?;
        match choice {
            Choice::Quit => return Ok(0),
            Choice::Setup { code, worker, card } => {
                // A bad card is said before anything is created, so the first-run screen comes back.
                if let Some(card) = &card {
                    crate::sync::seal::read_card(Path::new(card))?;
                }
                super::setup::init_device(&path, clock.clone(), &code, &worker)?;
                if let Some(card) = card {
                    let mut store = open(&path, clock.clone(), lang)?;
                    crate::sync::seal::add_card(&mut store, Path::new(&card))?;
                }
            }
            Choice::Demo { township } => {
                let demo = path.with_file_name("wangge-demo.db");
                if !demo.exists() {
                    let township = Some(township)
                        .filter(|t| t.level() == crate::domain::region::Level::Township);
                    super::setup::fill_demo(
                        &demo,
                        clock.clone(),
                        2000,
                        1,
                        township.as_ref(),
                        lang,
                    )?;
                }
                path = demo;
            }
        }
    }
    let mut store = open(&path, clock, lang)?;
    if let Some(name) = worker {
        let name = crate::domain::validate::line("worker", name, 50)?;
        store.write(|tx, c| store::device::switch_worker(tx, c, &name))?;
    }
    let app = crate::tui::app::App::new(store, lang)?;
    crate::tui::run(app).map_err(|e| AppError::io(&path, e))?;
    Ok(0)
}

fn search(store: &Store, query: &str, limit: usize, format: ListFormat, lang: Lang) -> Result<i32> {
    let (total, hits) = store::search::search(store.conn(), query, limit.min(10_000))?;
    let text = match format {
        ListFormat::Json => {
            let hits: Vec<serde_json::Value> = hits
                .iter()
                .map(|h| {
                    serde_json::json!({ "family": h.family.code(), "id": h.id, "date": h.date, "summary": h.shown() })
                })
                .collect();
            serde_json::json!({ "total": total, "hits": hits }).to_string()
        }
        ListFormat::Table => {
            let mut lines = vec![match lang {
                Lang::Zh => format!("共 {total} 条结果"),
                Lang::En => crate::domain::text::count(total as u64, "hit", "hits"),
            }];
            for h in &hits {
                lines.push(format!(
                    "{}  {}  {}  {}",
                    h.date,
                    report::table::pad(h.family.label(lang), 8),
                    h.id,
                    report::table::clip(&h.shown(), 60)
                ));
            }
            lines.join("\n")
        }
    };
    super::out::print(&text)?;
    Ok(0)
}

fn regions_list(store: &Store, format: ListFormat, lang: Lang) -> Result<i32> {
    let rows = store::regions::list(store.conn(), None)?;
    let text = match format {
        ListFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default(),
        ListFormat::Table => rows
            .iter()
            .map(|r| {
                let indent = match r.level {
                    Level::County => 0,
                    Level::Township => 2,
                    Level::Village => 4,
                    Level::Grid => 6,
                };
                let name = report::table::clip(&r.name, 40);
                format!(
                    "{:<16}{}{name} ({})",
                    r.code,
                    " ".repeat(indent),
                    r.level.label(lang)
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    print(&text)?;
    Ok(0)
}

fn holidays_list(store: &Store, year: Option<i32>, lang: Lang) -> Result<i32> {
    let mut lines = Vec::new();
    for r in store::holidays::list(store.conn(), year)? {
        let kind = match r.kind {
            DayKind::Holiday => lang.pick("放假", "holiday"),
            DayKind::Workday => lang.pick("调休上班", "make-up workday"),
        };
        let name = report::table::clip(lang.pick(&r.name_zh, &r.name_en), 30);
        lines.push(format!(
            "{}  {}  {name}",
            r.date,
            report::table::pad(kind, 16)
        ));
    }
    let years = store::holidays::calendar(store.conn())?.years();
    if let (Some(first), Some(last)) = (years.first(), years.last()) {
        lines.push(format!(
            "{} {first}-{last}",
            lang.pick("已导入年份：", "Years imported:")
        ));
    }
    print(&lines.join("\n"))?;
    Ok(0)
}

/// `setting list` / `setting set KEY VALUE`: each value checked before it is stored, the change audited.
fn setting(store: &mut Store, action: &super::SettingCmd, lang: Lang) -> Result<i32> {
    use super::{SettingCmd, SettingKey};
    use crate::domain::deadline::DayCount;
    let name = |k: SettingKey| match k {
        SettingKey::ClockToleranceHours => "clock_tolerance_hours",
        SettingKey::RepeatWindowDays => crate::store::device::REPEAT_WINDOW,
        SettingKey::DayCount => "day_count",
    };
    match action {
        SettingCmd::List => {
            let conn = store.conn();
            let tolerance = store::device::setting(conn, "clock_tolerance_hours")?
                .unwrap_or_else(|| crate::sync::verify::CLOCK_TOLERANCE_HOURS.to_string());
            let lines = [
                format!("clock-tolerance-hours  {tolerance}"),
                format!(
                    "repeat-window-days     {}",
                    store::device::repeat_window_days(conn)?
                ),
                format!(
                    "day-count              {}",
                    store::device::day_count(conn)?.code()
                ),
            ];
            print(&lines.join("\n"))?;
        }
        SettingCmd::Set { key, value } => {
            let value = value.trim();
            let number = |lo: i64, hi: i64| {
                value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (lo..=hi).contains(n))
                    .map(|n| n.to_string())
                    .ok_or_else(|| AppError::Usage {
                        zh: format!("「{value}」不是 {lo} 到 {hi} 之间的整数"),
                        en: format!("'{value}' is not a whole number from {lo} to {hi}"),
                        usage: SETTING_USAGE,
                    })
            };
            let stored = match key {
                SettingKey::ClockToleranceHours => number(1, 24 * 30)?,
                SettingKey::RepeatWindowDays => number(1, 3650)?,
                SettingKey::DayCount => DayCount::from_code(value)
                    .map(|d| d.code().to_owned())
                    .ok_or_else(|| AppError::Usage {
                        zh: "期限计法只能是 calendar（自然日）或 working（工作日）".into(),
                        en: "The day count is calendar or working".into(),
                        usage: SETTING_USAGE,
                    })?,
            };
            let key = name(*key);
            store.write(|tx, ctx| {
                store::device::set_setting(tx, key, &stored)?;
                store::audit::append(
                    tx,
                    ctx,
                    "setting",
                    key,
                    "set",
                    None,
                    &serde_json::json!({ "value": stored }),
                )
            })?;
            print(&match lang {
                Lang::Zh => format!("已设置 {key} = {stored}"),
                Lang::En => format!("Set {key} = {stored}"),
            })?;
        }
    }
    Ok(0)
}

fn check(path: &Path, clock: Arc<dyn Clock>, lang: Lang) -> Result<i32> {
    let store = open(path, clock, lang)?;
    let mut findings = store::check::run(store.conn(), store.today());
    findings.extend(store::check::file_permissions(path));
    if let Some(why) = store.index_failed() {
        let why = crate::domain::text::sanitize(why);
        findings.push(store::check::Finding {
            severity: Severity::Error,
            zh: format!("打开时重建搜索索引失败：{why}"),
            en: format!("Rebuilding the search index when opening failed: {why}"),
        });
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let mut lines: Vec<String> = findings
        .iter()
        .map(|f| {
            let tag = match f.severity {
                Severity::Error => lang.pick("[错误]", "[error]"),
                Severity::Warning => lang.pick("[警告]", "[warning]"),
            };
            format!("{tag} {}", f.message(lang))
        })
        .collect();
    if errors == 0 {
        lines.push(lang.pick("检查通过", "Check passed").to_owned());
    } else {
        lines.push(match lang {
            Lang::Zh => format!("发现 {errors} 个错误"),
            Lang::En => format!(
                "Found {}",
                crate::domain::text::count(errors as u64, "error", "errors")
            ),
        });
    }
    print(&lines.join("\n"))?;
    Ok(if errors == 0 { 0 } else { 1 })
}

/// The usage line a malformed setting value is told with.
const SETTING_USAGE: &str = "Usage: wangge setting set <KEY> <VALUE>";
