//! Commands that create or fill a database: `init`, `demo`, `regions import`, `holidays import`. A command
//! that created a new file and then failed removes it again: no half-made database is left behind.

use std::path::Path;
use std::sync::Arc;

use super::commands::{Result, ensure_parent, open};
use super::out::{print, read_input};
use crate::domain::clock::Clock;
use crate::domain::deadline::parse_holiday_csv;
use crate::domain::ids::{DeviceId, RegionCode};
use crate::domain::region::Level;
use crate::domain::{Lang, Localized, validate};
use crate::error::AppError;
use crate::store::{self, OpenMode, Store, WriteCtx, device};

/// The most records one demo run adds (a county's few years are about a million).
const MAX_DEMO_RECORDS: usize = 10_000_000;

/// Runs `f` on a database that may be created by it; if it was and `f` fails, the new file is removed.
fn creating<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let existed = path.exists();
    if !existed {
        ensure_parent(path)?;
    }
    let result = f();
    if result.is_err() && !existed {
        store::remove_db_files(path);
    }
    result
}

pub fn init(
    path: &Path,
    clock: Arc<dyn Clock>,
    region: &RegionCode,
    worker: &str,
    lang: Lang,
) -> Result<i32> {
    // The folders missing above the database, made by `init_device`: said, so nobody hunts for them.
    let missing: Vec<&Path> = path
        .ancestors()
        .skip(1)
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .collect();
    let (dev, name) = init_device(path, clock, region, worker)?;
    for dir in missing.iter().rev() {
        print(&format!(
            "{} {}",
            lang.pick("已创建文件夹", "Created folder"),
            dir.display()
        ))?;
    }
    print(&match lang {
        Lang::Zh => format!(
            "已初始化 {}：辖区 {} {name}，网格员 {}，设备 {}",
            path.display(),
            dev.region,
            dev.worker,
            dev.id
        ),
        Lang::En => format!(
            "Initialised {}: jurisdiction {} {name}, worker {}, device {}",
            path.display(),
            dev.region,
            dev.worker,
            dev.id
        ),
    })?;
    Ok(0)
}

/// Creates (if missing) and sets up a device database; returns the device and its region's name.
pub fn init_device(
    path: &Path,
    clock: Arc<dyn Clock>,
    code: &RegionCode,
    worker: &str,
) -> Result<(device::Device, String)> {
    let worker = validate::line("worker", worker, 50)?;
    creating(path, || {
        let mut store = Store::open(path, OpenMode::CreateIfMissing, clock.clone())?;
        let Some(name) = store::regions::name(store.conn(), code)? else {
            return Err(store::StoreError::UnknownRegion(code.to_string()).into());
        };
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| {
            AppError::input(
                format!("无法生成密钥：{e}"),
                format!("cannot make a key: {e}"),
            )
        })?;
        let now = clock.now();
        let ctx = WriteCtx {
            device: DeviceId::from_uuid(uuid::Uuid::now_v7()),
            actor: worker.clone(),
            region: code.clone(),
            now,
        };
        let dev = store.write_raw(|tx| device::init(tx, &ctx, code, &key))?;
        Ok((dev, name))
    })
}

