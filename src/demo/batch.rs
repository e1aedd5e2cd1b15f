//! A batch of the demo's bulk writer as the writing thread takes it: its rows, its records' last versions with the
//! keys their rows name, and the heads the database must still have for it to go in.

use std::sync::Arc;

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, Transaction};
use rustc_hash::FxHashMap as HashMap;
use serde_json::{Map, Value};

use crate::domain::record::Family;
use crate::store::{Result, StoreError, records};

/// One row to insert: its statement and values.
pub type Row = (Arc<str>, Vec<Sql>);

/// A batch as the writing thread inserts it (`Batch::insert`).
pub struct Batch {
    /// New keys and words.
    pub(super) first: Vec<Row>,
    /// Each record's last version, in the order its row goes in.
    pub(super) records: Vec<(Family, Map<String, Value>)>,
    /// The keys of the ids the records' rows name.
    pub(super) keys: HashMap<String, i64>,
    /// The audit, journal and timeline rows, the settings changed, the journal's head.
    pub(super) then: Vec<Row>,
    /// The heads the database had when the batch was begun: it goes in only if they are still there.
    pub(super) expect: Heads,
}

/// The last numbers the database's logs and keys had handed out: the journal's, the largest keys of `ids` and
/// `names`, the audit log's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Heads(pub(super) [i64; 4]);

impl Heads {
    pub(super) fn read(conn: &Connection) -> Result<Heads> {
        Ok(conn.query_row(
            "SELECT (SELECT seq FROM journal_head), (SELECT coalesce(max(key), 0) FROM ids),
                    (SELECT coalesce(max(key), 0) FROM names), (SELECT coalesce(max(seq), 0) FROM audit)",
            [],
            |r| Ok(Heads([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?])),
        )?)
    }
}

impl Batch {
    /// Inserts the batch: its records' rows through `records::upsert_map_by`, the others as they are.
    pub fn insert(&self, tx: &Transaction) -> Result<()> {
        // The batch's keys and numbers follow the last batch's: another program's write between them would
        // give two rows one number.
        if Heads::read(tx)? != self.expect {
            return Err(StoreError::Refused {
                zh: "生成演示数据时，另一个程序往这个数据库里写了东西；最近的几批没有写入。请在一个新的数据库文件里重新生成"
                    .into(),
                en: "Another program wrote to this database while the demo was being made; the last few batches \
                     were not written. Make the demo again in a new database file"
                    .into(),
            });
        }
        insert_rows(tx, &self.first)?;
        for (family, map) in &self.records {
            let mut key = |t: &str| self.keys.get(t).copied().ok_or_else(|| not_held(t));
            records::upsert_map_by(tx, family.table(), map, &mut key)?;
        }
        insert_rows(tx, &self.then)
    }

    /// The family and key of each record the batch wrote, as the search index names them (`search::index_keys`).
    pub fn written(&self) -> impl Iterator<Item = (Family, i64)> + '_ {
        self.records.iter().filter_map(|(family, map)| {
            let id = map.get("id").and_then(Value::as_str)?;
            self.keys.get(id).map(|k| (*family, *k))
        })
    }
}

/// Inserts rows, each run of one statement through that statement prepared once.
fn insert_rows(tx: &Transaction, rows: &[Row]) -> Result<()> {
    let mut at = 0;
    while at < rows.len() {
        let sql = &rows[at].0;
        let run = rows[at..]
            .iter()
            .take_while(|(s, _)| Arc::ptr_eq(s, sql))
            .count();
        let mut st = tx.prepare_cached(sql)?;
        for (_, values) in &rows[at..at + run] {
            st.execute(rusqlite::params_from_iter(values))?;
        }
        at += run;
    }
    Ok(())
}

/// A fault of the bulk writer's own (the demo named something its batch does not hold): nothing of the batch's
/// group (`bulk::write`) is written, and the database is as the last group left it.
pub(super) fn not_held(id: &str) -> StoreError {
    StoreError::Refused {
        zh: format!(
            "演示数据的批量写入出了程序错误（没有记着 {id}），最近的几批没有写入；请把这句话告诉维护人员"
        ),
        en: format!(
            "The demo's bulk writer hit a program error (it does not hold {id}); the last few batches were not \
             written. Please report this message"
        ),
    }
}
