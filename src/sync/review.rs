//! Reviewing what an import held back: conflicts (open one, see both sides field by field, keep one, with a
//! note that goes to the audit log) and the quarantine (check again, so a record whose missing reference has
//! arrived is taken; or discard one, with a note).

use serde_json::{Map, Value};

use super::merge::{Apply, KnownIds, Outcome, Prepared, Touched, Trespass, vv_of};
use super::records::{self, Parsed, RuleBook};
use crate::domain::Lang;
use crate::domain::fields;
use crate::domain::ids::DeviceId;
use crate::domain::record::Family;
use crate::store::exchange;
use crate::store::held::{self, Conflict};
use crate::store::timeline::EventRow;
use crate::store::{Store, StoreError, WriteCtx, audit};

/// Which side of a conflict to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The version in the table (the deterministic winner, or a later edit).
    Current,
    /// The version the merge set aside.
    Other,
}

/// A conflict with both sides, and the fields in which they differ (personal values masked).
#[derive(Debug, Clone)]
pub struct ConflictView {
    pub conflict: Conflict,
    pub family: Family,
    /// (field, current value, other value), record metadata left out: each named by the family's field table and
    /// shown as it shows values (a choice by its label, personal data masked).
    pub differences: Vec<(String, String, String)>,
    /// When each side was last changed (ms) and by which device.
    pub current_changed: (i64, String),
    pub other_changed: (i64, String),
}

fn family_of(c: &Conflict) -> Result<Family, StoreError> {
    Family::from_code(&c.family)
        .ok_or_else(|| StoreError::Corrupt(format!("conflict {} of family {}", c.id, c.family)))
}

fn parse_side(family: Family, json: &str) -> Result<Parsed, StoreError> {
    let map: Map<String, Value> =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    records::parse(family, map).map_err(StoreError::Corrupt)
}

fn changed(map: &Map<String, Value>) -> (i64, String) {
    (
        map.get("updated_at").and_then(Value::as_i64).unwrap_or(0),
        map.get("updated_by")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
    )
}

fn no_conflict(id: i64) -> StoreError {
    StoreError::refused(
        format!("没有编号为 {id} 的冲突；用 wangge sync status 查看待处理的冲突"),
        format!("There is no conflict {id}; wangge sync status lists the open ones"),
    )
}

/// A decision's reason, which must be given (it goes to the audit log).
fn need_note(note: &str) -> Result<&str, StoreError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(StoreError::refused(
            "请写明处理理由，它会记入审计日志",
            "Give a reason; it goes to the audit log",
        ));
    }
    Ok(note)
}

/// One conflict, both sides compared, in `lang`.
pub fn view(conn: &rusqlite::Connection, id: i64, lang: Lang) -> Result<ConflictView, StoreError> {
    let conflict = held::conflict(conn, id)?.ok_or_else(|| no_conflict(id))?;
    let family = family_of(&conflict)?;
    let other = parse_side(family, &conflict.loser)?;
    let current = super::export::current(conn, family, &conflict.record_id)?.ok_or_else(|| {
        StoreError::NoRecord {
            family,
            id: conflict.record_id.clone(),
        }
    })?;
    let differences = fields::of(family)
        .iter()
        .filter(|d| d.shown() && current.get(d.name) != other.map.get(d.name))
        .map(|d| {
            let show = |v: Option<&Value>| d.show(v.unwrap_or(&Value::Null), lang, false);
            (
                d.label(lang).to_owned(),
                show(current.get(d.name)),
                show(other.map.get(d.name)),
            )
        })
        .collect();
    Ok(ConflictView {
        family,
        differences,
        current_changed: changed(&current),
        other_changed: changed(&other.map),
        conflict,
    })
}

