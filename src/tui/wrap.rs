//! Text wrapped to a width in terminal cells: CJK characters two wide, a word or number kept whole.

use crate::domain::text::{clip, width};

/// `s` cut into lines of at most `w` cells, at most `max` of them (the last marked ".." when cut short).
pub fn wrap(s: &str, w: usize, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for c in crate::domain::text::sanitize(s).chars() {
        if width(&line) + width(&c.to_string()) > w {
            if out.len() + 1 == max {
                out.push(clip(&format!("{line}{c}.."), w));
                return out;
            }
            // Where the line breaks, by preference: at a gap of two spaces (between the items of a hint, in the
            // last third of the line); before a word or number, which moves whole to the next line (also one set
            // inside Chinese text without spaces, unless it is longer than a third of the line: a path or long
            // code is cut where the line ends); and never before closing punctuation, which takes the character
            // before it along.
            let in_word = |x: char| x.is_ascii() && !x.is_ascii_whitespace();
            let closing = |x: char| "，。、；：！？）」』】》,.;:!?)".contains(x);
            let gap = line
                .rfind("  ")
                .filter(|at| *at > 0 && width(&line[..*at]) >= w * 2 / 3)
                .or_else(|| {
                    // After a Chinese comma, enumeration comma or colon: between phrases, not inside a word.
                    line.char_indices()
                        .rev()
                        .find(|(_, x)| "，、：；。".contains(*x))
                        .map(|(i, x)| i + x.len_utf8())
                        .filter(|at| *at < line.len() && width(&line[..*at]) >= w / 2)
                });
            let word_start = line
                .char_indices()
                .rev()
                .take_while(|(_, x)| in_word(*x))
                .last()
                .map(|(i, _)| i);
            let at = match (gap, word_start) {
                (Some(at), _) if c != ' ' => Some(at),
                (_, Some(at)) if in_word(c) && at > 0 && width(&line[at..]) <= w / 3 => Some(at),
                _ if closing(c) => line
                    .char_indices()
                    .last()
                    .map(|(i, _)| i)
                    .filter(|i| *i > 0),
                _ => None,
            };
            let carry = match at {
                Some(at) => {
                    let tail = line[at..].trim_start().to_owned();
                    line.truncate(at);
                    tail
                }
                None => String::new(),
            };
            let kept = line.trim_end().len();
            line.truncate(kept);
            out.push(std::mem::replace(&mut line, carry));
        }
        if !(line.is_empty() && c == ' ') {
            line.push(c);
        }
    }
    out.push(line);
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn a_hint_breaks_between_its_items_and_punctuation_never_starts_a_line() {
        let hint = "日期如 2026-11-28；PgUp 后一天  Ctrl+S/F2 保存";
        let lines = wrap(hint, 36, 3);
        assert_eq!(
            lines,
            vec!["日期如 2026-11-28；PgUp 后一天", "Ctrl+S/F2 保存"]
        );
        let lines = wrap("返回（总览：退出所选行）", 22, 3);
        assert_eq!(lines, vec!["返回（总览：", "退出所选行）"]);
        let lines = wrap("返回总览退出所选行）", 18, 3);
        assert_eq!(
            lines,
            vec!["返回总览退出所选", "行）"],
            "）never starts a line"
        );
        let lines = wrap("区划：添加、改名村和网格", 22, 3);
        assert_eq!(lines, vec!["区划：添加、", "改名村和网格"]);
    }

    #[test]
    fn a_number_inside_chinese_text_moves_whole_to_the_next_line() {
        // Ten cells: "反映村道" (8) then "2026" would be cut after "20".
        let lines = wrap("反映村道2026年未修", 10, 3);
        assert_eq!(lines, vec!["反映村道", "2026年未修"]);
        // A path longer than a third of the line is cut where the line ends.
        let lines = wrap("文件/tmp/abcdefghijkl", 10, 3);
        assert_eq!(lines[0], "文件/tmp/a");
    }

    #[test]
    fn words_move_whole_and_chinese_wraps_by_width() {
        assert_eq!(
            wrap(
                "No unauthorised storeys, extensions, structural changes",
                20,
                5
            ),
            vec![
                "No unauthorised",
                "storeys, extensions,",
                "structural changes"
            ]
        );
        assert_eq!(
            wrap("江神庙巷四号院内", 6, 5),
            vec!["江神庙", "巷四号", "院内"]
        );
        let cut = wrap("one two three four five six", 9, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with(".."), "{cut:?}");
        assert!(
            cut.iter().all(|l| crate::domain::text::width(l) <= 9),
            "{cut:?}"
        );
    }
}
