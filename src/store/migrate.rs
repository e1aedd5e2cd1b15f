//! Numbered migrations keyed on `PRAGMA user_version`. Migration 1 is `schema.sql` plus the built-in holiday
//! table; later ones follow it. Each runs in its own transaction.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{APPLICATION_ID, Result, holidays};

/// The schema version this program writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// The schema, embedded from the top-level `schema.sql`.
pub const SCHEMA: &str = include_str!("../../schema.sql");

type Migration = fn(&Transaction) -> Result<()>;

const MIGRATIONS: &[Migration] = &[initial];

fn initial(tx: &Transaction) -> Result<()> {
    tx.execute_batch(SCHEMA)?;
    holidays::seed_builtin(tx)?;
    Ok(())
}

/// Brings the database up to `LATEST`.
pub fn run(conn: &mut Connection) -> Result<()> {
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
