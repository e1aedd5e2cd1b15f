//! The database file as a whole: its compaction after a large write (in place, or on the way to its name when it
//! was made under a working name), its backup, and the helpers that write files beside it (owner-only, under a
//! temporary name, renamed when whole).

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{LongWork, Result, Store, StoreError, device};

/// The fewest pages (16 MB of 4 KiB pages) for which a compaction after a large write is worth its time: a
/// smaller file reads fast however its pages lie.
const COMPACT_FROM_PAGES: i64 = 4096;

impl Store {
    /// The file's pages: (all, free), as `PRAGMA page_count` and `freelist_count` say.
    fn pages(&self) -> Result<(i64, i64)> {
        let all = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let free = self
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        Ok((all, free))
    }

    /// Whether a compaction is due after a large write (an import, a demo): the file holds at least
    /// `COMPACT_FROM_PAGES` pages, and those in use grew by a quarter since it was last compacted (or made), or
    /// a quarter of them are free. Between compactions a fifth of the file at most lies scattered.
    pub fn compaction_due(&self) -> Result<bool> {
        let (all, free) = self.pages()?;
        let live = all - free;
        let last: i64 = device::setting(&self.conn, "compacted_pages")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Ok(all >= COMPACT_FROM_PAGES && (live * 4 >= last * 5 || free * 4 >= all))
    }

    /// Compacts the file if `compaction_due` says so, telling `note` first. Returns the sizes before and after
    /// when it compacted; an error (another program in the database, a full disk) leaves the file as it was and
    /// the compaction due the next time.
    pub fn compact_if_due(&self, note: &mut dyn FnMut(LongWork)) -> Result<Option<(u64, u64)>> {
        if !self.compaction_due()? {
            return Ok(None);
        }
        note(LongWork::Compact);
        self.compact().map(Some)
    }

    /// Rewrites the database file with each table's pages together and none free (SQLite's `VACUUM`), and
    /// returns its size before and after (bytes). A migration or an erasure leaves free pages that the file
    /// keeps; a table written a row at a time beside others lies scattered, and a cold read of it (the county
    /// report after a restart) waits on the disk for each piece. All or nothing: on a full disk or with another
    /// program in the database it fails and the file is as it was.
    pub fn compact(&self) -> Result<(u64, u64)> {
        let before = size(&self.conn)?;
        self.conn.execute_batch("VACUUM")?;
        // Kept only once the file was compacted: a VACUUM that failed changed nothing.
        note_compacted(&self.conn)?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok((before, size(&self.conn)?))
    }

    /// Moves this database, made under a working name (`claim_work_file`) and held by this store alone
    /// (`OpenMode::CreateHeld`), to `dest`, which must not exist: the file appears at its name only when whole.
    /// When `compaction_due` says so (after telling `note`), it is compacted on the way: SQLite's `VACUUM INTO`
    /// writes the copy once, where `compact` in place writes the file three times (a scratch copy, the log, the
    /// file). The outer result says whether the database reached `dest` (on an error it stays under its working
    /// name); the inner one how the compaction went, as `compact_if_due` says it: a copy that could not be made
    /// (a full disk) leaves the database moved as it was.
    pub fn move_to(
        self,
        dest: &Path,
        note: &mut dyn FnMut(LongWork),
    ) -> Result<Result<Option<(u64, u64)>>> {
        if dest.exists() {
            return Err(already_there(dest));
        }
        let copy = compact_copy_of(&self.path);
        let compacted = match self.compaction_due() {
            Ok(true) => {
                note(LongWork::Compact);
                self.copy_compacted(&copy, dest).map(Some)
            }
            other => other.map(|_| None),
        };
        let as_is = !matches!(compacted, Ok(Some(_)));
        if as_is {
            // The log folded into the file and emptied: the file alone holds everything, still in WAL mode.
            let busy: i64 = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            if busy != 0 {
                return Err(not_folded(&self.path, dest));
            }
        }
        let from = self.path.clone();
        let log = suffixed(&from, "-wal");
        drop(self);
        if as_is {
            // Closing removes the emptied log; one left behind must hold nothing the file lacks.
            if std::fs::metadata(&log).is_ok_and(|m| m.len() > 0) {
                return Err(not_folded(&from, dest));
            }
            place(&from, dest)?;
        }
        release_work_file(&from);
        Ok(compacted)
    }

