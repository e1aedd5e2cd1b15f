//! Merging a verified bundle's records, inside the import's transaction, by version vector: insert, replace,
//! keep ours, or — for concurrent versions — the same deterministic winner everywhere with the loser kept in
//! `conflicts`. A record that breaks a domain rule, or refers to one this database does not hold, waits in
//! quarantine.
//!
//! Who may change a record: its home region is the one it has here. A version is taken only from a device
//! whose jurisdiction holds that region (and the incoming one, checked as the line was read); the same goes for
//! a tombstone and for the timeline events that ride with it. A record id names one record of one family: a
//! line whose id this database holds in another family is never taken.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::import::Summary;
use super::records::{self, Parsed, Rules, Verdict};
use crate::domain::Lang;
use crate::domain::ids::{DeviceId, RecordId, RegionCode};
use crate::domain::record::Family;
use crate::domain::version::{Causality, VersionVector};
use crate::store::exchange;
use crate::store::timeline::{self, EventRow};
use crate::store::{StoreError, WriteCtx, audit, held};

/// What is worked out for an incoming record before the merge (on the import's reading thread): the domain rules'
/// verdict, its state hash, and its changes as the audit row of a new record holds them.
pub(super) struct Prepared {
    verdict: Verdict,
    state_hash: String,
    new_changes: String,
}

impl Prepared {
    pub fn of(family: Family, incoming: &Parsed, rules: &Rules) -> Prepared {
        Prepared::judged(records::check(family, &incoming.map, rules), incoming)
    }

    /// With the verdict already given (`records::parse_judged`).
    pub fn judged(verdict: Verdict, incoming: &Parsed) -> Prepared {
        Prepared {
            verdict,
            state_hash: audit::state_hash(&incoming.map),
            new_changes: audit::diff(None, &incoming.map, incoming.personal).to_string(),
        }
    }
}

/// What to do with a version its sender may not write (another family's id, a record outside its
/// jurisdiction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trespass {
    /// Refuse the whole bundle (an import: nothing is committed).
    Refuse,
    /// Drop the version (a record held in quarantine, checked again).
    Drop,
}

/// The records an import changed, for the search index: kept up to a cap, past which the whole index is
/// rebuilt in one pass instead (cheaper, and more compact, than indexing a large share of it record by record).
#[derive(Debug)]
pub(super) struct Touched {
    pub ids: Vec<(Family, RecordId)>,
    pub overflow: bool,
    cap: usize,
}

impl Touched {
    /// Record by record up to a tenth of the documents indexed (at least 1,000, at most 50,000).
    pub fn for_index_of(documents: u64) -> Touched {
        Touched {
            ids: Vec::new(),
            overflow: false,
            cap: usize::try_from(documents / 10)
                .unwrap_or(usize::MAX)
                .clamp(1_000, 50_000),
        }
    }

    fn add(&mut self, family: Family, id: &RecordId) {
        if self.ids.len() >= self.cap {
            self.overflow = true;
            self.ids = Vec::new();
        }
        if !self.overflow {
            self.ids.push((family, id.clone()));
        }
    }
}

/// Which family holds an id: asked of the database, or, for an import large beside what the database holds,
/// of every id read once at its start (one pass over each table's key instead of seven probes a record).
pub(super) enum KnownIds {
    Probe,
    /// Each family's ids, sorted (a UUID as its 128 bits), as they stood when the import began: a bundle cannot
    /// carry one id twice (the check at its end refuses it), so the records it adds need not be added here.
    Loaded(Vec<(Family, Vec<u128>)>),
}

impl KnownIds {
    /// Loads the ids when the bundle declares more than a seventh of the records held: then one pass over the
    /// keys costs less than seven probes a record.
    pub fn for_import(tx: &rusqlite::Transaction, declared: u64) -> Result<KnownIds, StoreError> {
        if declared.saturating_mul(7) < exchange::record_count(tx)? {
            return Ok(KnownIds::Probe);
        }
        let mut all = Vec::new();
        for family in Family::ALL {
            let mut ids = Vec::new();
            exchange::each_id(tx, *family, |id| {
                if let Ok(u) = uuid::Uuid::try_parse(id) {
                    ids.push(u.as_u128());
                }
            })?;
            ids.sort_unstable();
            all.push((*family, ids));
        }
        Ok(KnownIds::Loaded(all))
    }

