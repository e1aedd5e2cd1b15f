//! The ids the bookkeeping names (a record, a device, a worker, a region), each stored once in `ids` and named
//! by its integer key there: the audit log, the journal and the timeline name one in every row, and a record's
//! row its devices (its origin, last writer and version vector). A UUID in its canonical spelling is stored as its
//! 16 bytes (`stored`), anything else as its text. The words the logs repeat (an actor's name, a family's or an
//! action's code) are stored once in `names` the same way. A row is translated at its edge: written from its
//! record's JSON form (`to_column_by`) and read back into it (`Spelled`).

use rusqlite::types::{Value as Sql, ValueRef};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};

use super::Result;

/// The key of `id` in `ids`, given it one if it has none yet.
pub fn key(conn: &Connection, id: &str) -> Result<i64> {
    intern(conn, Table::Ids, id)
}

/// The key of `name` (an actor, a family's code, an action's code) in `names`, given it one if it has none yet.
pub fn name_key(conn: &Connection, name: &str) -> Result<i64> {
    intern(conn, Table::Names, name)
}

/// The two tables that store a text once and name it by key.
#[derive(Clone, Copy)]
enum Table {
    Ids,
    Names,
}

impl Table {
    /// (find the key of a text, add a text, find the text of a key).
    fn sql(self) -> [&'static str; 3] {
        match self {
            Table::Ids => [
                "SELECT key FROM ids WHERE id = ?1",
                "INSERT INTO ids (id) VALUES (?1)",
                "SELECT id FROM ids WHERE key = ?1",
            ],
            Table::Names => [
                "SELECT key FROM names WHERE name = ?1",
                "INSERT INTO names (name) VALUES (?1)",
                "SELECT name FROM names WHERE key = ?1",
            ],
        }
    }
}

/// The key of `id` in `ids`, if the bookkeeping names it.
pub fn find(conn: &Connection, id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(Table::Ids.sql()[0])?
        .query_row([stored(id)], |r| r.get(0))
        .optional()?)
}

/// The key `remember::with` holds for `text`, if a transaction body on `conn` met it.
fn remembered(conn: &Connection, word: bool, text: &str) -> Option<i64> {
    super::remember::with(conn, |m| m.keys[usize::from(word)].get(text).copied()).flatten()
}

fn remember(conn: &Connection, word: bool, text: &str, key: i64) {
    super::remember::with(conn, |m| {
        let keys = &mut m.keys[usize::from(word)];
        if keys.len() >= super::remember::KEYS {
            keys.clear();
        }
        keys.insert(text.to_owned(), key);
    });
}

fn intern(conn: &Connection, table: Table, text: &str) -> Result<i64> {
    let word = matches!(table, Table::Names);
    if let Some(key) = remembered(conn, word, text) {
        return Ok(key);
    }
    let key = intern_in(conn, table, text)?;
    remember(conn, word, text, key);
    Ok(key)
}

fn intern_in(conn: &Connection, table: Table, text: &str) -> Result<i64> {
    let [find, add, _] = table.sql();
    let value = match table {
        Table::Ids => stored(text),
        Table::Names => Sql::Text(text.to_owned()),
    };
    if let Some(key) = conn
        .prepare_cached(find)?
        .query_row([&value], |r| r.get(0))
        .optional()?
    {
        return Ok(key);
    }
    conn.prepare_cached(add)?.execute([&value])?;
    Ok(conn.last_insert_rowid())
}

/// How `ids` holds an id: a UUID spelled canonically (lowercase, hyphenated, as every id made or read here is) as
/// its 16 bytes, anything else (a worker's name, a region's code, an id in another spelling) as its text. Bind
/// this wherever SQL looks an id up in `ids`.
pub fn stored(id: &str) -> Sql {
    match uuid::Uuid::try_parse(id) {
        Ok(u)
            if &*u
                .hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer())
                == id =>
        {
            Sql::Blob(u.as_bytes().to_vec())
        }
        _ => Sql::Text(id.to_owned()),
    }
}

