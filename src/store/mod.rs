//! The store: one SQLite file per device. Opening (WAL, synchronous=FULL, foreign keys, busy timeout, owner-only
//! files), migrations, and the single write path that every mutation takes: one `BEGIN IMMEDIATE` transaction
//! that validates through `domain`, writes the row, bumps its version vector, and appends timeline, audit and
//! journal rows. Every SQL statement of the project lives under this folder.

pub mod audit;
pub mod check;
pub mod device;
pub mod error;
pub mod hazards;
pub mod holidays;
pub mod inspections;
pub mod migrate;
pub mod patrols;
pub mod petitions;
pub mod places;
pub mod records;
pub mod regions;
pub mod report;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::domain::clock::{self, Clock};
pub use error::{Result, StoreError};

/// SQLite files begin with this header.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// `PRAGMA application_id` of a wangge database ("WGGE").
pub const APPLICATION_ID: i32 = 0x5747_4745;

/// Whether opening may create the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// The database must exist already.
    Existing,
    /// Create an empty, owner-only database if the file is missing.
    CreateIfMissing,
}

/// Who acts and when: passed to every write.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub device: String,
    /// The worker who acts.
    pub actor: String,
    /// This device's jurisdiction: every record written lies inside it.
    pub region: String,
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
}

impl Store {
    /// Opens (or, with `CreateIfMissing`, creates) a database and brings its schema up to date.
    /// A file that is not a wangge database is refused and left untouched.
    pub fn open(path: &Path, mode: OpenMode, clock: Arc<dyn Clock>) -> Result<Store> {
        let io = |source| StoreError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => return Err(StoreError::NotWangge(path.to_owned())),
            Ok(meta) if meta.len() > 0 => {
                let mut head = [0u8; 16];
                let mut f = std::fs::File::open(path).map_err(io)?;
                if std::io::Read::read_exact(&mut f, &mut head).is_err() || &head != SQLITE_MAGIC {
                    return Err(StoreError::NotWangge(path.to_owned()));
                }
            }
            Ok(_) => {}
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
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every hot statement stays prepared (the default cache of 16 is smaller than our set).
        conn.set_prepared_statement_cache_capacity(256);
        // Look before writing anything: a foreign SQLite file must stay byte-for-byte as it was.
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if app_id != APPLICATION_ID && tables > 0 {
            return Err(StoreError::NotWangge(path.to_owned()));
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > migrate::LATEST {
            return Err(StoreError::TooNew {
                found: version,
                supported: migrate::LATEST,
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A small page cache (8 MiB) suits an old office PC.
        conn.pragma_update(None, "cache_size", -8192)?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
            clock,
        };
        migrate::run(&mut store.conn)?;
        Ok(store)
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx, ctx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a write transaction without a device (initialisation, imports of regions and holidays).
    pub fn write_raw<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Copies the database to `dest` with SQLite's online backup API (a consistent snapshot while others write).
    /// The copy is created owner-only.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        let io = |source| StoreError::Io {
            path: dest.to_owned(),
            source,
        };
        if dest.exists() {
            return Err(StoreError::Io {
                path: dest.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "file exists / 文件已存在",
                ),
            });
        }
        create_private_file(dest).map_err(io)?;
        let result = (|| -> Result<()> {
            let mut target = Connection::open(dest)?;
            {
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
                backup.run_to_completion(256, std::time::Duration::from_millis(5), None)?;
            }
            // A backup is one self-contained file: no WAL beside it.
            target.pragma_update(None, "journal_mode", "DELETE")?;
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(dest);
        }
        result
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = self.conn.execute_batch("PRAGMA optimize");
    }
}

/// Creates an empty file readable and writable by its owner only (0600 on Unix).
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}
