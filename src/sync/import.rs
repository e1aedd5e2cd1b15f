//! Import: verify the header first (format version, trust, signature), then read the payload once in ONE
//! transaction, each line checked (it parses and lies inside both the sender's and this database's region) and
//! merged by version vector; the digest, length and counts are checked at the end, and any failure rolls it all
//! back. A record that parses but breaks a domain rule waits in quarantine; concurrent versions end
//! with the same deterministic winner everywhere and the loser kept in `conflicts`.

use std::path::Path;

use super::incoming::{self, Item};
use super::merge;
use super::records::RuleBook;
use super::verify::{Verified, verify};
use crate::store::exchange::{self, Peer};
use crate::store::{Store, StoreError, WriteCtx, audit, device};

/// What one file did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub file: String,
    pub device: String,
    pub region: String,
    pub seq: [i64; 2],
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub conflicts: u64,
    pub quarantined: u64,
    pub regions_added: u64,
    pub forks: u64,
    /// Records held earlier and taken now (what they waited for arrived).
    pub released: u64,
    /// This exact file was imported before: nothing changed.
    pub already: bool,
    /// The sender was seen for the first time and pinned, unconfirmed.
    pub first_seen: bool,
    pub dry_run: bool,
    /// How long rebuilding the search index after the merge took (None: it was current).
    #[serde(skip)]
    pub index_rebuild: Option<std::time::Duration>,
}

/// What one file given to `import` was.
pub enum Taken {
    Bundle(Summary),
    Ack(super::ack::Ack),
}

/// Imports a file given to `import`: a bundle, or the county's acknowledgement.
pub fn take(
    store: &mut Store,
    path: &Path,
    dry_run: bool,
    progress: super::Progress,
) -> Result<Taken, StoreError> {
    if super::ack::is_ack(path) {
        return super::ack::accept(store, path, dry_run).map(Taken::Ack);
    }
    import_with(store, path, dry_run, progress).map(Taken::Bundle)
}

/// Verifies and applies one bundle file.
pub fn import(store: &mut Store, path: &Path, dry_run: bool) -> Result<Summary, StoreError> {
    import_with(store, path, dry_run, &super::quiet)
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
    let Verified {
        header,
        offset,
        peer,
    } = verify(store, path, &own)?;
    let mut summary = Summary {
        file: path.display().to_string(),
        device: header.device.clone(),
        region: header.region.clone(),
        seq: header.seq,
        dry_run,
        first_seen: peer.is_none(),
        ..Summary::default()
    };
    if exchange::batch_known(store.conn(), &header.device, &header.payload.sha256)? {
        summary.already = true;
        return Ok(summary);
    }
    // One pass, in one transaction: each line is checked, then merged; a bad line, or a digest or counts off at
    // the end, rolls it all back (and so does a dry run).
    let book = RuleBook::load(store.conn())?;
    let identity = super::seal::identity(store.conn())?;
    let ctx = WriteCtx {
        device: own.id.clone(),
        actor: own.worker.clone(),
        region: own.region.clone(),
        now: store.now(),
    };
    let rules = book.on(ctx.today());
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // SQLite's foreign keys are off on this connection while the merge runs: the region rows come last in a
    // payload, after the records lying in them, and while any reference waits SQLite looks for the rows that
    // wait on each new parent row, scanning tables without an index on the reference (an import into an empty
    // county grew quadratic: 218 s for 100,000 records against 47 s into one holding half). The import makes
    // the same checks itself: a record whose reference is not on file waits in quarantine, and at the end every
    // region a record or a region row names must be on file (`PayloadCheck::finish`).
    store.conn().pragma_update(None, "foreign_keys", "OFF")?;
    let result = store.bulk(|store| store.write_then(!dry_run, |tx| {
        if peer.is_none() {
            exchange::put_peer(
                tx,
                &Peer {
                    device: header.device.clone(),
                    public_key: header.public_key.clone(),
                    region: header.region.clone(),
                    status: "unconfirmed".into(),
                    how: "first_use".into(),
                    added_at: ctx.now_ms(),
                },
            )?;
        }
        let mut apply = merge::Apply {
            tx,
            ctx: &ctx,
            device: &header.device,
            file: &file_name,
            summary: &mut summary,
        };
        let source = incoming::Source {
            path,
            offset,
            header: &header,
            identity: identity.as_ref(),
            own_region: &own.region,
            rules: &rules,
        };
        let (digest, check) = incoming::read(&source, &|b| progress(b, size), |item| match item {
            Item::Region(region) => {
                if exchange::add_region(tx, &region)? {
                    apply.summary.regions_added += 1;
                }
                Ok(())
            }
            Item::Record {
                family,
                seqs,
                parsed,
                prepared,
                events,
            } => apply.line(family, &seqs, parsed, &prepared, &events),
        })?;
        check.finish(tx, &digest)?;
        let released = super::review::recheck(tx, &ctx, &book)?;
        // The search index is rebuilt in one pass after the commit, not row by row: until then it is marked
        // stale in this same transaction, so a crash in between leaves it rebuilt at the next open.
        let s = &*apply.summary;
        if s.new + s.updated + s.conflicts + released.admitted > 0 {
            crate::store::search::mark_stale(tx)?;
        }
        apply.summary.released = released.admitted;
        let s = &*apply.summary;
        // Only a bundle addressed to this very region counts as received in full (for gaps and the county's
        // acknowledgements): one meant for a village inside it carries that village's records only.
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
            &serde_json::json!({ "device": header.device, "seq": header.seq, "new": s.new, "updated": s.updated,
                "conflicts": s.conflicts, "quarantined": s.quarantined }),
        )?;
        Ok(())
    }));
    store.conn().pragma_update(None, "foreign_keys", "ON")?;
    result?;
    if !dry_run && crate::store::search::is_stale(store.conn())? {
        let started = std::time::Instant::now();
        crate::store::search::rebuild(store)?;
        summary.index_rebuild = Some(started.elapsed());
    }
    progress(size, size);
    Ok(summary)
}
