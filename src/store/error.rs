//! What can go wrong in the store, each said in one human sentence (zh/en).

use std::path::PathBuf;

use crate::domain::record::{DomainError, Family};
use crate::domain::{Lang, Localized};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database not found: {0}")]
    Missing(PathBuf),
    #[error("not a wangge database: {0}")]
    NotWangge(PathBuf),
    #[error("database schema {found} is newer than this program ({supported})")]
    TooNew { found: i64, supported: i64 },
    #[error("database not initialised")]
    NotInitialised,
    #[error("already initialised")]
    AlreadyInitialised { region: String },
    #[error("{0}")]
    Domain(#[from] DomainError),
    #[error("stale version")]
    Stale { family: Family, read: u64, now: u64 },
    #[error("no such record")]
    NoRecord { family: Family, id: String },
    #[error("outside jurisdiction")]
    OutsideJurisdiction { code: String, region: String },
    #[error("unknown region {0}")]
    UnknownRegion(String),
    #[error("bad file")]
    BadFile {
        path: PathBuf,
        line: Option<usize>,
        zh: String,
        en: String,
    },
    /// A request this database cannot carry out, already phrased in both languages.
    #[error("{en}")]
    Refused { zh: String, en: String },
    #[error("database busy")]
    Busy,
    #[error("read-only database")]
    ReadOnly,
    #[error("damaged database: {0}")]
    Corrupt(String),
    #[error("disk full")]
    DiskFull,
    #[error("cannot open {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("sqlite: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

impl StoreError {
    pub fn refused(zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Refused {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn bad_file(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        StoreError::BadFile {
            path: path.into(),
            line,
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl Localized for StoreError {
    fn message(&self, lang: Lang) -> String {
        use StoreError as E;
        match (self, lang) {
            (E::Missing(p), Lang::Zh) => format!(
                "数据库文件 {} 不存在。新设备请先运行 wangge --db {} init --region 区划代码 --worker 姓名，或用 demo 生成演示数据",
                p.display(),
                p.display()
            ),
            (E::Missing(p), Lang::En) => format!(
                "The database {} does not exist. Set up this device first with wangge --db {} init --region CODE --worker NAME, or make demo data with demo",
                p.display(),
                p.display()
            ),
            (E::NotWangge(p), Lang::Zh) => format!("{} 不是 wangge 数据库，没有对它做任何改动；请检查 --db 路径", p.display()),
            (E::NotWangge(p), Lang::En) => {
                format!("{} is not a wangge database; it was left untouched. Check the --db path", p.display())
            }
            (E::TooNew { found, supported }, Lang::Zh) => format!(
                "这个数据库由更新版本的 wangge 创建（结构版本 {found}，本程序只支持到 {supported}），请先升级 wangge"
            ),
            (E::TooNew { found, supported }, Lang::En) => format!(
                "This database was made by a newer wangge (schema {found}; this program supports up to {supported}); please upgrade wangge"
            ),
            (E::NotInitialised, Lang::Zh) => {
                "这个数据库还没有设置本设备，请先运行 wangge init --region 区划代码 --worker 姓名".to_owned()
            }
            (E::NotInitialised, Lang::En) => {
                "This database has no device set up yet; run wangge init --region CODE --worker NAME first".to_owned()
            }
            (E::AlreadyInitialised { region }, Lang::Zh) => {
                format!("这个数据库已经初始化过（辖区 {region}），没有改动；要新建请换一个 --db 文件")
            }
            (E::AlreadyInitialised { region }, Lang::En) => {
                format!("This database is already set up (jurisdiction {region}); nothing changed. Use another --db file for a new one")
            }
            (E::Domain(e), _) => e.message(lang),
            (E::Stale { family, read, now }, Lang::Zh) => format!(
                "这条{}已被修改（您看到的是第 {read} 版，现在是第 {now} 版），没有保存；请重新载入后再改",
                family.label(lang)
            ),
            (E::Stale { family, read, now }, Lang::En) => format!(
                "This {} was changed meanwhile (you read version {read}, it is now {now}); nothing was saved. Reload and edit again",
                family.label(lang)
            ),
            (E::NoRecord { family, id }, Lang::Zh) => format!("找不到{} {id}", family.label(lang)),
            (E::NoRecord { family, id }, Lang::En) => format!("No {} with id {id}", family.label(lang)),
            (E::OutsideJurisdiction { code, region }, Lang::Zh) => {
                format!("区划 {code} 不在本设备辖区 {region} 之内")
            }
            (E::OutsideJurisdiction { code, region }, Lang::En) => {
                format!("Region {code} lies outside this device's jurisdiction {region}")
            }
            (E::UnknownRegion(code), Lang::Zh) => {
                format!("没有区划 {code}；请先用 wangge regions import 导入村和网格，或用 regions list 查看")
            }
            (E::UnknownRegion(code), Lang::En) => {
                format!("There is no region {code}; import villages and grids with wangge regions import, or see regions list")
            }
            (E::BadFile { path, line, zh, en: _ }, Lang::Zh) => match line {
                Some(l) => format!("{} 第 {l} 行有误：{zh}；没有导入任何内容", path.display()),
                None => format!("{} 有误：{zh}；没有导入任何内容", path.display()),
            },
            (E::BadFile { path, line, zh: _, en }, Lang::En) => match line {
                Some(l) => format!("{} line {l}: {en}; nothing was imported", path.display()),
                None => format!("{}: {en}; nothing was imported", path.display()),
            },
            (E::Refused { zh, .. }, Lang::Zh) => zh.clone(),
            (E::Refused { en, .. }, Lang::En) => en.clone(),
            (E::Busy, Lang::Zh) => "数据库正被另一个程序（如导入）占用，请稍后再试；您的内容没有丢失".to_owned(),
            (E::Busy, Lang::En) => {
                "The database is busy with another program (an import?); try again shortly. Nothing was lost".to_owned()
            }
            (E::Io { path, source }, _) => io_message(path, source, lang),
            (E::ReadOnly, Lang::Zh) => {
                "数据库文件或它所在的文件夹是只读的，无法写入；请检查权限（文件和文件夹都需要可写）".to_owned()
            }
            (E::ReadOnly, Lang::En) => {
                "The database file or its folder is read-only; check the permissions (both must be writable)".to_owned()
            }
            (E::Corrupt(detail), Lang::Zh) => {
                format!("数据库文件已损坏（{detail}）；请用最近的备份恢复，并保留损坏的文件以便检查")
            }
            (E::Corrupt(detail), Lang::En) => {
                format!("The database file is damaged ({detail}); restore the latest backup and keep the damaged file")
            }
            (E::DiskFull, Lang::Zh) => "磁盘已满，这次没有保存；请清理空间后重试，之前保存的数据不受影响".to_owned(),
            (E::DiskFull, Lang::En) => {
                "The disk is full and nothing was saved; free some space and try again. Earlier data is safe".to_owned()
            }
            (E::Sqlite(e), Lang::Zh) => format!("数据库出错：{e}；请运行 wangge check 检查数据库"),
            (E::Sqlite(e), Lang::En) => format!("Database error: {e}; run wangge check to examine the database"),
        }
    }
}

/// An IO failure on `path`, said in the reader's language (the OS's own words only as a last resort).
pub fn io_message(path: &std::path::Path, e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let what = match (e.kind(), lang) {
        (K::NotFound, Lang::Zh) => "文件或文件夹不存在，请检查路径".to_owned(),
        (K::NotFound, Lang::En) => "it does not exist; check the path".to_owned(),
        (K::PermissionDenied, Lang::Zh) => "没有权限，请检查文件和文件夹的权限".to_owned(),
        (K::PermissionDenied, Lang::En) => {
            "permission denied; check the file and folder permissions".to_owned()
        }
        (K::AlreadyExists, Lang::Zh) => "文件已存在，不会覆盖；请换一个文件名".to_owned(),
        (K::AlreadyExists, Lang::En) => {
            "the file exists and will not be overwritten; use another name".to_owned()
        }
        (K::StorageFull, Lang::Zh) => "磁盘已满，请清理空间后重试".to_owned(),
        (K::StorageFull, Lang::En) => "the disk is full; free some space and try again".to_owned(),
        (K::IsADirectory, Lang::Zh) => "这是一个文件夹，请给出文件".to_owned(),
        (K::IsADirectory, Lang::En) => "it is a folder; give a file".to_owned(),
        (K::ReadOnlyFilesystem, Lang::Zh) => "所在磁盘是只读的".to_owned(),
        (K::ReadOnlyFilesystem, Lang::En) => "the disk is read-only".to_owned(),
        (_, Lang::Zh) => format!("系统错误：{e}"),
        (_, Lang::En) => e.to_string(),
    };
    match lang {
        Lang::Zh => format!("无法访问 {}：{what}", path.display()),
        Lang::En => format!("Cannot use {}: {what}", path.display()),
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
