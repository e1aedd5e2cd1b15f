//! Places: create and edit.

use rusqlite::Transaction;

use super::desk::Desk;
use super::records::{self, add_event};
use super::{Result, WriteCtx, regions};
use crate::domain::clock;
use crate::domain::place::Place;
use crate::domain::record::{Record, Step};
use chrono::Datelike;

/// Saves a new place (its `meta` made with `Meta::new`).
pub fn create(tx: &impl Desk, ctx: &WriteCtx, mut place: Place) -> Result<Place> {
    tx.inside(ctx, &place.meta.region_code)?;
    place.validate(clock::china_date(ctx.now).year())?;
    records::save(tx, ctx, None, &mut place, "create", None)?;
    add_event(
        tx,
        ctx,
        &place.meta.id,
        &Step {
            action: "create",
            on: ctx.today(),
            note: None,
        },
    )?;
    Ok(place)
}

/// Saves an edit of a place read at `place.meta.version`; refused if it changed meanwhile.
pub fn update(
    tx: &Transaction,
    ctx: &WriteCtx,
    mut place: Place,
    reason: Option<&str>,
) -> Result<Place> {
    let old: Place = records::get_for_update(tx, &place.meta.id, place.meta.version)?;
    place.meta = old.meta().clone();
    regions::check_inside(tx, ctx, &place.meta.region_code)?;
    place.validate(clock::china_date(ctx.now).year())?;
    records::save(tx, ctx, Some(&old), &mut place, "update", reason)?;
    records::note_edit(tx, ctx, &old, &place, reason)?;
    Ok(place)
}
