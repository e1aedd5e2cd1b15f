//! Sealing bundle payloads so a lost USB stick leaks nothing: the county's age identity (X25519, made once by
//! `key county-init` and kept in its database), the recipients a township encrypts to, and the county card
//! that carries the county's recipient and signing key, signed by that key.

use std::io::{BufRead, Write};
use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::bundle::{self, MAX_HEADER};
use crate::domain::ids::{DeviceId, PublicKey, RegionCode};
use crate::domain::region::Level;
use crate::store::exchange::{self, Peer, PeerStatus};
use crate::store::outbound::{self, RecipientRow};
use crate::store::{Store, StoreError, audit, device};

/// The payload encodings a header names.
pub const PLAIN: &str = "jsonl";
pub const AGE: &str = "age";

const CARD_FORMAT: &str = "wangge-county-card";
const CARD_VERSION: &str = "1.0";

fn refused(zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::refused(zh, en)
}

/// The county's identity, if this database holds one.
pub fn identity(conn: &rusqlite::Connection) -> Result<Option<age::x25519::Identity>, StoreError> {
    match device::setting(conn, "county_identity")? {
        None => Ok(None),
        Some(s) => age::x25519::Identity::from_str(s.trim())
            .map(Some)
            .map_err(|_| StoreError::Corrupt("county_identity".into())),
    }
}

/// Creates the county's key pair; returns its recipient (`age1…`). Only a county database, and only once.
pub fn county_init(store: &mut Store) -> Result<String, StoreError> {
    let dev = device::get(store.conn())?;
    if dev.region.level() != Level::County {
        return Err(refused(
            format!(
                "只有县级数据库才创建县级加密密钥；本设备辖区是 {}",
                dev.region
            ),
            format!(
                "Only a county database makes the county key; this device's region is {}",
                dev.region
            ),
        ));
    }
    if let Some(id) = identity(store.conn())? {
        return Err(refused(
            format!(
                "本数据库已有县级密钥（{}），没有改动；换密钥会让乡镇已登记的县级名片失效",
                id.to_public()
            ),
            format!(
                "This database already has the county key ({}); nothing changed. A new key would void the cards townships hold",
                id.to_public()
            ),
        ));
    }
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    store.write(|tx, ctx| {
        device::set_setting(tx, "county_identity", id.to_string().expose_secret())?;
        audit::append(
            tx,
            ctx,
            "device",
            &ctx.device,
            "county_key",
            None,
            &serde_json::json!({ "recipient": recipient }),
        )
    })?;
    Ok(recipient)
}

/// Writes the county identity (the secret key) for decrypting by hand with the `age` tool, owner-only.
pub fn export_identity(store: &Store, path: &Path) -> Result<(), StoreError> {
    let id = identity(store.conn())?.ok_or_else(no_identity)?;
    let text = format!(
        "# wangge county identity; recipient: {}\n{}\n",
        id.to_public(),
        id.to_string().expose_secret()
    );
    write_new(path, text.as_bytes())
}

fn no_identity() -> StoreError {
    refused(
        "本数据库没有县级密钥；县里先运行 wangge key county-init",
        "This database has no county key; the county runs wangge key county-init first",
    )
}

/// Creates `path` (owner-only), refusing to overwrite anything.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut f = crate::store::create_private_file(path).map_err(io)?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(io)
}

/// The county card: what a township needs to encrypt to the county and to trust its bundles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub format: String,
    pub version: String,
    pub device: DeviceId,
    pub public_key: PublicKey,
    pub region: RegionCode,
    pub recipient: String,
    pub created_at: String,
}