    /// Whether this database may hold a record of `id` (false only when it surely does not: its ids were loaded
    /// and it is not among them).
    fn held(&self, id: &RecordId) -> bool {
        match self {
            KnownIds::Probe => true,
            KnownIds::Loaded(all) => Self::among(all, id).is_none_or(|f| f.is_some()),
        }
    }

    /// The family among the loaded ids that holds `id` (None inside when none does); None for an id that is not
    /// a UUID (none was loaded).
    fn among(all: &[(Family, Vec<u128>)], id: &RecordId) -> Option<Option<Family>> {
        let key = uuid::Uuid::try_parse(id).ok()?.as_u128();
        Some(
            all.iter()
                .find(|(_, ids)| ids.binary_search(&key).is_ok())
                .map(|(f, _)| *f),
        )
    }

    fn family_of(
        &self,
        tx: &rusqlite::Transaction,
        id: &RecordId,
    ) -> Result<Option<Family>, StoreError> {
        match self {
            KnownIds::Probe => exchange::family_of(tx, id),
            KnownIds::Loaded(all) => Ok(Self::among(all, id).flatten()),
        }
    }
}

/// Applying one file's lines inside the import's transaction.
pub(super) struct Apply<'a> {
    pub tx: &'a rusqlite::Transaction<'a>,
    pub ctx: &'a WriteCtx,
    /// The device the records come from, and its jurisdiction.
    pub device: &'a DeviceId,
    pub jurisdiction: &'a RegionCode,
    pub file: &'a str,
    pub summary: &'a mut Summary,
    pub touched: &'a mut Touched,
    pub trespass: Trespass,
    pub known: &'a KnownIds,
}

