//! What one transaction remembers of the bookkeeping it writes, so that a bulk write (an import of a million
//! records) looks each thing up once: the key of every text `keys` met, the audit log's last row and the journal's
//! last number. The memory lives for one transaction body on one connection (`remembering`) and ends before the
//! transaction commits or rolls back; nothing here rolls back part of a transaction, no key of `ids` or `names` is
//! ever changed or removed, and every audit row and journal number is written through the functions that keep
//! the memory (`audit::append_*`, `version::write`), so what it holds is always what the database holds.

use rusqlite::Connection;

thread_local! {
    /// The memory of the transaction body running on this thread, for the connection it runs on (by address).
    static MEMORY: std::cell::RefCell<Option<Memory>> = const { std::cell::RefCell::new(None) };
}

/// What a transaction body remembers.
#[derive(Default)]
pub(super) struct Memory {
    conn: usize,
    /// Texts of `ids` and of `names`, each with its key.
    pub keys: [std::collections::HashMap<String, i64>; 2],
    /// The audit log's last row: its number and its hash (hex).
    pub audit_head: Option<(i64, String)>,
    /// The journal's last number handed out.
    pub journal_seq: Option<i64>,
}

/// How many texts a table's memory keeps before it forgets them all and starts again: the few devices and words
/// every write names are met again at once, and a million record ids are not kept.
pub(super) const KEYS: usize = 4096;

/// Runs `f`, the body of one transaction on `conn`, with a memory of its own (see the module's doc). Outside a
/// transaction (a body that went on after SQLite rolled its transaction back) the memory answers nothing and
/// forgets for good. Inside a call for the same connection, `f` shares its memory; inside one for another
/// connection, `f` has none.
pub(crate) fn remembering<T>(conn: &Connection, f: impl FnOnce() -> T) -> T {
    let at = conn as *const Connection as usize;
    let fresh = MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        if m.is_some() {
            return false;
        }
        *m = Some(Memory {
            conn: at,
            ..Memory::default()
        });
        true
    });
    /// Forgets, however `f` ends.
    struct Forget(bool);
    impl Drop for Forget {
        fn drop(&mut self) {
            if self.0 {
                MEMORY.with(|m| *m.borrow_mut() = None);
            }
        }
    }
    let _forget = Forget(fresh);
    f()
}

/// Runs `f` on the memory of the body running on `conn`, if there is one and `conn` is in its transaction.
pub(super) fn with<R>(conn: &Connection, f: impl FnOnce(&mut Memory) -> R) -> Option<R> {
    let at = conn as *const Connection as usize;
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        let m = m.as_mut().filter(|m| m.conn == at)?;
        // Out of the transaction (SQLite rolled it back): what it held is forgotten for good.
        if conn.is_autocommit() {
            *m = Memory {
                conn: at,
                ..Memory::default()
            };
            return None;
        }
        Some(f(m))
    })
}

#[cfg(test)]
mod tests {
    use crate::store::{audit, check};

    /// Audit rows and journal numbers written through the memory chain on as the log holds them, within a
    /// transaction, across transactions, and after one that was rolled back.
    #[test]
    fn the_heads_remembered_are_the_logs() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::sync::test_store(
            &dir.path().join("w.db"),
            "610727101000",
            "0190a1b2-0000-7000-8000-000000000007",
        );
        let head = |store: &crate::store::Store| {
            let journal: i64 = store
                .conn()
                .query_row("SELECT seq FROM journal_head", [], |r| r.get(0))
                .unwrap();
            (audit::head(store.conn()).unwrap(), journal)
        };
        let note = |tx: &rusqlite::Transaction, ctx: &crate::store::WriteCtx, n: i64| {
            audit::append(
                tx,
                ctx,
                "test",
                "x",
                "note",
                None,
                &serde_json::json!({ "n": n }),
            )
        };
        // Several rows in one body, then a demo's saves (journal numbers too).
        store
            .write(|tx, ctx| (0..5).try_for_each(|n| note(tx, ctx, n)))
            .unwrap();
        crate::demo::generate_as(&mut store, 30, 1, crate::demo::Way::Held, &mut |_| {}).unwrap();
        let before = head(&store);
        // A body that wrote and failed leaves nothing behind, in the database or in the memory.
        let edit = |tx: &rusqlite::Transaction, ctx: &crate::store::WriteCtx| {
            let id: String = tx.query_row(
                &format!(
                    "SELECT {} FROM places t LIMIT 1",
                    crate::store::keys::id_of("t.key")
                ),
                [],
                |r| r.get(0),
            )?;
            let mut place: crate::domain::place::Place =
                crate::store::records::get(tx, &id)?.expect("a place");
            place.name.push('甲');
            crate::store::places::update(tx, ctx, place, None).map(|_| ())
        };
        let failed = store.write(|tx, ctx| {
            note(tx, ctx, 9)?;
            edit(tx, ctx)?;
            Err::<(), _>(crate::store::StoreError::Corrupt("rolled back".into()))
        });
        assert!(failed.is_err());
        assert_eq!(head(&store), before);
        store
            .write(|tx, ctx| note(tx, ctx, 10).and_then(|_| edit(tx, ctx)))
            .unwrap();
        crate::demo::generate(&mut store, 10, 2, &mut |_| {}).unwrap();
        let after = head(&store);
        assert!(
            after.0.0 > before.0.0 + 1 && after.1 > before.1,
            "{before:?} {after:?}"
        );
        let journal: (i64, i64) = store
            .conn()
            .query_row(
                "SELECT count(*), count(DISTINCT seq) FROM journal",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(journal.0, journal.1, "each journal number handed out once");
        let findings = check::run(store.conn(), store.today());
        assert!(
            findings
                .iter()
                .all(|f| f.severity != check::Severity::Error),
            "{:?}",
            findings.iter().map(|f| &f.en).collect::<Vec<_>>()
        );
    }
}