/// Writes the county card to `path`: line 1 the card, line 2 the county device's signature over it.
pub fn write_card(store: &Store, path: &Path) -> Result<Card, StoreError> {
    let conn = store.conn();
    let id = identity(conn)?.ok_or_else(no_identity)?;
    let dev = device::get(conn)?;
    let key = super::export::signing_key(conn)?;
    let card = Card {
        format: CARD_FORMAT.into(),
        version: CARD_VERSION.into(),
        device: dev.id,
        public_key: PublicKey::of(&key.verifying_key()),
        region: dev.region,
        recipient: id.to_public().to_string(),
        created_at: store
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let line1 = serde_json::to_string(&card).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sig = bundle::sign(&key, &line1);
    write_new(path, format!("{line1}\n{sig}\n").as_bytes())?;
    Ok(card)
}

/// Reads and checks a card: its form, canonical identities, a county region, a recipient that parses, and the
/// signature by the key it names. A file that holds a secret key is refused: that key has leaked.
pub fn read_card(path: &Path) -> Result<Card, StoreError> {
    let bad = |zh: &str, en: &str| StoreError::bad_file(path, None, zh, en);
    let file = crate::store::open_regular(path)?;
    let whole = std::io::Read::take(file, 4 * MAX_HEADER as u64 + 4);
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::BufReader::new(whole), &mut bytes).map_err(
        |source| StoreError::Io {
            path: path.to_owned(),
            source,
        },
    )?;
    if String::from_utf8_lossy(&bytes)
        .to_ascii_uppercase()
        .contains("AGE-SECRET-KEY-")
    {
        return Err(bad(
            "这个文件里有县级私钥（AGE-SECRET-KEY-..）！私钥已经泄露：县里必须立即换新密钥、发新名片，旧私钥作废；请删除这个文件的所有副本。没有登记",
            "this file holds the county's secret key (AGE-SECRET-KEY-..)! That secret has leaked: the county must make a new key and hand out a new card, and the old secret is void; delete every copy of this file. Nothing registered",
        ));
    }
    let mut r = std::io::Cursor::new(bytes);
    let line1 = bundle::read_line(&mut r, MAX_HEADER, path, 1)?;
    let line2 = bundle::read_line(&mut r, MAX_HEADER, path, 2)?;
    let (Some(line1), Some(line2)) = (line1, line2) else {
        return Err(bad(
            "不是县级名片（应有两行：名片和签名）",
            "not a county card (two lines: the card and its signature)",
        ));
    };
    // A card that passed through a Windows editor may have a byte-order mark and CRLF line ends: the signature
    // covers the line's own text, which they leave as it was.
    let line1 = line1
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&line1)
        .to_vec();
    let line1 = line1.strip_suffix(b"\r").unwrap_or(&line1).to_vec();
    let line2 = String::from_utf8_lossy(&line2);
    let text = String::from_utf8(line1)
        .map_err(|_| bad("名片不是 UTF-8 文本", "the card is not UTF-8 text"))?;
    let probe: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| bad("不是县级名片", "not a county card"))?;
    if probe["format"] != CARD_FORMAT
        || !probe["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("1."))
    {
        return Err(bad(
            "不是本程序认识的县级名片",
            "not a county card this program reads",
        ));
    }
    let card: Card = bundle::from_json(&text).map_err(|e| {
        StoreError::bad_file(
            path,
            None,
            format!("县级名片有误：{e}"),
            format!("the county card is wrong: {e}"),
        )
    })?;
    if card.region.level() != Level::County {
        return Err(bad(
            "名片上的区划不是县级",
            "the card's region is not a county",
        ));
    }
    if age::x25519::Recipient::from_str(&card.recipient).is_err() {
        return Err(bad(
            "名片上的加密公钥无效",
            "the card's recipient is not a valid age recipient",
        ));
    }
    if !bundle::verify(&card.public_key, &text, line2.trim_end_matches('\r')) {
        return Err(bad(
            "名片的签名不对（被改动过？），没有登记",
            "the card's signature does not match (altered?); nothing registered",
        ));
    }
    Ok(card)
}

