//! The audit log: every change with actor, time, reason, and old and new values (personal fields only as
//! "changed"), hash-chained so that an edited or removed row breaks the chain. A row names its device and record
//! by their keys in `ids`, its actor, family and action by theirs in `names`; the hash covers what they spell.
//! A row keeps the first 16 bytes of its SHA-256 hashes (all 32 in rows written before schema 12).

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Result, WriteCtx, keys};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of a row that its hash covers.
pub struct AuditRow<'a> {
    pub seq: i64,
    pub at: i64,
    pub device: &'a str,
    pub actor: &'a str,
    pub family: &'a str,
    pub record_id: &'a str,
    pub action: &'a str,
    pub reason: Option<&'a str>,
    pub changes: &'a str,
    pub state_hash: Option<&'a str>,
    pub prev_hash: &'a str,
}

impl AuditRow<'_> {
    /// SHA-256 (hex) of the canonical JSON of the row, previous hash included.
    pub fn hash(&self) -> String {
        // Serialised as the JSON array of its fields, without first copying them into a `Value`.
        let canonical = serde_json::to_vec(&(
            self.seq,
            self.at,
            self.device,
            self.actor,
            self.family,
            self.record_id,
            self.action,
            self.reason,
            self.changes,
            self.state_hash,
            self.prev_hash,
        ))
        .unwrap_or_default();
        hex::encode(Sha256::digest(&canonical))
    }
}

/// The head of the chain: (last seq, its hash): the table's last row, read from its end (`NOT INDEXED`: a plan
/// through an index by record, which the log had until schema 16, read the whole log at every append, as one did
/// once, see `migrate::run`).
pub fn head(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit NOT INDEXED ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| {
            Ok((r.get(0)?, hex::encode(r.get::<_, Vec<u8>>(1)?)))
        })
        .optional()?
        .unwrap_or((0, GENESIS.to_owned())))
}

/// Appends one row to the chain (for something that is not a travelling record: the device, a worker, an
/// import).
pub fn append(
    tx: &Transaction,
    ctx: &WriteCtx,
    family: &str,
    record_id: &str,
    action: &str,
    reason: Option<&str>,
    changes: &Value,
) -> Result<()> {
    append_row(tx, ctx, [family, record_id, action], reason, changes, None)
}

/// Appends a record's change with the hash of its new state.
pub fn append_record(
    tx: &Transaction,
    ctx: &WriteCtx,
    [family, record_id, action]: [&str; 3],
    reason: Option<&str>,
    changes: &Value,
    state: &Map<String, Value>,
) -> Result<()> {
    let state_hash = state_hash(state);
    append_row(
        tx,
        ctx,
        [family, record_id, action],
        reason,
        changes,
        Some(&state_hash),
    )
}

/// Appends a record's change whose changes (as JSON text) and state hash are worked out already.
pub fn append_state(
    tx: &Transaction,
    ctx: &WriteCtx,
    keys: [&str; 3],
    reason: Option<&str>,
    changes: &str,
    state_hash: &str,
) -> Result<()> {
    append_text(tx, ctx, keys, reason, changes, Some(state_hash))
}

/// SHA-256 (hex) of a record's JSON form.
pub fn state_hash(state: &Map<String, Value>) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_string(state).unwrap_or_default().as_bytes(),
    ))
}

fn append_row(
    tx: &Transaction,
    ctx: &WriteCtx,
    keys: [&str; 3],
    reason: Option<&str>,
    changes: &Value,
    state_hash: Option<&str>,
) -> Result<()> {
    append_text(tx, ctx, keys, reason, &changes.to_string(), state_hash)
}

fn append_text(
    tx: &Transaction,
    ctx: &WriteCtx,
    [family, record_id, action]: [&str; 3],
    reason: Option<&str>,
    changes: &str,
    state_hash: Option<&str>,
) -> Result<()> {
    // The chain's head, as this transaction left it or as the log holds it.
    let head = match super::remember::with(tx, |m| m.audit_head.take()).flatten() {
        Some(head) => head,
        None => head(tx)?,
    };
    let row = link(
        &head,
        ctx,
        [family, record_id, action],
        reason,
        changes,
        state_hash,
    );
    let values = row.values(&mut |id| keys::key(tx, id), &mut |w| keys::name_key(tx, w))?;
    tx.prepare_cached(INSERT)?
        .execute(rusqlite::params_from_iter(values))?;
    super::remember::with(tx, |m| m.audit_head = Some(row.next_head()));
    Ok(())
}

