//! Regions: county → township → village/community → grid, and what their codes say about them.
//!
//! A county's 12-digit code is its 6-digit code followed by six zeros; a township's ends in 000; a village's
//! does not; a grid's is its village's code plus a 3-digit sequence (15 digits). So a code alone tells its level
//! and its ancestors, and "inside a region" is a prefix test.

use super::{Lang, Localized};
use crate::coded_enum;

coded_enum! {
    pub enum Level {
        County = ("county", "县", "county"),
        Township = ("township", "乡镇街道", "township"),
        Village = ("village", "村社区", "village"),
        Grid = ("grid", "网格", "grid"),
    }
}

/// A code that is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a region code: {0}")]
pub struct BadCode(pub String);

impl Localized for BadCode {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "「{}」不是区划代码：应为 12 位统计用区划代码（县可写 6 位，如 610727）或 15 位网格代码",
                self.0
            ),
            Lang::En => format!(
                "'{}' is not a region code: use a 12-digit statistical code (6 digits for a county, e.g. 610727) or a 15-digit grid code",
                self.0
            ),
        }
    }
}

/// Normalises a typed code (6-digit county codes become 12 digits) and finds its level.
pub fn parse_code(input: &str) -> Result<(String, Level), BadCode> {
    let ascii = super::validate::ascii_digits(input);
    let s = ascii.trim();
    let bad = || BadCode(input.trim().to_owned());
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let code = if s.len() == 6 {
        format!("{s}000000")
    } else {
        s.to_owned()
    };
    if !matches!(code.len(), 12 | 15) || code.starts_with("00") || code[..6].ends_with("00") {
        return Err(bad());
    }
    let level = match code.len() {
        12 if code.ends_with("000000") => Level::County,
        12 if code.ends_with("000") => Level::Township,
        12 => Level::Village,
        15 if !code[..12].ends_with("000") && !code.ends_with("000") => Level::Grid,
        _ => return Err(bad()),
    };
    Ok((code, level))
}

/// The prefix every code inside this region starts with.
pub fn prefix(code: &str) -> &str {
    match parse_code(code) {
        Ok((_, Level::County)) => &code[..6],
        Ok((_, Level::Township)) => &code[..9],
        _ => code,
    }
}

/// Whether `code` lies inside `region` (a region contains itself).
pub fn contains(region: &str, code: &str) -> bool {
    code.starts_with(prefix(region))
}

/// The parent's code as the code structure gives it (None for a county).
pub fn parent_of(code: &str) -> Option<String> {
    match parse_code(code).ok()?.1 {
        Level::County => None,
        Level::Township => Some(format!("{}000000", &code[..6])),
        Level::Village => Some(format!("{}000", &code[..9])),
        Level::Grid => Some(code[..12].to_owned()),
    }
}

/// The township a code lies in (None for a county).
pub fn township_of(code: &str) -> Option<String> {
    match parse_code(code).ok()?.1 {
        Level::County => None,
        _ => Some(format!("{}000", &code[..9])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_codes() {
        assert_eq!(
            parse_code("610727").unwrap(),
            ("610727000000".into(), Level::County)
        );
        assert_eq!(parse_code(" 610727000000 ").unwrap().1, Level::County);
        assert_eq!(parse_code("610727101000").unwrap().1, Level::Township);
        assert_eq!(parse_code("610727101201").unwrap().1, Level::Village);
        assert_eq!(parse_code("610727101201002").unwrap().1, Level::Grid);
        assert_eq!(
            parse_code("６１０７２７").unwrap().0,
            "610727000000",
            "full-width digits from an IME"
        );
        for bad in [
            "",
            "61072",
            "6107271010",
            "abc",
            "610727101000001",
            "610700000000",
            "610727101201000",
        ] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn containment_and_parents() {
        assert!(contains("610727000000", "610727101201002"));
        assert!(contains("610727101000", "610727101201"));
        assert!(!contains("610727101000", "610727102201"));
        assert!(contains("610727101201", "610727101201003"));
        assert!(!contains("610727101201", "610727101202003"));
        assert_eq!(
            parent_of("610727101201002").as_deref(),
            Some("610727101201")
        );
        assert_eq!(parent_of("610727101201").as_deref(), Some("610727101000"));
        assert_eq!(parent_of("610727101000").as_deref(), Some("610727000000"));
        assert_eq!(parent_of("610727000000"), None);
        assert_eq!(
            township_of("610727101201002").as_deref(),
            Some("610727101000")
        );
    }
}
