//! The keys the demo's bulk writer gives texts in `ids` and `names`, in the order SQLite would, with the rows
//! that store the new ones.

use std::sync::Arc;

use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use rustc_hash::FxHashMap as HashMap;

use super::batch::Row;
use crate::store::{Result, keys};

/// The keys of the texts a table of keys holds (`ids` or `names`), and the rows of those new in this batch.
pub(super) struct Interner {
    pub(super) keys: HashMap<String, i64>,
    pub(super) next: i64,
    /// The rows of the texts given a key since the last batch.
    pub(super) new: Vec<Row>,
    insert: Arc<str>,
    as_id: bool,
}

impl Interner {
    pub(super) fn load(
        conn: &Connection,
        sql: &str,
        insert: &Arc<str>,
        as_id: bool,
    ) -> Result<Interner> {
        let mut st = conn.prepare(sql)?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, keys::spelled(r.get_ref(1)?)))
        })?;
        let mut keys = HashMap::default();
        let mut next = 1;
        for row in rows {
            let (key, text) = row?;
            next = next.max(key + 1);
            if let Some(text) = text {
                keys.insert(text, key);
            }
        }
        Ok(Interner {
            keys,
            next,
            new: Vec::new(),
            insert: insert.clone(),
            as_id,
        })
    }

    /// The key of `text`, given the next one (as SQLite would) if it has none yet.
    pub(super) fn key(&mut self, text: &str) -> Result<i64> {
        if let Some(key) = self.keys.get(text) {
            return Ok(*key);
        }
        let key = self.next;
        self.next += 1;
        self.keys.insert(text.to_owned(), key);
        let value = match self.as_id {
            true => keys::stored(text),
            false => Sql::Text(text.to_owned()),
        };
        self.new
            .push((self.insert.clone(), vec![Sql::Integer(key), value]));
        Ok(key)
    }
}
