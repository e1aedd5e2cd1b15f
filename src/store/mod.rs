//! The store: one SQLite file per device. Opening (WAL, synchronous=FULL, foreign keys, busy timeout, owner-only
//! files), migrations, and the single write path that every mutation takes: one `BEGIN IMMEDIATE` transaction
//! that validates through `domain`, writes the row, bumps its version vector, and appends timeline, audit and
//! journal rows. Every SQL statement of the project lives under this folder.

pub mod assignments;
pub mod audit;
pub mod check;
pub mod dashboard;
pub mod desk;
pub mod device;
pub mod error;
pub mod exchange;
pub mod fields;
mod file;
pub mod hazards;
pub mod held;
pub mod holidays;
pub mod idsql;
pub mod inspections;
pub mod keys;
pub mod labels;
pub mod ledger;
pub mod lists;
pub mod migrate;
pub mod outbound;
pub mod patrols;
pub mod petitions;
pub mod places;
pub mod records;
pub mod regions;
mod remember;
pub mod report;
pub mod report_pass;
pub mod retention;
pub mod scan;
pub mod scan_events;
pub mod search;
pub mod timeline;
pub mod tombstones;
pub mod version;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::domain::Localized;
use crate::domain::clock::{self, Clock};
use crate::domain::ids::{DeviceId, RegionCode};
pub use error::{Result, StoreError};
use file::make_private;
pub use file::{
    claim_work_file, clear_work_file, create_private_file, release_work_file, remove_db_files,
    sync_dir, temp_beside,
};

/// SQLite files begin with this header.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// `PRAGMA application_id` of a wangge database ("WGGE").
pub const APPLICATION_ID: i32 = 0x5747_4745;

/// The page cache while browsing, in KiB (negative: SQLite's unit for a size rather than a page count).
const BROWSE_CACHE_KIB: i64 = -8192;

/// Work that takes a minute or more at a million records, said before it starts: an upgrade or a rebuild of the
/// search index on opening, a compaction after a large write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongWork {
    /// Its schema is brought from version `from` up to `to` (the search index may be rebuilt after).
    Upgrade { from: i64, to: i64 },
    /// Its search index is rebuilt (a bulk write or an upgrade left it stale).
    Reindex,
    /// Its file is compacted after a large write (`Store::compaction_due`).
    Compact,
}

impl LongWork {
    /// What a person waiting is told.
    pub fn message(self, lang: crate::domain::Lang) -> String {
        use crate::domain::Lang;
        match (self, lang) {
            (LongWork::Upgrade { from, to }, Lang::Zh) => format!(
                "正在升级数据库（第 {from} 版 → 第 {to} 版）；百万条记录约需一两分钟，请勿关闭……"
            ),
            (LongWork::Upgrade { from, to }, Lang::En) => format!(
                "Upgrading the database (schema {from} to {to}); a million records take a minute or two, do not close…"
            ),
            (LongWork::Reindex, Lang::Zh) => {
                "正在重建搜索索引；百万条记录约需一分钟，请勿关闭……".into()
            }
            (LongWork::Reindex, Lang::En) => {
                "Rebuilding the search index; a million records take about a minute, do not close…"
                    .into()
            }
            (LongWork::Compact, Lang::Zh) => {
                "数据库比上次整理时增长了四分之一，或四分之一是空闲页：正在整理文件（重启后的报表读得更快）；百万条记录约需一分钟……".into()
            }
            (LongWork::Compact, Lang::En) => {
                "The database grew by a quarter since it was last compacted, or a quarter of it is free: compacting the file (a report after a restart reads faster); a million records take about a minute…".into()
            }
        }
    }
}

/// Whether opening may create the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// The database must exist already.
    Existing,
    /// Create an empty, owner-only database if the file is missing.
    CreateIfMissing,
    /// As `CreateIfMissing`, and held by this store alone until it is closed (SQLite's exclusive locking mode,
    /// from the first read): a database made under a working name (`claim_work_file`), which no other program
    /// opens meanwhile and which `Store::move_to` gives its name at the end.
    CreateHeld,
}

/// Who acts and when: passed to every write.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub device: DeviceId,
    /// The worker who acts.
    pub actor: String,
    /// This device's jurisdiction: every record written lies inside it.
    pub region: RegionCode,
    pub now: DateTime<Utc>,
}

