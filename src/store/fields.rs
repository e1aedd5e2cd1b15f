//! How a family's row reads into its record's JSON form, field by field: devices and records named by key are
//! spelled out as their ids, booleans stored as 0/1 read as booleans, a version vector and an inspection's results
//! read from their columns. `row_to_map` reads a row looked up by id; a scan reads each row's `Fields` through
//! `Columns`, worked out once for its statement, and leaves the rest to the thread that serialises them.

use std::sync::Arc;

use rusqlite::types::{Type, ValueRef};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::keys::{DEVICE_COLUMNS, Spelled, field_of};

/// Columns stored as 0/1 that the JSON form holds as booleans.
const BOOL_COLUMNS: &[&str] = &["deleted", "nothing_found"];

/// How one column reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Bool,
    Device,
    Vector,
    Results,
    /// A record by its key: its id looked up, or (`Some(j)`) spelled out in column `j` of the same row.
    Record(Option<usize>),
}

impl Kind {
    fn of(column: &str) -> Kind {
        match column {
            _ if field_of(column).is_some() => Kind::Record(None),
            _ if BOOL_COLUMNS.contains(&column) => Kind::Bool,
            _ if DEVICE_COLUMNS.contains(&column) => Kind::Device,
            "vv" => Kind::Vector,
            "results" => Kind::Results,
            _ => Kind::Plain,
        }
    }
}

/// The JSON field names of a row's columns, and the order a `Map` of them serialises in (by name).
#[derive(Debug)]
struct Names {
    fields: Vec<String>,
    sorted: Vec<usize>,
}

impl Names {
    fn new(fields: Vec<String>) -> Arc<Names> {
        let mut sorted: Vec<usize> = (0..fields.len()).collect();
        sorted.sort_by(|a, b| fields[*a].cmp(&fields[*b]));
        Arc::new(Names { fields, sorted })
    }
}

/// How a statement's row reads into `Fields`, worked out once: its columns' fields and kinds.
pub struct Columns {
    columns: Vec<String>,
    names: Arc<Names>,
    kinds: Vec<Kind>,
}

impl Columns {
    /// For the columns of a family's table, read through `SELECT t.*, <joins> FROM table t <joins>`: the SQL
    /// that spells out, beside each column that names a record by key, that record's id (a join of `ids`
    /// instead of a lookup per reference). A key that names no id fails the read, as it does looked up.
    pub fn joined(table_columns: &[String]) -> (Columns, String, String) {
        let mut kinds: Vec<Kind> = table_columns.iter().map(|c| Kind::of(c)).collect();
        let (mut select, mut joins) = (String::new(), String::new());
        let mut next = table_columns.len();
        for (i, column) in table_columns.iter().enumerate() {
            if kinds[i] == Kind::Record(None) {
                select.push_str(&format!(", i{i}.id"));
                joins.push_str(&format!(" LEFT JOIN ids i{i} ON i{i}.key = t.{column}"));
                kinds[i] = Kind::Record(Some(next));
                next += 1;
            }
        }
        let columns = Columns {
            columns: table_columns.to_vec(),
            names: Names::new(table_columns.iter().map(|c| field_named(c)).collect()),
            kinds,
        };
        (columns, select, joins)
    }
}

/// A record's JSON fields, in the order of its row's columns: what `row_to_map` reads, before it is made a
/// `Map` (which a scan leaves to the thread that serialises it, with the reading of an inspection's results).
pub struct Fields {
    names: Arc<Names>,
    values: Vec<Value>,
    /// An inspection's results column as it is stored, read when the fields are.
    results: Option<(usize, Vec<u8>)>,
}

impl Fields {
    /// Reads one row as `columns` says.
    pub(crate) fn read(
        row: &rusqlite::Row,
        columns: &Columns,
        devices: &Spelled,
    ) -> rusqlite::Result<Fields> {
        let mut results = None;
        let mut values = Vec::with_capacity(columns.kinds.len());
        for (i, (column, kind)) in columns.columns.iter().zip(&columns.kinds).enumerate() {
            values.push(match (row.get_ref(i)?, kind) {
                (ValueRef::Text(t), Kind::Results) => {
                    results = Some((i, t.to_vec()));
                    Value::Null
                }
                _ => cell(row, i, column, *kind, devices)?,
            });
        }
        Ok(Fields {
            names: columns.names.clone(),
            values,
            results,
        })
    }

    /// The fields by name, as they read (an inspection's results not yet read: see `Serialize`).
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.names
            .fields
            .iter()
            .map(String::as_str)
            .zip(&self.values)
    }
}

