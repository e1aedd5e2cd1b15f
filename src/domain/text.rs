//! Text as a terminal shows it: one sanitiser for everything that reaches the screen (control characters,
//! escape sequences and direction overrides neutralised), and widths in terminal cells (a Han character is two).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Makes text safe to draw: control characters (ESC included, so no ANSI/OSC sequence survives) become `?`,
/// line breaks and tabs become spaces, and text-direction overrides are dropped.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !super::validate::is_bidi_control(*c)
                && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
        })
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

/// `sanitize`, line by line: a message of several lines keeps its line breaks.
pub fn sanitize_lines(s: &str) -> String {
    s.split('\n').map(sanitize).collect::<Vec<_>>().join("\n")
}

/// Width in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts sanitised `s` to at most `max` cells, never inside a character; ".." marks a cut.
pub fn clip(s: &str, max: usize) -> String {
    let s = sanitize(s);
    if width(&s) <= max {
        return s;
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 2 > max {
            break;
        }
        used += w;
        out.push(ch);
    }
    if max >= 2 {
        out.push_str("..");
    }
    out
}

/// Sanitised `s`, cut to `w` cells and padded on the right to exactly `w`.
pub fn pad(s: &str, w: usize) -> String {
    let c = clip(s, w);
    let n = width(&c);
    format!("{c}{}", " ".repeat(w.saturating_sub(n)))
}

/// Sanitised `s`, cut to `w` cells and padded on the left to exactly `w`.
pub fn pad_left(s: &str, w: usize) -> String {
    let c = clip(s, w);
    let n = width(&c);
    format!("{}{c}", " ".repeat(w.saturating_sub(n)))
}

/// A count with its noun in English: "1 hazard", "3 hazards", "0 hazards".
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_are_neutralised() {
        assert_eq!(sanitize("王\u{1b}]0;pwned\u{7}伟"), "王?]0;pwned?伟");
        assert_eq!(sanitize("a\u{202E}b\u{200B}c\nd"), "abc d");
        assert_eq!(sanitize_lines("a\u{1b}[2J\nb\r"), "a?[2J\nb ");
    }

    #[test]
    fn widths_clip_and_pad_in_cells() {
        assert_eq!(width("燃气ab"), 6);
        assert_eq!(pad("燃气", 6), "燃气  ");
        assert_eq!(pad_left("燃气", 5), " 燃气");
        assert_eq!(clip("江神庙巷四号", 7), "江神..");
        assert_eq!(width(&clip("江神庙巷四号", 7)), 6);
        assert_eq!(pad("江神庙巷四号", 7), "江神.. ");
        assert_eq!(clip("𠮷野家", 6), "𠮷野家");
    }
}
