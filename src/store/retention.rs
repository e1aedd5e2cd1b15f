//! Retention: erasing the personal data of petitions whose case ended before a date (the law asks that it be
//! kept no longer than needed). The petitioner's name, ID number, phone and address, and the key that links
//! repeat petitions by person, are erased as a new version of each case: audited (the audit row names the fields,
//! never their values), journalled so the erasure travels to the county, and taken out of the search index.
//! The case itself (what was asked, the steps, the deadlines) stays.

use chrono::NaiveDate;
use rusqlite::Transaction;

use super::{Result, WriteCtx, records};
use crate::domain::petition::{Petition, PetitionStatus};
use crate::domain::record::Step;

/// What an erased name reads as.
pub const ERASED: &str = "（已清除）";

/// The last day anything happened in a case.
fn ended_on(p: &Petition) -> NaiveDate {
    [
        p.accepted_on,
        p.replied_on,
        p.closed_on,
        p.review_requested_on,
        p.reviewed_on,
        p.reexam_requested_on,
        p.reexamined_on,
        p.finalized_on,
    ]
    .into_iter()
    .flatten()
    .fold(p.received_on, NaiveDate::max)
}

fn erased(p: &Petition) -> bool {
    p.petitioner_name == ERASED
        && p.id_number.is_none()
        && p.phone.is_none()
        && p.address.is_none()
        && p.person_key.is_none()
}

/// The petitions whose personal data `purge` would erase: no longer open (the office owes nothing), nothing
/// done in them on or after `before`, not erased yet. Oldest case first.
fn ended(conn: &rusqlite::Connection, before: NaiveDate) -> Result<Vec<Petition>> {
    let ended: Vec<String> = PetitionStatus::ALL
        .iter()
        .filter(|s| !s.is_open())
        .map(|s| format!("'{}'", s.code()))
        .collect();
    let candidates: Vec<Petition> = records::select(
        conn,
        &format!(
            "status IN ({}) AND received_on < ?1 ORDER BY received_on, key",
            ended.join(", ")
        ),
        &[&before.to_string()],
    )?;
    Ok(candidates
        .into_iter()
        .filter(|p| p.office_due.is_none() && ended_on(p) < before && !erased(p))
        .collect())
}

/// The ids of the petitions `purge` would erase (see `ended`).
pub fn due(
    conn: &rusqlite::Connection,
    before: NaiveDate,
) -> Result<Vec<crate::domain::ids::RecordId>> {
    Ok(ended(conn, before)?
        .into_iter()
        .map(|p| p.meta.id)
        .collect())
}

/// Erases the personal fields of the petitions `due` names, in `tx`; returns how many.
pub fn purge(tx: &Transaction, ctx: &WriteCtx, before: NaiveDate) -> Result<usize> {
    // Freed pages are overwritten, and the search index drops the erased text for good.
    tx.execute_batch(
        "PRAGMA secure_delete = ON;
         INSERT INTO search_fts (search_fts, rank) VALUES ('secure-delete', 1);",
    )?;
    let cases = ended(tx, before)?;
    let reason =
        format!("个人信息保存期满（{before} 前办结）/ retention: case ended before {before}");
    for old in &cases {
        let mut p = old.clone();
        p.petitioner_name = ERASED.to_owned();
        p.id_number = None;
        p.phone = None;
        p.address = None;
        p.person_key = None;
        records::save(tx, ctx, Some(old), &mut p, "purge_personal", Some(&reason))?;
        records::add_event(
            tx,
            ctx,
            &p.meta.id,
            &Step {
                action: "purge_personal",
                on: crate::domain::clock::china_date(ctx.now),
                note: None,
            },
        )?;
    }
    tx.execute_batch(
        "INSERT INTO search_fts (search_fts, rank) VALUES ('secure-delete', 0);
         PRAGMA secure_delete = OFF;",
    )?;
    Ok(cases.len())
}
