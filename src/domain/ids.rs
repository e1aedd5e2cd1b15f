//! Identity at the boundary: region codes, device ids, record ids and public keys, each parsed once into a type
//! that can only hold its canonical spelling (a region code is 12 or 15 ASCII digits; an id is a UUID written
//! lowercase with hyphens; a key is 64 lowercase hex digits). What a file carries is read strictly: another
//! spelling of a valid value is refused, naming the canonical form (a signer writes canonical forms, so nothing
//! honest is lost). What a person types is normalised first (`typed`): spaces, full-width digits, a county's
//! 6-digit code, braces or capitals in an id.
//!
//! Every type derefs to its text, which is already canonical, so comparing two values compares identities.

use std::fmt;

use super::region::Level;
use super::{Lang, Localized};

/// What kind of identity a text was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Region,
    Device,
    Record,
    Event,
    Key,
}

impl IdKind {
    fn label(self, lang: Lang) -> &'static str {
        match self {
            IdKind::Region => lang.pick("区划代码", "region code"),
            IdKind::Device => lang.pick("设备编号", "device id"),
            IdKind::Record => lang.pick("记录编号", "record id"),
            IdKind::Event => lang.pick("时间线事件编号", "timeline event id"),
            IdKind::Key => lang.pick("签名公钥", "signing key"),
        }
    }

    fn shape(self, lang: Lang) -> &'static str {
        match self {
            IdKind::Region => lang.pick(
                "12 位统计用区划代码（县可写 6 位，如 610727）或 15 位网格代码",
                "a 12-digit statistical code (6 digits for a county, e.g. 610727) or a 15-digit grid code",
            ),
            IdKind::Key => lang.pick(
                "64 位十六进制（wangge key show 显示的 public key）",
                "64 hex digits (the public key wangge key show prints)",
            ),
            _ => lang.pick(
                "UUID，如 0190a1b2-0000-7000-8000-000000000001（wangge key show 或详情页第一行显示）",
                "a UUID such as 0190a1b2-0000-7000-8000-000000000001 (as wangge key show or a detail view prints it)",
            ),
        }
    }
}

/// A text that is not a valid identity, or not in its canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadId {
    /// Not a valid value of its kind at all.
    Invalid { kind: IdKind, given: String },
    /// A valid value in another spelling than the one files carry.
    NotCanonical {
        kind: IdKind,
        given: String,
        canonical: String,
    },
}

impl BadId {
    fn invalid(kind: IdKind, given: &str) -> BadId {
        BadId::Invalid {
            kind,
            given: shown(given),
        }
    }
}

/// Outside text as a message may quote it: neutralised, and cut to a length a line can hold.
fn shown(s: &str) -> String {
    super::text::clip(s, 60)
}

impl Localized for BadId {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (BadId::Invalid { kind, given }, Lang::Zh) => {
                format!(
                    "「{given}」不是{}：应为{}",
                    kind.label(lang),
                    kind.shape(lang)
                )
            }
            (BadId::Invalid { kind, given }, Lang::En) => {
                format!(
                    "'{given}' is not a {}: use {}",
                    kind.label(lang),
                    kind.shape(lang)
                )
            }
            (
                BadId::NotCanonical {
                    kind,
                    given,
                    canonical,
                },
                Lang::Zh,
            ) => format!(
                "{}「{given}」的写法不规范，规范写法是 {canonical}（导出的文件总是规范写法：文件被改动过）",
                kind.label(lang)
            ),
            (
                BadId::NotCanonical {
                    kind,
                    given,
                    canonical,
                },
                Lang::En,
            ) => format!(
                "the {} '{given}' is not written canonically; its canonical form is {canonical} (an export always writes that: the file was altered)",
                kind.label(lang)
            ),
        }
    }
}

impl fmt::Display for BadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for BadId {}