/// Written as the record's `Map` of these fields is, byte for byte (its fields in name order, an inspection's
/// results read from their column), without making it.
impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.values.len()))?;
        for &i in &self.names.sorted {
            let name = &self.names.fields[i];
            match &self.results {
                Some((at, text)) if *at == i => {
                    map.serialize_entry(name, &super::inspections::results_from_column(text))?
                }
                _ => map.serialize_entry(name, &self.values[i])?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
impl Fields {
    /// The record's JSON form, as a `Map` (what `Serialize` writes without making it).
    pub fn into_map(mut self) -> Map<String, Value> {
        if let Some((i, text)) = self.results.take() {
            self.values[i] = super::inspections::results_from_column(&text);
        }
        self.names.fields.iter().cloned().zip(self.values).collect()
    }

    /// Fields as given, for a test.
    pub(crate) fn of(pairs: Vec<(&str, Value)>) -> Fields {
        Fields {
            names: Names::new(pairs.iter().map(|(n, _)| n.to_string()).collect()),
            values: pairs.into_iter().map(|(_, v)| v).collect(),
            results: None,
        }
    }
}

/// A record's JSON fields by name: its JSON form, or its row's `Fields`.
pub trait FieldsOf {
    fn field(&self, name: &str) -> Option<&Value>;
}

impl FieldsOf for Map<String, Value> {
    fn field(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl FieldsOf for Fields {
    fn field(&self, name: &str) -> Option<&Value> {
        let i = self.names.fields.iter().position(|n| n == name)?;
        self.values.get(i)
    }
}

/// Reads one row as the JSON form of its record (its devices and records by their ids, looked up in `devices`).
pub(crate) fn row_to_map(
    row: &rusqlite::Row,
    names: &[String],
    devices: &Spelled,
) -> rusqlite::Result<Map<String, Value>> {
    let mut m = Map::new();
    for (i, name) in names.iter().enumerate() {
        m.insert(
            field_named(name),
            cell(row, i, name, Kind::of(name), devices)?,
        );
    }
    Ok(m)
}

/// The JSON field a column holds: its own name, or for a record's key the field of the id it names.
fn field_named(column: &str) -> String {
    field_of(column).unwrap_or(column).to_owned()
}

/// Column `i` (named `name`, of kind `kind`) of `row` as its JSON field's value.
fn cell(
    row: &rusqlite::Row,
    i: usize,
    name: &str,
    kind: Kind,
    devices: &Spelled,
) -> rusqlite::Result<Value> {
    let bad = |t: Type| rusqlite::Error::InvalidColumnType(i, name.to_owned(), t);
    Ok(match (row.get_ref(i)?, kind) {
        (ValueRef::Null, _) => Value::Null,
        // A record named by its key: its id (not kept: a scan names a million of them). A key that names no id
        // fails the read, as a bad spelling would (`check` names it), rather than read as no reference.
        (ValueRef::Integer(key), Kind::Record(at)) => {
            let id = match at {
                Some(j) => super::keys::spelled(row.get_ref(j)?),
                None => devices.record(key)?,
            };
            Value::String(id.ok_or(bad(Type::Integer))?)
        }
        (other, Kind::Record(_)) => return Err(bad(other.data_type())),
        (ValueRef::Integer(n), Kind::Bool) => Value::Bool(n != 0),
        (ValueRef::Integer(n), Kind::Device) => devices.id(n)?.map_or(Value::Null, Value::String),
        (ValueRef::Integer(n), _) => Value::from(n),
        (ValueRef::Real(f), _) => Value::from(f),
        // A record's version vector, and an inspection's item results: JSON in their column.
        (ValueRef::Text(t), Kind::Vector) => devices.vector(t)?,
        (ValueRef::Text(t), Kind::Results) => super::inspections::results_from_column(t),
        (ValueRef::Text(t), _) => Value::String(String::from_utf8_lossy(t).into_owned()),
        (ValueRef::Blob(b), _) => Value::String(hex::encode(b)),
    })
}

#[cfg(test)]
mod tests {
    use super::Fields;
    use serde_json::{Value, json};

    #[test]
    fn fields_write_as_their_map_does() {
        let pairs = vec![
            ("vv", json!({"b": 1, "a": 2})),
            ("id", json!("x")),
            ("deleted", json!(false)),
            ("note", Value::Null),
            ("address", json!("略阳")),
        ];
        let map = Fields::of(pairs.clone()).into_map();
        assert_eq!(
            serde_json::to_string(&Fields::of(pairs)).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
    }
}