/// The statement that stores an audit row (`Linked::values`).
pub(crate) const INSERT: &str = "INSERT INTO audit (seq, at, device, actor, family, record, action, reason, \
     changes, state_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// An audit row chained after `head` (the last row's seq and kept hash), its hash worked out.
pub(crate) struct Linked<'a> {
    row: AuditRow<'a>,
    state_hash: Option<&'a str>,
    /// The hash as the row keeps it (hex).
    hash: String,
}

/// Chains a row after `head`: `state_hash` is the state's whole SHA-256 (hex), of which the row keeps a part.
pub(crate) fn link<'a>(
    head: &'a (i64, String),
    ctx: &'a WriteCtx,
    [family, record_id, action]: [&'a str; 3],
    reason: Option<&'a str>,
    changes: &'a str,
    state_hash: Option<&'a str>,
) -> Linked<'a> {
    let state_hash = state_hash.map(stored);
    let row = AuditRow {
        seq: head.0 + 1,
        at: ctx.now_ms(),
        device: &ctx.device,
        actor: &ctx.actor,
        family,
        record_id,
        action,
        reason,
        changes,
        state_hash,
        prev_hash: &head.1,
    };
    let hash = stored(&row.hash()).to_owned();
    Linked {
        row,
        state_hash,
        hash,
    }
}

impl Linked<'_> {
    /// The chain's head once this row is stored.
    pub(crate) fn next_head(&self) -> (i64, String) {
        (self.row.seq, self.hash.clone())
    }

    /// The row's values for `INSERT`, its device and record keyed by `id`, its words by `word`.
    pub(crate) fn values(
        &self,
        id: &mut dyn FnMut(&str) -> Result<i64>,
        word: &mut dyn FnMut(&str) -> Result<i64>,
    ) -> Result<[rusqlite::types::Value; 11]> {
        use rusqlite::types::Value as Sql;
        let r = &self.row;
        let (device, record) = (id(r.device)?, id(r.record_id)?);
        Ok([
            Sql::Integer(r.seq),
            Sql::Integer(r.at),
            Sql::Integer(device),
            Sql::Integer(word(r.actor)?),
            Sql::Integer(word(r.family)?),
            Sql::Integer(record),
            Sql::Integer(word(r.action)?),
            r.reason.map_or(Sql::Null, |s| Sql::Text(s.to_owned())),
            Sql::Text(r.changes.to_owned()),
            self.state_hash.map_or(Sql::Null, |h| Sql::Blob(bytes(h))),
            Sql::Blob(bytes(&self.hash)),
        ])
    }
}

/// How many hex digits of a SHA-256 a row written now keeps: its first 16 bytes (128 bits). Rows written before
/// schema 12 keep all 32; `check` takes either.
const KEPT: usize = 32;

/// The part of a hash (hex) that a new row stores, and that the chain and the row's own hash then cover.
fn stored(full: &str) -> &str {
    full.get(..KEPT).unwrap_or(full)
}

/// Whether `kept`, a hash as a row holds it (hex), is the hash `full`: all of it, or its first 16 bytes.
pub fn holds(kept: &str, full: &str) -> bool {
    (kept.len() == KEPT || kept.len() == full.len()) && full.starts_with(kept)
}

/// A hash's bytes, as the log stores them (its hex is what the chain hashes).
fn bytes(hex_hash: &str) -> Vec<u8> {
    hex::decode(hex_hash).unwrap_or_else(|_| hex_hash.as_bytes().to_vec())
}

