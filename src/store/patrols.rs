//! Qinling patrols and findings: start, report findings, close (possibly "nothing found"), and move findings
//! through referral, handling and verification.

use rusqlite::Transaction;

use super::desk::Desk;
use super::records::{self, add_event};
use super::{Result, StoreError, WriteCtx};
use crate::domain::patrol::{Finding, FindingAction, Patrol, PatrolStatus};
use crate::domain::record::{DomainError, Family, Step};

/// Saves a new patrol.
pub fn start(tx: &impl Desk, ctx: &WriteCtx, mut patrol: Patrol) -> Result<Patrol> {
    tx.inside(ctx, &patrol.meta.region_code)?;
    patrol.validate()?;
    records::save(tx, ctx, None, &mut patrol, "create", None)?;
    let on = day_of(patrol.started_at, ctx);
    add_event(
        tx,
        ctx,
        &patrol.meta.id,
        &Step {
            action: "start",
            on,
            note: Some(patrol.route.clone()),
        },
    )?;
    Ok(patrol)
}

/// Reports a finding (on a patrol, or on its own when `patrol_id` is None). Returns it and any warning.
pub fn report(
    tx: &impl Desk,
    ctx: &WriteCtx,
    mut finding: Finding,
) -> Result<(Finding, Option<crate::domain::validate::Warning>)> {
    if let Some(pid) = &finding.patrol_id {
        let patrol: Patrol = tx
            .record(pid)?
            .filter(|p: &Patrol| !p.meta.deleted)
            .ok_or_else(|| StoreError::NoRecord {
                family: Family::Patrol,
                id: pid.to_string(),
            })?;
        finding.meta.region_code = patrol.meta.region_code.clone();
    }
    tx.inside(ctx, &finding.meta.region_code)?;
    let warning = finding.validate(ctx.today())?;
    records::save(tx, ctx, None, &mut finding, "create", None)?;
    let step = Step {
        action: "report",
        on: finding.found_on,
        note: None,
    };
    add_event(tx, ctx, &finding.meta.id, &step)?;
    Ok((finding, warning))
}

/// Ends the patrol read at `read_version`; with no findings it becomes "nothing found".
pub fn close(
    tx: &impl Desk,
    ctx: &WriteCtx,
    id: &str,
    read_version: u64,
    ended_at: i64,
    distance_km: Option<f64>,
) -> Result<Patrol> {
    let old: Patrol = records::get_for_update(tx, id, read_version)?;
    close_on(tx, ctx, &old, ended_at, distance_km)
}

/// Ends the patrol `old`, which the caller holds as this transaction last wrote it (the demo).
///
/// Nothing here reads `old` back: it must be the row as this transaction last wrote it, not deleted and at its
/// version (a stale copy would be saved as a change from it). `close` is the checked way in.
pub(crate) fn close_on(
    tx: &impl Desk,
    ctx: &WriteCtx,
    old: &Patrol,
    ended_at: i64,
    distance_km: Option<f64>,
) -> Result<Patrol> {
    let id = old.meta.id.as_str();
    if old.status == PatrolStatus::Closed {
        return Err(
            DomainError::rule("这次巡查已经结束", "This patrol has already finished").into(),
        );
    }
    let findings = tx.findings_of(id)?;
    let mut patrol = old.clone();
    patrol.close(ended_at, distance_km, findings as usize)?;
    records::save(tx, ctx, Some(old), &mut patrol, "close", None)?;
    let note = patrol
        .nothing_found
        .then(|| crate::domain::timeline::Composed::NothingFound.encode());
    let on = day_of(ended_at, ctx);
    add_event(
        tx,
        ctx,
        id,
        &Step {
            action: "close",
            on,
            note,
        },
    )?;
    Ok(patrol)
}

/// Applies a lifecycle step to the finding read at `read_version`.
pub fn act(
    tx: &impl Desk,
    ctx: &WriteCtx,
    id: &str,
    read_version: u64,
    action: &FindingAction,
) -> Result<Finding> {
    act_on(
        tx,
        ctx,
        &records::get_for_update(tx, id, read_version)?,
        action,
    )
}

/// Applies a lifecycle step to `old`, which the caller holds as this transaction last wrote it (the demo).
///
/// Nothing here reads `old` back: it must be the row as this transaction last wrote it, not deleted and at its
/// version (a stale copy would be saved as a change from it). `act` is the checked way in.
pub(crate) fn act_on(
    tx: &impl Desk,
    ctx: &WriteCtx,
    old: &Finding,
    action: &FindingAction,
) -> Result<Finding> {
    records::step_on(tx, ctx, old, |f: &mut Finding| f.apply(action, ctx.today()))
}

/// The China calendar day of an instant in ms (today if out of range).
fn day_of(ms: i64, ctx: &WriteCtx) -> chrono::NaiveDate {
    crate::domain::clock::from_ms(ms)
        .map(crate::domain::clock::china_date)
        .unwrap_or(ctx.today())
}

/// Saves an edit of a finding's description, location and zone read at `edited.meta.version`.
pub fn update_finding(
    tx: &Transaction,
    ctx: &WriteCtx,
    edited: &Finding,
    reason: Option<&str>,
) -> Result<Finding> {
    let old: Finding = records::get_for_update(tx, &edited.meta.id, edited.meta.version)?;
    let mut f = old.clone();
    f.description = edited.description.clone();
    f.location = edited.location.clone();
    f.zone = edited.zone;
    f.on_site_action = edited.on_site_action.clone();
    f.validate(ctx.today().max(f.found_on))?;
    records::save(tx, ctx, Some(&old), &mut f, "update", reason)?;
    records::note_edit(tx, ctx, &old, &f, reason)?;
    Ok(f)
}