impl WriteCtx {
    pub fn now_ms(&self) -> i64 {
        clock::to_ms(self.now)
    }
    pub fn today(&self) -> NaiveDate {
        clock::china_date(self.now)
    }
}

/// An open wangge database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: Arc<dyn Clock>,
    /// Set when a write found the database locked by another program past the busy timeout.
    locked_out: std::cell::Cell<bool>,
    /// Set when opening found the search index stale and could not rebuild it.
    index_failed: Option<String>,
}

impl Store {
    /// Opens (or, with `CreateIfMissing`, creates) a database and brings its schema up to date.
    /// A file that is not a wangge database is refused and left untouched.
    pub fn open(path: &Path, mode: OpenMode, clock: Arc<dyn Clock>) -> Result<Store> {
        Store::open_noting(path, mode, clock, &mut |_| {})
    }

    /// `open`, telling `note` before it starts work that can take a minute on a large database (an upgrade of
    /// its schema, a rebuild of its search index), so that whoever waits can be told why.
    pub fn open_noting(
        path: &Path,
        mode: OpenMode,
        clock: Arc<dyn Clock>,
        note: &mut dyn FnMut(LongWork),
    ) -> Result<Store> {
        let io = |source| StoreError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() || !meta.is_file() => {
                return Err(StoreError::NotWangge(path.to_owned()));
            }
            Ok(meta) if meta.len() > 0 => {
                let mut head = [0u8; 16];
                let mut f = std::fs::File::open(path).map_err(io)?;
                if std::io::Read::read_exact(&mut f, &mut head).is_err() || &head != SQLITE_MAGIC {
                    return Err(StoreError::NotWangge(path.to_owned()));
                }
            }
            // An empty file is a new database only where creating one was asked for.
            Ok(_) if mode == OpenMode::Existing => {
                return Err(StoreError::NotWangge(path.to_owned()));
            }
            Ok(_) => make_private(path).map_err(io)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if mode == OpenMode::Existing {
                    return Err(StoreError::Missing(path.to_owned()));
                }
                create_private_file(path).map_err(io)?;
            }
            Err(e) => return Err(io(e)),
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_WAIT)?;
        if mode == OpenMode::CreateHeld {
            // Before the first read, so that the lock is held from it on and no shared memory is used.
            conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        }
        // Every hot statement stays prepared (the default cache of 16 is smaller than our set).
        conn.set_prepared_statement_cache_capacity(256);
        // A plan never depends on a bound value (the query planner stability guarantee). Without it, SQLite marks
        // a statement whose plan a bound value could change (from the statistics this build keeps) to be planned
        // again on a new binding, and the statement cache clears bindings when it takes a statement back: such
        // statements were prepared anew on every use (measured: an export's timeline query, every time).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // Look before writing anything: a foreign SQLite file must stay byte-for-byte as it was.
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        // A file without a single table holds nothing to lose: an empty file, or one whose creation was cut
        // short (a power cut or a kill before the schema's transaction committed). Where creating was asked
        // for, it is made anew.
        let empty = app_id == 0 && tables == 0 && mode != OpenMode::Existing;
        if app_id != APPLICATION_ID && !empty {
            return Err(StoreError::NotWangge(path.to_owned()));
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > migrate::LATEST {
            return Err(StoreError::TooNew {
                found: version,
                supported: migrate::LATEST,
            });
        }
        wal(&conn)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A small page cache (8 MiB) suits an old office PC.
        conn.pragma_update(None, "cache_size", BROWSE_CACHE_KIB)?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
            clock,
            locked_out: std::cell::Cell::new(false),
            index_failed: None,
        };
        if version > 0 && version < migrate::LATEST {
            note(LongWork::Upgrade {
                from: version,
                to: migrate::LATEST,
            });
        }
        migrate::run(&mut store.conn)?;
        // The labels of the codes, as this program has them (a new version may word them otherwise).
        if !labels::current(&store.conn)? {
            match store.write_raw(labels::refresh) {
                Err(StoreError::Busy) => {}
                other => other?,
            }
        }
        // A search index left stale (a demo cut short, a new migration) is rebuilt before anything reads it.
        // One that cannot be rebuilt never keeps the database from opening: search falls back to reading the
        // records, `check` names the problem, and `wangge reindex` tries again.
        if search::is_stale(&store.conn)? {
            // A new database's index is empty: nothing to wait for.
            if version > 0 {
                note(LongWork::Reindex);
            }
            match search::rebuild(&mut store) {
                Ok(()) => {}
                // Another program holds the write lock (an import rebuilding it right now): it will finish
                // the job, and this one reads on meanwhile.
                Err(StoreError::Busy) => {}
                Err(e) => store.index_failed = Some(e.message(crate::domain::Lang::En)),
            }
        }
        Ok(store)
    }

    /// Why the search index could not be rebuilt when the database was opened (None: it is current, or
    /// another program is rebuilding it).
    pub fn index_failed(&self) -> Option<&str> {
        self.index_failed.as_deref()
    }

    /// The clock this store reads "now" from (shared with a second connection of the same program).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// "Now", from the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today's China calendar date.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Read access for queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs a bulk write (an import, the search index's rebuild, a demo) with a page cache of 64 MiB, so the
    /// b-trees it grows stay in memory instead of spilling to the log mid-transaction (a tenth of an import's
    /// time); browsing goes back to 8 MiB after.
    pub fn bulk<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "cache_size", -65536)?;
        let done = f(self);
        self.conn
            .pragma_update(None, "cache_size", BROWSE_CACHE_KIB)?;
        done
    }

    /// Runs `f` in ONE `BEGIN IMMEDIATE` transaction, as the current worker of this device, now.
    /// Nothing is written unless `f` succeeds.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction, &WriteCtx) -> Result<T>) -> Result<T> {
        let dev = device::get(&self.conn)?;
        let ctx = WriteCtx {
            device: dev.id,
            actor: dev.worker,
            region: dev.region,
            now: self.clock.now(),
        };
        self.write_as(&ctx, f)
    }

    /// Like `write`, with an explicit context (the demo generator writes in the past).
    pub fn write_as<T>(
        &mut self,
        ctx: &WriteCtx,
        f: impl FnOnce(&Transaction, &WriteCtx) -> Result<T>,
    ) -> Result<T> {
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = remember::remembering(&tx, || f(&tx, ctx))?;
            tx.commit()?;
            Ok(out)
        })();
        if matches!(result, Err(StoreError::Busy)) {
            self.locked_out.set(true);
        }
        result
    }

    /// Whether a write since the last call found the database locked by another program (and clears it).
    pub fn was_locked_out(&self) -> bool {
        self.locked_out.replace(false)
    }

    /// How long a write waits for another program's lock before it gives up with `Busy` (5 s by default).
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<()> {
        Ok(self.conn.busy_timeout(wait)?)
    }

    /// Runs `f` in a write transaction without a device (initialisation, imports of regions and holidays).
    pub fn write_raw<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = remember::remembering(&tx, || f(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a write transaction without a device, and commits only when `commit` is true (a dry run
    /// rolls everything back).
    pub fn write_then<T>(
        &mut self,
        commit: bool,
        f: impl FnOnce(&Transaction) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = remember::remembering(&tx, || f(&tx))?;
        if commit {
            tx.commit()?;
        }
        Ok(out)
    }
}

/// Switches a connection to WAL, waiting for another program's lock as every write does: the switch takes an
/// exclusive lock, and SQLite answers "busy" at once instead of calling the busy handler (a restored backup,
/// still in rollback mode, while another program writes).
fn wal(conn: &Connection) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Ok(()) => return Ok(()),
            Err(e) => match StoreError::from(e) {
                StoreError::Busy if started.elapsed() < BUSY_WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                other => return Err(other),
            },
        }
    }
}

/// How long a write (and opening) waits for another program's lock.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens a file to read, if it is a regular file: a FIFO, a device or a socket would block or never end, and is
/// refused at once.
pub fn open_regular(path: &Path) -> Result<std::fs::File> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::from(std::io::ErrorKind::IsADirectory)));
    }
    if !meta.is_file() {
        return Err(StoreError::bad_file(
            path,
            None,
            "这不是普通文件（是管道、设备或套接字），不会读取",
            "this is not a regular file (a pipe, a device or a socket); it is not read",
        ));
    }
    std::fs::File::open(path).map_err(io)
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = self.conn.execute_batch("PRAGMA optimize");
    }
}