/// Resolves an open conflict: keeping the current version changes no record; keeping the other writes it as a
/// new version of this device (its vector covers both), which travels onward like any edit. Either way the
/// decision and its note go to the audit log.
pub fn resolve(store: &mut Store, id: i64, keep: Keep, note: &str) -> Result<(), StoreError> {
    let note = need_note(note)?;
    let book = RuleBook::load(store.conn())?;
    store.write(|tx, ctx| {
        let conflict = held::conflict(tx, id)?.ok_or_else(|| no_conflict(id))?;
        if conflict.resolved_at.is_some() {
            return Err(StoreError::refused(
                format!("冲突 {id} 已经处理过了，没有改动"),
                format!("Conflict {id} was already resolved; nothing changed"),
            ));
        }
        let family = family_of(&conflict)?;
        let kept = match keep {
            Keep::Current => "current",
            Keep::Other => {
                take_other(tx, ctx, &book, family, &conflict, note)?;
                "other"
            }
        };
        let resolution = serde_json::json!({ "kept": kept, "note": note, "by": ctx.actor });
        held::resolve_conflict(tx, id, &resolution.to_string(), ctx.now_ms())?;
        audit::append(
            tx,
            ctx,
            family.code(),
            &conflict.record_id,
            "resolve_conflict",
            Some(note),
            &serde_json::json!({ "conflict": id, "kept": kept }),
        )
    })
}

/// Writes the set-aside version as a new local version dominating both.
fn take_other(
    tx: &rusqlite::Transaction,
    ctx: &WriteCtx,
    book: &RuleBook,
    family: Family,
    conflict: &Conflict,
    note: &str,
) -> Result<(), StoreError> {
    let other = parse_side(family, &conflict.loser)?;
    let current = super::export::current(tx, family, &conflict.record_id)?.ok_or_else(|| {
        StoreError::NoRecord {
            family,
            id: conflict.record_id.clone(),
        }
    })?;
    let mut vv = vv_of(&current)
        .merged(&other.meta.vv)
        .map_err(crate::domain::record::DomainError::from)?;
    vv.bump(&ctx.device)
        .map_err(crate::domain::record::DomainError::from)?;
    let mut map = other.map.clone();
    map.insert("version".into(), Value::from(vv.total()));
    map.insert("vv".into(), serde_json::to_value(&vv).unwrap_or_default());
    map.insert("updated_at".into(), Value::from(ctx.now_ms()));
    map.insert("updated_by".into(), Value::from(ctx.device.as_str()));
    if let Err((zh, en)) = records::check(family, &map, &book.on(ctx.today())) {
        return Err(StoreError::refused(
            format!("另一版违反业务规则（{zh}），不能采用；冲突仍待处理"),
            format!(
                "The other version breaks a rule ({en}) and cannot be kept; the conflict stays open"
            ),
        ));
    }
    use crate::store::version::{self, Audit, Index, Version};
    version::write(
        tx,
        ctx,
        Version {
            family,
            map: std::borrow::Cow::Borrowed(&map),
            old: Some(&current),
            personal: other.personal,
            action: "resolve_conflict",
            reason: Some(note),
            audit: Audit::Compute,
            source: None,
            index: Index::Now,
            whole_row: true,
        },
    )
}

/// What a quarantine check did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Released {
    /// Taken into the tables (their rule or missing reference is now satisfied).
    pub admitted: u64,
    /// Dropped because this database already holds the same or a later version.
    pub superseded: u64,
    /// Dropped because their sender was revoked, or may not write them.
    pub dropped: u64,
    /// Still held.
    pub held: u64,
}

/// A held record as stored: `{"record": …, "events": […]}`, or the bare record of earlier builds.
fn held(json: &str, family: Family) -> Result<(Parsed, Vec<EventRow>), StoreError> {
    let mut v: Map<String, Value> =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let (record, events) = match v.remove("record") {
        Some(Value::Object(r)) => (
            r,
            v.remove("events")
                .and_then(|e| serde_json::from_value(e).ok())
                .unwrap_or_default(),
        ),
        _ => (v, Vec::new()),
    };
    Ok((
        records::parse(family, record).map_err(StoreError::Corrupt)?,
        events,
    ))
}

