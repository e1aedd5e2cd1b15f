//! Numbered migrations keyed on `PRAGMA user_version`. `schema.sql` holds them all: migration 1 is the part
//! before the first `-- @migration 2` marker (plus the built-in holiday table), migration N the part after the
//! marker `-- @migration N`. Each runs in its own transaction.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{APPLICATION_ID, Result, holidays};

/// The schema version this program writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// The schema, embedded from the top-level `schema.sql`.
pub const SCHEMA: &str = include_str!("../../schema.sql");

type Migration = fn(&Transaction) -> Result<()>;

const MIGRATIONS: &[Migration] = &[
    initial,
    |tx| part(tx, 2),
    |tx| part(tx, 3),
    |tx| part(tx, 4),
    |tx| part(tx, 5),
    |tx| part(tx, 6),
    |tx| part(tx, 7),
    |tx| part(tx, 8),
    |tx| part(tx, 9),
    |tx| part(tx, 10),
    |tx| part(tx, 11),
    |tx| part(tx, 12),
    |tx| part(tx, 13),
    |tx| part(tx, 14),
    |tx| part(tx, 15),
    |tx| part(tx, 16),
    |tx| part(tx, 17),
    |tx| part(tx, 18),
    |tx| part(tx, 19),
    |tx| part(tx, 20),
    |tx| part(tx, 21),
    |tx| part(tx, 22),
    |tx| part(tx, 23),
];

/// The text of migration `n` in `schema.sql`.
pub(super) fn text(n: usize) -> &'static str {
    let mut parts = SCHEMA.split("-- @migration ");
    let first = parts.next().unwrap_or("");
    if n == 1 {
        return first;
    }
    // The rest of the marker's line is a comment of dashes; the migration starts on the next line.
    parts
        .find(|p| p.starts_with(&format!("{n} ")))
        .and_then(|p| p.split_once('\n'))
        .map(|(_, sql)| sql)
        .unwrap_or("")
}

fn initial(tx: &Transaction) -> Result<()> {
    tx.execute_batch(text(1))?;
    holidays::seed_builtin(tx)?;
    Ok(())
}

fn part(tx: &Transaction, n: usize) -> Result<()> {
    tx.execute_batch(text(n))?;
    Ok(())
}

/// Brings the database up to `LATEST`. Foreign keys are not enforced while a step runs (SQLite's way to remake a
/// table that others refer to: a step drops and renames tables) and are enforced again after, as they were.
/// After a step has run, the statistics the query planner holds for this connection are read again from the
/// file: without it, a database upgraded and then written to in the same process planned the audit log's head
/// as a scan of an index (every append of an import read the whole log: 50,000 records took 88 s instead of 5).
pub fn run(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version >= LATEST {
        return Ok(());
    }
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let steps = steps(conn);
    // A step's own error says more than a failure to switch foreign keys back.
    let restored = conn.pragma_update(None, "foreign_keys", enforced);
    steps?;
    restored?;
    conn.execute_batch("ANALYZE sqlite_schema")?;
    Ok(())
}

/// Runs the steps from the file's version to `LATEST`, each in its transaction.
fn steps(conn: &mut Connection) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let Some(step) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        step(&tx)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_migration_has_its_text_in_schema_sql() {
        for n in 1..=super::MIGRATIONS.len() {
            let statements = super::text(n)
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<String>();
            assert!(statements.contains(';'), "migration {n}");
        }
    }
}

#[cfg(test)]
mod writes {
    use crate::domain::record::Family;

    /// No row a save writes makes SQLite build a temporary table (an `IN` list of three or more in a partial
    /// index's WHERE did, four times an update of a hazard).
    #[test]
    fn a_write_to_a_family_table_builds_no_temporary_table() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::run(&mut conn).unwrap();
        for family in Family::ALL.iter().copied() {
            let t = family.table();
            for sql in [
                format!("UPDATE {t} SET deleted = 1, version = 2 WHERE key = 7"),
                format!(
                    "INSERT INTO {t} (key, version) VALUES (7, 1) ON CONFLICT(key) DO UPDATE SET version = 2"
                ),
            ] {
                let mut st = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
                let ops: Vec<String> = st
                    .query_map([], |r| r.get::<_, String>(1))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                assert!(!ops.iter().any(|o| o == "OpenEphemeral"), "{sql}");
            }
        }
    }
}