/// The id an `ids` column holds, spelled out (None for anything but 16 bytes or text).
pub fn spelled(column: ValueRef) -> Option<String> {
    match column {
        ValueRef::Blob(b) => uuid::Uuid::from_slice(b)
            .ok()
            .map(|u| u.hyphenated().to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        _ => None,
    }
}

/// A record row's columns that name devices by key: what they hold is a device's key in `ids`, what the record's
/// JSON form holds is its id.
pub(crate) const DEVICE_COLUMNS: [&str; 2] = ["origin", "updated_by"];

/// The fields of a record's JSON form that name a record (its own id, and the records it refers to), and the
/// columns of its row that hold that record's key in `ids` instead. A family's row is keyed by its record's key.
pub(crate) const RECORD_COLUMNS: [(&str, &str); 7] = [
    ("id", "key"),
    ("place_id", "place_key"),
    ("inspection_id", "inspection_key"),
    ("finding_id", "finding_key"),
    ("patrol_id", "patrol_key"),
    ("repeat_of", "repeat_key"),
    ("target_id", "target_key"),
];

/// The column of a record's row that holds the field `name` of its JSON form.
pub(crate) fn column_of(name: &str) -> &str {
    RECORD_COLUMNS
        .iter()
        .find(|(field, _)| *field == name)
        .map_or(name, |(_, column)| column)
}

/// The field of a record's JSON form that the column `name` of its row holds by key, if it holds a record's key.
pub fn field_of(column: &str) -> Option<&'static str> {
    RECORD_COLUMNS
        .iter()
        .find(|(_, c)| *c == column)
        .map(|(field, _)| *field)
}

/// SQL that spells out the id whose key is in `column` (a UUID's 16 bytes as its canonical text), e.g. to read a
/// record's id beside its row: `SELECT {id_of("t.key")}, ...`. Name the column with its table (`t.key`, not
/// `key`): inside, a bare `key` is `ids`'s own. `spelled_id!` gives the same SQL for `concat!`.
pub fn id_of(column: &str) -> String {
    format!(spelled_id!("{}"), column)
}

/// `id_of` as a macro, for queries built at compile time.
macro_rules! spelled_id {
    ($column:literal) => {
        concat!(
            "(SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' \
             || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) \
             FROM (SELECT id, hex(id) AS h FROM ids WHERE key = ",
            $column,
            "))"
        )
    };
}
pub(crate) use spelled_id;

/// SQL that looks up the key of an id bound as `stored` binds it (parameter `param`, e.g. `?1`).
pub fn key_of_param(param: &str) -> String {
    format!("(SELECT key FROM ids WHERE id = {param})")
}

/// `to_column_by` with each id's key from `ids` (added if it has none yet).
pub fn to_column(conn: &Connection, name: &str, v: &Value) -> Result<Option<Sql>> {
    to_column_by(name, v, &mut |id| key(conn, id))
}

/// Whether the field `name` of a record's JSON form names one device or record (its column holds the key).
pub(crate) fn names_one(name: &str) -> bool {
    DEVICE_COLUMNS.contains(&name) || column_of(name) != name
}

/// A field of a record's JSON form as its row holds it: a device or a record by its key (given by `key`, which
/// adds the ids it has not met), a version vector as `{"<key>": count}`, anything else as it is (`None`).
pub fn to_column_by(
    name: &str,
    v: &Value,
    key: &mut dyn FnMut(&str) -> Result<i64>,
) -> Result<Option<Sql>> {
    if names_one(name) {
        return Ok(match v.as_str() {
            Some(device) => Some(Sql::Integer(key(device)?)),
            None => None,
        });
    }
    if name != "vv" {
        return Ok(None);
    }
    let mut keyed = Map::new();
    for (device, count) in v.as_object().into_iter().flatten() {
        keyed.insert(key(device)?.to_string(), count.clone());
    }
    Ok(Some(Sql::Text(Value::Object(keyed).to_string())))
}

