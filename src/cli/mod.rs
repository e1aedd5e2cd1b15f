//! The command line (clap). This contract is fixed: later issues and the project's checks rely on it.
//! Every command honours `WANGGE_NOW` (an RFC 3339 instant that replaces the clock).

mod commands;
mod exchange;
mod keys;
mod out;
mod reports;
mod retention;
mod review;
mod setup;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::ids::{BadId, DeviceId, PublicKey, RecordId, RegionCode};
use crate::domain::{Lang, Localized};

/// The language of the command line, read from `--lang` or `WANGGE_LANG` before clap parses the rest, so that
/// a refused value is told in it.
static ARG_LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

fn lang_of(args: &[String]) -> Lang {
    let flag = args
        .windows(2)
        .find_map(|w| (w[0] == "--lang").then(|| w[1].clone()));
    let inline = args
        .iter()
        .find_map(|a| a.strip_prefix("--lang=").map(str::to_owned));
    let chosen = flag
        .or(inline)
        .or_else(|| std::env::var("WANGGE_LANG").ok());
    match chosen {
        Some(v) if v.trim().to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// A value clap refuses (exit 2), said in the command line's language.
fn both(e: BadId) -> String {
    e.message(*ARG_LANG.get().unwrap_or(&Lang::Zh))
}

/// A region code as a person types it (spaces, full-width digits and a county's 6 digits are taken).
fn region_arg(s: &str) -> Result<RegionCode, String> {
    RegionCode::typed(s).map_err(both)
}

/// A device id as a person types or pastes it.
fn device_arg(s: &str) -> Result<DeviceId, String> {
    DeviceId::typed(s).map_err(both)
}

/// A record id as a person types or pastes it.
fn record_arg(s: &str) -> Result<RecordId, String> {
    RecordId::typed(s).map_err(both)
}

/// A day as a person types it (2026-11-01, 2026/11/1, 20261101, full-width digits).
fn date_arg(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::domain::validate::parse_date("date", s)
        .map_err(|e| e.message(*ARG_LANG.get().unwrap_or(&Lang::Zh)))
}

/// A signing key as a person types or pastes it.
fn key_arg(s: &str) -> Result<PublicKey, String> {
    PublicKey::typed(s).map_err(both)
}

#[derive(Debug, Parser)]
#[command(
    name = "wangge",
    version,
    about = "网格员工作台：安全检查、秦岭巡查、信访 / The grid worker's tool: inspections, Qinling patrols, petitions",
    after_help = "环境变量 / Environment: WANGGE_DB (数据库 database), WANGGE_LANG (zh|en), WANGGE_NOW (RFC 3339 时间 instant)"
)]
pub struct Cli {
    /// 数据库文件 / database file [默认 default: $WANGGE_DB, 否则 else ~/.local/share/wangge/wangge.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// 界面语言 / language: zh (默认 default) | en [$WANGGE_LANG]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// 当前网格员（操作界面）/ the worker at the keyboard (TUI)
    #[arg(long, value_name = "NAME")]
    pub worker: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Xlsx,
}

/// How a ledger is written: a spreadsheet to print (xlsx), to open (csv), or one flat object a line for
/// analysts' engines (jsonl).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LedgerFormat {
    Xlsx,
    Csv,
    Jsonl,
}

/// The families that have a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LedgerFamily {
    Hazards,
    Inspections,
    Findings,
    Petitions,
}

