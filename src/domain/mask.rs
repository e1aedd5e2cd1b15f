//! The one masking rule for personal data, used wherever a person's data is shown without a reveal: the
//! screens, the ledgers and flat exports, search hits and the conflict view.
//!
//! - a **name** shows its first character and `**`, whatever its length (`张**` for 张三 and 欧阳娜娜 alike);
//! - an **ID number** or a **phone** shows `****` and its last four characters (`****002X`, `****1234`), so
//!   neither its length nor its area code or carrier is told;
//! - an **address** is not shown at all.

use super::Lang;

/// Which personal datum a value is, and so how it is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personal {
    Name,
    IdNumber,
    Phone,
    Address,
}

/// `value` masked by the rule for `kind`; an empty value stays empty.
pub fn mask(kind: Personal, value: &str, lang: Lang) -> String {
    if value.is_empty() {
        return String::new();
    }
    match kind {
        Personal::Name => name(value),
        Personal::IdNumber | Personal::Phone => tail(value),
        Personal::Address => lang.pick("（已遮蔽）", "(masked)").into(),
    }
}

/// A name: its first character and `**`.
pub fn name(value: &str) -> String {
    value
        .chars()
        .next()
        .map_or_else(String::new, |first| format!("{first}**"))
}

/// An ID number or phone: `****` and its last four characters (only `****` when it has no more than four).
pub fn tail(value: &str) -> String {
    let n = value.chars().count();
    if n <= 4 {
        return "****".into();
    }
    format!("****{}", value.chars().skip(n - 4).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hide_their_length_and_numbers_show_their_last_four() {
        assert_eq!(name("张三"), "张**");
        assert_eq!(name("欧阳娜娜"), "欧**");
        assert_eq!(name(""), "");
        assert_eq!(tail("11010519491231002X"), "****002X");
        assert_eq!(tail("13812341234"), "****1234");
        assert_eq!(tail("0916-3212345"), "****2345");
        assert_eq!(tail("电话号码１２３４"), "****１２３４");
        assert_eq!(tail("1234"), "****");
        assert_eq!(mask(Personal::Phone, "", Lang::Zh), "");
        assert_eq!(mask(Personal::Address, "江神庙巷4号", Lang::En), "(masked)");
    }
}
