//! 交办: an office assigns a hazard or petition to a township or grid inside it, and the assignee answers.
//! A case registered at the office itself (outside every township) moves into the assignee's region with
//! the assignment, so the township receives the case it must handle.

use rusqlite::Transaction;

use super::records::{self, add_event};
use super::{Result, StoreError, WriteCtx, regions};
use crate::domain::assignment::{Assignment, AssignmentStatus};
use crate::domain::hazard::Hazard;
use crate::domain::ids::{RecordId, RegionCode};
use crate::domain::petition::Petition;
use crate::domain::record::{Family, Meta, Record, Step};

/// What an office hands down.
#[derive(Debug, Clone)]
pub struct Order {
    pub target_family: Family,
    pub target_id: RecordId,
    /// The township or grid that must handle it.
    pub assignee: RegionCode,
    pub deadline: chrono::NaiveDate,
    pub note: String,
}

/// Records an assignment (and moves a case registered at the office itself into the assignee's region).
pub fn create(tx: &Transaction, ctx: &WriteCtx, order: &Order) -> Result<Assignment> {
    regions::check_inside(tx, ctx, &order.assignee)?;
    if order.assignee == ctx.region {
        return Err(StoreError::Domain(
            crate::domain::record::DomainError::rule(
                "交办对象应是下级乡镇或网格，不能是本级",
                "Assign to a township or grid below this office, not to the office itself",
            ),
        ));
    }
    match order.target_family {
        Family::Hazard => move_into::<Hazard>(tx, ctx, &order.target_id, &order.assignee)?,
        Family::Petition => move_into::<Petition>(tx, ctx, &order.target_id, &order.assignee)?,
        _ => {}
    }
    let mut a = Assignment {
        meta: Meta::new(
            records::new_id(ctx),
            &ctx.device,
            ctx.now_ms(),
            &order.assignee,
        ),
        target_family: order.target_family,
        target_id: order.target_id.clone(),
        assigned_by: ctx.actor.clone(),
        assigned_on: ctx.today(),
        deadline: order.deadline,
        note: order.note.clone(),
        status: AssignmentStatus::Open,
        reply: None,
        done_on: None,
    };
    a.validate(ctx.today())?;
    let note = a.note.clone();
    records::save(tx, ctx, None, &mut a, "create", Some(&note))?;
    let step = Step {
        action: "assign_down",
        on: ctx.today(),
        note: Some(
            crate::domain::timeline::Composed::AssignedDown {
                to: order.assignee.clone(),
                due: a.deadline,
                note: a.note.clone(),
            }
            .encode(),
        ),
    };
    add_event(tx, ctx, &order.target_id, &step)?;
    Ok(a)
}

/// A case outside the assignee's region (registered at the office) moves into it; a case inside another
/// township cannot be assigned to this one.
fn move_into<R: Record>(
    tx: &Transaction,
    ctx: &WriteCtx,
    id: &RecordId,
    assignee: &RegionCode,
) -> Result<()> {
    let old: R = records::get(tx, id)?
        .filter(|r: &R| !r.meta().deleted)
        .ok_or_else(|| StoreError::NoRecord {
            family: R::FAMILY,
            id: id.to_string(),
        })?;
    let code = old.meta().region_code.clone();
    if assignee.contains(&code) {
        return Ok(());
    }
    if code != ctx.region {
        return Err(StoreError::refused(
            format!("这条记录在 {code}，不在 {assignee} 之内；只能交办给记录所在的乡镇、村或网格"),
            format!(
                "This record lies in {code}, not inside {assignee}; assign it to the township, village or grid it lies in"
            ),
        ));
    }
    let mut moved = old.clone();
    moved.meta_mut().region_code = assignee.clone();
    records::save(
        tx,
        ctx,
        Some(&old),
        &mut moved,
        "assign_move",
        Some(assignee),
    )
}

/// 办结: the assignee's answer to the assignment read at `read_version`.
pub fn answer(
    tx: &Transaction,
    ctx: &WriteCtx,
    id: &str,
    read_version: u64,
    reply: &str,
) -> Result<Assignment> {
    let old: Assignment = records::get_for_update(tx, id, read_version)?;
    let mut a = old.clone();
    a.answer(reply, ctx.today())?;
    records::save(tx, ctx, Some(&old), &mut a, "answer", Some(reply))?;
    add_event(
        tx,
        ctx,
        &a.target_id,
        &Step {
            action: "assign_done",
            on: ctx.today(),
            note: Some(reply.to_owned()),
        },
    )?;
    Ok(a)
}

/// The assignments of one hazard or petition, oldest first.
pub fn of(conn: &rusqlite::Connection, target_id: &str) -> Result<Vec<Assignment>> {
    records::select::<Assignment>(
        conn,
        "deleted = 0 AND target_key = (SELECT key FROM ids WHERE id = ?1) ORDER BY assigned_on, key",
        &[&super::keys::stored(target_id)],
    )
}

/// Open assignments, the nearest deadline first.
pub fn open(conn: &rusqlite::Connection) -> Result<Vec<Assignment>> {
    records::select::<Assignment>(
        conn,
        "deleted = 0 AND status = 'open' ORDER BY deadline, key",
        &[],
    )
}
