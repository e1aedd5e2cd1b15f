//! Where the command line's output goes: standard output (a closed pipe ends the program quietly, a full disk
//! is an error), and files written whole or not at all.

use std::io::Write as _;
use std::path::Path;

use crate::error::AppError;
use crate::store;

/// Prints `text` and a newline to standard output.
pub fn print(text: &str) -> Result<(), AppError> {
    write_stdout(format!("{text}\n").as_bytes())
}

/// Writes bytes to standard output and flushes them.
pub fn write_stdout(bytes: &[u8]) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // `wangge regions list | head`: the reader has all it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(AppError::io(Path::new("stdout"), e)),
    }
}

/// Refuses an output named as a database's journal file (`-wal`, `-shm`, `-journal`) or sitting where a
/// database is in use (its `-wal` or `-shm` beside it): those files hold committed data not yet in the database
/// file, and replacing one loses it, whether or not the database is open.
pub fn refuse_journal_name(path: &Path) -> Result<(), AppError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let sidecar = ["-wal", "-shm", "-journal"]
        .iter()
        .any(|s| name.ends_with(s));
    let in_use = ["-wal", "-shm"].iter().any(|s| {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        Path::new(&p).exists()
    });
    if sidecar || in_use {
        return Err(AppError::input(
            format!(
                "{} 是数据库的日志文件或正在使用的数据库，不会覆盖；请换一个文件名",
                path.display()
            ),
            format!(
                "{} is a database's journal file or a database in use; it will not be overwritten: choose another name",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically and owner-only: a temporary file beside it, fsync, rename, fsync of the
/// folder. Refuses a target that is a folder, a device, a database or one of its journal files (`-wal`,
/// `-shm`, `-journal`), so that a typo cannot destroy data.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    write_file_with(path, |f| f.write_all(bytes))
}

/// As `write_file`, the content streamed by `fill` into the temporary file.
pub fn write_file_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), AppError> {
    refuse_journal_name(path)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let mut head = [0u8; 16];
        let is_sqlite = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok()
            && &head == b"SQLite format 3\0";
        if !meta.is_file() || is_sqlite {
            return Err(AppError::input(
                format!(
                    "{} 已存在且不是普通文件（或是数据库），不会覆盖；请换一个文件名",
                    path.display()
                ),
                format!(
                    "{} exists and is not a plain file (or is a database); it will not be overwritten",
                    path.display()
                ),
            ));
        }
    }
    let tmp = store::temp_beside(path);
    let result = (|| {
        let _ = std::fs::remove_file(&tmp);
        let mut f = store::create_private_file(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(AppError::io(path, e));
    }
    store::sync_dir(path);
    Ok(())
}

/// Reads a CSV the user named: a plain file of at most 64 MiB (not a folder, a device or a pipe).
pub fn read_input(file: &Path) -> Result<Vec<u8>, AppError> {
    const MAX: u64 = 64 << 20;
    let meta = std::fs::metadata(file).map_err(|e| AppError::io(file, e))?;
    if meta.is_dir() {
        return Err(AppError::input(
            format!("{} 是文件夹，请给出 CSV 文件", file.display()),
            format!("{} is a folder; give a CSV file", file.display()),
        ));
    }
    if !meta.is_file() || meta.len() > MAX {
        return Err(AppError::input(
            format!(
                "{} 不是普通文件或超过 64 MB，请给出 CSV 文件",
                file.display()
            ),
            format!(
                "{} is not a plain file or is over 64 MB; give a CSV file",
                file.display()
            ),
        ));
    }
    std::fs::read(file).map_err(|e| AppError::io(file, e))
}
