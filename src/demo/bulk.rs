//! The demo's bulk way (`Way::Bulk`): a thread makes the records batch by batch into a `Book`, through the same
//! store functions a worker's saves use, while this one inserts the batch before in a transaction of its own.
//! Two cores share the work, and each record's row is written once.

use std::sync::mpsc::sync_channel;

use super::batch::Batch;
use super::book::Book;
use super::story::World;
use super::{CHUNK, Summary};
use crate::store::{Result, Store};

/// Makes `n` records into `world`'s device's database (which `Book::fits`), telling `progress` the count written.
pub(super) fn generate(
    store: &mut Store,
    world: World,
    n: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Summary> {
    let book = Book::new(store.conn())?;
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

fn make_and_write(
    store: &mut Store,
    book: Book,
    mut world: World,
    n: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Summary> {
    // A finished batch waits for the writer to take it: at most two batches are held, memory stays flat.
    let (send, batches) = sync_channel::<Result<(Batch, usize)>>(0);
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
        let mut written = Ok(());
        for batch in batches.iter() {
            match batch
                .and_then(|(batch, done)| store.write_raw(|tx| batch.insert(tx)).map(|()| done))
            {
                Ok(done) => progress(done),
                Err(e) => {
                    written = Err(e);
                    break;
                }
            }
        }
        // A maker waiting to hand over a batch hears that none will be taken.
        drop(batches);
        // A panic of the maker's goes on here, as it would have on the one thread.
        let summary = maker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.map(|()| summary)
    })
}
