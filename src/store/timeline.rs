//! A record's timeline as it is stored and travels. Its events are one range of the `timeline` table's rowids,
//! the record's key in `ids` times 2^20 plus each event's place among them (in the order they were added), so
//! reading, adding or removing a record's events needs no index, and the table is kept in record order. An
//! event names its origin by key in `ids`, its actor and action by key in `names`.

use rusqlite::{Connection, Transaction};

use super::scan_events::{Events, Known, StoredEvent};
use super::{Result, StoreError};
use crate::domain::ids::{DeviceId, EventId};

/// How many events one record can hold.
const SPAN: i64 = 1 << 20;

// An event's id as its row holds it: a UUIDv7 whose first 6 bytes are its time in ms, the event's `at` (as every
// event made here has), keeps only its last 10 bytes; any other, all 16 (`insert` stores it, `whole_id` reads it).

/// An event as `insert` writes it, its origin, actor and action by their keys.
pub(crate) struct NewEvent<'a> {
    pub rowid: i64,
    pub id: uuid::Uuid,
    pub origin: i64,
    pub at: i64,
    pub on_date: &'a str,
    pub actor: i64,
    pub action: i64,
    pub note: Option<&'a str>,
}

/// Inserts an event, its id and day stored short where they can be (`whole_id` and `day` read them back): the
/// id's last 10 bytes when its first 6 are its time, the day only when it is not its time's own. Worked out here
/// rather than in SQL (`printf`, `unhex` and `date` for every event).
pub(crate) fn insert(tx: &Transaction, e: &NewEvent) -> Result<()> {
    tx.prepare_cached(INSERT)?
        .execute(rusqlite::params_from_iter(e.values()))?;
    Ok(())
}

/// The statement that stores an event (`NewEvent::values`).
pub(crate) const INSERT: &str =
    "INSERT INTO timeline (rowid, id, origin, at, on_date, actor, action, note)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

impl NewEvent<'_> {
    /// The event's values for `INSERT`.
    pub(crate) fn values(&self) -> [rusqlite::types::Value; 8] {
        use rusqlite::types::Value as Sql;
        let whole = self.id.as_bytes();
        let id = match u64::try_from(self.at) {
            Ok(at) if at >> 48 == 0 && whole[..6] == at.to_be_bytes()[2..] => &whole[6..],
            _ => &whole[..],
        };
        let own = day(None, self.at);
        let text = |t: Option<&str>| t.map_or(Sql::Null, |t| Sql::Text(t.to_owned()));
        [
            Sql::Integer(self.rowid),
            Sql::Blob(id.to_vec()),
            Sql::Integer(self.origin),
            Sql::Integer(self.at),
            text((own.as_deref() != Some(self.on_date)).then_some(self.on_date)),
            Sql::Integer(self.actor),
            Sql::Integer(self.action),
            text(self.note),
        ]
    }
}

/// SQL testing that `rowid` lies in the range of the record whose key is `key` (an expression).
pub fn of(key: &str) -> String {
    format!(
        "rowid BETWEEN ({key}) * {SPAN} AND ({key}) * {SPAN} + {}",
        SPAN - 1
    )
}

/// The first and last rowid of the record keyed `key`.
pub fn bounds(key: i64) -> (i64, i64) {
    (key * SPAN, key * SPAN + SPAN - 1)
}

/// The rowids of the events of the record `id` (none if the bookkeeping does not name it).
pub fn of_record(conn: &Connection, id: &str) -> Result<(i64, i64)> {
    Ok(super::keys::find(conn, id)?.map_or((1, 0), bounds))
}

/// The rowid the next event of the record keyed `key` takes.
pub fn next(conn: &Connection, key: i64) -> Result<i64> {
    let first = key * SPAN;
    let next: i64 = conn
        .prepare_cached(
            "SELECT coalesce(max(rowid) + 1, ?1) FROM timeline WHERE rowid BETWEEN ?1 AND ?1 + ?2 - 1",
        )?
        .query_row([first, SPAN], |r| r.get(0))?;
    room(key, next)?;
    Ok(next)
}

