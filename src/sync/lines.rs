//! The serialising stage of an export: the records the main thread reads are put in their canonical form and
//! written as JSON Lines on a thread of their own, in the order they were sent. Reading the database, serialising,
//! and (through `Piped`) sealing, hashing and writing then run side by side.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::bundle::Line;
use crate::domain::record::Family;
use crate::store::StoreError;
use crate::store::fields::Fields;
use crate::store::scan_events::Events;
use crate::store::timeline::EventRow;
use serde::Serialize;

/// Items gathered before they are handed over, and batches in flight.
const BATCH: usize = 256;
const DEPTH: usize = 8;

/// What the stage writes, one line each.
pub enum Out {
    /// A record as read from its row, put in its canonical form on the stage's thread.
    Row {
        family: Family,
        seqs: Vec<(i64, u64)>,
        fields: Fields,
        events: Events,
    },
    /// A line ready as it is.
    Line(Line),
}

/// A scanned record's line, written as `Line::Record` writes it (its tag first, then its fields in order).
#[derive(Serialize)]
struct RecordLine<'a> {
    kind: &'static str,
    family: &'a str,
    seqs: &'a [(i64, u64)],
    record: Record<'a>,
    events: &'a [EventRow],
}

/// A record's JSON form as a line carries it: its canonical `Map`, or an inspection's row's fields (written in
/// the order the `Map` would write them).
#[derive(Serialize)]
#[serde(untagged)]
enum Record<'a> {
    Map(&'a serde_json::Map<String, serde_json::Value>),
    Fields(&'a Fields),
}

/// The stage: `send` lines in order, then `finish` gives back the writer underneath, or the first error met.
pub struct Lines<W: Write + Send + 'static> {
    batch: Vec<Out>,
    to: Option<SyncSender<Vec<Out>>>,
    worker: Option<JoinHandle<Result<W, StoreError>>>,
    path: PathBuf,
}

impl<W: Write + Send + 'static> Lines<W> {
    /// `path` names the file in an error.
    pub fn new(mut out: W, path: PathBuf) -> io::Result<Lines<W>> {
        let (to, from) = sync_channel::<Vec<Out>>(DEPTH);
        let file = path.clone();
        let worker = std::thread::Builder::new()
            .name("wangge-lines".into())
            .spawn(move || {
                let io = |source: io::Error| StoreError::Io {
                    path: file.clone(),
                    source,
                };
                let mut buf = Vec::with_capacity(16 * 1024);
                for batch in from {
                    for item in batch {
                        buf.clear();
                        let written = match item {
                            Out::Row {
                                family,
                                seqs,
                                fields,
                                events,
                            } => {
                                let events = events.spell()?;
                                // An inspection's row is its canonical form (`export::canonical_form`).
                                let canonical = match family {
                                    Family::Inspection => None,
                                    _ => Some(
                                        super::records::canonical(family, &fields)
                                            .map_err(StoreError::Corrupt)?,
                                    ),
                                };
                                let line = RecordLine {
                                    kind: "record",
                                    family: family.code(),
                                    seqs: &seqs,
                                    record: canonical
                                        .as_ref()
                                        .map_or(Record::Fields(&fields), Record::Map),
                                    events: &events,
                                };
                                serde_json::to_writer(&mut buf, &line)
                            }
                            Out::Line(line) => serde_json::to_writer(&mut buf, &line),
                        };
                        written.map_err(|e| io(e.into()))?;
                        buf.push(b'\n');
                        out.write_all(&buf).map_err(io)?;
                    }
                }
                out.flush().map_err(io)?;
                Ok(out)
            })?;
        Ok(Lines {
            batch: Vec::with_capacity(BATCH),
            to: Some(to),
            worker: Some(worker),
            path,
        })
    }

    /// Queues one line; when the stage has stopped, its error.
    pub fn send(&mut self, item: Out) -> Result<(), StoreError> {
        self.batch.push(item);
        if self.batch.len() >= BATCH {
            self.hand_over()?;
        }
        Ok(())
    }

    fn hand_over(&mut self) -> Result<(), StoreError> {
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        match self.to.as_ref().map(|to| to.send(full)) {
            Some(Ok(())) => Ok(()),
            // The thread stopped: its own error says why.
            _ => Err(self.stop().err().unwrap_or_else(|| {
                self.failed("the writer stopped before the payload was written")
            })),
        }
    }

    fn failed(&self, why: &str) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source: io::Error::other(why.to_owned()),
        }
    }

    fn stop(&mut self) -> Result<W, StoreError> {
        self.to = None;
        match self.worker.take() {
            Some(worker) => worker
                .join()
                .unwrap_or_else(|_| Err(self.failed("the writer thread failed"))),
            None => Err(self.failed("the writer has already stopped")),
        }
    }

    /// Writes what is left and gives back the writer underneath.
    pub fn finish(mut self) -> Result<W, StoreError> {
        if !self.batch.is_empty() {
            self.hand_over()?;
        }
        self.stop()
    }
}

impl<W: Write + Send + 'static> Drop for Lines<W> {
    /// An abandoned stage (an export that failed) still ends its thread.
    fn drop(&mut self) {
        if self.worker.is_some() {
            let _ = self.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::exchange::RegionRow;
    use crate::sync::piped::Full;

    fn region(i: usize) -> Line {
        Line::Region {
            region: RegionRow {
                code: crate::domain::ids::RegionCode::parse(&format!(
                    "610727101{:03}",
                    i % 999 + 1
                ))
                .unwrap(),
                name: format!("村{i}"),
                level: "grid".into(),
                parent: None,
            },
        }
    }

    #[test]
    fn lines_arrive_in_order_as_serde_writes_them() {
        let mut lines = Lines::new(Vec::new(), "p".into()).unwrap();
        let mut expected = Vec::new();
        for i in 0..3 * BATCH + 7 {
            serde_json::to_writer(&mut expected, &region(i)).unwrap();
            expected.push(b'\n');
            lines.send(Out::Line(region(i))).unwrap();
        }
        assert_eq!(lines.finish().unwrap(), expected);
    }

    #[test]
    fn the_writers_error_reaches_the_sender() {
        let mut lines = Lines::new(Full { room: 1000 }, "p".into()).unwrap();
        let mut failed = None;
        for i in 0..100 * BATCH {
            if let Err(e) = lines.send(Out::Line(region(i))) {
                failed = Some(e);
                break;
            }
        }
        let err = failed.or_else(|| lines.finish().err()).expect("an error");
        assert!(
            matches!(&err, StoreError::Io { source, .. } if source.kind() == io::ErrorKind::StorageFull),
            "{err:?}"
        );
    }

    #[test]
    fn a_row_that_does_not_parse_fails_the_stage() {
        let mut lines = Lines::new(Vec::new(), "p".into()).unwrap();
        lines
            .send(Out::Row {
                family: Family::Hazard,
                seqs: vec![(1, 1)],
                fields: Fields::of(vec![("id", serde_json::Value::from(7))]),
                events: Events::new(Vec::new(), Default::default()),
            })
            .unwrap();
        assert!(matches!(lines.finish(), Err(StoreError::Corrupt(_))));
    }
}
