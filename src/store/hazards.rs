//! Hazards: create (from an inspection item or a patrol finding) and move through their lifecycle.

use rusqlite::Transaction;

use super::desk::Desk;
use super::records::{self, add_event};
use super::{Result, StoreError, WriteCtx};
use crate::domain::hazard::{Hazard, HazardAction};
use crate::domain::record::{Family, Record, Step};

/// The text of `DEADLINE_RUNS`, for `concat!` where a query is built at compile time (the lists).
macro_rules! deadline_runs {
    () => {
        "(status = 'found' OR status = 'assigned' OR status = 'rectifying' OR status = 'review_requested')"
    };
}
pub(crate) use deadline_runs;

/// The SQL test of a hazard whose rectification deadline still runs (not yet passed re-inspection): only these
/// are overdue or due soon. A hazard that passed re-inspection waits for 销号 and counts no more days.
/// Spelled as equalities joined by OR, not `IN`: it is also the WHERE of a partial index (schema.sql, migration
/// 10), and SQLite tests an `IN` list of three or more in a temporary table made anew for every write.
pub const DEADLINE_RUNS: &str = deadline_runs!();

/// Saves a new hazard (status 已发现) and its first timeline event.
pub fn create(tx: &impl Desk, ctx: &WriteCtx, mut hazard: Hazard) -> Result<Hazard> {
    tx.inside(ctx, &hazard.meta.region_code)?;
    hazard.validate(ctx.today())?;
    if let Some(f) = &hazard.finding_id
        && !tx.exists(Family::Finding, f)?
    {
        return Err(StoreError::NoRecord {
            family: Family::Finding,
            id: f.to_string(),
        });
    }
    records::save(tx, ctx, None, &mut hazard, "create", None)?;
    let note = Some(
        crate::domain::timeline::Composed::HazardOpened {
            grade: hazard.grade,
            due: hazard.deadline,
        }
        .encode(),
    );
    add_event(
        tx,
        ctx,
        &hazard.meta.id,
        &Step {
            action: "create",
            on: hazard.found_on,
            note,
        },
    )?;
    Ok(hazard)
}

/// Applies a lifecycle step to the hazard read at `read_version`.
pub fn act(
    tx: &impl Desk,
    ctx: &WriteCtx,
    id: &str,
    read_version: u64,
    action: &HazardAction,
) -> Result<Hazard> {
    act_on(
        tx,
        ctx,
        &records::get_for_update(tx, id, read_version)?,
        action,
    )
}

/// Applies a lifecycle step to `old`, which the caller holds as this transaction last wrote it (the demo,
/// following a hazard it made a moment ago, saves reading it back).
///
/// Nothing here reads `old` back: it must be the row as this transaction last wrote it, not deleted and at its
/// version (a stale copy would be saved as a change from it). `act` is the checked way in.
pub(crate) fn act_on(
    tx: &impl Desk,
    ctx: &WriteCtx,
    old: &Hazard,
    action: &HazardAction,
) -> Result<Hazard> {
    records::step_on(tx, ctx, old, |h: &mut Hazard| h.apply(action, ctx.today()))
}

/// Saves an edit of the hazard's descriptive fields (not its status or deadline: those move by `act`).
pub fn update(
    tx: &Transaction,
    ctx: &WriteCtx,
    edited: &Hazard,
    reason: Option<&str>,
) -> Result<Hazard> {
    let old: Hazard = records::get_for_update(tx, &edited.meta.id, edited.meta.version)?;
    let mut hazard = old.clone();
    hazard.description = edited.description.clone();
    hazard.grade = edited.grade;
    hazard.responsible = edited.responsible.clone();
    hazard.notice_no = edited.notice_no.clone();
    hazard.validate(ctx.today())?;
    records::save(tx, ctx, Some(&old), &mut hazard, "update", reason)?;
    records::note_edit(tx, ctx, &old, &hazard, reason)?;
    Ok(hazard)
}

/// A record's meta, for callers that hold only an id.
pub fn get(conn: &rusqlite::Connection, id: &str) -> Result<Hazard> {
    records::get::<Hazard>(conn, id)?.ok_or_else(|| StoreError::NoRecord {
        family: Hazard::FAMILY,
        id: id.to_owned(),
    })
}