/// The texts that rows name by key, each looked up once while rows are read (a scan of a million rows names a
/// handful of devices, actors and actions): the devices in `ids`, or the words in `names`.
pub struct Spelled<'c> {
    conn: &'c Connection,
    table: Table,
    known: std::cell::RefCell<std::collections::HashMap<i64, Option<String>>>,
}

impl<'c> Spelled<'c> {
    /// Devices (and other ids) by their key in `ids`.
    pub fn ids(conn: &'c Connection) -> Spelled<'c> {
        Spelled {
            conn,
            table: Table::Ids,
            known: Default::default(),
        }
    }

    /// Actors, families and actions by their key in `names`.
    pub fn names(conn: &'c Connection) -> Spelled<'c> {
        Spelled {
            table: Table::Names,
            ..Spelled::ids(conn)
        }
    }

    /// The text `key` names (None: a key that names nothing; a record then fails to read and `check` names it,
    /// an event reads the word as empty, and an audit row then fails its hash).
    pub fn id(&self, key: i64) -> rusqlite::Result<Option<String>> {
        if let Some(id) = self.known.borrow().get(&key) {
            return Ok(id.clone());
        }
        let id: Option<String> = self
            .conn
            .prepare_cached(self.table.sql()[2])?
            .query_row([key], |r| Ok(spelled(r.get_ref(0)?)))
            .optional()?
            .flatten();
        self.known.borrow_mut().insert(key, id.clone());
        Ok(id)
    }

    /// The device `key` names, as column `column` of a row holds it: a key that names no device fails the
    /// read.
    pub fn device(
        &self,
        key: i64,
        column: usize,
    ) -> rusqlite::Result<crate::domain::ids::DeviceId> {
        self.id(key)?
            .and_then(|id| crate::domain::ids::DeviceId::parse(&id).ok())
            .ok_or(rusqlite::Error::InvalidColumnType(
                column,
                "origin".into(),
                rusqlite::types::Type::Integer,
            ))
    }

    /// The id of the record `key` names, looked up each time (a scan names every record once).
    pub fn record(&self, key: i64) -> rusqlite::Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(Table::Ids.sql()[2])?
            .query_row([key], |r| Ok(spelled(r.get_ref(0)?)))
            .optional()?
            .flatten())
    }

    /// The word a column holds by its key (empty when the key names nothing; a column that holds text, which
    /// no version writes, reads as that text).
    pub fn word(&self, column: ValueRef) -> rusqlite::Result<String> {
        Ok(match column {
            ValueRef::Integer(key) => self.id(key)?.unwrap_or_default(),
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            _ => String::new(),
        })
    }

