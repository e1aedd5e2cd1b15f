//! Validation and normalisation of what people type: resident ID numbers (GB 11643-1999), phone numbers,
//! coordinates, dates and text fields, plus display masks for ID and phone numbers. Every refusal is an
//! [`Invalid`] and every soft warning a [`Warning`]; both explain themselves in Chinese and English. No IO.

use chrono::NaiveDate;

use super::{Lang, Localized};

/// Why a value was refused. Every variant explains itself in Chinese and English via [`Localized`];
/// `Display` gives the English message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    Required {
        field: &'static str,
    },
    TooLong {
        field: &'static str,
        max: usize,
    },
    IdLength,
    IdCharacters,
    IdBirthDate,
    IdCheck {
        expected: char,
        got: char,
    },
    Phone,
    Latitude,
    Longitude,
    FutureDate {
        field: &'static str,
        date: NaiveDate,
    },
    /// Before 2000: a mistyped year (or a hand-made file).
    AncientDate {
        field: &'static str,
        date: NaiveDate,
    },
    Date {
        field: &'static str,
        input: String,
    },
    /// Control characters, NUL or text-direction overrides in typed text.
    Control {
        field: &'static str,
    },
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl Localized for Invalid {
    fn message(&self, lang: Lang) -> String {
        let t = |zh: String, en: String| if lang == Lang::Zh { zh } else { en };
        let l = |field: &str| field_label(field, lang);
        match self {
            Invalid::Control { field } => t(
                format!("{}含有控制字符或文字方向控制符，请删除后重新输入", l(field)),
                format!("The {} contains control or text-direction characters; please remove them", l(field)),
            ),
            Invalid::Required { field } => t(
                format!("{}不能为空，请填写", l(field)),
                format!("The {} is empty; please fill it in", l(field)),
            ),
            Invalid::TooLong { field, max } => t(
                format!("{}太长（最多 {max} 个字），请删减", l(field)),
                format!("The {} is too long (at most {max} characters); please shorten it", l(field)),
            ),
            Invalid::IdLength => t(
                "身份证号应为 18 位（旧号为 15 位），请核对号码".into(),
                "An ID number has 18 characters (15 for an old number); please check the number".into(),
            ),
            Invalid::IdCharacters => t(
                "身份证号只能由数字组成，最后一位可以是 X，请核对号码".into(),
                "An ID number may contain only digits, with X allowed as the last character; please check the number".into(),
            ),
            Invalid::IdBirthDate => t(
                "身份证号中的出生日期无效，请核对号码".into(),
                "The birth date in the ID number is not a valid date; please check the number".into(),
            ),
            Invalid::IdCheck { expected, got } => t(
                format!("身份证号校验位不对（应为 {expected}，实际为 {got}），请核对号码"),
                format!("The ID number's check character is wrong (expected {expected}, got {got}); please check the number"),
            ),
            Invalid::Phone => t(
                "电话号码格式不对，请输入 11 位手机号或带区号的固定电话（如 0916-3212345）".into(),
                "The phone number is not valid; enter an 11-digit mobile number or a landline with its area code (e.g. 0916-3212345)".into(),
            ),
            Invalid::Latitude => t(
                "纬度应在 -90 到 90 之间，请核对坐标".into(),
                "The latitude must be between -90 and 90; please check the coordinates".into(),
            ),
            Invalid::Longitude => t(
                "经度应在 -180 到 180 之间，请核对坐标".into(),
                "The longitude must be between -180 and 180; please check the coordinates".into(),
            ),
            Invalid::FutureDate { field, date } => t(
                format!("{}（{date}）不能晚于今天，请核对日期", l(field)),
                format!("The {} ({date}) is in the future; please check the date", l(field)),
            ),
            Invalid::AncientDate { field, date } => t(
                format!("{}（{date}）早于 2000 年，请核对年份", l(field)),
                format!("The {} ({date}) is before 2000; please check the year", l(field)),
            ),
            Invalid::Date { field, input } => t(
                format!("{}“{input}”不是有效日期，请按 2026-11-28 的格式输入", l(field)),
                format!("The {} \"{input}\" is not a valid date; please enter it like 2026-11-28", l(field)),
            ),
        }
    }
}

/// A value that is accepted but worth a warning (e.g. coordinates outside Lueyang).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    OutsideLueyang,
}