/// Checks every held record again inside `tx`, until a pass takes nothing more (one may wait for another). A
/// record is checked as its sender's: one from a device revoked since, or that its sender may not write, is
/// dropped, never released. What is taken is added to `touched` (for the search index).
pub(super) fn recheck_with(
    tx: &rusqlite::Transaction,
    ctx: &WriteCtx,
    book: &RuleBook,
    touched: &mut Touched,
) -> Result<Released, StoreError> {
    let rules = book.on(ctx.today());
    let mut out = Released::default();
    loop {
        let mut progress = false;
        for q in held::quarantined(tx)? {
            let sender = DeviceId::parse(&q.device)
                .ok()
                .map(|d| exchange::peer(tx, &d))
                .transpose()?
                .flatten()
                .filter(|p| p.status.binds());
            let (Some(family), Some(sender)) = (Family::from_code(&q.family), sender) else {
                held::release(tx, q.id)?;
                out.dropped += 1;
                progress = true;
                continue;
            };
            let (parsed, events) = held(&held::quarantined_record(tx, q.id)?, family)?;
            let mut summary = super::import::Summary::default();
            let mut apply = Apply {
                tx,
                ctx,
                device: &sender.device,
                jurisdiction: &sender.region,
                file: &q.file,
                summary: &mut summary,
                touched,
                trespass: Trespass::Drop,
                known: &KnownIds::Probe,
            };
            let prepared = Prepared::of(family, &parsed, &rules);
            match apply.record(family, &parsed, &prepared, &events)? {
                Outcome::Quarantined => continue,
                Outcome::Unchanged => out.superseded += 1,
                Outcome::Dropped => out.dropped += 1,
                _ => out.admitted += 1,
            }
            held::release(tx, q.id)?;
            progress = true;
        }
        if !progress {
            break;
        }
    }
    out.held = held::quarantined(tx)?.len() as u64;
    Ok(out)
}

/// Checks the quarantine again, as a command (also done at the end of every import).
pub fn retry(store: &mut Store) -> Result<Released, StoreError> {
    let book = RuleBook::load(store.conn())?;
    store.write(|tx, ctx| {
        let mut touched = Touched::for_index_of(crate::store::search::documents(tx)?);
        let released = recheck_with(tx, ctx, &book, &mut touched)?;
        if touched.overflow {
            crate::store::search::rebuild_in(tx)?;
        } else if !crate::store::search::is_stale(tx)? {
            for (family, id) in &touched.ids {
                crate::store::search::index(tx, *family, id)?;
            }
        }
        if released.admitted + released.superseded + released.dropped > 0 {
            audit::append(
                tx,
                ctx,
                "quarantine",
                "",
                "recheck",
                None,
                &serde_json::to_value(&released).unwrap_or_default(),
            )?;
        }
        Ok(released)
    })
}

/// Drops one held record (the sender must correct and send it again), with a note to the audit log.
pub fn discard(store: &mut Store, id: i64, note: &str) -> Result<(), StoreError> {
    let note = need_note(note)?;
    store.write(|tx, ctx| {
        let q = held::quarantined(tx)?
            .into_iter()
            .find(|q| q.id == id)
            .ok_or_else(|| {
                StoreError::refused(
                    format!("隔离区里没有编号 {id}；用 wangge sync status 查看"),
                    format!("Nothing with number {id} in quarantine; see wangge sync status"),
                )
            })?;
        held::release(tx, id)?;
        audit::append(
            tx,
            ctx,
            &q.family,
            &q.record_id,
            "discard_quarantined",
            Some(note),
            &serde_json::json!({ "version": q.version, "device": q.device, "reason": q.reason }),
        )
    })
}

/// A stored reason ("中文 / English") in one language.
pub fn reason(stored: &str, lang: Lang) -> &str {
    match (stored.split_once(" / "), lang) {
        (Some((zh, _)), Lang::Zh) => zh,
        (Some((_, en)), Lang::En) => en,
        (None, _) => stored,
    }
}

/// The label of a stored family code, for messages.
pub fn family_label(code: &str, lang: Lang) -> String {
    Family::from_code(code).map_or_else(|| code.to_owned(), |f| f.label(lang).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_names_fields_and_masks_personal_values() {
        let def = fields::find(Family::Petition, "petitioner_name").unwrap();
        assert_eq!(def.show(&Value::from("王小明"), Lang::Zh, false), "王**");
        let def = fields::find(Family::Hazard, "status").unwrap();
        assert_eq!(def.show(&Value::from("closed"), Lang::En, false), "closed");
        assert_eq!(def.label(Lang::Zh), "状态");
    }
}
