//! Petition cases: registration (with the acceptance deadline, case number and repeat check) and every step of
//! the statutory lifecycle.

use chrono::NaiveDate;
use rusqlite::{Connection, Transaction};

use super::desk::Desk;
use super::records::{self, add_event};
use super::{Result, WriteCtx, device};
use crate::domain::petition::{ClockRules, Petition, PetitionAction, PetitionCategory};
use crate::domain::record::Step;

/// A petitioner's key as its column holds it: a SHA-256 in lowercase hex (as every key made here is) as its 32
/// bytes, anything else as its text. Read back, the bytes are spelled in lowercase hex again.
pub(crate) fn person_key_column(key: &str) -> rusqlite::types::Value {
    match hex::decode(key) {
        Ok(bytes) if bytes.len() == 32 && hex::encode(&bytes) == key => {
            rusqlite::types::Value::Blob(bytes)
        }
        _ => rusqlite::types::Value::Text(key.to_owned()),
    }
}

/// An earlier case of the same person and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    pub id: crate::domain::ids::RecordId,
    pub case_no: String,
    pub received_on: String,
    pub status: String,
}

/// Earlier cases of the same person (ID number, or name and phone) in the same category since `since`.
pub fn repeats(
    conn: &Connection,
    person_key: &str,
    category: PetitionCategory,
    since: NaiveDate,
) -> Result<Vec<Repeat>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {}, case_no, received_on, status FROM petitions t
             WHERE person_key = ?1 AND category = ?2 AND received_on >= ?3 AND deleted = 0
             ORDER BY received_on DESC, 1 DESC LIMIT 20",
        super::keys::id_of("t.key")
    ))?;
    let rows = st.query_map(
        rusqlite::params![
            person_key_column(person_key),
            category.code(),
            since.to_string()
        ],
        |r| {
            Ok(Repeat {
                id: r.get(0)?,
                case_no: r.get(1)?,
                received_on: r.get(2)?,
                status: r.get(3)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Registers a new case: validates it, sets its deadlines, numbers it, links it to the latest earlier case of
/// the same person and category within the county's repeat window. Returns the case and its earlier cases.
pub fn register(
    tx: &impl Desk,
    ctx: &WriteCtx,
    mut p: Petition,
    rules: ClockRules,
) -> Result<(Petition, Vec<Repeat>)> {
    tx.inside(ctx, &p.meta.region_code)?;
    p.validate(rules)?;
    let earlier = match &p.person_key {
        Some(key) => {
            let window = device::repeat_window(tx.setting(device::REPEAT_WINDOW)?);
            let since = p.received_on - chrono::Days::new(window.max(0) as u64);
            tx.repeats(key, p.category, since)?
        }
        None => Vec::new(),
    };
    p.repeat_of = earlier.first().map(|r| r.id.clone());
    p.case_no = next_case_no(tx, ctx, p.received_on)?;
    records::save(tx, ctx, None, &mut p, "create", None)?;
    let note = p.repeat_of.as_ref().map(|_| {
        crate::domain::timeline::Composed::RepeatOf {
            case_no: earlier[0].case_no.clone(),
        }
        .encode()
    });
    add_event(
        tx,
        ctx,
        &p.meta.id,
        &Step {
            action: "register",
            on: p.received_on,
            note,
        },
    )?;
    Ok((p, earlier))
}

/// "XF-2026-a1b2-0001": year, the device's short id, and a per-device, per-year counter.
fn next_case_no(tx: &impl Desk, ctx: &WriteCtx, received: NaiveDate) -> Result<String> {
    use chrono::Datelike;
    let key = format!("case_seq:{}", received.year());
    let n: u64 = tx.setting(&key)?.and_then(|s| s.parse().ok()).unwrap_or(0) + 1;
    tx.set_setting(&key, &n.to_string())?;
    let short: String = ctx
        .device
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Ok(format!("XF-{}-{short}-{n:04}", received.year()))
}

/// Applies a lifecycle step to the case read at `read_version`.
pub fn act(
    tx: &impl Desk,
    ctx: &WriteCtx,
    id: &str,
    read_version: u64,
    action: &PetitionAction,
    rules: ClockRules,
) -> Result<Petition> {
    let old: Petition = records::get_for_update(tx, id, read_version)?;
    act_on(tx, ctx, &old, action, rules)
}

/// Applies a lifecycle step to `old`, which the caller holds as this transaction last wrote it (the demo).
///
/// Nothing here reads `old` back: it must be the row as this transaction last wrote it, not deleted and at its
/// version (a stale copy would be saved as a change from it). `act` is the checked way in.
pub(crate) fn act_on(
    tx: &impl Desk,
    ctx: &WriteCtx,
    old: &Petition,
    action: &PetitionAction,
    rules: ClockRules,
) -> Result<Petition> {
    records::step_on(tx, ctx, old, |p: &mut Petition| p.apply(action, rules))
}

/// Saves an edit of a case's registration fields read at `edited.meta.version` (not its status or dates: those
/// move by `act`); refused if the case changed meanwhile.
pub fn update(
    tx: &Transaction,
    ctx: &WriteCtx,
    edited: &Petition,
    rules: ClockRules,
    reason: Option<&str>,
) -> Result<Petition> {
    let old: Petition = records::get_for_update(tx, &edited.meta.id, edited.meta.version)?;
    let mut p = old.clone();
    p.channel = edited.channel;
    p.track = edited.track;
    p.category = edited.category;
    p.petitioner_name = edited.petitioner_name.clone();
    p.id_number = edited.id_number.clone();
    p.phone = edited.phone.clone();
    p.address = edited.address.clone();
    p.people = edited.people;
    p.summary = edited.summary.clone();
    p.content = edited.content.clone();
    p.unit = edited.unit.clone();
    p.validate(ClockRules {
        today: rules.today.max(p.received_on),
        ..rules
    })?;
    // Registration fields do not move the statutory clock: keep the deadlines set by the case's steps.
    p.accept_due = old.accept_due;
    p.office_due = old.office_due;
    records::save(tx, ctx, Some(&old), &mut p, "update", reason)?;
    records::note_edit(tx, ctx, &old, &p, reason)?;
    Ok(p)
}
