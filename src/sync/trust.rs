//! The devices this database trusts: register one ahead (`trust add`), confirm one first seen in a bundle,
//! revoke one (its bundles are refused from then on).

use crate::domain::region;
use crate::store::exchange::{self, Peer};
use crate::store::{Store, StoreError, audit, device};

fn bad(zh: String, en: String) -> StoreError {
    StoreError::bad_file("trust", None, zh, en)
}

/// Registers (or re-registers) a device's key and region, confirmed.
pub fn add(
    store: &mut Store,
    device_id: &str,
    key_hex: &str,
    region_code: &str,
) -> Result<Peer, StoreError> {
    let device_id = device_id.trim();
    if uuid::Uuid::parse_str(device_id).is_err() {
        return Err(bad(
            format!("「{device_id}」不是设备编号（UUID，wangge key show 会显示）"),
            format!("'{device_id}' is not a device id (a UUID, as wangge key show prints it)"),
        ));
    }
    let key = key_hex.trim().to_ascii_lowercase();
    let ok = hex::decode(&key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .is_some_and(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).is_ok());
    if !ok {
        return Err(bad(
            "公钥应为 64 位十六进制（wangge key show 显示的 public key）".into(),
            "The key must be 64 hex digits (the public key wangge key show prints)".into(),
        ));
    }
    if region::parse_code(region_code).is_err() {
        return Err(bad(
            format!("「{region_code}」不是有效的区划代码"),
            format!("'{region_code}' is not a valid region code"),
        ));
    }
    if device::get(store.conn())?.id == device_id {
        return Err(bad(
            "这是本设备自己".into(),
            "That is this device itself".into(),
        ));
    }
    let peer = Peer {
        device: device_id.to_owned(),
        public_key: key,
        region: region_code.to_owned(),
        status: "confirmed".into(),
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
    Ok(peer)
}

/// Sets a known device's status (`confirmed` or `revoked`); false when the device is unknown.
pub fn set(store: &mut Store, device_id: &str, status: &str) -> Result<bool, StoreError> {
    store.write(|tx, ctx| {
        let done = exchange::set_peer_status(tx, device_id.trim(), status)?;
        if done {
            audit::append(
                tx,
                ctx,
                "peer",
                device_id.trim(),
                &format!("trust_{status}"),
                None,
                &serde_json::json!({}),
            )?;
        }
        Ok(done)
    })
}