impl LedgerFamily {
    pub fn family(self) -> crate::domain::record::Family {
        use crate::domain::record::Family;
        match self {
            LedgerFamily::Hazards => Family::Hazard,
            LedgerFamily::Inspections => Family::Inspection,
            LedgerFamily::Findings => Family::Finding,
            LedgerFamily::Petitions => Family::Petition,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 设置本设备：辖区和第一位网格员 / set up this device: jurisdiction and first worker
    Init {
        /// 辖区代码：县 610727、乡镇 12 位、村 12 位或网格 15 位 / county, township, village or grid code
        #[arg(long, value_name = "CODE", value_parser = region_arg)]
        region: RegionCode,
        /// 第一位网格员姓名 / the first worker's name
        #[arg(long, value_name = "NAME")]
        worker: String,
    },
    /// 生成略阳县演示数据（可复现）/ fill a database with realistic, deterministic demo data
    Demo {
        /// 顶层记录数（检查、巡查发现、信访合计）/ top-level records (inspections, findings, petitions)
        #[arg(long, value_name = "N")]
        records: usize,
        /// 随机种子 / random seed
        #[arg(long, default_value_t = 1, value_name = "S")]
        seed: u64,
        /// 作为该乡镇的设备新建（默认作为县）/ set a new database up as a device of this township
        #[arg(long, value_name = "CODE", value_parser = region_arg)]
        township: Option<RegionCode>,
    },
    /// 全县和各乡镇汇总 / county and per-township figures
    Report {
        /// 格式（默认 table；--out 的扩展名 .json/.csv/.xlsx 也可决定）/ format (default table, or from --out's extension)
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// 写入文件（仅本人可读）/ write to this file (owner-only)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// 统计期起（含），如 2026-11-01 / period start (inclusive)
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        from: Option<chrono::NaiveDate>,
        /// 统计期止（含）/ period end (inclusive)
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        to: Option<chrono::NaiveDate>,
    },
    /// 写出台账（逐条记录，个人信息已遮蔽）/ write a record-level ledger (personal data masked)
    Ledger {
        /// 哪类台账 / which ledger
        #[arg(long, value_enum)]
        family: LedgerFamily,
        /// 格式（默认按 --out 的扩展名；写到标准输出时默认 csv）/ format (default: from --out's extension; csv to stdout)
        #[arg(long, value_enum)]
        format: Option<LedgerFormat>,
        /// 台账文件（仅本人可读）；不给此项或写 --out - 时，csv、jsonl 写到标准输出 / the file (owner-only); without it, or with --out -, csv and jsonl go to stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// 起（含），按发现、检查或登记日期 / from (inclusive), by the date found, inspected or received
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        from: Option<chrono::NaiveDate>,
        /// 止（含）/ to (inclusive)
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        to: Option<chrono::NaiveDate>,
        /// 只含该区划（乡镇、村或网格）内的记录 / only records inside this region
        #[arg(long, value_name = "CODE", value_parser = region_arg)]
        region: Option<RegionCode>,
    },
    /// 搜索（与操作界面的 / 相同；信访人姓名可搜，显示时遮蔽）/ search, as the app's / does (names matched, shown masked)
    Search {
        /// 要找的字词 / what to look for
        query: String,
        /// 列出的条数 / how many hits to list
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// 检查数据库完整性和业务规则 / integrity check plus the domain's invariants
    Check,
    /// 重建搜索索引（check 提示时）/ rebuild the search index (when check says so)
    Reindex,
    /// 本数据库的设置：列出或修改 / this database's settings: list or change one
    Setting {
        #[command(subcommand)]
        action: SettingCmd,
    },
    /// 清除保存期满的信访人个人信息（先只计数）/ erase petitioners' personal data of cases ended before a date
    PurgePersonal {
        /// 此日期之前办结的信访件，如 2023-01-01 / cases whose last step came before this date
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        closed_before: chrono::NaiveDate,
        /// 确认清除（不可恢复；不加只计数）/ erase for real (cannot be undone; without it only counts)
        #[arg(long)]
        yes: bool,
    },
    /// 整理数据库文件，收回空闲空间 / compact the file: free space back, tables in one piece
    Compact,
    /// 备份数据库（运行中也可）/ consistent copy of the database, even while others write
    Backup {
        /// 备份文件（不覆盖已有文件）/ the copy (never overwrites)
        file: PathBuf,
    },
    /// 区划：列出，或从 CSV 导入村和网格 / regions: list, or import villages and grids from CSV
    Regions {
        #[command(subcommand)]
        action: RegionsCmd,
    },
    /// 节假日表：列出，或导入次年放假通知 / holiday table: list, or import next year's notice
    Holidays {
        #[command(subcommand)]
        action: HolidaysCmd,
    },
    /// 导出交换包（自上次导出以来的全部变更）/ write one signed bundle of the changes since the last export
    Export {
        /// 交换包写入的文件夹（U 盘或共享文件夹）/ folder the bundle is written into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// 发给哪个区划（默认上级；县发给乡镇用乡镇代码）/ destination region (default: the one above)
        #[arg(long, value_name = "CODE", value_parser = region_arg)]
        to: Option<RegionCode>,
        /// 重发全部（补缺失的批次）/ re-send everything (heals a gap)
        #[arg(long)]
        full: bool,
    },
    /// 导入交换包（先校验，后合并）或县里的回执 / verify, then merge bundle files (or take the county's acknowledgement)
    Import {
        /// 交换包或回执文件，可多个 / bundle or acknowledgement files
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// 只报告，不写入 / report without writing
        #[arg(long)]
        dry_run: bool,
    },
    /// 县级：给每台发来过交换包的设备写回执（已签名）/ county: signed acknowledgements per device
    Ack {
        /// 写到这个文件夹 / into this folder
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// 交办：把隐患或信访件交给下级乡镇或网格，限期办理 / assign a hazard or petition down, with a deadline
    Assign {
        /// 隐患编号 / the hazard's id
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "petition",
            required_unless_present = "petition",
            value_parser = record_arg
        )]
        hazard: Option<RecordId>,
        /// 信访件编号 / the petition's id
        #[arg(long, value_name = "ID", value_parser = record_arg)]
        petition: Option<RecordId>,
        /// 交给哪个乡镇或网格 / the township or grid that must handle it
        #[arg(long, value_name = "CODE", value_parser = region_arg)]
        to: RegionCode,
        /// 办理期限 / deadline, e.g. 2026-12-10
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        deadline: chrono::NaiveDate,
        /// 交办要求 / what is asked
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// 本设备的编号和签名公钥 / this device's id and signing key
    Key {
        #[command(subcommand)]
        action: KeyCmd,
    },
    /// 信任的设备：登记、列出、确认、撤销 / trusted devices: add, list, confirm, revoke
    Trust {
        #[command(subcommand)]
        action: TrustCmd,
    },
    /// 加密接收方（县级名片）：登记、列出、移除 / the recipients bundles are encrypted to
    Recipient {
        #[command(subcommand)]
        action: RecipientCmd,
    },
    /// 同步状态：各设备的批次、缺失、分叉、隔离、冲突 / exchange status: batches, gaps, forks, quarantine, conflicts
    Sync {
        #[command(subcommand)]
        action: SyncCmd,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingCmd {
    /// 列出全部设置 / list every setting
    List,
    /// 修改一项设置 / change one setting
    Set {
        #[arg(value_enum)]
        key: SettingKey,
        /// 新值 / the new value
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
}

/// The settings a person may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SettingKey {
    /// 交换包的时间最多可比本机晚几小时（默认 24）/ how many hours a bundle's clock may run ahead of this machine's (24)
    ClockToleranceHours,
    /// 重复信访的认定期（天，默认 365）/ the repeat-petition window in days (365)
    RepeatWindowDays,
    /// 法定期限按自然日（calendar）还是工作日（working）计算 / statutory periods in calendar or working days
    DayCount,
}

#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// 显示设备编号和公钥（县级还有加密公钥 age1…）/ print the device id and keys (at the county also its age1… recipient)
    Show,
    /// 县级：创建加密密钥对 / county: create the encryption key pair
    CountyInit,
    /// 县级：写出县级名片（加密公钥和签名公钥，已签名），发给各乡镇 / county: write the signed county card
    Card {
        /// 名片文件（不覆盖已有文件）/ the card file (never overwrites)
        file: PathBuf,
    },
    /// 县级：导出私钥，供用 age 工具手工解密（仅本人可读，妥善保管）/ county: write the identity for the age tool
    ExportIdentity {
        /// 私钥文件（不覆盖已有文件）/ the identity file (never overwrites)
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecipientCmd {
    /// 登记县级名片（或直接给出 age1… 公钥）/ register the county card, or a recipient age1…
    Add {
        /// 县级名片文件 / the county card
        #[arg(long, value_name = "FILE", conflicts_with = "recipient")]
        card: Option<PathBuf>,
        /// 加密公钥 age1… / the recipient
        #[arg(required_unless_present = "card")]
        recipient: Option<String>,
    },
    /// 列出 / list
    List,
    /// 移除 / remove
    Remove { recipient: String },
}

#[derive(Debug, Subcommand)]
pub enum TrustCmd {
    /// 事先登记一台设备 / register a device ahead of its first bundle
    Add {
        #[arg(long, value_name = "ID", value_parser = device_arg)]
        device: DeviceId,
        /// 公钥（64 位十六进制）/ public key (64 hex digits)
        #[arg(long, value_name = "HEX", value_parser = key_arg)]
        key: PublicKey,
        #[arg(long, value_name = "CODE", value_parser = region_arg)]
        region: RegionCode,
    },
    /// 列出设备 / list devices
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// 确认首次见到的设备（暂存的交换包随即合并）/ confirm a device first seen in a bundle (what was held is merged)
    Confirm {
        #[arg(value_parser = device_arg)]
        device: DeviceId,
    },
    /// 撤销信任（此后拒收，隔离和暂存的一并丢弃）/ revoke (its bundles are refused; what it left held is dropped)
    Revoke {
        #[arg(value_parser = device_arg)]
        device: DeviceId,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncCmd {
    /// 各设备状态 / per-device status
    Status {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// 查看一个冲突：两版逐项对比 / show a conflict: both versions, field by field
    Conflict {
        /// 冲突编号（sync status 中的 #N）/ the conflict's number (#N in sync status)
        id: i64,
    },
    /// 处理冲突：保留一版，理由记入审计日志 / resolve a conflict: keep one version, the reason goes to the audit log
    Resolve {
        /// 冲突编号 / the conflict's number
        id: i64,
        /// current = 保留现在这版；other = 改用另一版 / keep the current version, or take the other
        #[arg(long, value_enum)]
        keep: KeepArg,
        /// 处理理由 / why
        #[arg(long)]
        note: String,
    },
    /// 重新检查隔离区：所缺的记录已到或已有更新版本的放行 / check the quarantine again
    Retry,
    /// 清除县里已确认收到、且超过保留期的删除记录 / erase tombstones the county confirmed, after a retention period
    Purge {
        /// 保留天数 / days to keep a tombstone after its deletion
        #[arg(long, default_value_t = 90, value_name = "DAYS")]
        keep_days: i64,
    },
    /// 丢弃一条隔离记录（请对方改正后重发），理由记入审计日志 / discard a held record, with a reason
    Discard {
        /// 隔离编号（sync status 中的 #N）/ its number (#N in sync status)
        id: i64,
        /// 处理理由 / why
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepArg {
    Current,
    Other,
}

#[derive(Debug, Subcommand)]
pub enum RegionsCmd {
    /// 列出区划 / list regions
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// 导入 CSV：code,name,level,parent（UTF-8 或 GBK）/ import CSV (UTF-8 or GBK)
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum HolidaysCmd {
    /// 列出节假日 / list holidays
    List {
        #[arg(long)]
        year: Option<i32>,
    },
    /// 导入 CSV：date,kind,name_zh,name_en（kind：holiday 或 workday）/ import CSV
    Import { file: PathBuf },
}

/// The usage line of the deepest (sub)command named in `args`.
fn usage_of(args: impl Iterator<Item = String>) -> String {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    for a in args {
        if let Some(sub) = cmd.find_subcommand(&a) {
            let name = format!(
                "{} {}",
                cmd.get_bin_name().unwrap_or("wangge"),
                sub.get_name()
            );
            cmd = sub.clone().bin_name(name);
        }
    }
    cmd.render_usage().to_string()
}

/// Runs the command line; returns the process exit code. Never panics on user input.
pub fn main() -> i32 {
    // Arguments as the system gives them (a file name need not be UTF-8).
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let text: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let _ = ARG_LANG.set(lang_of(&text));
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            // A malformed value is told with the usage line of its command, as a missing one is.
            if e.use_stderr() && !e.to_string().contains("Usage:") {
                eprintln!("\n{}", usage_of(text.iter().skip(1).cloned()));
            }
            return code;
        }
    };
    let lang = match cli.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Zh) => Lang::Zh,
        // The environment never breaks a command: anything but English means Chinese.
        None => match std::env::var("WANGGE_LANG") {
            Ok(v) if v.trim().to_ascii_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        },
    };
    match commands::run(cli, lang) {
        Ok(code) => code,
        Err(e) => {
            // File names and any outside text a message quotes are neutralised like record text.
            eprintln!("{}", crate::domain::text::sanitize_lines(&e.message(lang)));
            match e {
                crate::error::AppError::Usage { usage, .. } => {
                    eprintln!("\n{usage}\n\nFor more information, try '--help'.");
                    2
                }
                _ => 1,
            }
        }
    }
}