    /// Writes this database, compacted, to `dest` (SQLite's `VACUUM INTO`) through the temporary file `tmp`,
    /// renamed when whole; returns the sizes before and after (bytes).
    fn copy_compacted(&self, tmp: &Path, dest: &Path) -> Result<(u64, u64)> {
        remove_db_files(tmp);
        create_private_file(tmp).map_err(|source| StoreError::Io {
            path: tmp.to_owned(),
            source,
        })?;
        let result = (|| -> Result<(u64, u64)> {
            // SQLite names files in UTF-8: another name is refused here, and the database moves as it is.
            let name = tmp.to_str().ok_or_else(|| StoreError::Io {
                path: tmp.to_owned(),
                source: std::io::Error::from(std::io::ErrorKind::InvalidInput),
            })?;
            let before = size(&self.conn)?;
            self.conn.execute("VACUUM INTO ?1", [name])?;
            let copy = Connection::open(tmp)?;
            note_compacted(&copy)?;
            // In WAL mode, as every wangge database is: the next program to open it changes nothing.
            copy.pragma_update(None, "journal_mode", "WAL")?;
            let after = size(&copy)?;
            drop(copy);
            place(tmp, dest)?;
            Ok((before, after))
        })();
        if result.is_err() {
            remove_db_files(tmp);
        }
        result
    }

    /// Copies the database to `dest` with SQLite's online backup API (a consistent snapshot while others write).
    /// The copy is written under a temporary name beside `dest` and renamed only when complete, so `dest` is
    /// either absent or whole; it is owner-only and never overwrites an existing file.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(already_there(dest));
        }
        let tmp = temp_beside(dest);
        remove_db_files(&tmp);
        create_private_file(&tmp).map_err(|source| StoreError::Io {
            path: dest.to_owned(),
            source,
        })?;
        let result = (|| -> Result<()> {
            let mut target = Connection::open(&tmp)?;
            target.busy_timeout(std::time::Duration::from_secs(5))?;
            {
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
                // All pages in one step, inside one read transaction: in WAL mode that is one consistent moment
                // and writers go on meanwhile. (Steps of some pages each start again whenever another program
                // commits between them: a busy database's backup would never end.) Retry while busy, but give
                // up after a minute instead of hanging.
                let started = std::time::Instant::now();
                loop {
                    match backup.step(-1)? {
                        rusqlite::backup::StepResult::Done => break,
                        rusqlite::backup::StepResult::More => {}
                        _ if started.elapsed() > std::time::Duration::from_secs(60) => {
                            return Err(StoreError::Busy);
                        }
                        _ => std::thread::sleep(std::time::Duration::from_millis(20)),
                    }
                }
            }
            // A backup is one self-contained file: no WAL beside it.
            target.pragma_update(None, "journal_mode", "DELETE")?;
            drop(target);
            place(&tmp, dest)
        })();
        if result.is_err() {
            remove_db_files(&tmp);
        }
        result
    }
}

/// A file's size: its pages times the page size (bytes).
fn size(conn: &Connection) -> Result<u64> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok((pages * page).max(0) as u64)
}

/// Records in a file just compacted how many pages it holds, every one in use: what `compaction_due` measures
/// growth from.
fn note_compacted(conn: &Connection) -> Result<()> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('compacted_pages', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [pages.to_string()],
    )?;
    Ok(())
}

/// The error for a database whose log could not be folded into its file: it is not moved.
fn not_folded(from: &Path, dest: &Path) -> StoreError {
    StoreError::refused(
        format!(
            "未能把 {} 的日志并入文件，数据库没有移到 {}",
            from.display(),
            dest.display()
        ),
        format!(
            "The log of {} could not be folded into the file; the database was not moved to {}",
            from.display(),
            dest.display()
        ),
    )
}

