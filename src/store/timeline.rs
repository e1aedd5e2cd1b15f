//! Where a record's timeline lies: its events are one range of the `timeline` table's rowids, the record's key in
//! `ids` times 2^20 plus each event's place among them (in the order they were added), so reading, adding or
//! removing a record's events needs no index, and the table is kept in record order.

use rusqlite::Connection;

use super::{Result, StoreError};

/// How many events one record can hold.
const SPAN: i64 = 1 << 20;

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
    if next >= first + SPAN {
        return Err(StoreError::Refused {
            zh: format!("一条记录最多记 {} 条经过，这条已满", SPAN),
            en: format!(
                "A record holds at most {} events, and this one is full",
                SPAN
            ),
        });
    }
    Ok(next)
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
