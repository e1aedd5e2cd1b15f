//! Import: verify the header first (format version, identities, bounds, trust, signature), then read the
//! payload once in ONE transaction, each line checked (it parses and lies inside both the sender's and this
//! database's region) and merged by version vector; the digest, length and counts are checked at the end, the
//! search index is brought up to date in the same transaction, and any failure rolls it all back. A record that
//! parses but breaks a domain rule waits in quarantine; concurrent versions end with the same deterministic
//! winner everywhere and the loser kept in `conflicts`. A sender that must first be confirmed has its verified
//! bundle held whole, unmerged.

use std::path::Path;

use super::incoming::{self, Item};
use super::merge::{self, KnownIds, Touched, Trespass};
use super::records::RuleBook;
use super::verify::{Admission, HoldReason, Verified, verify};
use crate::domain::ids::{DeviceId, RegionCode};
use crate::store::exchange::{self, Peer, PeerStatus};
use crate::store::{Store, StoreError, WriteCtx, audit, device};

/// What one file did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub file: String,
    pub device: Option<DeviceId>,
    pub region: Option<RegionCode>,
    pub seq: [i64; 2],
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub conflicts: u64,
    pub quarantined: u64,
    pub regions_added: u64,
    /// Villages and grids whose names came up renamed.
    pub regions_renamed: u64,
    pub forks: u64,
    /// Records held earlier and taken now (what they waited for arrived).
    pub released: u64,
    /// This exact file was imported before: nothing changed.
    pub already: bool,
    /// The sender was seen for the first time and pinned, unconfirmed.
    pub first_seen: bool,
    /// The bundle was verified and held, unmerged, until an operator confirms its sender: why (zh, en).
    pub held: Option<(String, String)>,
    pub dry_run: bool,
    /// How long bringing the search index up to date took, inside the import's transaction.
    #[serde(skip)]
    pub index_rebuild: Option<std::time::Duration>,
}

/// What one file given to `import` was.
pub enum Taken {
    Bundle(Summary),
    Ack(super::ack::Taken),
}

/// Imports a file given to `import`: a bundle, or the county's acknowledgement.
pub fn take(
    store: &mut Store,
    path: &Path,
    dry_run: bool,
    progress: super::Progress,
) -> Result<Taken, StoreError> {
    // A pipe or a device would block the first read: refused before anything opens it.
    drop(crate::store::open_regular(path)?);
    if super::ack::is_ack(path) {
        return super::ack::accept(store, path, dry_run).map(Taken::Ack);
    }
    import_with(store, path, dry_run, progress).map(Taken::Bundle)
}

/// Verifies and applies one bundle file.
pub fn import(store: &mut Store, path: &Path, dry_run: bool) -> Result<Summary, StoreError> {
    import_with(store, path, dry_run, &super::quiet)
}

/// The name a file goes by in the database and in messages.
fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// As `import`, telling `progress` how far it has come: the payload's bytes, read once, each line checked and
/// merged in one transaction.
pub fn import_with(
    store: &mut Store,
    path: &Path,
    dry_run: bool,
    progress: super::Progress,
) -> Result<Summary, StoreError> {
    let own = device::get(store.conn())?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let verified = verify(store, path, &own)?;
    let header = &verified.header;
    let mut summary = Summary {
        file: path.display().to_string(),
        device: Some(header.device.clone()),
        region: Some(header.region.clone()),
        seq: header.seq,
        dry_run,
        first_seen: verified.admission == Admission::Merge { first_seen: true },
        ..Summary::default()
    };
    if exchange::batch_known(store.conn(), &header.device, &header.payload.sha256)? {
        // The same header names the same payload: a copy whose bytes differ is damaged, and says so.
        super::payload::intact(path, verified.offset, header)?;
        summary.already = true;
        return Ok(summary);
    }
    if let Admission::Hold(reason) = &verified.admission {
        hold(store, path, &verified, reason, dry_run)?;
        summary.held = Some(reason.words());
        return Ok(summary);
    }
    merge_bundle(store, path, &verified, dry_run, &mut summary, &|b| {
        progress(b, size)
    })?;
    progress(size, size);
    Ok(summary)
}