impl Localized for Warning {
    fn message(&self, lang: Lang) -> String {
        match self {
            Warning::OutsideLueyang => lang
                .pick(
                    "坐标不在略阳县范围内，请确认位置是否正确",
                    "The coordinates are outside Lueyang County; please make sure the location is right",
                )
                .to_string(),
        }
    }
}

/// The human label of a field a message names: the field table's (`domain::fields`), the name itself when no table
/// holds it.
pub fn field_label(field: &str, lang: Lang) -> String {
    super::fields::label(None, field, lang)
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check character for 17 digits given as ASCII bytes `b'0'..=b'9'` (GB 11643-1999).
pub fn id_check_char(first17: &[u8; 17]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    char::from(ID_CHECK[(sum % 11) as usize])
}

/// Normalises and validates a Chinese resident ID number (GB 11643-1999) and returns it as 18 uppercase
/// characters. Whitespace (surrounding or inner) and a lowercase x are accepted; a 15-digit legacy number is
/// converted to 18 digits. The birth date must be a real date from 1850-01-01 to `today`; address codes are not
/// checked.
pub fn id_number(input: &str, today: NaiveDate) -> Result<String, Invalid> {
    let mut s = input
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    match s.chars().count() {
        15 if s.bytes().all(|b| b.is_ascii_digit()) => s.insert_str(6, "19"),
        15 | 18 => {}
        _ => return Err(Invalid::IdLength),
    }
    let first17: [u8; 17] = match s.as_bytes().get(..17).map(<[u8; 17]>::try_from) {
        Some(Ok(f)) if f.iter().all(u8::is_ascii_digit) => f,
        _ => return Err(Invalid::IdCharacters),
    };
    // The first 17 bytes are ASCII digits, so slicing at 17 is on a char boundary.
    let got = s[17..].chars().next();
    if got.is_some_and(|c| c != 'X' && !c.is_ascii_digit()) {
        return Err(Invalid::IdCharacters);
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let birth = NaiveDate::from_ymd_opt(num(6..10) as i32, num(10..12), num(12..14));
    if !birth.is_some_and(|b| NaiveDate::from_ymd_opt(1850, 1, 1) <= Some(b) && b <= today) {
        return Err(Invalid::IdBirthDate);
    }
    let expected = id_check_char(&first17);
    match got {
        Some(got) if got != expected => Err(Invalid::IdCheck { expected, got }),
        _ => Ok(format!("{}{expected}", &s[..17])),
    }
}

/// What kind of phone number it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneKind {
    Mobile,
    Landline,
}

fn is_mobile(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

/// Normalises and validates a phone number: a mobile (optionally "+86"/"86" in front) becomes its 11 digits,
/// a landline becomes "0916-3212345". Spaces and hyphens inside are separators; the first separator after
/// 3 or 4 digits marks the end of the area code, otherwise "010"/"02x" have 3-digit area codes and others 4.
pub fn phone(input: &str) -> Result<(String, PhoneKind), Invalid> {
    let s = input.trim();
    let (s, intl) = s
        .strip_prefix("+86")
        .map_or((s, false), |rest| (rest, true));
    let mut digits = String::new();
    let mut split_at = None;
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' if !digits.is_empty() || intl => {
                if split_at.is_none() && !digits.is_empty() {
                    split_at = Some(digits.len());
                }
            }
            _ => return Err(Invalid::Phone),
        }
    }
    let national = match digits.strip_prefix("86") {
        Some(rest) if !intl && rest.len() == 11 => rest,
        _ => digits.as_str(),
    };
    if is_mobile(national) {
        return Ok((national.to_string(), PhoneKind::Mobile));
    }
    if intl || !digits.starts_with('0') || digits.starts_with("00") {
        return Err(Invalid::Phone);
    }
    let area_len = match split_at {
        Some(n @ 3..=4) => n,
        _ if digits.starts_with("010") || digits.starts_with("02") => 3,
        _ => 4,
    };
    match digits.get(area_len..) {
        Some(local) if (7..=8).contains(&local.len()) => Ok((
            format!("{}-{local}", &digits[..area_len]),
            PhoneKind::Landline,
        )),
        _ => Err(Invalid::Phone),
    }
}

