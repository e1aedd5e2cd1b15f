//! The demo's bulk way (`Way::Bulk`): a thread makes the records batch by batch into a `Book`, through the same
//! store functions a worker's saves use, while this one inserts the batch before in a transaction of its own.
//! Two cores share the work, and each record's row is written once.

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
    // two equal, and `check` finds them whole): SQLite need not look each reference up again.
    let enforced: bool = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    store.conn().pragma_update(None, "foreign_keys", false)?;
    // Switched back on whatever happens (a panic too, which then goes on); the run's own error says more than
    // a failure to switch them back.
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        make_and_write(store, book, world, n, progress)
    }));
    let restored = store.conn().pragma_update(None, "foreign_keys", enforced);
    let summary = made.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    restored?;
    Ok(summary)
}

/// How many inserted batches the search index takes at most at once: each transaction writes the index's new
/// entries as one segment of its own, and fewer, larger segments cost less to write and to merge.
const INDEX_EVERY: usize = if cfg!(test) { 3 } else { 10 };
/// How many it takes at least when no batch waits to go in (the writer would otherwise wait for the maker).
const INDEX_IDLE: usize = if cfg!(test) { 2 } else { 4 };

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

/// The writing side: each batch in a transaction of its own, then the search documents of the records a group
/// of batches wrote (`search::index_keys`), while the maker makes the next ones.
fn write(
    store: &mut Store,
    batches: &Receiver<Result<(Batch, usize)>>,
    n: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<()> {
    let mut unindexed: Vec<(Family, i64)> = Vec::new();
    let mut waiting = 0;
    let index = |store: &mut Store, keys: &mut Vec<(Family, i64)>| {
        let keys = std::mem::take(keys);
        store.write_raw(|tx| search::index_keys(tx, keys, true))
    };
    loop {
        let next = match batches.try_recv() {
            Ok(batch) => batch,
            Err(TryRecvError::Empty) if waiting >= INDEX_IDLE => {
                index(store, &mut unindexed)?;
                waiting = 0;
                continue;
            }
            Err(TryRecvError::Empty) => match batches.recv() {
                Ok(batch) => batch,
                Err(_) => break,
            },
            Err(TryRecvError::Disconnected) => break,
        };
        let (batch, done) = next?;
        store.write_raw(|tx| batch.insert(tx))?;
        unindexed.extend(batch.written());
        waiting += 1;
        if waiting >= INDEX_EVERY || done == n {
            index(store, &mut unindexed)?;
            waiting = 0;
        }
        progress(done);
    }
    Ok(())
}