/// The largest bundle kept whole for an operator: it is read into memory once (a first bundle is seldom larger;
/// a bigger one waits for `trust add`, then imports as usual).
const MAX_HELD: u64 = 128 * 1024 * 1024;

/// Keeps a verified bundle whole, unmerged, with why; its sender is pinned as held.
fn hold(
    store: &mut Store,
    path: &Path,
    v: &Verified,
    reason: &HoldReason,
    dry_run: bool,
) -> Result<(), StoreError> {
    let h = &v.header;
    super::payload::intact(path, v.offset, h)?;
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size > MAX_HELD {
        return Err(StoreError::bad_file(
            path,
            None,
            format!(
                "这个交换包要等操作员确认发送设备，但它太大（{} MB），不能暂存；先核实后用 wangge trust add 登记该设备，再导入",
                size >> 20
            ),
            format!(
                "this bundle must wait for an operator to confirm its sender, but it is too large ({} MB) to hold; check the device, register it with wangge trust add, then import again",
                size >> 20
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|source| StoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    let (zh, en) = reason.words();
    let file = name_of(path);
    let now = crate::domain::clock::to_ms(store.now());
    store.write_then(!dry_run, |tx| {
        if v.peer.is_none() {
            exchange::put_peer(
                tx,
                &Peer {
                    device: h.device.clone(),
                    public_key: h.public_key.clone(),
                    region: h.region.clone(),
                    status: PeerStatus::Held,
                    how: "first_use".into(),
                    added_at: now,
                },
            )?;
        }
        exchange::hold_bundle(
            tx,
            &h.device,
            (h.seq[0], h.seq[1]),
            &h.payload.sha256,
            &file,
            &format!("{zh} / {en}"),
            &bytes,
            now,
        )?;
        Ok(())
    })
}

/// The merge of a verified bundle in one transaction (rolled back on any failure, or for a dry run).
fn merge_bundle(
    store: &mut Store,
    path: &Path,
    v: &Verified,
    dry_run: bool,
    summary: &mut Summary,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), StoreError> {
    let header = &v.header;
    let own = device::get(store.conn())?;
    let book = RuleBook::load(store.conn())?;
    let identity = super::seal::identity(store.conn())?;
    let ctx = WriteCtx {
        device: own.id.clone(),
        actor: own.worker.clone(),
        region: own.region.clone(),
        now: store.now(),
    };
    let rules = book.on(ctx.today());
    let file_name = name_of(path);
    // SQLite's foreign keys are off on this connection while the merge runs: the region rows come last in a
    // payload, after the records lying in them, and while any reference waits SQLite looks for the rows that
    // wait on each new parent row, scanning tables without an index on the reference (an import into an empty
    // county grew quadratic: 218 s for 100,000 records against 47 s into one holding half). The import makes
    // the same checks itself: a record whose reference is not on file waits in quarantine, and at the end every
    // region a record or a region row names must be on file (`PayloadCheck::finish`).
    store.conn().pragma_update(None, "foreign_keys", "OFF")?;
    let result = store.bulk(|store| {
        store.write_then(!dry_run, |tx| {
            if v.peer.is_none() {
                exchange::put_peer(
                    tx,
                    &Peer {
                        device: header.device.clone(),
                        public_key: header.public_key.clone(),
                        region: header.region.clone(),
                        status: PeerStatus::Unconfirmed,
                        how: "first_use".into(),
                        added_at: ctx.now_ms(),
                    },
                )?;
            }
            let mut touched = Touched::for_index_of(crate::store::search::documents(tx)?);
            let mut renamed = Vec::new();
            let declared = header
                .counts
                .iter()
                .filter(|(k, _)| *k != "region")
                .fold(0u64, |n, (_, c)| n.saturating_add(*c));
            let known = KnownIds::for_import(tx, declared)?;
            let mut apply = merge::Apply {
                tx,
                ctx: &ctx,
                device: &header.device,
                jurisdiction: &header.region,
                file: &file_name,
                summary,
                touched: &mut touched,
                trespass: Trespass::Refuse,
                known: &known,
            };
            let source = incoming::Source {
                path,
                offset: v.offset,
                header,
                created_ms: v.created_ms,
                identity: identity.as_ref(),
                own_region: &own.region,
                rules: &rules,
            };
            let (digest, check) = incoming::read(&source, progress, |item| match item {
                Item::Region(region) => {
                    // Names come up from the device that keeps them, never down from above.
                    let upward = own.region.contains(&header.region) && own.region != header.region;
                    match exchange::add_region(tx, region, upward)? {
                        exchange::RegionChange::Added => apply.summary.regions_added += 1,
                        exchange::RegionChange::Renamed => {
                            apply.summary.regions_renamed += 1;
                            renamed.push(region.code.clone());
                        }
                        exchange::RegionChange::Unchanged => {}
                    }
                    Ok(())
                }
                Item::Record {
                    family,
                    seqs,
                    parsed,
                    prepared,
                    events,
                } => apply.line(*family, seqs, parsed, prepared, events),
            })?;
            // Before anything commits: a record the bundle carries twice is refused here, which the merge counts
            // on (with the ids loaded at the start, it takes a record not among them as new without looking).
            check.finish(tx, &digest)?;
            let released = super::review::recheck_with(tx, &ctx, &book, apply.touched)?;
            apply.summary.released = released.admitted;
            if !dry_run {
                // The merge's pages go to the log first (not yet committed): the index then has the page cache
                // to itself, as it had when it was rebuilt after the commit.
                tx.cache_flush()?;
                let started = std::time::Instant::now();
                index(tx, &touched)?;
                // The records in a renamed village or grid are found by its new name.
                if !touched.overflow {
                    for code in &renamed {
                        crate::store::search::index_region(tx, code)?;
                    }
                }
                summary.index_rebuild = Some(started.elapsed());
            }
            // Only a bundle addressed to this very region counts as received in full (for gaps and the county's
            // acknowledgements): one meant for a village inside it carries that village's records only.
            let s = &*summary;
            if header.to == own.region {
                exchange::add_batch(
                    tx,
                    &exchange::Batch {
                        device: header.device.clone(),
                        lo: header.seq[0],
                        hi: header.seq[1],
                        batch: header.batch,
                        sha256: header.payload.sha256.clone(),
                        imported_at: ctx.now_ms(),
                        file: file_name.clone(),
                        summary: format!(
                            "new {} updated {} unchanged {} conflicts {} quarantined {}",
                            s.new, s.updated, s.unchanged, s.conflicts, s.quarantined
                        ),
                    },
                )?;
            }
            audit::append(
                tx,
                &ctx,
                "bundle",
                &header.payload.sha256,
                "import",
                Some(&file_name),
                &serde_json::json!({ "device": header.device, "seq": header.seq, "new": s.new,
                    "updated": s.updated, "conflicts": s.conflicts, "quarantined": s.quarantined }),
            )?;
            Ok(())
        })
    });
    store.conn().pragma_update(None, "foreign_keys", "ON")?;
    result
}

/// Brings the search index up to date with what a merge changed, in its transaction: record by record, or, past
/// a tenth of the index (or over an index waiting for its rebuild), in one pass over everything.
fn index(tx: &rusqlite::Transaction, touched: &Touched) -> Result<(), StoreError> {
    use crate::store::search;
    if touched.overflow || search::is_stale(tx)? {
        return search::rebuild_in(tx);
    }
    for (family, id) in &touched.ids {
        search::index(tx, *family, id)?;
    }
    Ok(())
}