/// Registers a county card: its recipient (bundles are encrypted to it from now on) and its device's signing
/// key (so that county's bundles and acknowledgements are trusted).
pub fn add_card(store: &mut Store, path: &Path) -> Result<Card, StoreError> {
    let card = read_card(path)?;
    let own = device::get(store.conn())?;
    if card.device == own.id {
        return Err(refused(
            "这是本设备自己的名片",
            "This is this device's own card",
        ));
    }
    if !card.region.contains(&own.region) {
        return Err(refused(
            format!(
                "这张名片是 {} 的，本设备辖区 {} 不在其内，没有登记",
                card.region, own.region
            ),
            format!(
                "This card is for {}, which does not contain this device's region {}; not registered",
                card.region, own.region
            ),
        ));
    }
    if let Some(other) = outbound::recipients(store.conn())?.into_iter().find(|r| {
        r.region.as_ref() == Some(&card.region) && r.device.as_ref() != Some(&card.device)
    }) {
        return Err(refused(
            format!(
                "已登记了本县的另一张名片（设备 {}）；如果县里确实换了设备，先移除旧的：wangge recipient remove {}",
                other.device.as_deref().unwrap_or("-"),
                other.recipient
            ),
            format!(
                "A card of this county is already registered (device {}); if the county really changed devices, remove the old one first: wangge recipient remove {}",
                other.device.as_deref().unwrap_or("-"),
                other.recipient
            ),
        ));
    }
    if let Some(p) = exchange::peer(store.conn(), &card.device)?
        && p.status == PeerStatus::Revoked
    {
        return Err(refused(
            format!(
                "设备 {} 已被撤销信任，名片不能恢复它；确需恢复请用 trust add 重新登记",
                card.device
            ),
            format!(
                "Device {} is revoked; a card does not restore it (use trust add to register it again)",
                card.device
            ),
        ));
    }
    if let Some(p) = exchange::peer(store.conn(), &card.device)?
        && p.public_key != card.public_key
    {
        return Err(refused(
            format!(
                "设备 {} 已登记了另一个签名公钥；名片与之不符，没有登记（先 trust revoke 再登记）",
                card.device
            ),
            format!(
                "Device {} is registered with another signing key; the card does not match it and was not registered",
                card.device
            ),
        ));
    }
    let now = crate::domain::clock::to_ms(store.now());
    store.write(|tx, ctx| {
        exchange::put_peer(
            tx,
            &Peer {
                device: card.device.clone(),
                public_key: card.public_key.clone(),
                region: card.region.clone(),
                status: PeerStatus::Confirmed,
                how: "registered".into(),
                added_at: now,
            },
        )?;
        register(
            tx,
            ctx,
            &RecipientRow {
                recipient: card.recipient.clone(),
                device: Some(card.device.clone()),
                public_key: Some(card.public_key.clone()),
                region: Some(card.region.clone()),
                added_at: now,
            },
        )
    })?;
    Ok(card)
}

/// Writes a recipient and its audit row (with the card's device and region, when it came on a card).
fn register(
    tx: &rusqlite::Transaction,
    ctx: &crate::store::WriteCtx,
    row: &RecipientRow,
) -> Result<(), StoreError> {
    outbound::add_recipient(tx, row)?;
    audit::append(
        tx,
        ctx,
        "recipient",
        &row.recipient,
        "recipient_add",
        row.device.as_ref().map(|_| "card"),
        &serde_json::json!({ "device": row.device, "region": row.region }),
    )
}

/// Registers a recipient typed in (`age1…`).
pub fn add_recipient(store: &mut Store, text: &str) -> Result<String, StoreError> {
    let text = text.trim();
    if text.to_ascii_uppercase().starts_with("AGE-SECRET-KEY") {
        return Err(refused(
            "这是县级私钥，不是加密公钥！私钥只留在县里，请勿外传；这里要的是 age1 开头的公钥",
            "That is the county's secret key, not a recipient! Keep it at the county; what is wanted here starts with age1",
        ));
    }
    let r = age::x25519::Recipient::from_str(text).map_err(|_| {
        let shown = crate::domain::text::clip(text, 40);
        refused(
            format!("「{shown}」不是有效的加密公钥（县里 wangge key show 显示的 age1 开头的那一串）"),
            format!("'{shown}' is not a valid recipient (the age1.. string the county's wangge key show prints)"),
        )
    })?;
    let recipient = r.to_string();
    let now = crate::domain::clock::to_ms(store.now());
    store.write(|tx, ctx| {
        register(
            tx,
            ctx,
            &RecipientRow {
                recipient: recipient.clone(),
                device: None,
                public_key: None,
                region: None,
                added_at: now,
            },
        )
    })?;
    Ok(recipient)
}

/// Removes a recipient; false when it was not registered.
pub fn remove_recipient(store: &mut Store, text: &str) -> Result<bool, StoreError> {
    let text = text.trim().to_owned();
    store.write(|tx, ctx| {
        let done = outbound::remove_recipient(tx, &text)?;
        if done {
            audit::append(
                tx,
                ctx,
                "recipient",
                &text,
                "recipient_remove",
                None,
                &serde_json::json!({}),
            )?;
        }
        Ok(done)
    })
}

