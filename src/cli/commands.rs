//! What each subcommand does: open the store, call it, print the result.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use super::{Cli, Command, Format, HolidaysCmd, ListFormat, RegionsCmd};
use crate::domain::clock::{self, Clock, FixedClock, SystemClock};
use crate::domain::deadline::parse_holiday_csv;
use crate::domain::region::{self, Level};
use crate::domain::{Lang, Localized, validate};
use crate::error::AppError;
use crate::report;
use crate::store::check::Severity;
use crate::store::{self, OpenMode, Store, WriteCtx, device};

type Result<T> = std::result::Result<T, AppError>;

fn clock_from_env() -> Result<Arc<dyn Clock>> {
    match std::env::var("WANGGE_NOW") {
        Ok(s) if !s.trim().is_empty() => Ok(Arc::new(FixedClock(clock::parse_instant(&s)?))),
        _ => Ok(Arc::new(SystemClock)),
    }
}

/// `--db`, else `WANGGE_DB` (clap reads both), else the platform data dir.
fn db_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(p) = &cli.db {
        return Ok(p.clone());
    }
    let dirs = directories::ProjectDirs::from("", "", "wangge").ok_or_else(|| {
        AppError::input(
            "找不到用户数据目录，请用 --db 指定数据库文件",
            "No user data directory; give the database with --db",
        )
    })?;
    Ok(dirs.data_dir().join("wangge.db"))
}

fn ensure_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => {
            std::fs::create_dir_all(dir).map_err(|e| AppError::io(dir, e))
        }
        _ => Ok(()),
    }
}

fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
    Ok(Store::open(path, OpenMode::Existing, clock)?)
}

pub fn run(cli: Cli, lang: Lang) -> Result<i32> {
    let clock = clock_from_env()?;
    let path = db_path(&cli)?;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    match &cli.command {
        None => {
            println!(
                "{}",
                t(
                    "wangge 的操作界面还在开发中。现在可以使用命令：wangge --help 查看全部命令，例如 demo、report、check。",
                    "The wangge screen is not built yet. Use the commands for now: wangge --help lists them (demo, report, check, ...)."
                )
            );
            Ok(0)
        }
        Some(Command::Init { region, worker }) => init(&path, clock, region, worker, lang),
        Some(Command::Demo {
            records,
            seed,
            township,
        }) => demo(&path, clock, *records, *seed, township.as_deref(), lang),
        Some(Command::Report {
            format,
            out,
            from,
            to,
        }) => report(
            &path,
            clock,
            *format,
            out.as_deref(),
            from.as_deref(),
            to.as_deref(),
            lang,
        ),
        Some(Command::Check) => check(&path, clock, lang),
        Some(Command::Backup { file }) => {
            let store = open(&path, clock)?;
            store.backup(file)?;
            println!("{} {}", t("已备份到", "Backed up to"), file.display());
            Ok(0)
        }
        Some(Command::Regions {
            action: RegionsCmd::List { format },
        }) => {
            let store = open(&path, clock)?;
            let rows = store::regions::list(store.conn(), None)?;
            match format {
                ListFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                ),
                ListFormat::Table => {
                    for r in rows {
                        let indent = match r.level {
                            Level::County => 0,
                            Level::Township => 2,
                            Level::Village => 4,
                            Level::Grid => 6,
                        };
                        println!(
                            "{:<16}{}{} ({})",
                            r.code,
                            " ".repeat(indent),
                            report::table::clip(&r.name, 40),
                            r.level.label(lang)
                        );
                    }
                }
            }
            Ok(0)
        }
        Some(Command::Regions {
            action: RegionsCmd::Import { file },
        }) => regions_import(&path, clock, file, lang),
        Some(Command::Holidays {
            action: HolidaysCmd::List { year },
        }) => {
            let store = open(&path, clock)?;
            let rows = store::holidays::list(store.conn(), *year)?;
            for r in &rows {
                let kind = match r.kind {
                    crate::domain::deadline::DayKind::Holiday => t("放假", "holiday"),
                    crate::domain::deadline::DayKind::Workday => t("调休上班", "make-up workday"),
                };
                println!(
                    "{}  {}  {}",
                    r.date,
                    report::table::pad(kind, 10),
                    lang.pick(&r.name_zh, &r.name_en)
                );
            }
            let years = store::holidays::calendar(store.conn())?.years();
            if let (Some(first), Some(last)) = (years.first(), years.last()) {
                println!("{} {first}–{last}", t("已导入年份：", "Years imported:"));
            }
            Ok(0)
        }
        Some(Command::Holidays {
            action: HolidaysCmd::Import { file },
        }) => holidays_import(&path, clock, file, lang),
    }
}

