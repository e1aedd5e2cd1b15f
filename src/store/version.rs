//! The one write path of a record version: its row (an inspection's results in it), its audit row, its
//! journal row and its search document, written the same way whether the version was saved here, merged from a
//! bundle, or taken when a conflict was resolved. Every statement is prepared once per connection and cached.
//! The demo's bulk writer makes the same rows in memory (`demo::book`), the statements shared from here.

use std::borrow::Cow;

use rusqlite::Transaction;
use serde_json::{Map, Value};

use super::{Result, WriteCtx, audit, keys, records};
use crate::domain::record::Family;

/// How the audit row states the version.
pub enum Audit<'a> {
    /// Worked out here: the changes from `old` (personal fields named only) and the state's hash.
    Compute,
    /// Worked out beforehand (an import reads and hashes each record on a thread of its own).
    Given {
        changes: &'a str,
        state_hash: &'a str,
    },
}

/// When the search index takes the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// Now, in this transaction (unless the index waits for a rebuild, which will take it too).
    Now,
    /// Later, by the caller: an import indexes what it touched at its end, or rebuilds the index.
    Later,
}

/// One version of one record, as it is to be written.
pub struct Version<'a> {
    pub family: Family,
    /// The record as its row and bundles hold it (a save's own form, which an in-memory desk keeps as it is,
    /// or one borrowed).
    pub map: Cow<'a, Map<String, Value>>,
    /// The record as this database held it before, if it did.
    pub old: Option<&'a Map<String, Value>>,
    /// The record's personal fields: the audit names them as changed, never their values.
    pub personal: &'a [&'a str],
    /// The audit row's action and reason.
    pub action: &'a str,
    pub reason: Option<&'a str>,
    pub audit: Audit<'a>,
    /// The device a merged version came from (the journal says so; an export never sends it back there).
    pub source: Option<&'a str>,
    pub index: Index,
    /// Write the whole row (a version from elsewhere, most of whose columns differ), rather than only the
    /// columns that changed from `old` (a save here, which leaves the indexes of the others alone).
    pub whole_row: bool,
}

/// The statement that stores a journal row: the record's key, its number, the version, the source's key.
pub(crate) const JOURNAL: &str =
    "INSERT INTO journal (record, seq, version, source) VALUES (?1, ?2, ?3, ?4)";

/// The statement that moves the journal's head: its last number, and when.
pub(crate) const JOURNAL_HEAD: &str = "UPDATE journal_head SET seq = ?1, at = ?2";

/// Writes `v`: row, audit row, journal row, search document.
pub fn write(tx: &Transaction, ctx: &WriteCtx, v: Version) -> Result<()> {
    let (family, old) = (v.family, v.old);
    let map = v.map.as_ref();
    match old {
        Some(old) if !v.whole_row => records::update_map(tx, family.table(), old, map)?,
        _ => records::upsert_map(tx, family.table(), map)?,
    }
    let id = map.get("id").and_then(Value::as_str).unwrap_or("");
    let keys = [family.code(), id, v.action];
    match v.audit {
        Audit::Compute => audit::append_record(
            tx,
            ctx,
            keys,
            v.reason,
            &audit::diff(old, map, v.personal),
            map,
        )?,
        Audit::Given {
            changes,
            state_hash,
        } => audit::append_state(tx, ctx, keys, v.reason, changes, state_hash)?,
    }
    let version = map.get("version").and_then(Value::as_u64).unwrap_or(0);
    let record = keys::key(tx, id)?;
    let source = v.source.map(|s| keys::key(tx, s)).transpose()?;
    // The next number after the last this transaction handed out, or after the one the journal's head holds.
    let seq = match super::remember::with(tx, |m| m.journal_seq.take()).flatten() {
        Some(last) => last + 1,
        None => tx
            .prepare_cached("SELECT seq + 1 FROM journal_head")?
            .query_row([], |r| r.get(0))?,
    };
    tx.prepare_cached(JOURNAL_HEAD)?
        .execute([seq, ctx.now_ms()])?;
    super::remember::with(tx, |m| m.journal_seq = Some(seq));
    tx.prepare_cached(JOURNAL)?
        .execute(rusqlite::params![record, seq, version as i64, source])?;
    if v.index == Index::Now && !super::search::is_stale(tx)? {
        super::search::index(tx, family, id)?;
    }
    Ok(())
}
