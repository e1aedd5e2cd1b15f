//! The holiday table: seeded from `data/cn-holidays.csv`, extended by the county's yearly import.

use rusqlite::{Connection, Transaction, params};

use super::{Result, StoreError, WriteCtx, audit};
use crate::domain::deadline::{Calendar, DayKind, HolidayRow, parse_holiday_csv};
use crate::domain::{Lang, Localized};

/// The built-in table (2018–2026), from the State Council's yearly notices.
const BUILTIN: &str = include_str!("../../data/cn-holidays.csv");

pub(super) fn seed_builtin(tx: &Transaction) -> Result<()> {
    let rows = parse_holiday_csv(BUILTIN).map_err(|e| {
        StoreError::bad_file(
            "data/cn-holidays.csv",
            None,
            e.message(Lang::Zh),
            e.message(Lang::En),
        )
    })?;
    upsert(tx, &rows)?;
    Ok(())
}

/// Inserts or replaces rows by date; returns how many.
pub fn upsert(tx: &Transaction, rows: &[HolidayRow]) -> Result<usize> {
    let mut st = tx.prepare_cached(
        "INSERT INTO holidays (date, kind, name_zh, name_en) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(date) DO UPDATE SET kind = excluded.kind, name_zh = excluded.name_zh, name_en = excluded.name_en",
    )?;
    for r in rows {
        st.execute(params![
            r.date.to_string(),
            r.kind.code(),
            r.name_zh,
            r.name_en
        ])?;
    }
    Ok(rows.len())
}

/// Every row, or those of one year, by date.
pub fn list(conn: &Connection, year: Option<i32>) -> Result<Vec<HolidayRow>> {
    let mut st = conn.prepare_cached(
        "SELECT date, kind, name_zh, name_en FROM holidays WHERE ?1 IS NULL OR substr(date, 1, 4) = ?1 ORDER BY date",
    )?;
    let rows = st.query_map([year.map(|y| format!("{y:04}"))], |r| {
        let date: String = r.get(0)?;
        let kind: String = r.get(1)?;
        Ok((date, kind, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (date, kind, name_zh, name_en) = row?;
        if let (Ok(date), Some(kind)) = (date.parse(), DayKind::from_code(&kind)) {
            out.push(HolidayRow {
                date,
                kind,
                name_zh,
                name_en,
            });
        }
    }
    Ok(out)
}

/// The calendar that deadlines are computed with.
pub fn calendar(conn: &Connection) -> Result<Calendar> {
    Ok(Calendar::new(
        list(conn, None)?.into_iter().map(|r| (r.date, r.kind)),
    ))
}

/// Imports a county's holiday rows (one year's notice) in the caller's transaction, with one audit row.
pub fn import(tx: &Transaction, ctx: &WriteCtx, rows: &[HolidayRow]) -> Result<usize> {
    let n = upsert(tx, rows)?;
    audit::append(
        tx,
        ctx,
        "holiday",
        "-",
        "import",
        None,
        &serde_json::json!({ "rows": n }),
    )?;
    Ok(n)
}
