//! The demo's bulk way (`Way::Bulk`): a thread makes the records batch by batch into a `Book`, through the same
//! store functions a worker's saves use, while this one inserts the batches before, a group of them and their
//! search documents in a transaction of its own. Two cores share the work, and each record's row is written
//! once.

use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};

use super::batch::Batch;
use super::book::Book;
use super::story::World;
use super::{CHUNK, Summary};
use crate::domain::record::Family;
use crate::store::{Result, Store, search};

/// Makes `n` records into `world`'s device's database (which `Book::fits`), telling `progress` the count written.
pub(super) fn generate(
    store: &mut Store,
    world: World,
    n: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Summary> {
    let book = Book::new(store.conn())?;
    // The writer indexes what each group of batches wrote; the caller ends the load (`search::end_loading`).
    store.write_raw(search::begin_loading)?;
    // The batches' rows refer to one another as the worker's path writes them (the test of the demo holds the
    // two equal, and `check` finds them whole): SQLite need not look each reference up again. Each group's
    // transaction writes some hundred MB of pages to the log: checkpointing them every few groups instead of
    // at each commit copies a page rewritten by the next groups into the file once.
    let conn = store.conn();
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    let checkpoint: i64 = conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    conn.pragma_update(None, "wal_autocheckpoint", LOG_PAGES)?;
    // Switched back whatever happens (a panic too, which then goes on); the run's own error says more than a
    // failure to switch them back.
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        make_and_write(store, book, world, n, progress)
    }));
    let conn = store.conn();
    let restored = conn
        .pragma_update(None, "foreign_keys", enforced)
        .and(conn.pragma_update(None, "wal_autocheckpoint", checkpoint));
    let summary = made.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    restored?;
    Ok(summary)
}

/// How many pages (4 KiB) the write-ahead log may hold before a commit copies them into the file: 200 MB.
const LOG_PAGES: i64 = 50_000;

/// How many batches one transaction takes at most, with the search documents of their records: each commit
/// writes the pages it changed to the log and the index's new entries as one segment of its own, so fewer,
/// larger transactions write less (a 1M demo's writer: 84 s inserting batch by batch, 38 s in groups).
const GROUP: usize = if cfg!(test) { 3 } else { 10 };
/// How many it takes at least before it commits when no batch waits to go in (the writer would otherwise wait
/// for the maker with the group's pages unwritten).
const GROUP_IDLE: usize = if cfg!(test) { 2 } else { 4 };

fn make_and_write(
    store: &mut Store,
    book: Book,
    mut world: World,
    n: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Summary> {
    // Up to two finished batches wait for the writer (which stops to index now and then), besides the one being
    // made and the one going in: memory stays flat.
    let (send, batches) = sync_channel::<Result<(Batch, usize)>>(2);
    std::thread::scope(|s| {
        let maker = s.spawn(move || {
            let mut done = 0;
            while done < n {
                let m = CHUNK.min(n - done);
                let made = (done..done + m)
                    .try_for_each(|i| world.one(&book, i, n))
                    .map(|()| book.batch());
                let failed = made.is_err();
                if send.send(made.map(|batch| (batch, done + m))).is_err() || failed {
                    break;
                }
                done += m;
            }
            world.summary
        });
        let written = write(store, &batches, n, progress);
        // A maker waiting to hand over a batch hears that none will be taken.
        drop(batches);
        // A panic of the maker's goes on here, as it would have on the one thread.
        let summary = maker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.map(|()| summary)
    })
}

/// The writing side: groups of batches, each in a transaction of its own with the search documents of the
/// records it wrote (`search::index_keys`), while the maker makes the next ones. A batch goes in whole or not at
/// all, and so does a group: a run cut short leaves the groups before.
fn write(
    store: &mut Store,
    batches: &Receiver<Result<(Batch, usize)>>,
    n: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<()> {
    let mut over = false;
    while !over {
        store.write_raw(|tx| {
            let mut written: Vec<(Family, i64)> = Vec::new();
            let mut taken = 0;
            while taken < GROUP {
                let next = match batches.try_recv() {
                    Ok(batch) => Some(batch),
                    Err(TryRecvError::Empty) if taken >= GROUP_IDLE => break,
                    Err(TryRecvError::Empty) => batches.recv().ok(),
                    Err(TryRecvError::Disconnected) => None,
                };
                let Some(next) = next else {
                    over = true;
                    break;
                };
                let (batch, done) = next?;
                batch.insert(tx)?;
                written.extend(batch.written());
                taken += 1;
                progress(done);
                if done == n {
                    over = true;
                    break;
                }
            }
            search::index_keys(tx, written, true)
        })?;
    }
    Ok(())
}