/// Serde, `Deref<Target = str>`, `Display`, comparisons with text, for a type holding a canonical `String`.
macro_rules! text_identity {
    ($t:ident, $kind:expr) => {
        impl $t {
            /// The canonical text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $t {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                *self.0 == *other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                *self.0 == **other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                self.0 == *other
            }
        }

        impl std::str::FromStr for $t {
            type Err = BadId;
            fn from_str(s: &str) -> Result<$t, BadId> {
                $t::parse(s)
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $t::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A region code: 12 ASCII digits (county, township, village) or 15 (a grid), whose structure gives its level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

text_identity!(RegionCode, IdKind::Region);

/// The level of a code of ASCII digits, if its structure is that of a region code.
fn level_of(code: &str) -> Option<Level> {
    let b = code.as_bytes();
    if !b.iter().all(u8::is_ascii_digit) || !matches!(b.len(), 12 | 15) {
        return None;
    }
    let zeros = |r: std::ops::Range<usize>| b[r].iter().all(|d| *d == b'0');
    // A province and a county are never "00".
    if zeros(0..2) || zeros(4..6) {
        return None;
    }
    match b.len() {
        12 if zeros(6..12) => Some(Level::County),
        12 if zeros(9..12) => Some(Level::Township),
        12 => Some(Level::Village),
        _ if !zeros(9..12) && !zeros(12..15) => Some(Level::Grid),
        _ => None,
    }
}

impl RegionCode {
    /// Reads a code as a file carries it: exactly its canonical digits.
    pub fn parse(s: &str) -> Result<RegionCode, BadId> {
        if level_of(s).is_some() {
            return Ok(RegionCode(s.to_owned()));
        }
        match RegionCode::typed(s) {
            Ok(c) => Err(BadId::NotCanonical {
                kind: IdKind::Region,
                given: shown(s),
                canonical: c.0,
            }),
            Err(e) => Err(e),
        }
    }

    /// Reads a code as a person types it: spaces around it, full-width digits (a Chinese IME) and a county's
    /// 6-digit code are taken.
    pub fn typed(s: &str) -> Result<RegionCode, BadId> {
        let digits: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10).unwrap_or(c),
                c => c,
            })
            .collect();
        let code = if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            format!("{digits}000000")
        } else {
            digits
        };
        if level_of(&code).is_some() {
            Ok(RegionCode(code))
        } else {
            Err(BadId::invalid(IdKind::Region, s.trim()))
        }
    }

    pub fn level(&self) -> Level {
        level_of(&self.0).unwrap_or(Level::Grid)
    }

    /// The prefix every code inside this region starts with.
    pub fn prefix(&self) -> &str {
        match self.level() {
            Level::County => &self.0[..6],
            Level::Township => &self.0[..9],
            _ => &self.0,
        }
    }

    /// Whether `other` lies inside this region (a region contains itself).
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.prefix())
    }

    /// Whether the two regions overlap: one lies inside the other.
    pub fn overlaps(&self, other: &RegionCode) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The parent as the code's structure gives it (None for a county).
    pub fn parent(&self) -> Option<RegionCode> {
        let c = &self.0;
        match self.level() {
            Level::County => None,
            Level::Township => Some(RegionCode(format!("{}000000", &c[..6]))),
            Level::Village => Some(RegionCode(format!("{}000", &c[..9]))),
            Level::Grid => Some(RegionCode(c[..12].to_owned())),
        }
    }

    /// The township the region lies in (None for a county).
    pub fn township(&self) -> Option<RegionCode> {
        match self.level() {
            Level::County => None,
            _ => Some(RegionCode(format!("{}000", &self.0[..9]))),
        }
    }

    /// The `n`th village of a township (001..999), or the `n`th grid of a village.
    pub fn child(&self, n: u16) -> Option<RegionCode> {
        let code = match self.level() {
            Level::Township => format!("{}{n:03}", &self.0[..9]),
            Level::Village => format!("{}{n:03}", self.0),
            _ => return None,
        };
        level_of(&code).is_some().then_some(RegionCode(code))
    }

    /// The county the region lies in.
    pub fn county(&self) -> RegionCode {
        RegionCode(format!("{}000000", &self.0[..6]))
    }
}

/// Whether `s` is a UUID as wangge writes it: 36 characters, lowercase hex, hyphens at 8, 13, 18, 23. (Every
/// id of every record is checked so, several times an import: a run of hex digits a group at a time.)
fn canonical_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    let hex = |r: &[u8]| r.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
    b.len() == 36
        && b[8] == b'-'
        && b[13] == b'-'
        && b[18] == b'-'
        && b[23] == b'-'
        && hex(&b[..8])
        && hex(&b[9..13])
        && hex(&b[14..18])
        && hex(&b[19..23])
        && hex(&b[24..])
}

