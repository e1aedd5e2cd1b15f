//! The devices this database trusts: register one ahead (`trust add`), confirm one first seen in a bundle —
//! which merges the bundles held while it waited — or revoke one: its bundles are refused from then on, and
//! what it left in quarantine or on hold is dropped, never released.

use std::path::PathBuf;

use super::import::{self, Summary};
use crate::domain::ids::{DeviceId, PublicKey, RegionCode};
use crate::store::exchange::{self, Peer, PeerStatus};
use crate::store::{Store, StoreError, audit, device, held};

/// Registers (or re-registers) a device's key and region, confirmed; what it had on hold is merged.
pub fn add(
    store: &mut Store,
    device_id: &DeviceId,
    key: &PublicKey,
    region: &RegionCode,
) -> Result<(Peer, Vec<Merged>), StoreError> {
    if device::get(store.conn())?.id == *device_id {
        return Err(StoreError::refused(
            "这是本设备自己",
            "That is this device itself",
        ));
    }
    let peer = Peer {
        device: device_id.clone(),
        public_key: key.clone(),
        region: region.clone(),
        status: PeerStatus::Confirmed,
        how: "registered".into(),
        added_at: crate::domain::clock::to_ms(store.now()),
    };
    store.write(|tx, ctx| {
        exchange::put_peer(tx, &peer)?;
        audit::append(
            tx,
            ctx,
            "peer",
            &peer.device,
            "trust_add",
            None,
            &serde_json::json!({ "key": peer.public_key, "region": peer.region }),
        )
    })?;
    let merged = merge_held(store, device_id)?;
    Ok((peer, merged))
}

/// One held bundle merged at confirmation, or why it still waits.
pub struct Merged {
    pub file: String,
    pub result: Result<Summary, StoreError>,
}

/// Confirms a known device and merges what it had on hold; None when the device is unknown.
pub fn confirm(store: &mut Store, device_id: &DeviceId) -> Result<Option<Vec<Merged>>, StoreError> {
    if !set(
        store,
        device_id,
        PeerStatus::Confirmed,
        &serde_json::json!({}),
    )? {
        return Ok(None);
    }
    merge_held(store, device_id).map(Some)
}

/// What revoking a device dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revoked {
    /// Its records waiting in quarantine.
    pub records: u64,
    /// Its bundles on hold.
    pub bundles: u64,
}

/// Revokes a known device; what it left in quarantine or on hold is dropped. None when the device is unknown.
pub fn revoke(store: &mut Store, device_id: &DeviceId) -> Result<Option<Revoked>, StoreError> {
    if exchange::peer(store.conn(), device_id)?.is_none() {
        return Ok(None);
    }
    store.write(|tx, ctx| {
        exchange::set_peer_status(tx, device_id, PeerStatus::Revoked)?;
        let mut dropped = Revoked::default();
        for q in held::quarantined(tx)? {
            if q.device == device_id.as_str() {
                held::release(tx, q.id)?;
                dropped.records += 1;
            }
        }
        for b in exchange::held_bundles(tx, Some(device_id))? {
            exchange::drop_held_bundle(tx, b.id)?;
            dropped.bundles += 1;
        }
        audit::append(
            tx,
            ctx,
            "peer",
            device_id,
            "trust_revoked",
            None,
            &serde_json::json!({ "dropped_records": dropped.records, "dropped_bundles": dropped.bundles }),
        )?;
        Ok(Some(dropped))
    })
}

/// Sets a known device's status; false when the device is unknown.
fn set(
    store: &mut Store,
    device_id: &DeviceId,
    status: PeerStatus,
    details: &serde_json::Value,
) -> Result<bool, StoreError> {
    store.write(|tx, ctx| {
        let done = exchange::set_peer_status(tx, device_id, status)?;
        if done {
            audit::append(
                tx,
                ctx,
                "peer",
                device_id,
                &format!("trust_{}", status.code()),
                None,
                details,
            )?;
        }
        Ok(done)
    })
}

/// Merges the bundles a device had on hold, oldest range first, each as an import of its own; a merged one
/// leaves the hold, one that is refused stays (and says why).
fn merge_held(store: &mut Store, device_id: &DeviceId) -> Result<Vec<Merged>, StoreError> {
    let mut out = Vec::new();
    for b in exchange::held_bundles(store.conn(), Some(device_id))? {
        let bytes = exchange::held_bytes(store.conn(), b.id)?;
        let path = held_file(store, &b.file);
        let written = (|| -> std::io::Result<()> {
            use std::io::Write;
            let mut f = crate::store::create_private_file(&path)?;
            f.write_all(&bytes)?;
            f.sync_all()
        })();
        let result = match written {
            Err(source) => Err(StoreError::Io {
                path: path.clone(),
                source,
            }),
            Ok(()) => import::import(store, &path, false),
        };
        let _ = std::fs::remove_file(&path);
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
        if result.is_ok() {
            store.write_raw(|tx| exchange::drop_held_bundle(tx, b.id))?;
        }
        out.push(Merged {
            file: b.file,
            result,
        });
    }
    Ok(out)
}

/// Where a held bundle is put for its merge: a hidden file beside the database, under the bundle's own name
/// (which the import records).
fn held_file(store: &Store, name: &str) -> PathBuf {
    let dir = store
        .path()
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let dir = dir.join(format!(".wangge-held-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(if safe.is_empty() {
        "held.wgb".into()
    } else {
        safe
    })
}