fn init(path: &Path, clock: Arc<dyn Clock>, region: &str, worker: &str, lang: Lang) -> Result<i32> {
    let (code, _) = region::parse_code(region)
        .map_err(|e| AppError::input(e.message(Lang::Zh), e.message(Lang::En)))?;
    let worker = validate::required("worker", worker, 50)?;
    let existed = path.exists();
    if !existed {
        ensure_parent(path)?;
    }
    let result = (|| -> Result<device::Device> {
        let mut store = Store::open(path, OpenMode::CreateIfMissing, clock.clone())?;
        if !store::regions::exists(store.conn(), &code)? {
            return Err(store::StoreError::UnknownRegion(code.clone()).into());
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| {
            AppError::input(
                format!("无法生成密钥：{e}"),
                format!("cannot make a key: {e}"),
            )
        })?;
        let now = clock.now();
        let ctx = WriteCtx {
            device: store::records::new_id(&WriteCtx {
                device: String::new(),
                actor: String::new(),
                region: String::new(),
                now,
            }),
            actor: worker.clone(),
            region: code.clone(),
            now,
        };
        Ok(store.write_raw(|tx| device::init(tx, &ctx, &code, &key))?)
    })();
    match result {
        Ok(dev) => {
            let name = Store::open(path, OpenMode::Existing, clock)
                .ok()
                .and_then(|s| store::regions::name(s.conn(), &dev.region).ok().flatten())
                .unwrap_or_default();
            println!(
                "{} {}：{} {} {name}，{} {}，{} {}",
                lang.pick("已初始化", "Initialised"),
                path.display(),
                lang.pick("辖区", "jurisdiction"),
                dev.region,
                lang.pick("网格员", "worker"),
                dev.worker,
                lang.pick("设备", "device"),
                dev.id
            );
            Ok(0)
        }
        Err(e) => {
            if !existed {
                remove_db(path);
            }
            Err(e)
        }
    }
}