impl Apply<'_> {
    /// Merges one checked record line: its journal entries are noted (a sequence number seen before with
    /// other content is a fork), then the record.
    pub fn line(
        &mut self,
        family: Family,
        seqs: &[(i64, u64)],
        incoming: &Parsed,
        prepared: &Prepared,
        events: &[EventRow],
    ) -> Result<(), StoreError> {
        let id = &incoming.meta.id;
        for (seq, version) in seqs {
            let mut digest = [0u8; 8];
            digest.copy_from_slice(&Sha256::digest(format!("{id}:{version}").as_bytes())[..8]);
            if let Some(had) = exchange::see(self.tx, self.device, *seq, &digest)? {
                exchange::add_fork(
                    self.tx,
                    self.device,
                    *seq,
                    &hex::encode(had),
                    &hex::encode(digest),
                    self.file,
                    self.ctx.now_ms(),
                )?;
                self.summary.forks += 1;
            }
        }
        match self.record(family, incoming, prepared, events)? {
            Outcome::New => self.summary.new += 1,
            Outcome::Updated => self.summary.updated += 1,
            Outcome::Unchanged => self.summary.unchanged += 1,
            Outcome::Conflict => self.summary.conflicts += 1,
            Outcome::Quarantined => self.summary.quarantined += 1,
            Outcome::Dropped => {}
        }
        Ok(())
    }

    /// Whether the sender may write this version: the id is not another family's, and the record held here
    /// (`local`) lies inside the sender's jurisdiction. Err is the refusal, in words.
    fn may_write(
        &self,
        family: Family,
        id: &RecordId,
        local: Option<&Map<String, Value>>,
    ) -> Result<Result<(), (String, String)>, StoreError> {
        let Some(ours) = local else {
            return Ok(match self.known.family_of(self.tx, id)? {
                Some(other) if other != family => Err((
                    format!(
                        "记录 {id} 在本数据库里是{}，交换包却把它当作{}：一个编号只属于一条记录",
                        other.label(Lang::Zh),
                        family.label(Lang::Zh)
                    ),
                    format!(
                        "record {id} is held here as another family's ({}), but the bundle carries it as the family '{}': an id names one record only",
                        other.label(Lang::En),
                        family.label(Lang::En)
                    ),
                )),
                _ => Ok(()),
            });
        };
        let held = ours
            .get("region_code")
            .and_then(Value::as_str)
            .and_then(|c| RegionCode::parse(c).ok());
        Ok(match held {
            Some(home) if self.jurisdiction.contains(&home) => Ok(()),
            home => {
                let home = home.map_or_else(|| "?".to_owned(), |h| h.to_string());
                Err((
                    format!(
                        "记录 {id} 在本数据库里属于 {home}，不在发送设备 {} 的辖区 {} 之内：它不能改动这条记录",
                        self.device, self.jurisdiction
                    ),
                    format!(
                        "record {id} belongs to {home} here, outside the jurisdiction {} of device {}: it may not change it",
                        self.jurisdiction, self.device
                    ),
                ))
            }
        })
    }

    /// Merges one record (and its events) by version vector.
    pub fn record(
        &mut self,
        family: Family,
        incoming: &Parsed,
        prepared: &Prepared,
        events: &[EventRow],
    ) -> Result<Outcome, StoreError> {
        let id = &incoming.meta.id;
        let local = match self.known.held(id) {
            false => None,
            true => super::export::current(self.tx, family, id)?,
        };
        if let Err((zh, en)) = self.may_write(family, id, local.as_ref())? {
            return match self.trespass {
                Trespass::Refuse => Err(StoreError::bad_file(self.file, None, zh, en)),
                Trespass::Drop => Ok(Outcome::Dropped),
            };
        }
        let outcome = match &local {
            None => self.admit(family, incoming, prepared, None, events, "new")?,
            Some(ours) => {
                let our_vv = vv_of(ours);
                match incoming.meta.vv.compare(&our_vv) {
                    Causality::Dominates => {
                        self.admit(family, incoming, prepared, Some(ours), events, "updated")?
                    }
                    Causality::Equal | Causality::Dominated => Outcome::Unchanged,
                    Causality::Concurrent => {
                        self.conflict(family, incoming, prepared, ours, our_vv, events)?
                    }
                }
            }
        };
        if outcome != Outcome::Quarantined {
            timeline::add_events(self.tx, id, events)?;
        }
        Ok(outcome)
    }

    /// Takes the incoming version if it passes the domain rules and everything it refers to is on file;
    /// otherwise holds it in quarantine.
    fn admit(
        &mut self,
        family: Family,
        incoming: &Parsed,
        prepared: &Prepared,
        ours: Option<&Map<String, Value>>,
        events: &[EventRow],
        how: &str,
    ) -> Result<Outcome, StoreError> {
        if let Err((zh, en)) = self.admissible(incoming, prepared)? {
            let held = serde_json::json!({ "record": incoming.map, "events": events });
            held::quarantine(
                self.tx,
                family,
                &incoming.meta.id,
                incoming.meta.version,
                &held.to_string(),
                &format!("{zh} / {en}"),
                self.device,
                self.file,
                self.ctx.now_ms(),
            )?;
            return Ok(Outcome::Quarantined);
        }
        self.write(
            family,
            &incoming.map,
            ours,
            incoming.personal,
            how,
            Some(prepared),
        )?;
        Ok(if ours.is_none() {
            Outcome::New
        } else {
            Outcome::Updated
        })
    }

    fn admissible(&self, incoming: &Parsed, prepared: &Prepared) -> Result<Verdict, StoreError> {
        for (rf, rid) in &incoming.refers_to {
            if !exchange::has_row(self.tx, *rf, rid)? {
                return Ok(Err((
                    format!(
                        "引用的{}（{rid}）不在本数据库中（可能被隔离或缺少批次）",
                        rf.label(Lang::Zh)
                    ),
                    format!(
                        "refers to a {} ({rid}) this database does not hold (quarantined or a missing batch)",
                        rf.label(Lang::En)
                    ),
                )));
            }
        }
        Ok(prepared.verdict.clone())
    }

    /// Concurrent versions: the later change (then the greater device id, then the greater content hash) wins
    /// everywhere; the merged vector covers both; the loser is kept.
    fn conflict(
        &mut self,
        family: Family,
        incoming: &Parsed,
        prepared: &Prepared,
        ours: &Map<String, Value>,
        our_vv: VersionVector,
        events: &[EventRow],
    ) -> Result<Outcome, StoreError> {
        let merged = incoming.meta.vv.merged(&our_vv).map_err(|_| {
            StoreError::bad_file(
                self.file,
                None,
                format!(
                    "记录 {} 的两个版本合起来会超过 2^53 次修改",
                    incoming.meta.id
                ),
                format!(
                    "record {}: its two versions together would pass 2^53 changes",
                    incoming.meta.id
                ),
            )
        })?;
        // The content hash leaves out the vector: a merged state keeps its winner's place in the order. Two
        // versions by one device at the same moment (a clock that did not move) are told apart by that device's
        // own count in their vectors: its later change wins. (A merged vector holds the winner's count for its
        // author: any version that has seen a later change of that author dominates it, so it is never in a
        // conflict.)
        let key = |m: &Map<String, Value>| {
            let mut content = m.clone();
            content.remove("vv");
            content.remove("version");
            let author = m.get("updated_by").and_then(Value::as_str).unwrap_or("");
            let own = m
                .get("vv")
                .and_then(|vv| vv.get(author))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            (
                m.get("updated_at").and_then(Value::as_i64).unwrap_or(0),
                author.to_owned(),
                own,
                audit::state_hash(&content),
            )
        };
        let incoming_wins = key(&incoming.map) > key(ours);
        let (winner, loser, source) = if incoming_wins {
            (&incoming.map, ours, &self.ctx.device)
        } else {
            (ours, &incoming.map, self.device)
        };
        if incoming_wins && self.admissible(incoming, prepared)?.is_err() {
            // The winner breaks a rule here: it waits in quarantine and ours stays.
            return self.admit(family, incoming, prepared, Some(ours), events, "updated");
        }
        let mut won = winner.clone();
        won.insert(
            "vv".into(),
            serde_json::to_value(&merged).unwrap_or_default(),
        );
        won.insert("version".into(), Value::from(merged.total()));
        let personal = incoming.personal;
        self.write(family, &won, Some(ours), personal, "conflict", None)?;
        held::add_conflict(
            self.tx,
            family,
            &incoming.meta.id,
            &Value::Object(loser.clone()).to_string(),
            &serde_json::to_string(&merged).unwrap_or_default(),
            source,
            self.ctx.now_ms(),
        )?;
        Ok(Outcome::Conflict)
    }

    /// Writes a record's row (an inspection's results in it), its audit row and its journal row. `prepared` is
    /// given when `map` is the incoming record as it came.
    fn write(
        &mut self,
        family: Family,
        map: &Map<String, Value>,
        old: Option<&Map<String, Value>>,
        personal: &[&str],
        how: &str,
        prepared: Option<&Prepared>,
    ) -> Result<(), StoreError> {
        use crate::store::version::{self, Audit, Index, Version};
        if let Some(id) = map
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| RecordId::parse(id).ok())
        {
            self.touched.add(family, &id);
        }
        let reason = format!("{how}: {} {}", self.file, self.device);
        // The changes from what this database held, when it held the record; as prepared, when it is new.
        let changes = match (prepared, old) {
            (Some(_), Some(old)) => Some(audit::diff(Some(old), map, personal).to_string()),
            _ => None,
        };
        let audit = match (prepared, &changes) {
            (Some(p), Some(changes)) => Audit::Given {
                changes,
                state_hash: &p.state_hash,
            },
            (Some(p), None) => Audit::Given {
                changes: &p.new_changes,
                state_hash: &p.state_hash,
            },
            (None, _) => Audit::Compute,
        };
        version::write(
            self.tx,
            self.ctx,
            Version {
                family,
                map: std::borrow::Cow::Borrowed(map),
                old,
                personal,
                action: "import",
                reason: Some(&reason),
                audit,
                source: Some(self.device),
                index: Index::Later,
                whole_row: true,
            },
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    New,
    Updated,
    Unchanged,
    Conflict,
    Quarantined,
    /// Not the sender's to write (a record held in quarantine, checked again): dropped.
    Dropped,
}

pub(super) fn vv_of(map: &Map<String, Value>) -> VersionVector {
    map.get("vv")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}
