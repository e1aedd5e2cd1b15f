//! The import's reading stage: a thread of its own reads the payload (decrypting and hashing it), parses and checks
//! each line, and hands the lines over in batches, in order, to the merge on the calling thread, which holds the
//! transaction. Reading and checking then run beside the database's writes.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use super::bundle::{Header, Line};
use super::merge::Prepared;
use super::payload::{self, PayloadCheck};
use super::records::{Parsed, Rules};
use crate::domain::ids::RegionCode;
use crate::domain::record::Family;
use crate::store::StoreError;
use crate::store::exchange::RegionRow;
use crate::store::timeline::EventRow;

/// Lines gathered before they are handed over, and batches in flight: few, since each record in flight costs
/// memory (about 10 kB with its prepared audit text) and the merge is the slower side anyway.
const BATCH: usize = 64;
const DEPTH: usize = 2;

/// One checked payload line. (A region line is smaller, but a bundle holds only a few of them.)
#[allow(clippy::large_enum_variant)]
pub(super) enum Item {
    Region(RegionRow),
    Record {
        family: Family,
        seqs: Vec<(i64, u64)>,
        parsed: Parsed,
        prepared: Prepared,
        events: Vec<EventRow>,
    },
}

/// Where the payload is and how to read it.
pub(super) struct Source<'a> {
    pub path: &'a Path,
    pub offset: u64,
    pub header: &'a Header,
    /// The header's `created_at`, UTC ms.
    pub created_ms: i64,
    pub identity: Option<&'a age::x25519::Identity>,
    pub own_region: &'a RegionCode,
    /// The domain rules each record is judged by.
    pub rules: &'a Rules<'a>,
}