/// Removes a database this command created and could not finish (with its WAL and shared-memory files).
fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn demo(
    path: &Path,
    clock: Arc<dyn Clock>,
    n: usize,
    seed: u64,
    township: Option<&str>,
    lang: Lang,
) -> Result<i32> {
    let township = match township {
        Some(t) => match region::parse_code(t) {
            Ok((code, Level::Township)) => Some(code),
            _ => {
                return Err(AppError::input(
                    format!("「{t}」不是乡镇代码；请用 12 位代码，如 610727101000（接官亭镇）"),
                    format!(
                        "'{t}' is not a township code; use a 12-digit code such as 610727101000"
                    ),
                ));
            }
        },
        None => None,
    };
    let existed = path.exists();
    if !existed {
        ensure_parent(path)?;
    }
    let started = std::time::Instant::now();
    let result = (|| -> Result<crate::demo::Summary> {
        let mut store = Store::open(path, OpenMode::CreateIfMissing, clock.clone())?;
        let dev = match device::get(store.conn()) {
            Ok(dev) => dev,
            Err(store::StoreError::NotInitialised) => {
                let region = township
                    .clone()
                    .unwrap_or_else(|| "610727000000".to_owned());
                if !store::regions::exists(store.conn(), &region)? {
                    return Err(store::StoreError::UnknownRegion(region).into());
                }
                let worker = match &township {
                    Some(t) => crate::demo::township_workers(t).remove(0),
                    None => "县综治中心 李明".to_owned(),
                };
                let (id, key) = crate::demo::demo_identity(seed, clock.now());
                let ctx = WriteCtx {
                    device: id,
                    actor: worker,
                    region: region.clone(),
                    now: clock.now(),
                };
                store.write_raw(|tx| device::init(tx, &ctx, &region, &key))?
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(t) = &township
            && &dev.region != t
        {
            return Err(AppError::input(
                format!(
                    "这个数据库属于 {}，不是 {t}；请换一个 --db 文件",
                    dev.region
                ),
                format!(
                    "This database belongs to {}, not {t}; use another --db file",
                    dev.region
                ),
            ));
        }
        let step = (n / 10).max(1);
        let mut progress = |done: usize| {
            if n >= 50_000 && done % step < 2000 {
                eprintln!("{} {done}/{n}", lang.pick("已生成", "generated"));
            }
        };
        Ok(crate::demo::generate(&mut store, n, seed, &mut progress)?)
    })();
    match result {
        Ok(s) => {
            println!(
                "{} {n} {}：{} {}，{} {}，{} {}（{} {}），{} {}，{} {}",
                lang.pick("已添加", "Added"),
                lang.pick("条记录", "records"),
                lang.pick("安全检查", "inspections"),
                s.inspections,
                lang.pick("隐患", "hazards"),
                s.hazards,
                lang.pick("巡查发现", "patrol findings"),
                s.findings,
                lang.pick("巡查", "patrols"),
                s.patrols,
                lang.pick("信访", "petitions"),
                s.petitions,
                lang.pick("场所", "places"),
                s.places
            );
            eprintln!(
                "{} {:.1} s",
                lang.pick("用时", "took"),
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }
        Err(e) => {
            if !existed {
                remove_db(path);
            }
            Err(e)
        }
    }
}

fn parse_day(s: Option<&str>, field: &'static str) -> Result<Option<NaiveDate>> {
    s.map(|s| validate::parse_date(field, s))
        .transpose()
        .map_err(|e| AppError::from(crate::domain::record::DomainError::from(e)))
}

fn report(
    path: &Path,
    clock: Arc<dyn Clock>,
    format: Format,
    out: Option<&Path>,
    from: Option<&str>,
    to: Option<&str>,
    lang: Lang,
) -> Result<i32> {
    let (from, to) = (parse_day(from, "date")?, parse_day(to, "date")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::input(
            "--from 不能晚于 --to",
            "--from cannot be after --to",
        ));
    }
    if matches!(format, Format::Xlsx) {
        return Err(AppError::input(
            "XLSX 格式随县级汇总功能提供，目前请用 --format csv（Excel 和 WPS 可直接打开）",
            "XLSX comes with the county exchange; use --format csv for now (Excel and WPS open it)",
        ));
    }
    let store = open(path, clock)?;
    let dev = device::get(store.conn())?;
    let r = report::build(store.conn(), store.now(), &dev.region, from, to)?;
    let mut bytes = Vec::new();
    match format {
        Format::Json => {
            bytes = serde_json::to_vec_pretty(&r).unwrap_or_default();
            bytes.push(b'\n');
        }
        Format::Csv => report::csv::write(&r, lang, &mut bytes)
            .map_err(|e| AppError::io(out.unwrap_or(Path::new("-")), e))?,
        Format::Table | Format::Xlsx => {
            let name = store::regions::name(store.conn(), &dev.region)?.unwrap_or_default();
            bytes = report::table::render(&r, &name, lang).into_bytes();
        }
    }
    match out {
        Some(file) => {
            let _ = std::fs::remove_file(file);
            let mut f = store::create_private_file(file).map_err(|e| AppError::io(file, e))?;
            f.write_all(&bytes)
                .and_then(|_| f.sync_all())
                .map_err(|e| AppError::io(file, e))?;
            eprintln!("{} {}", lang.pick("已写入", "Written to"), file.display());
        }
        None => {
            let _ = std::io::stdout().write_all(&bytes);
        }
    }
    Ok(0)
}

fn check(path: &Path, clock: Arc<dyn Clock>, lang: Lang) -> Result<i32> {
    let store = open(path, clock)?;
    let mut findings = store::check::run(store.conn(), store.today());
    findings.extend(store::check::file_permissions(path));
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    for f in &findings {
        let tag = match f.severity {
            Severity::Error => lang.pick("[错误]", "[error]"),
            Severity::Warning => lang.pick("[警告]", "[warning]"),
        };
        println!("{tag} {}", f.message(lang));
    }
    if errors == 0 {
        println!("{}", lang.pick("检查通过", "Check passed"));
        Ok(0)
    } else {
        println!(
            "{} {errors} {}",
            lang.pick("发现", "Found"),
            lang.pick("个错误", "errors")
        );
        Ok(1)
    }
}

/// Who acts: this device's current worker, or "-" on a database not yet initialised (regions and holidays may
/// be loaded before `init`).
fn ctx_or_system(store: &Store, clock: &Arc<dyn Clock>) -> WriteCtx {
    match device::get(store.conn()) {
        Ok(d) => WriteCtx {
            device: d.id,
            actor: d.worker,
            region: d.region,
            now: clock.now(),
        },
        Err(_) => WriteCtx {
            device: "-".into(),
            actor: "-".into(),
            region: "610727000000".into(),
            now: clock.now(),
        },
    }
}

fn read_file(file: &Path) -> Result<Vec<u8>> {
    if file.is_dir() {
        return Err(AppError::input(
            format!("{} 是文件夹，请给出 CSV 文件", file.display()),
            format!("{} is a folder; give a CSV file", file.display()),
        ));
    }
    std::fs::read(file).map_err(|e| AppError::io(file, e))
}

/// Imports regions. On a new file this creates the database (a village- or grid-level device needs its
/// regions before `init`); a failed import of a new file leaves no file behind.
fn regions_import(path: &Path, clock: Arc<dyn Clock>, file: &Path, lang: Lang) -> Result<i32> {
    let bytes = read_file(file)?;
    let existed = path.exists();
    if !existed {
        ensure_parent(path)?;
    }
    let result = (|| -> Result<(usize, bool)> {
        let mut store = Store::open(path, OpenMode::CreateIfMissing, clock.clone())?;
        let rows = {
            let conn = store.conn();
            let known = |code: &str| store::regions::exists(conn, code).unwrap_or(false);
            store::regions::parse_csv(file, &bytes, &known)?
        };
        let ctx = ctx_or_system(&store, &clock);
        let n = store.write_raw(|tx| store::regions::import(tx, &ctx, &rows))?;
        Ok((n, device::get(store.conn()).is_ok()))
    })();
    let (n, initialised) = match result {
        Ok(done) => done,
        Err(e) => {
            if !existed {
                remove_db(path);
            }
            return Err(e);
        }
    };
    println!(
        "{} {n} {}",
        lang.pick("已导入", "Imported"),
        lang.pick("个区划", "regions")
    );
    if !initialised {
        println!(
            "{}",
            lang.pick(
                "这个数据库还没有设置本设备：请运行 wangge init --region 区划代码 --worker 姓名",
                "This database has no device yet: run wangge init --region CODE --worker NAME"
            )
        );
    }
    Ok(0)
}

fn holidays_import(path: &Path, clock: Arc<dyn Clock>, file: &Path, lang: Lang) -> Result<i32> {
    let bytes = read_file(file)?;
    let text = store::regions::decode(&bytes);
    let rows = parse_holiday_csv(&text).map_err(|e| {
        AppError::input(
            format!(
                "{}：{}；没有导入任何内容",
                file.display(),
                e.message(Lang::Zh)
            ),
            format!(
                "{}: {}; nothing was imported",
                file.display(),
                e.message(Lang::En)
            ),
        )
    })?;
    let mut store = open(path, clock.clone())?;
    let ctx = ctx_or_system(&store, &clock);
    let n = store.write_raw(|tx| store::holidays::import(tx, &ctx, &rows))?;
    let mut years: Vec<i32> = rows
        .iter()
        .map(|r| chrono::Datelike::year(&r.date))
        .collect();
    years.dedup();
    println!(
        "{} {n} {}（{}）",
        lang.pick("已导入", "Imported"),
        lang.pick("天", "days"),
        years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(0)
}