    /// A version vector as a row holds it (`{"<key>": count}`), in its JSON form: each device by its id. A
    /// vector that is not JSON reads as empty, a device whose key names nothing is left out (`check` names
    /// both).
    pub fn vector(&self, column: &[u8]) -> rusqlite::Result<Value> {
        let keyed: Map<String, Value> = serde_json::from_slice(column).unwrap_or_default();
        let mut out = Map::new();
        for (key, count) in keyed {
            if let Some(id) = key.parse().ok().map(|k| self.id(k)).transpose()?.flatten() {
                out.insert(id, count);
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::types::Value as Sql;

    #[test]
    fn keys_are_remembered_for_one_transaction_on_one_connection() {
        let tables = "CREATE TABLE ids (key INTEGER PRIMARY KEY, id NOT NULL UNIQUE);
                      CREATE TABLE names (key INTEGER PRIMARY KEY, name NOT NULL UNIQUE);";
        let (conn, other) = (
            rusqlite::Connection::open_in_memory().unwrap(),
            rusqlite::Connection::open_in_memory().unwrap(),
        );
        conn.execute_batch(tables).unwrap();
        other.execute_batch(tables).unwrap();
        // The memory answers inside a transaction only.
        conn.execute_batch("BEGIN").unwrap();
        other.execute_batch("BEGIN").unwrap();
        let count = |c: &rusqlite::Connection| -> i64 {
            c.query_row("SELECT count(*) FROM ids", [], |r| r.get(0))
                .unwrap()
        };
        super::super::remember::remembering(&conn, || {
            let k = super::key(&conn, "a").unwrap();
            // Removed behind its back: the memory answers.
            conn.execute("DELETE FROM ids", []).unwrap();
            assert_eq!(super::key(&conn, "a").unwrap(), k);
            // A word is not an id.
            super::name_key(&conn, "a").unwrap();
            // Another connection has its own keys; a call inside shares the memory and leaves it.
            super::key(&other, "a").unwrap();
            assert_eq!(count(&other), 1);
            super::super::remember::remembering(&conn, || {
                assert_eq!(super::key(&conn, "a").unwrap(), k)
            });
            super::super::remember::remembering(&other, || {
                other.execute("DELETE FROM ids", []).unwrap();
                super::key(&other, "a").unwrap();
                assert_eq!(count(&other), 1, "another connection has no memory");
            });
            assert_eq!(super::key(&conn, "a").unwrap(), k);
            assert_eq!(count(&conn), 0);
            // Out of its transaction (as after SQLite rolled one back), it answers nothing.
            conn.execute_batch("COMMIT").unwrap();
            super::key(&conn, "a").unwrap();
            assert_eq!(count(&conn), 1);
            conn.execute("DELETE FROM ids", []).unwrap();
        });
        // Forgotten after: looked up, and added again.
        super::key(&conn, "a").unwrap();
        assert_eq!(count(&conn), 1);
    }

    /// A word added by a write that is rolled back is not remembered by the next one.
    #[test]
    fn a_rolled_back_write_leaves_no_key_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::sync::test_store(
            &dir.path().join("w.db"),
            "610727101000",
            "0190a1b2-0000-7000-8000-000000000007",
        );
        let failed = store.write_raw(|tx| {
            super::name_key(tx, "只在回滚里")?;
            Err::<(), _>(crate::store::StoreError::Corrupt("rolled back".into()))
        });
        assert!(failed.is_err());
        store
            .write_raw(|tx| {
                let key = super::name_key(tx, "只在回滚里")?;
                let named: String =
                    tx.query_row("SELECT name FROM names WHERE key = ?1", [key], |r| r.get(0))?;
                assert_eq!(named, "只在回滚里");
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_canonical_uuid_is_stored_as_its_bytes_and_anything_else_as_text() {
        let id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        let Sql::Blob(bytes) = super::stored(id) else {
            panic!("a canonical UUID is stored as bytes");
        };
        assert_eq!(bytes.len(), 16);
        for other in [
            &id.to_uppercase(),
            &id.replace('-', ""),
            "县综治中心 李明",
            "610727",
        ] {
            assert_eq!(super::stored(other), Sql::Text(other.to_string()));
        }
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE ids (key INTEGER PRIMARY KEY, id NOT NULL UNIQUE);")
            .unwrap();
        let (uuid, upper) = (
            super::key(&conn, id).unwrap(),
            super::key(&conn, &id.to_uppercase()).unwrap(),
        );
        assert_ne!(uuid, upper, "another spelling is another id");
        assert_eq!(super::key(&conn, id).unwrap(), uuid);
        let names = super::Spelled::ids(&conn);
        assert_eq!(names.id(uuid).unwrap().as_deref(), Some(id));
        assert_eq!(names.id(upper).unwrap(), Some(id.to_uppercase()));
        // The SQL that spells a key's id out gives the same ids.
        for (text, key) in [(id.to_string(), uuid), (id.to_uppercase(), upper)] {
            let found: String = conn
                .query_row(
                    &format!("SELECT {} FROM (SELECT ?1 AS x) t", super::id_of("t.x")),
                    [key],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(found, text);
        }
    }
}