/// Reads `source`'s payload on a second thread and gives `apply` each checked line, in order, on this one. Returns
/// the payload's digest and the checks to finish once every line is applied. The first error stops both sides:
/// `apply`'s own, or the reader's (a line that does not parse or check, a damaged file). Each batch applied goes
/// back to the reading thread, which frees it: the merge, the slower side, spends no time on it.
pub(super) fn read<'a>(
    src: &Source<'a>,
    progress: &(dyn Fn(u64) + Sync),
    mut apply: impl FnMut(&Item) -> Result<(), StoreError>,
) -> Result<(String, PayloadCheck<'a>), StoreError> {
    let (to, from) = sync_channel::<Vec<Item>>(DEPTH);
    let (give_back, spent) = sync_channel::<Vec<Item>>(DEPTH + 1);
    let stopped = || StoreError::Io {
        path: src.path.to_owned(),
        source: std::io::Error::other("the merge stopped"),
    };
    std::thread::scope(|s| {
        let reader = std::thread::Builder::new()
            .name("wangge-reader".into())
            .spawn_scoped(s, move || {
                let mut check =
                    PayloadCheck::new(src.path, src.header, src.own_region, src.created_ms);
                let mut batch = Vec::with_capacity(BATCH);
                let digest = payload::read_payload(
                    src.path,
                    src.offset,
                    src.header,
                    src.identity,
                    progress,
                    |line_no, line| {
                        let item = match line {
                            Line::Region { region } => {
                                if !check.region(line_no, &region)? {
                                    return Ok(ControlFlow::Continue(()));
                                }
                                Item::Region(region)
                            }
                            Line::Record {
                                family,
                                seqs,
                                record,
                                events,
                            } => {
                                let (family, parsed, verdict) = check
                                    .record(line_no, &family, &seqs, record, &events, src.rules)?;
                                Item::Record {
                                    family,
                                    seqs,
                                    prepared: Prepared::judged(verdict, &parsed),
                                    parsed,
                                    events,
                                }
                            }
                        };
                        batch.push(item);
                        // Batches the merge is done with are freed here.
                        while spent.try_recv().is_ok() {}
                        if batch.len() >= BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            if to.send(full).is_err() {
                                // The merge has stopped: the rest of the file is not worth reading.
                                return Ok(ControlFlow::Break(()));
                            }
                        }
                        Ok(ControlFlow::Continue(()))
                    },
                )?;
                let Some(digest) = digest else {
                    return Err(stopped());
                };
                if !batch.is_empty() && to.send(batch).is_err() {
                    return Err(stopped());
                }
                Ok((digest, check))
            });
        let reader = reader.map_err(|source| StoreError::Io {
            path: src.path.to_owned(),
            source,
        })?;
        let mut applied = Ok(());
        for batch in &from {
            for item in &batch {
                applied = apply(item);
                if applied.is_err() {
                    break;
                }
            }
            if applied.is_err() {
                break;
            }
            // (When the reader has finished, or is behind on freeing, the batch is freed here.)
            let _ = give_back.try_send(batch);
        }
        // The reader stops at its next hand-over once nobody receives.
        drop(from);
        let read = reader.join();
        applied?;
        match read {
            Ok(result) => result,
            Err(_) => Err(StoreError::Io {
                path: src.path.to_owned(),
                source: std::io::Error::other("the payload's reader thread failed"),
            }),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::device;
    use crate::sync::export::{Outcome, Request, export};
    use crate::sync::test_store;

    /// A township's whole bundle to the county (in `dir`), and the county's store.
    fn township_bundle(dir: &Path) -> (std::path::PathBuf, crate::store::Store) {
        let mut township = test_store(
            &dir.join("t.db"),
            "610727101000",
            "0190a1b2-0000-7000-8000-000000000007",
        );
        crate::demo::generate(&mut township, 300, 7, &mut |_| {}).unwrap();
        let req = Request {
            out_dir: dir.join("out"),
            to: None,
            full: true,
        };
        let Outcome::Written { path, .. } = export(&mut township, &req).unwrap() else {
            panic!("nothing exported");
        };
        let county = test_store(
            &dir.join("c.db"),
            "610727000000",
            "0190a1b2-0000-7000-8000-000000000009",
        );
        (path, county)
    }

    /// Reads a township's whole bundle as the county would, giving each line to `apply`.
    fn read_with(
        apply: impl FnMut(&Item) -> Result<(), StoreError>,
    ) -> (Header, Result<String, StoreError>) {
        let dir = tempfile::tempdir().unwrap();
        let (path, county) = township_bundle(dir.path());
        let own = device::get(county.conn()).unwrap();
        let v = crate::sync::verify::verify(&county, &path, &own).unwrap();
        let book = crate::sync::records::RuleBook::load(county.conn()).unwrap();
        let rules = book.on(crate::domain::clock::china_date(county.now()));
        let source = Source {
            path: &path,
            offset: v.offset,
            header: &v.header,
            created_ms: v.created_ms,
            identity: None,
            own_region: &own.region,
            rules: &rules,
        };
        let read = read(&source, &|_| {}, apply).map(|(digest, _)| digest);
        (v.header.clone(), read)
    }

    #[test]
    fn every_line_arrives_in_order_and_the_digest_matches() {
        let mut families = Vec::new();
        let (header, read) = read_with(|item| {
            families.push(match item {
                Item::Region(_) => "region".to_owned(),
                Item::Record { family, .. } => family.code().to_owned(),
            });
            Ok(())
        });
        assert_eq!(read.unwrap(), header.payload.sha256);
        // Every record line, and the region lines inside the sender's jurisdiction (not the county above it).
        let records: u64 = header
            .counts
            .iter()
            .filter(|(k, _)| *k != "region")
            .map(|(_, n)| n)
            .sum();
        let regions = families.iter().filter(|f| *f == "region").count() as u64;
        assert_eq!(families.len() as u64 - regions, records);
        assert!(
            regions > 0 && regions < header.counts["region"],
            "{regions}"
        );
        // The regions come last, as they were written.
        assert_eq!(families.last().map(String::as_str), Some("region"));
        assert!(families.len() > 2 * BATCH, "{}", families.len());
    }

    #[test]
    fn the_merges_error_stops_the_reader_and_is_the_one_told() {
        let mut seen = 0;
        let (_, read) = read_with(|_| {
            seen += 1;
            if seen == BATCH + 3 {
                return Err(StoreError::DiskFull);
            }
            Ok(())
        });
        assert!(matches!(read, Err(StoreError::DiskFull)), "{read:?}");
        assert_eq!(seen, BATCH + 3);
    }

    #[test]
    fn a_reader_whose_lines_are_no_longer_wanted_stops_there() {
        let dir = tempfile::tempdir().unwrap();
        let (path, county) = township_bundle(dir.path());
        let own = device::get(county.conn()).unwrap();
        let v = crate::sync::verify::verify(&county, &path, &own).unwrap();
        // A byte near the end altered: reading on to the end to hash it would call the file damaged.
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() - 2;
        bytes[at] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        let mut lines = 0;
        let read = payload::read_payload(&path, v.offset, &v.header, None, &|_| {}, |_, _| {
            lines += 1;
            Ok(ControlFlow::Break(()))
        });
        assert!(matches!(read, Ok(None)), "{read:?}");
        assert_eq!(lines, 1);
        // Read to the end, the same file is found damaged.
        let read = payload::read_payload(&path, v.offset, &v.header, None, &|_| {}, |_, _| {
            Ok(ControlFlow::Continue(()))
        });
        let intact = matches!(&read, Ok(Some(d)) if *d == v.header.payload.sha256);
        assert!(!intact, "{read:?}");
    }
}