pub fn demo(
    path: &Path,
    clock: Arc<dyn Clock>,
    n: usize,
    seed: u64,
    township: Option<&RegionCode>,
    lang: Lang,
) -> Result<i32> {
    if n > MAX_DEMO_RECORDS {
        return Err(AppError::input(
            format!("一次最多生成 {MAX_DEMO_RECORDS} 条演示记录"),
            format!("One demo run adds at most {MAX_DEMO_RECORDS} records"),
        ));
    }
    let township = match township {
        None => None,
        Some(code) if code.level() == Level::Township => Some(code),
        Some(code) => {
            let level = code.level();
            return Err(AppError::input(
                format!(
                    "{code} 是{}代码，不是乡镇代码；乡镇代码如 610727101000（接官亭镇）",
                    level.label(Lang::Zh)
                ),
                format!(
                    "{code} is a {} code, not a township's; for example 610727101000",
                    level.label(Lang::En)
                ),
            ));
        }
    };
    let started = std::time::Instant::now();
    let s = fill_demo(path, clock, n, seed, township, lang)?;
    print(&match lang {
        Lang::Zh => format!(
            "已添加 {n} 条记录：安全检查 {}，巡查发现 {}，信访 {}；另有隐患 {}，巡查 {}，场所 {}",
            s.inspections, s.findings, s.petitions, s.hazards, s.patrols, s.places
        ),
        Lang::En => format!(
            "Added {n} records: inspections {}, patrol findings {}, petitions {}; with them hazards {}, patrols {}, places {}",
            s.inspections, s.findings, s.petitions, s.hazards, s.patrols, s.places
        ),
    })?;
    eprintln!(
        "{} {:.1} s",
        lang.pick("用时", "took"),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

/// Creates (if missing) a demo database (as the county, or as a device of `township`) and adds `n` records. A new
/// one is made under a working name beside `path` (`store::claim_work_file`), held by this program alone, and
/// given its name only when whole, compacted on the way when large (`Store::move_to`): a run that fails leaves
/// nothing, and what a killed run leaves under the working name is cleared by the next run.
pub fn fill_demo(
    path: &Path,
    clock: Arc<dyn Clock>,
    n: usize,
    seed: u64,
    township: Option<&RegionCode>,
    lang: Lang,
) -> Result<crate::demo::Summary> {
    if path.exists() {
        // A run killed after its database reached its name, before it cleared its working file.
        match store::clear_work_file(path) {
            Err(store::StoreError::Busy) => {}
            other => other?,
        }
        let (store, summary) = fill(
            path,
            OpenMode::CreateIfMissing,
            clock,
            n,
            seed,
            township,
            lang,
        )?;
        super::commands::compact_if_due(&store, lang);
        return Ok(summary);
    }
    ensure_parent(path)?;
    let work = match store::claim_work_file(path) {
        Err(store::StoreError::Busy) => {
            return Err(AppError::input(
                format!(
                    "另一个程序正在生成演示数据库 {}（工作文件 {}.making）；请等它完成后再试",
                    path.display(),
                    path.display()
                ),
                format!(
                    "Another program is making the demo database {} (its working file {}.making); try again when it has finished",
                    path.display(),
                    path.display()
                ),
            ));
        }
        other => other?,
    };
    let result = (|| {
        let (store, summary) = fill(&work, OpenMode::CreateHeld, clock, n, seed, township, lang)?;
        let done = store.move_to(path, &mut |work| eprintln!("{}", work.message(lang)))?;
        if let Some(line) = crate::sync::words::compacted(&done, lang) {
            eprintln!("{line}");
        }
        Ok(summary)
    })();
    store::release_work_file(&work);
    result
}

/// Opens (`mode`) the demo database at `path`, initialising it if new, and adds `n` records.
fn fill(
    path: &Path,
    mode: OpenMode,
    clock: Arc<dyn Clock>,
    n: usize,
    seed: u64,
    township: Option<&RegionCode>,
    lang: Lang,
) -> Result<(Store, crate::demo::Summary)> {
    let mut store = super::commands::open_as(path, mode, clock.clone(), lang)?;
    let dev = match device::get(store.conn()) {
        Ok(dev) => dev,
        Err(store::StoreError::NotInitialised) => {
            let region = township.cloned().unwrap_or_else(builtin_county);
            let worker = match township {
                Some(t) => crate::demo::township_workers(t).remove(0),
                None => "县综治中心 李明".to_owned(),
            };
            let (id, key) = crate::demo::demo_identity(seed, &region, clock.now());
            let ctx = WriteCtx {
                device: id,
                actor: worker,
                region: region.clone(),
                now: clock.now(),
            };
            store.write_raw(|tx| {
                let dev = device::init(tx, &ctx, &region, &key)?;
                device::set_setting(tx, "demo", "1")?;
                Ok(dev)
            })?
        }
        Err(e) => return Err(e.into()),
    };
    if device::setting(store.conn(), "demo")?.is_none() {
        return Err(AppError::input(
            "这是用 init 设置的真实设备数据库，不能加入演示数据；请用另一个 --db 文件生成演示数据",
            "This is a real device's database (set up with init); demo data goes into another --db file",
        ));
    }
    if let Some(t) = township
        && dev.region != *t
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
    let summary = crate::demo::generate(&mut store, n, seed, &mut progress)?;
    Ok((store, summary))
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
            device: DeviceId::from_uuid(uuid::Uuid::nil()),
            actor: "-".into(),
            region: builtin_county(),
            now: clock.now(),
        },
    }
}

/// The county built into the schema (略阳县).
fn builtin_county() -> RegionCode {
    RegionCode::typed("610727").unwrap_or_else(|_| unreachable!("a valid built-in code"))
}

/// Imports regions. On a new file this creates the database (a village- or grid-level device needs its
/// regions before `init`).
pub fn regions_import(path: &Path, clock: Arc<dyn Clock>, file: &Path, lang: Lang) -> Result<i32> {
    let bytes = read_input(file)?;
    let (n, initialised) = creating(path, || {
        let mut store =
            super::commands::open_as(path, OpenMode::CreateIfMissing, clock.clone(), lang)?;
        let rows = {
            let conn = store.conn();
            let known = |code: &RegionCode| store::regions::exists(conn, code).unwrap_or(false);
            store::regions::parse_csv(file, &bytes, &known)?
        };
        let ctx = ctx_or_system(&store, &clock);
        let n = store.write_raw(|tx| store::regions::import(tx, &ctx, &rows))?;
        Ok((n, device::get(store.conn()).is_ok()))
    })?;
    let mut text = match lang {
        Lang::Zh => format!("已导入 {n} 个区划"),
        Lang::En => format!(
            "Imported {}",
            crate::domain::text::count(n as u64, "region", "regions")
        ),
    };
    if !initialised {
        text.push('\n');
        text.push_str(&match lang {
            Lang::Zh => format!("这个数据库还没有设置本设备：请运行 wangge --db {} init --region 区划代码 --worker 姓名", path.display()),
            Lang::En => format!("This database has no device yet: run wangge --db {} init --region CODE --worker NAME", path.display()),
        });
    }
    print(&text)?;
    Ok(0)
}

pub fn holidays_import(path: &Path, clock: Arc<dyn Clock>, file: &Path, lang: Lang) -> Result<i32> {
    let bytes = read_input(file)?;
    let text = store::regions::decode(&bytes).ok_or_else(|| store::regions::not_text(file))?;
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
    if rows.is_empty() {
        return Err(AppError::input(
            format!("{} 里没有节假日行；没有导入任何内容", file.display()),
            format!(
                "{} holds no holiday rows; nothing was imported",
                file.display()
            ),
        ));
    }
    let mut store = open(path, clock.clone(), lang)?;
    let ctx = ctx_or_system(&store, &clock);
    let n = store.write_raw(|tx| store::holidays::import(tx, &ctx, &rows))?;
    let mut years: Vec<String> = rows
        .iter()
        .map(|r| chrono::Datelike::year(&r.date).to_string())
        .collect();
    years.dedup();
    print(&match lang {
        Lang::Zh => format!("已导入 {n} 天（{}）", years.join("、")),
        Lang::En => format!(
            "Imported {} ({})",
            crate::domain::text::count(n as u64, "day", "days"),
            years.join(", ")
        ),
    })?;
    Ok(0)
}