/// Every recipient registered.
pub fn recipients(conn: &rusqlite::Connection) -> Result<Vec<age::x25519::Recipient>, StoreError> {
    parsed(&outbound::recipients(conn)?)
}

/// The recipients of a bundle for `destination` (none: it goes out plain): those whose card names that region,
/// and, for a county, the ones typed in (a recipient typed in is the county's).
pub fn recipients_for(
    conn: &rusqlite::Connection,
    destination: &RegionCode,
) -> Result<Vec<age::x25519::Recipient>, StoreError> {
    let county = destination.level() == Level::County;
    let rows: Vec<RecipientRow> = outbound::recipients(conn)?
        .into_iter()
        .filter(|r| match &r.region {
            Some(code) => code == destination,
            None => county,
        })
        .collect();
    parsed(&rows)
}

fn parsed(rows: &[RecipientRow]) -> Result<Vec<age::x25519::Recipient>, StoreError> {
    rows.iter()
        .map(|r| {
            age::x25519::Recipient::from_str(&r.recipient)
                .map_err(|_| StoreError::Corrupt(format!("recipient {}", r.recipient)))
        })
        .collect()
}

/// Where the payload lines go: straight to the file, or through age encryption.
pub enum Sealed<W: Write> {
    Plain(W),
    Age(age::stream::StreamWriter<W>),
}

impl<W: Write> Sealed<W> {
    /// Encrypts to `recipients`, or writes plain when there are none.
    pub fn new(out: W, recipients: &[age::x25519::Recipient]) -> std::io::Result<Sealed<W>> {
        if recipients.is_empty() {
            return Ok(Sealed::Plain(out));
        }
        let enc =
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(std::io::Error::other)?;
        Ok(Sealed::Age(enc.wrap_output(out)?))
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Sealed::Plain(_) => PLAIN,
            Sealed::Age(_) => AGE,
        }
    }

    /// Ends the encryption and gives back the writer underneath.
    pub fn finish(self) -> std::io::Result<W> {
        match self {
            Sealed::Plain(w) => Ok(w),
            Sealed::Age(s) => s.finish(),
        }
    }
}

impl<W: Write> Write for Sealed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sealed::Plain(w) => w.write(buf),
            Sealed::Age(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sealed::Plain(w) => w.flush(),
            Sealed::Age(s) => s.flush(),
        }
    }
}

/// The plaintext of a payload read through `raw`: `raw` itself for a plain bundle, decrypted with this
/// database's county identity for an encrypted one.
pub fn open<'a, R: std::io::Read + 'a>(
    raw: R,
    encoding: &str,
    identity: Option<&age::x25519::Identity>,
    path: &Path,
) -> Result<Box<dyn BufRead + 'a>, StoreError> {
    let bad = |zh: &str, en: &str| StoreError::bad_file(path, None, zh, en);
    match encoding {
        PLAIN => Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, raw))),
        AGE => {
            let Some(id) = identity else {
                return Err(bad(
                    "这个交换包是加密的，只有持有县级密钥的县级数据库才能导入",
                    "this bundle is encrypted; only the county database that holds the county key can import it",
                ));
            };
            let dec = age::Decryptor::new(raw).map_err(|e| decrypt_error(e, path))?;
            let plain = dec
                .decrypt(std::iter::once(id as &dyn age::Identity))
                .map_err(|e| decrypt_error(e, path))?;
            Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, plain)))
        }
        other => Err(StoreError::bad_file(
            path,
            Some(1),
            format!("不认识的内容编码「{other}」，请升级 wangge"),
            format!("unknown payload encoding '{other}'; upgrade wangge"),
        )),
    }
}

/// An age failure, in words.
pub fn decrypt_error(e: age::DecryptError, path: &Path) -> StoreError {
    match e {
        age::DecryptError::NoMatchingKeys => StoreError::bad_file(
            path,
            None,
            "这个交换包加密给了别的密钥，不是本县的",
            "this bundle is encrypted to another key, not this county's",
        ),
        other => StoreError::bad_file(
            path,
            None,
            format!("加密内容无法解开（文件被改动或损坏：{other}）"),
            format!("the encrypted payload does not decrypt (altered or damaged: {other})"),
        ),
    }
}