/// The state hash the log holds for each record's latest change (rows about a record that change nothing in it,
/// such as revealing an ID number or resolving a conflict in favour of the current version, hold none), gathered
/// in one pass over the log into a temporary table of this connection (the log keeps no index by record: only
/// `check` asks, once for every record). Read it with `latest_state`.
pub(super) fn gather_latest_states(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS latest_states (
             record INTEGER NOT NULL, family INTEGER NOT NULL, state_hash BLOB NOT NULL,
             PRIMARY KEY (record, family)
         ) WITHOUT ROWID;
         DELETE FROM temp.latest_states;
         INSERT INTO temp.latest_states (record, family, state_hash)
             SELECT a.record, a.family, a.state_hash
             FROM (SELECT max(seq) AS seq FROM audit WHERE state_hash IS NOT NULL GROUP BY record, family) m
                  JOIN audit a ON a.seq = m.seq;",
    )?;
    Ok(())
}

/// The state hash of a record's latest change, from what `gather_latest_states` gathered on this connection.
pub(super) fn latest_state(
    conn: &Connection,
    family: crate::domain::record::Family,
    record_id: &str,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT state_hash FROM temp.latest_states
             WHERE record = (SELECT key FROM ids WHERE id = ?2) AND family = (SELECT key FROM names WHERE name = ?1)",
        )?
        .query_row(
            params![family.code(), keys::stored(record_id)],
            |r| r.get::<_, Vec<u8>>(0),
        )
        .optional()?
        .map(hex::encode))
}

/// Fields that change with every write and say nothing about the content.
const BOOKKEEPING: &[&str] = &[
    "vv",
    "version",
    "updated_at",
    "updated_by",
    "created_at",
    "origin",
    "id",
];

/// What changed between two JSON forms of a record: `{field: [old, new]}`, personal fields as `"changed"`. A
/// record's first version changes nothing (`{}`): its values are the record's own row with the later rows' old
/// values put back, so the log does not hold the whole record a second time.
pub fn diff(
    old: Option<&Map<String, Value>>,
    new: &Map<String, Value>,
    personal: &[&str],
) -> Value {
    let mut out = Map::new();
    let Some(old) = old else {
        return Value::Object(out);
    };
    for (key, new_value) in new {
        if BOOKKEEPING.contains(&key.as_str()) {
            continue;
        }
        let old_value = old.get(key).unwrap_or(&Value::Null);
        if old_value == new_value {
            continue;
        }
        let entry = if personal.contains(&key.as_str()) {
            Value::String("changed".into())
        } else {
            json!([old_value, new_value])
        };
        out.insert(key.clone(), entry);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    /// A row's hash is that of the JSON array of its fields, as rows written before were hashed.
    #[test]
    fn a_rows_hash_covers_the_json_array_of_its_fields() {
        for (reason, state, changes) in [
            (None, None, "{}"),
            (
                Some("导入: a \"b\" \\ \u{7}\n"),
                Some("ab12"),
                "{\"名称\":[\"甲\",\"乙\"]}",
            ),
        ] {
            let row = super::AuditRow {
                seq: 42,
                at: -1_700_000_000_123,
                device: "0190a1b2-0000-7000-8000-000000000007",
                actor: "王\u{202e}五",
                family: "place",
                record_id: "0190a1b2-0000-7000-8000-0000000001aa",
                action: "update",
                reason,
                changes,
                state_hash: state,
                prev_hash: super::GENESIS,
            };
            let canonical = json!([
                row.seq,
                row.at,
                row.device,
                row.actor,
                row.family,
                row.record_id,
                row.action,
                row.reason,
                row.changes,
                row.state_hash,
                row.prev_hash
            ]);
            let expected = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                canonical.to_string().as_bytes(),
            ));
            assert_eq!(row.hash(), expected);
        }
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_change_names_personal_fields_without_their_values_and_a_first_version_holds_none() {
        let old =
            map(json!({"id": "a", "version": 1, "phone": "13812341234", "status": "received"}));
        let new =
            map(json!({"id": "a", "version": 2, "phone": "13900000000", "status": "accepted"}));
        let changes = super::diff(Some(&old), &new, &["phone"]);
        assert_eq!(
            changes,
            json!({"phone": "changed", "status": ["received", "accepted"]})
        );
        assert_eq!(super::diff(None, &new, &["phone"]), json!({}));
    }
}
