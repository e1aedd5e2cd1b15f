//! The SQL of erasing tombstones (deleted records): which are old enough, which something still needs, and
//! erasing one with its timeline. When a tombstone may go is decided in `crate::sync::ack`.

use rusqlite::Transaction;

use super::Result;
use crate::domain::record::Family;

/// A family's tombstones changed at or before `cut` (ms), each with the last journal number that changed it.
pub fn older_than(
    tx: &Transaction,
    family: Family,
    cut: i64,
) -> Result<Vec<(String, Option<i64>)>> {
    let table = family.table();
    let mut st = tx.prepare(&format!(
        "SELECT {}, (SELECT max(j.seq) FROM journal j WHERE j.record = t.key)
         FROM {table} t WHERE t.deleted = 1 AND t.updated_at <= ?1",
        super::keys::id_of("t.key")
    ))?;
    let rows = st.query_map([cut], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Where a family's rows are referred to from.
fn referred_from(family: Family) -> &'static [&'static str] {
    match family {
        Family::Place => &[
            "SELECT 1 FROM inspections WHERE place_key = ?1",
            "SELECT 1 FROM hazards WHERE place_key = ?1",
        ],
        Family::Inspection => &["SELECT 1 FROM hazards WHERE inspection_key = ?1"],
        Family::Finding => &["SELECT 1 FROM hazards WHERE finding_key = ?1"],
        Family::Patrol => &["SELECT 1 FROM findings WHERE patrol_key = ?1"],
        Family::Petition => &[
            "SELECT 1 FROM petitions WHERE repeat_key = ?1",
            "SELECT 1 FROM assignments WHERE target_key = ?1",
        ],
        Family::Hazard => &["SELECT 1 FROM assignments WHERE target_key = ?1"],
        Family::Assignment => &[],
    }
}

/// Whether a record is still needed: another row refers to it, a held record mentions it, or an open conflict
/// is about it.
pub fn still_needed(tx: &Transaction, family: Family, id: &str) -> Result<bool> {
    let held = tx
        .prepare_cached(
            "SELECT 1 FROM conflicts WHERE record_id = ?1 AND resolved_at IS NULL
             UNION ALL SELECT 1 FROM quarantine WHERE instr(record, ?1) > 0",
        )?
        .exists([id])?;
    if held {
        return Ok(true);
    }
    let Some(key) = super::keys::find(tx, id)? else {
        return Ok(false);
    };
    for sql in referred_from(family) {
        if tx.prepare_cached(sql)?.exists([key])? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Erases a record's row (an inspection's results in it) and its timeline.
pub fn erase(tx: &Transaction, family: Family, id: &str) -> Result<()> {
    let (first, last) = super::timeline::of_record(tx, id)?;
    tx.prepare_cached("DELETE FROM timeline WHERE rowid BETWEEN ?1 AND ?2")?
        .execute([first, last])?;
    tx.execute(
        &format!(
            "DELETE FROM {} WHERE key = {}",
            family.table(),
            super::keys::key_of_param("?1")
        ),
        [super::keys::stored(id)],
    )?;
    Ok(())
}