/// The error for a file that is there already and is not written over.
fn already_there(path: &Path) -> StoreError {
    StoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
    }
}

/// Gives the whole file `tmp` the name `dest`: flushed to the disk first (opened for writing, as Windows needs
/// to flush it), never over a file that is there, and the new name made durable. A hard link claims the name
/// only if it is free; where the file system has none (FAT on a USB stick), the name is checked just before the
/// rename.
fn place(tmp: &Path, dest: &Path) -> Result<()> {
    let io = |source| StoreError::Io {
        path: tmp.to_owned(),
        source,
    };
    std::fs::OpenOptions::new()
        .write(true)
        .open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    match std::fs::hard_link(tmp, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(already_there(dest)),
        Err(_) => {
            if dest.exists() {
                return Err(already_there(dest));
            }
            std::fs::rename(tmp, dest).map_err(io)?;
        }
    }
    sync_dir(dest);
    Ok(())
}

/// The working name a new database at `path` is made under: `NAME.making` beside it.
fn work_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{name}.making"))
}

/// The temporary name a compacted copy of the working file `work` is written under (`Store::move_to`).
fn compact_copy_of(work: &Path) -> PathBuf {
    suffixed(work, ".compact")
}

/// `path` with `suffix` added to its whole name (`demo.db` and `-wal`: `demo.db-wal`).
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// How long an empty working file that nobody holds may be one another program has just claimed and is about to
/// open (it holds it from its first read, moments after claiming it).
const CLAIM_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether another program is making a database under the working name `work`. One that is holds it from its
/// first read on. A file nobody holds is left by a run that was killed, unless it is empty and new: then its
/// maker may be about to open it, and this waits (up to `CLAIM_WAIT` from the claim) to see which it is.
fn in_use(work: &Path) -> bool {
    loop {
        let Ok(meta) = std::fs::symlink_metadata(work) else {
            return false;
        };
        let held = Connection::open_with_flags(work, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .and_then(|c| {
                c.busy_timeout(std::time::Duration::ZERO)?;
                c.execute_batch("BEGIN EXCLUSIVE; COMMIT")
            })
            .map_err(StoreError::from);
        if matches!(held, Err(StoreError::Busy)) {
            return true;
        }
        let claimed_lately = meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_none_or(|age| age < CLAIM_WAIT);
        if meta.len() > 0 || !claimed_lately {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Removes what a run killed while making a database for `path` left under its working name (the next run, or
/// a run on the finished file, clears it). One that another program is making now is left, and is `Busy`.
pub fn clear_work_file(path: &Path) -> Result<()> {
    let work = work_name(path);
    if in_use(&work) {
        return Err(StoreError::Busy);
    }
    release_work_file(&work);
    Ok(())
}

/// Claims the working name a new database at `path` is made under before `Store::move_to` gives it `path`
/// (`NAME.making` beside it): creates it empty and owner-only, after clearing what a killed run left there. Only
/// one program can claim it: another that is making the same database now gets `Busy`. Open it with
/// `OpenMode::CreateHeld`; whoever claimed it removes it (`release_work_file`) if the making fails.
pub fn claim_work_file(path: &Path) -> Result<PathBuf> {
    clear_work_file(path)?;
    let work = work_name(path);
    match create_private_file(&work) {
        Ok(_) => Ok(work),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(StoreError::Busy),
        Err(source) => Err(StoreError::Io { path: work, source }),
    }
}

/// Removes a working file (`claim_work_file`) with its log, shared memory, journal and compacted copy.
pub fn release_work_file(work: &Path) {
    remove_db_files(work);
    remove_db_files(&compact_copy_of(work));
}

/// A hidden temporary name in the same folder as `path` (so a rename is atomic).
pub fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// Removes a database file with its journal, WAL and shared-memory files.
pub fn remove_db_files(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(suffixed(path, suffix));
    }
}

/// Makes a rename in `path`'s folder durable (Unix; elsewhere a no-op).
pub fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Restricts an existing file to its owner (0600 on Unix).
pub(super) fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates an empty file readable and writable by its owner only (0600 on Unix).
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}