/// Refuses `rowid` for the next event of the record keyed `key` when the record's range is full.
pub(crate) fn room(key: i64, rowid: i64) -> Result<()> {
    if rowid >= key * SPAN + SPAN {
        return Err(StoreError::Refused {
            zh: format!("一条记录最多记 {} 条经过，这条已满", SPAN),
            en: format!(
                "A record holds at most {} events, and this one is full",
                SPAN
            ),
        });
    }
    Ok(())
}

/// The values of the event `step` taken in `ctx`, at `rowid`, for `INSERT`: its origin keyed by `id`, its actor
/// and action by `word` (in that order, as the keys are met).
pub(crate) fn event_values(
    ctx: &super::WriteCtx,
    step: &crate::domain::record::Step,
    rowid: i64,
    id: &mut dyn FnMut(&str) -> Result<i64>,
    word: &mut dyn FnMut(&str) -> Result<i64>,
) -> Result<[rusqlite::types::Value; 8]> {
    let at = ctx.now_ms();
    let uuid = super::records::uuid_at(at);
    let (origin, actor, action) = (id(&ctx.device)?, word(&ctx.actor)?, word(step.action)?);
    Ok(NewEvent {
        rowid,
        id: uuid,
        origin,
        at,
        on_date: &step.on.to_string(),
        actor,
        action,
        note: step.note.as_deref(),
    }
    .values())
}

/// One timeline event as it travels.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventRow {
    pub id: EventId,
    pub origin: DeviceId,
    pub at: i64,
    pub on_date: String,
    pub actor: String,
    pub action: String,
    pub note: Option<String>,
}

/// The columns of an event of the timeline row `t` as `scan_events::StoredEvent::read` takes them, as stored: its id (short or whole), origin (by key), time, day (when not its time's own), actor and
/// action (by key) and note. `whole_id` and `day` finish them in Rust (in SQL, with `printf`, `unhex` and `date`
/// for every event, they were a tenth of a scanning export's reading).
macro_rules! event_columns {
    () => {
        "t.id, t.origin, t.at, t.on_date, t.actor, t.action, t.note"
    };
}
pub(crate) use event_columns;

/// An event's whole id from its row's `id` column: the last 10 bytes after the 6 of its time
/// `at` (which must fit them), or all 16; None for anything else (damage: the read fails).
pub(crate) fn whole_id(stored: &[u8], at: i64) -> Option<uuid::Uuid> {
    if stored.len() != 10 {
        return uuid::Uuid::from_slice(stored).ok();
    }
    let at = u64::try_from(at).ok().filter(|at| at >> 48 == 0)?;
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&at.to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(stored);
    Some(uuid::Uuid::from_bytes(bytes))
}

/// An event's day: the one its row holds, or else its time's own in China (UTC+8), as SQLite's
/// `date(at / 1000, 'unixepoch', '+8 hours')` gives it: None where that is NULL (a time before the Julian day 0,
/// or whose day in China ends after 9999), a year before 1 as SQLite writes it (`-0001-12-31`).
pub(crate) fn day(on_date: Option<String>, at: i64) -> Option<String> {
    use chrono::Datelike;
    const EIGHT_HOURS: i64 = 8 * 3600;
    if on_date.is_some() {
        return on_date;
    }
    let secs = at / 1000;
    if !(-210_866_760_000..=253_402_300_799 - EIGHT_HOURS).contains(&secs) {
        return None;
    }
    let d = chrono::DateTime::from_timestamp(secs + EIGHT_HOURS, 0)?;
    let sign = if d.year() < 0 { "-" } else { "" };
    Some(format!(
        "{sign}{:04}-{:02}-{:02}",
        d.year().unsigned_abs(),
        d.month(),
        d.day()
    ))
}

/// `whole_id` for column `i` of a row, failing the read as a bad value does (an id stored as anything but
/// bytes too).
pub(crate) fn read_id(r: &rusqlite::Row, i: usize, at: i64) -> rusqlite::Result<uuid::Uuid> {
    let value = r.get_ref(i)?;
    let bad = || rusqlite::Error::InvalidColumnType(i, "id".into(), value.data_type());
    whole_id(value.as_blob().map_err(|_| bad())?, at).ok_or_else(bad)
}