/// Reads a UUID as a file carries it, or as a person types it.
fn uuid_text(kind: IdKind, s: &str, typed: bool) -> Result<String, BadId> {
    if canonical_uuid(s) {
        return Ok(s.to_owned());
    }
    match uuid::Uuid::try_parse(s.trim()) {
        Ok(u) if typed => Ok(u.hyphenated().to_string()),
        Ok(u) => Err(BadId::NotCanonical {
            kind,
            given: shown(s),
            canonical: u.hyphenated().to_string(),
        }),
        Err(_) => Err(BadId::invalid(kind, s.trim())),
    }
}

macro_rules! uuid_identity {
    ($(#[$meta:meta])* $t:ident, $kind:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $t(String);

        text_identity!($t, $kind);

        impl $t {
            /// Reads an id as a file carries it: a UUID written lowercase with hyphens, nothing else.
            pub fn parse(s: &str) -> Result<$t, BadId> {
                uuid_text($kind, s, false).map($t)
            }

            /// Reads an id as a person types or pastes it (braces, capitals, spaces around it).
            pub fn typed(s: &str) -> Result<$t, BadId> {
                uuid_text($kind, s, true).map($t)
            }

            /// The id of a UUID made here.
            pub fn from_uuid(u: uuid::Uuid) -> $t {
                $t(u.hyphenated().to_string())
            }

            /// The last 12 hex digits (the random end of a UUIDv7), for file names and short labels.
            pub fn tail(&self) -> &str {
                &self.0[24..]
            }
        }
    };
}

#[cfg(test)]
impl RecordId {
    /// The `n`th id of a test's own records.
    pub fn sample(n: u8) -> RecordId {
        RecordId(format!("0190a1b2-0000-7000-8000-0000000001{n:02x}"))
    }
}

uuid_identity!(
    /// A device: made once at `init`, it signs every bundle the device writes.
    DeviceId,
    IdKind::Device
);
uuid_identity!(
    /// A record of any family: made where the record is born, unique across every family.
    RecordId,
    IdKind::Record
);
uuid_identity!(
    /// A timeline event: made where the event happened, merged by id.
    EventId,
    IdKind::Event
);

/// An Ed25519 public key: 64 lowercase hex digits that decode to a valid point.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey(String);

text_identity!(PublicKey, IdKind::Key);

impl PublicKey {
    /// Reads a key as a file carries it.
    pub fn parse(s: &str) -> Result<PublicKey, BadId> {
        let lower = s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        match PublicKey::typed(s) {
            Ok(k) if lower && k.0 == s => Ok(k),
            Ok(k) => Err(BadId::NotCanonical {
                kind: IdKind::Key,
                given: shown(s),
                canonical: k.0,
            }),
            Err(e) => Err(e),
        }
    }

    /// Reads a key as a person types or pastes it (capitals, spaces around it).
    pub fn typed(s: &str) -> Result<PublicKey, BadId> {
        let hex = s.trim().to_ascii_lowercase();
        let valid = hex::decode(&hex)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .is_some_and(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).is_ok());
        if valid {
            Ok(PublicKey(hex))
        } else {
            Err(BadId::invalid(IdKind::Key, s.trim()))
        }
    }

    /// The key of a verifying key held here.
    pub fn of(key: &ed25519_dalek::VerifyingKey) -> PublicKey {
        PublicKey(hex::encode(key.to_bytes()))
    }

    /// The key itself (valid by construction).
    pub fn verifying_key(&self) -> Option<ed25519_dalek::VerifyingKey> {
        let bytes = <[u8; 32]>::try_from(hex::decode(&self.0).ok()?).ok()?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes_are_canonical_in_files_and_normalised_when_typed() {
        let c = RegionCode::parse("610727101000").unwrap();
        assert_eq!(c.level(), Level::Township);
        for (spelling, canonical) in [
            ("610727101000 ", "610727101000"),
            ("610727", "610727000000"),
            ("６１０７２７１０１０００", "610727101000"),
            ("6１0727101000", "610727101000"),
        ] {
            assert_eq!(
                RegionCode::parse(spelling),
                Err(BadId::NotCanonical {
                    kind: IdKind::Region,
                    given: shown(spelling),
                    canonical: canonical.into()
                }),
                "{spelling}"
            );
            assert_eq!(RegionCode::typed(spelling).unwrap().as_str(), canonical);
        }
        for bad in [
            "",
            "61072",
            "6107271010",
            "abc",
            "610727101000001",
            "610700000000",
            "610727101201000",
            "６１０７２７１０１０００１２３４５６",
            "٦١٠٧٢٧١٠١٠٠٠",
        ] {
            assert!(
                matches!(RegionCode::typed(bad), Err(BadId::Invalid { .. })),
                "{bad}"
            );
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn containment_parents_and_townships() {
        let r = |s: &str| RegionCode::parse(s).unwrap();
        assert!(r("610727000000").contains(&r("610727101201002")));
        assert!(r("610727101000").contains(&r("610727101201")));
        assert!(!r("610727101000").contains(&r("610727102201")));
        assert!(r("610727101201").contains(&r("610727101201003")));
        assert!(!r("610727101201").contains(&r("610727101202003")));
        assert!(r("610727101201").overlaps(&r("610727101000")));
        assert!(!r("610727101201").overlaps(&r("610727102000")));
        assert_eq!(r("610727101201002").parent(), Some(r("610727101201")));
        assert_eq!(r("610727101201").parent(), Some(r("610727101000")));
        assert_eq!(r("610727101000").parent(), Some(r("610727000000")));
        assert_eq!(r("610727000000").parent(), None);
        assert_eq!(r("610727101201002").township(), Some(r("610727101000")));
        assert_eq!(r("610727101201002").county(), r("610727000000"));
    }

    #[test]
    fn ids_are_lowercase_hyphenated_uuids() {
        let id = "0190a1b2-0000-7000-8000-00000000000a";
        assert_eq!(RecordId::parse(id).unwrap().as_str(), id);
        assert_eq!(RecordId::parse(id).unwrap().tail(), "00000000000a");
        for spelling in [
            "0190A1B2-0000-7000-8000-00000000000A",
            "{0190a1b2-0000-7000-8000-00000000000a}",
            "0190a1b200007000800000000000000a",
            "urn:uuid:0190a1b2-0000-7000-8000-00000000000a",
            " 0190a1b2-0000-7000-8000-00000000000a",
        ] {
            match DeviceId::parse(spelling) {
                Err(BadId::NotCanonical { canonical, .. }) => assert_eq!(canonical, id),
                other => panic!("{spelling}: {other:?}"),
            }
            assert_eq!(DeviceId::typed(spelling).unwrap().as_str(), id);
        }
        for bad in ["", "x", "0190a1b2-0000-7000-8000-00000000000", "０１９０"] {
            assert!(matches!(EventId::typed(bad), Err(BadId::Invalid { .. })));
        }
        let e = DeviceId::parse("0190A1B2-0000-7000-8000-00000000000A").unwrap_err();
        assert!(e.message(Lang::En).contains(id), "{e}");
        assert!(e.message(Lang::Zh).contains(id), "{e}");
    }

    #[test]
    fn keys_are_lowercase_hex_of_a_valid_point() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]).verifying_key();
        let hex = PublicKey::of(&key).as_str().to_owned();
        assert_eq!(PublicKey::parse(&hex).unwrap().verifying_key(), Some(key));
        assert!(matches!(
            PublicKey::parse(&hex.to_ascii_uppercase()),
            Err(BadId::NotCanonical { .. })
        ));
        assert_eq!(
            PublicKey::typed(&hex.to_ascii_uppercase())
                .unwrap()
                .as_str(),
            hex
        );
        assert!(PublicKey::typed("00").is_err());
        assert!(PublicKey::typed(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn serde_reads_strictly() {
        let ok: RegionCode = serde_json::from_str("\"610727101000\"").unwrap();
        assert_eq!(ok, "610727101000");
        let e = serde_json::from_str::<RegionCode>("\"610727\"").unwrap_err();
        assert!(e.to_string().contains("610727000000"), "{e}");
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"610727101000\"");
    }
}
