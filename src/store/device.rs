//! This installation: its id, jurisdiction, signing key and workers, and the county's settings.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Result, StoreError, WriteCtx, audit};
use crate::domain::deadline::DayCount;
use crate::domain::ids::{DeviceId, RegionCode};

/// This device as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    /// Jurisdiction: the region whose subtree this device works in.
    pub region: RegionCode,
    /// The worker at the keyboard (remembered from the last run).
    pub worker: String,
}

pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn set_setting(tx: &Transaction, key: &str, value: &str) -> Result<()> {
    tx.prepare_cached(SET_SETTING)?.execute([key, value])?;
    Ok(())
}

/// The statement that sets a setting: its key, its value.
pub(crate) const SET_SETTING: &str = "INSERT INTO settings (key, value) VALUES (?1, ?2) \
     ON CONFLICT(key) DO UPDATE SET value = excluded.value";

/// The device, or `NotInitialised`.
pub fn get(conn: &Connection) -> Result<Device> {
    match (
        setting(conn, "device_id")?,
        setting(conn, "region_code")?,
        setting(conn, "worker")?,
    ) {
        (Some(id), Some(region), Some(worker)) => Ok(Device {
            id: DeviceId::parse(&id).map_err(|e| StoreError::Corrupt(format!("device_id: {e}")))?,
            region: RegionCode::parse(&region)
                .map_err(|e| StoreError::Corrupt(format!("region_code: {e}")))?,
            worker,
        }),
        _ => Err(StoreError::NotInitialised),
    }
}

/// Records this device: id, jurisdiction, signing key and first worker. Refuses a second initialisation.
pub fn init(
    tx: &Transaction,
    ctx: &WriteCtx,
    region: &RegionCode,
    signing_key: &[u8; 32],
) -> Result<Device> {
    if let Some(existing) = setting(tx, "region_code")? {
        return Err(StoreError::AlreadyInitialised { region: existing });
    }
    set_setting(tx, "device_id", &ctx.device)?;
    set_setting(tx, "region_code", region)?;
    set_setting(tx, "signing_key", &hex::encode(signing_key))?;
    set_setting(tx, "created_at", &ctx.now_ms().to_string())?;
    set_setting(tx, "day_count", DayCount::Calendar.code())?;
    set_setting(tx, REPEAT_WINDOW, "365")?;
    add_worker(tx, ctx, &ctx.actor)?;
    set_setting(tx, "worker", &ctx.actor)?;
    audit::append(
        tx,
        ctx,
        "device",
        &ctx.device,
        "init",
        None,
        &serde_json::json!({ "region_code": region, "worker": ctx.actor }),
    )?;
    Ok(Device {
        id: ctx.device.clone(),
        region: region.clone(),
        worker: ctx.actor.clone(),
    })
}

/// Adds a worker if not yet known (names are unique per device).
pub fn add_worker(tx: &Transaction, ctx: &WriteCtx, name: &str) -> Result<()> {
    let id = uuid::Uuid::now_v7().to_string();
    let added = tx
        .prepare_cached("INSERT INTO workers (id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO NOTHING")?
        .execute(params![id, name, ctx.now_ms()])?;
    if added > 0 {
        audit::append(
            tx,
            ctx,
            "worker",
            &id,
            "add",
            None,
            &serde_json::json!({ "name": name }),
        )?;
    }
    Ok(())
}

/// Names of the active workers, in the order they were added.
pub fn workers(conn: &Connection) -> Result<Vec<String>> {
    let mut st =
        conn.prepare_cached("SELECT name FROM workers WHERE active = 1 ORDER BY created_at, name")?;
    let names = st
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// Makes `name` the worker at the keyboard (adding them if new).
pub fn switch_worker(tx: &Transaction, ctx: &WriteCtx, name: &str) -> Result<()> {
    add_worker(tx, ctx, name)?;
    set_setting(tx, "worker", name)
}

/// How statutory periods are counted (calendar days by default).
pub fn day_count(conn: &Connection) -> Result<DayCount> {
    Ok(setting(conn, "day_count")?
        .and_then(|s| DayCount::from_code(&s))
        .unwrap_or_default())
}

/// The repeat-petition window in days.
pub fn repeat_window_days(conn: &Connection) -> Result<i64> {
    Ok(repeat_window(setting(conn, REPEAT_WINDOW)?))
}

/// The setting that holds the repeat window.
pub const REPEAT_WINDOW: &str = "repeat_window_days";

/// The repeat window a setting's value gives (a year when unset or unreadable).
pub fn repeat_window(value: Option<String>) -> i64 {
    value.and_then(|s| s.parse().ok()).unwrap_or(365)
}