/// `day` for column `i` of a row, failing the read as a missing value does.
pub(crate) fn read_day(r: &rusqlite::Row, i: usize, at: i64) -> rusqlite::Result<String> {
    day(r.get(i)?, at).ok_or_else(|| {
        rusqlite::Error::InvalidColumnType(i, "on_date".into(), rusqlite::types::Type::Null)
    })
}

/// A record's timeline, oldest first (by time, then by id), with each event's origin.
pub fn events(conn: &Connection, record_id: &str) -> Result<Vec<EventRow>> {
    let mut st = conn.prepare_cached(concat!(
        "SELECT ",
        event_columns!(),
        " FROM timeline t WHERE t.rowid BETWEEN ?1 AND ?2",
    ))?;
    let (first, last) = of_record(conn, record_id)?;
    let names = super::keys::Spelled::names(conn);
    let devices = super::keys::Spelled::ids(conn);
    // Read and spelled as a scanning export reads and spells them (`scan_events`), so the two agree.
    let mut known = std::sync::Arc::new(Known::default());
    let stored = st
        .query_map([first, last], |r| {
            StoredEvent::read(r, 0, (&devices, &names), &mut known)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Events::new(stored, known).spell()
}

/// Adds the events its record does not hold yet (by id). Looked up first and then inserted one row at a time: an
/// `INSERT … SELECT … WHERE NOT EXISTS` may write several rows, so SQLite opened a statement journal for each
/// event and freed it after, and the C allocator gave the memory back to the system each time (a third of an
/// import into an empty county, measured with `perf`). The ids of the events the record holds are read once, and
/// the few devices and words its events name are each looked up once.
pub fn add_events(tx: &Transaction, record_id: &str, events: &[EventRow]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let record = super::keys::key(tx, record_id)?;
    let (first, last) = bounds(record);
    // The ids of the events the record holds (none for a new one), read once, whole, and the last place taken.
    // (A damaged one, which reads as no id, matches none.)
    let mut held = std::collections::HashSet::new();
    let mut taken = None;
    {
        let mut st = tx.prepare_cached(
            "SELECT rowid, id, at FROM timeline WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid",
        )?;
        let mut rows = st.query([first, last])?;
        while let Some(r) = rows.next()? {
            taken = Some(r.get::<_, i64>(0)?);
            let at: Option<i64> = r.get(2)?;
            if let Some(id) = r
                .get_ref(1)?
                .as_blob()
                .ok()
                .zip(at)
                .and_then(|(id, at)| whole_id(id, at))
            {
                held.insert(id);
            }
        }
    }
    // The last place taken, or the one before the range.
    let mut rowid = taken.unwrap_or(first - 1);
    // (a word?, its text) → its key.
    let mut known: std::collections::HashMap<(bool, &str), i64> = Default::default();
    fn key<'e>(
        tx: &Transaction,
        known: &mut std::collections::HashMap<(bool, &'e str), i64>,
        word: bool,
        text: &'e str,
    ) -> Result<i64> {
        if let Some(k) = known.get(&(word, text)) {
            return Ok(*k);
        }
        let k = match word {
            true => super::keys::name_key(tx, text)?,
            false => super::keys::key(tx, text)?,
        };
        known.insert((word, text), k);
        Ok(k)
    }
    for e in events {
        // One held already, or listed twice, is added once.
        let id = uuid::Uuid::parse_str(e.id.as_str())
            .map_err(|_| StoreError::Corrupt(format!("event id {}", e.id.as_str())))?;
        if !held.insert(id) {
            continue;
        }
        // The next place in the record's range (a record that is full refuses only an event it lacks).
        let place = match rowid < last {
            true => rowid + 1,
            false => next(tx, record)?,
        };
        rowid = place;
        insert(
            tx,
            &NewEvent {
                rowid: place,
                id,
                origin: key(tx, &mut known, false, e.origin.as_str())?,
                at: e.at,
                on_date: &e.on_date,
                actor: key(tx, &mut known, true, &e.actor)?,
                action: key(tx, &mut known, true, &e.action)?,
                note: e.note.as_deref(),
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_records_events_take_the_next_rowids_of_its_range_until_it_is_full() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE timeline (note TEXT);")
            .unwrap();
        let (first, last) = super::bounds(7);
        assert_eq!(super::next(&conn, 7).unwrap(), first);
        conn.execute("INSERT INTO timeline (rowid) VALUES (?1)", [first])
            .unwrap();
        // The next record's events and the one before's do not count.
        conn.execute(
            "INSERT INTO timeline (rowid) VALUES (?1), (?2)",
            [first - 1, last + 1],
        )
        .unwrap();
        assert_eq!(super::next(&conn, 7).unwrap(), first + 1);
        conn.execute("INSERT INTO timeline (rowid) VALUES (?1)", [last])
            .unwrap();
        assert!(matches!(
            super::next(&conn, 7),
            Err(crate::store::StoreError::Refused { .. })
        ));
    }
}

#[cfg(test)]
mod stored {
    /// The SQL that read an event's id whole until `whole_id` did, for the row `t` (`||` makes text of two blobs:
    /// cast back).
    macro_rules! event_id {
        ($t:literal) => {
            concat!(
                "iif(length(",
                $t,
                ".id) = 10, CAST(unhex(printf('%012X', ",
                $t,
                ".at)) || ",
                $t,
                ".id AS BLOB), ",
                $t,
                ".id)"
            )
        };
    }
    /// What `insert` stores is what the SQL it replaced stored.
    #[test]
    fn an_event_is_stored_as_the_sql_it_replaced_stored_it() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE timeline (id, origin, at, on_date, actor, action, note);
             CREATE TABLE sql (id, origin, at, on_date, actor, action, note);",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        let made = |at: i64| {
            let mut b =
                *uuid::Uuid::from_u128(0x0190_a1b2_c3d4_7e5f_8a9b_0c1d_2e3f_4a5b).as_bytes();
            if let Ok(at) = u64::try_from(at) {
                b[..6].copy_from_slice(&at.to_be_bytes()[2..]);
            }
            uuid::Uuid::from_bytes(b)
        };
        let mut rowid = 0;
        for at in [
            0,
            1_764_000_000_000,
            1_798_732_800_000,
            (1 << 48) - 1,
            1 << 48,
            -1_500,
            -62_135_596_801_000,
            -100_000_000_000_000,
            -210_866_760_001_000,
            253_402_272_000_000,
        ] {
            for id in [made(at), made(at + 1)] {
                for on_date in ["2026-01-02", "2025-11-25", "1970-01-01", "2027-01-01"] {
                    rowid += 1;
                    let e = super::NewEvent {
                        rowid,
                        id,
                        origin: 3,
                        at,
                        on_date,
                        actor: 4,
                        action: 5,
                        note: Some("备注"),
                    };
                    super::insert(&tx, &e).unwrap();
                    tx.execute(
                        "INSERT INTO sql (rowid, id, origin, at, on_date, actor, action, note)
                         VALUES (?1, iif(substr(?2, 1, 6) = unhex(printf('%012X', ?4)), substr(?2, 7), ?2), ?3, ?4,
                                 nullif(?5, date(?4 / 1000, 'unixepoch', '+8 hours')), ?6, ?7, ?8)",
                        rusqlite::params![rowid, &id.as_bytes()[..], 3, at, on_date, 4, 5, "备注"],
                    )
                    .unwrap();
                }
            }
        }
        let differ: i64 = tx
            .query_row(
                "SELECT count(*) FROM (SELECT rowid, * FROM timeline EXCEPT SELECT rowid, * FROM sql)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let short: i64 = tx
            .query_row(
                "SELECT count(*) FROM timeline WHERE length(id) = 10 AND on_date IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!((differ, rowid), (0, 80));
        assert!(short > 0, "some ids and days are stored short");
    }

    /// What `whole_id` and `day` give is what the SQL they replaced gives, for ids stored short and whole, days
    /// stored and not, and times at the edges of what fits.
    #[test]
    fn an_events_id_and_day_read_in_rust_as_they_did_in_sql() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let short = [0xab_u8; 10];
        let whole = *uuid::Uuid::from_u128(0x0190_a1b2_c3d4_7e5f_8a9b_0c1d_2e3f_4a5b).as_bytes();
        let day = |day: Option<&str>, at: i64| -> Option<String> {
            conn.query_row(
                "SELECT coalesce(?1, date(?2 / 1000, 'unixepoch', '+8 hours'))",
                rusqlite::params![day, at],
                |r| r.get(0),
            )
            .unwrap()
        };
        let id = |stored: &[u8], at: i64| -> Option<uuid::Uuid> {
            let bytes: Option<Vec<u8>> = conn
                .query_row(
                    &format!(
                        "SELECT {} FROM (SELECT ?1 AS id, ?2 AS at) t",
                        event_id!("t")
                    ),
                    rusqlite::params![stored, at],
                    |r| r.get(0),
                )
                .unwrap();
            uuid::Uuid::from_slice(&bytes?).ok()
        };
        for at in [
            0,
            -1_500,
            1_764_000_000_000,
            // 16:00 UTC on New Year's Eve: the next year's first day in China.
            1_798_732_800_000,
            (1 << 48) - 1,
            1 << 48,
            -(1 << 40),
            // Years before 1, the Julian day 0 and the end of 9999 in China, each side.
            -62_135_596_801_000,
            -100_000_000_000_000,
            -210_866_760_000_000,
            -210_866_760_000_999,
            -210_866_760_001_000,
            253_402_271_999_999,
            253_402_272_000_000,
            i64::MIN,
            i64::MAX,
            // Within 8 hours of the latest time chrono knows.
            8_210_266_876_799_000,
        ] {
            for stored in [&short[..], &whole[..], &[1, 2, 3][..]] {
                assert_eq!(
                    super::whole_id(stored, at),
                    id(stored, at),
                    "{stored:?} {at}"
                );
            }
            for held in [None, Some("2026-01-02")] {
                assert_eq!(
                    super::day(held.map(str::to_owned), at),
                    day(held, at),
                    "{held:?} {at}"
                );
            }
        }
        assert_eq!(
            super::day(None, 1_798_732_800_000).as_deref(),
            Some("2027-01-01")
        );
    }
}

#[cfg(test)]
mod travelling {
    use super::{EventRow, add_events, events};
    use crate::domain::ids::{DeviceId, EventId};

    fn event(n: u128, at: i64) -> EventRow {
        EventRow {
            id: EventId::from_uuid(uuid::Uuid::from_u128(
                0x0190_0000_0000_7000_8000_0000_0000_0000 + n,
            )),
            origin: DeviceId::from_uuid(uuid::Uuid::from_u128(
                0x0190_0000_0000_7000_8000_0000_0000_ffff,
            )),
            at,
            on_date: "2026-12-02".into(),
            actor: "李明".into(),
            action: "report".into(),
            note: None,
        }
    }

    #[test]
    fn an_event_is_added_once_whether_held_already_or_listed_twice() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::migrate::run(&mut conn).unwrap();
        let tx = conn.transaction().unwrap();
        let record = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        // A new record's events, one of them twice.
        add_events(&tx, record, &[event(1, 10), event(2, 20), event(1, 10)]).unwrap();
        assert_eq!(events(&tx, record).unwrap(), [event(1, 10), event(2, 20)]);
        // Then the same again with one more: only the new one is added, after the others.
        add_events(&tx, record, &[event(2, 20), event(3, 5), event(1, 10)]).unwrap();
        let held = events(&tx, record).unwrap();
        assert_eq!(held.len(), 3);
        assert_eq!(held[0], event(3, 5), "read in the order of their time");
        // Another record's events are its own.
        add_events(&tx, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c", &[event(1, 10)]).unwrap();
        assert_eq!(events(&tx, record).unwrap().len(), 3);
    }

    #[test]
    fn an_id_made_at_its_events_time_is_stored_short_and_read_whole() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::migrate::run(&mut conn).unwrap();
        let tx = conn.transaction().unwrap();
        let record = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        // Made at its time (the id's first 48 bits are `at`), and one whose time is another.
        let at = 0x0190_0000_0000;
        let (made, other) = (event(7, at), event(8, at + 1));
        add_events(&tx, record, &[made.clone(), other.clone()]).unwrap();
        let stored: Vec<i64> = tx
            .prepare("SELECT length(id) FROM timeline ORDER BY at")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(stored, [10, 16]);
        assert_eq!(events(&tx, record).unwrap(), [made.clone(), other.clone()]);
        // Held already, in either form: nothing added twice.
        add_events(&tx, record, &[other, made]).unwrap();
        assert_eq!(events(&tx, record).unwrap().len(), 2);
    }
}
