//! What a form field's value must be, checked the moment the worker leaves the field and again for every field
//! when the form is saved: required, within its length limit, and a date, phone, ID number, number, year or
//! coordinate where the field holds one. Each problem is one short line naming the field, in the worker's
//! language. The domain checks the record again when it is saved; these checks only bring its refusals forward
//! to where the value is typed.

use chrono::{Datelike, NaiveDate};

use crate::domain::validate::{self, Invalid};
use crate::domain::{Lang, Localized};

/// What a field's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Any text within the field's limit.
    Free,
    /// A mobile number or a landline with its area code.
    Phone,
    /// A resident ID number (GB 11643-1999).
    IdNumber,
    /// A day not after today; 今天/昨天 (today/yesterday) understood.
    Past,
    /// Any day (a deadline, a filter's bound).
    Day,
    /// A whole number, at least `min`.
    Whole {
        min: u32,
    },
    /// A number of zero or more, decimals allowed (km, mu, yuan).
    Amount,
    Latitude,
    Longitude,
    /// A year from 1900 to this one.
    Year,
}

/// What the checks need to know: the day, and the worker's language.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub today: NaiveDate,
    pub lang: Lang,
}

/// A day typed in a date field: a date, or one of the words 今天/昨天 (today/yesterday).
pub fn day(input: &str, today: NaiveDate) -> Option<NaiveDate> {
    match input.trim() {
        "今天" | "today" => Some(today),
        "昨天" | "yesterday" => today.pred_opt(),
        s => validate::parse_date("date", s).ok(),
    }
}

/// The problem with `value` in a field labelled `label`, if there is one.
pub fn problem(
    check: Check,
    label: &str,
    value: &str,
    required: bool,
    max: usize,
    at: Context,
) -> Option<String> {
    let lang = at.lang;
    let v = value.trim();
    let say = |zh: String, en: String| Some(if lang == Lang::Zh { zh } else { en });
    if v.is_empty() {
        return if required {
            say(format!("{label}：必填"), format!("{label}: required"))
        } else {
            None
        };
    }
    let n = value.chars().count();
    if n > max {
        return say(
            format!("{label}：最多 {max} 个字，现有 {n} 个"),
            format!("{label}: at most {max} characters, now {n}"),
        );
    }
    if value.chars().any(validate::is_bidi_control) {
        return say(
            format!("{label}：含有文字方向控制符，请删除"),
            format!("{label}: holds text-direction characters; remove them"),
        );
    }
    let invalid = |e: Invalid| {
        Some(match lang {
            Lang::Zh => format!("{label}：{}", e.message(lang)),
            Lang::En => format!("{label}: {}", e.message(lang)),
        })
    };
    match check {
        Check::Free => None,
        Check::Phone => validate::phone(v).err().and_then(invalid),
        Check::IdNumber => validate::id_number(v, at.today).err().and_then(invalid),
        Check::Past | Check::Day => match day(v, at.today) {
            None => say(
                format!("{label}：“{v}”不是日期，请按 2026-11-28 的格式输入"),
                format!("{label}: \"{v}\" is not a date; type it like 2026-11-28"),
            ),
            Some(d) if check == Check::Past && d > at.today => say(
                format!("{label}：{d} 晚于今天，请核对日期"),
                format!("{label}: {d} is after today; check the date"),
            ),
            Some(d) if d.year() < 2000 => say(
                format!("{label}：{d} 早于 2000 年，请核对年份"),
                format!("{label}: {d} is before 2000; check the year"),
            ),
            Some(_) => None,
        },
        Check::Whole { min } => match v.parse::<u32>() {
            Ok(n) if n >= min => None,
            _ => say(
                format!("{label}：应为不小于 {min} 的整数"),
                format!("{label}: a whole number, at least {min}"),
            ),
        },
        Check::Amount => match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => None,
            _ => say(
                format!("{label}：应为不小于 0 的数，如 1.5"),
                format!("{label}: a number of 0 or more, like 1.5"),
            ),
        },
        Check::Latitude | Check::Longitude => {
            let (limit, e) = if check == Check::Latitude {
                (90.0, Invalid::Latitude)
            } else {
                (180.0, Invalid::Longitude)
            };
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x.abs() <= limit => None,
                _ => Some(e.message(lang)),
            }
        }
        Check::Year => {
            let this = at.today.year();
            match v.parse::<i32>() {
                Ok(y) if (1900..=this).contains(&y) => None,
                _ => say(
                    format!("{label}：应为 1900 到 {this} 之间的年份"),
                    format!("{label}: a year from 1900 to {this}"),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lang: Lang) -> Context {
        Context {
            today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            lang,
        }
    }

    #[test]
    fn each_check_names_its_field_and_passes_good_values() {
        let p = |c, v| problem(c, "电话", v, false, 20, at(Lang::Zh));
        assert_eq!(
            p(Check::Phone, ""),
            None,
            "an optional field may stay empty"
        );
        assert!(p(Check::Phone, "1381234").unwrap().starts_with("电话："));
        assert_eq!(p(Check::Phone, "13812345678"), None);
        let p = |c, v| problem(c, "日期", v, true, 20, at(Lang::En));
        assert_eq!(p(Check::Past, "").unwrap(), "日期: required");
        assert_eq!(p(Check::Past, "today"), None);
        assert!(
            p(Check::Past, "2026-11-29")
                .unwrap()
                .contains("after today")
        );
        assert_eq!(p(Check::Day, "2026-11-29"), None, "a deadline may be ahead");
        assert!(p(Check::Day, "2026-13-01").unwrap().contains("not a date"));
        assert!(p(Check::Day, "1999-12-31").unwrap().contains("before 2000"));
        assert!(p(Check::Whole { min: 1 }, "0").is_some());
        assert_eq!(p(Check::Whole { min: 1 }, "3"), None);
        assert_eq!(p(Check::Amount, "1.5"), None);
        assert!(p(Check::Amount, "-1").is_some());
        assert!(p(Check::Amount, "NaN").is_some());
        assert!(p(Check::Latitude, "91").is_some());
        assert_eq!(p(Check::Longitude, "106.15"), None);
        assert!(p(Check::Year, "2027").is_some());
        assert_eq!(p(Check::Year, "1998"), None);
        assert!(p(Check::IdNumber, "110101199003070000").is_some());
        let long = "字".repeat(21);
        assert!(p(Check::Free, &long).unwrap().contains("at most 20"));
        assert!(p(Check::Free, "a\u{202e}b").is_some());
    }
}