/// Checks WGS-84 coordinates; warns when they lie outside Lueyang County's bounding box
/// (lat 33.10..=33.75, lon 105.75..=106.55).
pub fn coordinates(lat: f64, lon: f64) -> Result<Option<Warning>, Invalid> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(Invalid::Latitude); // NaN is in no range
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(Invalid::Longitude);
    }
    let inside = (33.10..=33.75).contains(&lat) && (105.75..=106.55).contains(&lon);
    Ok((!inside).then_some(Warning::OutsideLueyang))
}

/// The earliest date a record may carry: anything before is a mistyped year.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("2000-01-01 is a date"),
};

/// The date of something that happened (e.g. an inspection): not after today (today itself is fine), and not
/// before 2000.
pub fn past_date(field: &'static str, date: NaiveDate, today: NaiveDate) -> Result<(), Invalid> {
    if date < EARLIEST {
        return Err(Invalid::AncientDate { field, date });
    }
    (date <= today)
        .then_some(())
        .ok_or(Invalid::FutureDate { field, date })
}

/// Parses a date typed by a person: "2026-11-28", "2026/11/28", "2026.11.28" or "2026年11月28日", with a
/// 4-digit year, 1-2 digit month and day, and surrounding spaces.
pub fn parse_date(field: &'static str, input: &str) -> Result<NaiveDate, Invalid> {
    let ascii = ascii_digits(input);
    let s = ascii.trim();
    let norm = s
        .strip_suffix('日')
        .unwrap_or(s)
        .replace(['/', '.', '年', '月'], "-");
    let parts: Vec<&str> = norm.split('-').collect();
    let well_formed = parts.len() == 3
        && parts
            .iter()
            .zip([4..=4, 1..=2, 1..=2])
            .all(|(p, len)| len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let date = well_formed.then_some(&parts).and_then(|p| {
        NaiveDate::from_ymd_opt(p[0].parse().ok()?, p[1].parse().ok()?, p[2].parse().ok()?)
    });
    let input = s.to_string();
    date.ok_or(Invalid::Date { field, input })
}

/// A required text field: trimmed, non-empty, at most `max` characters. Returns the trimmed text.
pub fn required(field: &'static str, input: &str, max: usize) -> Result<String, Invalid> {
    optional(field, input, max)?.ok_or(Invalid::Required { field })
}

/// An optional text field: trimmed; empty gives `None`; more than `max` characters is refused, and so are
/// control characters (line breaks and tabs aside) and text-direction overrides.
pub fn optional(field: &'static str, input: &str, max: usize) -> Result<Option<String>, Invalid> {
    let s = input.trim();
    if s.chars()
        .any(|c| (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || is_bidi_control(c))
    {
        Err(Invalid::Control { field })
    } else if s.chars().count() > max {
        Err(Invalid::TooLong { field, max })
    } else {
        Ok((!s.is_empty()).then(|| s.to_string()))
    }
}

/// A one-line field (a name, a code's label): like `required`, and no line breaks or tabs either.
pub fn line(field: &'static str, input: &str, max: usize) -> Result<String, Invalid> {
    let s = required(field, input, max)?;
    if s.contains(['\n', '\r', '\t']) {
        return Err(Invalid::Control { field });
    }
    Ok(s)
}

/// Text-direction overrides and isolates, which can make text read differently from what it holds.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Full-width digits (as a Chinese IME types them) become ASCII digits.
pub fn ascii_digits(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' => '-',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn control_and_direction_characters_are_refused_full_width_digits_accepted() {
        assert_eq!(
            required("name", "王\u{0}伟", 10),
            Err(Invalid::Control { field: "name" })
        );
        assert_eq!(
            required("name", "王\u{202E}伟", 10),
            Err(Invalid::Control { field: "name" })
        );
        assert_eq!(
            required("content", "第一行\n第二行", 10).unwrap(),
            "第一行\n第二行"
        );
        assert_eq!(
            line("name", "王\n伟", 10),
            Err(Invalid::Control { field: "name" })
        );
        assert_eq!(
            line("name", " 𠮷野 ", 10).unwrap(),
            "𠮷野",
            "rare characters survive"
        );
        assert_eq!(
            parse_date("date", "２０２６－１１－２８").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
        );
        assert!(
            Invalid::Control { field: "name" }
                .message(Lang::Zh)
                .contains("控制字符")
        );
    }
}
