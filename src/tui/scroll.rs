//! One line of text seen through a window of terminal cells: the part around the caret, so that the caret is
//! always in sight however long the text (CJK characters count two cells and are never cut in half).

use tui_input::Input;
use unicode_width::UnicodeWidthChar;

use crate::domain::text::sanitize;

/// The part of `input` a field `cells` wide shows, and the caret's cell within it. One cell is kept free at the
/// right for the caret after the last character.
pub fn window(input: &Input, cells: usize) -> (String, usize) {
    let room = cells.saturating_sub(1).max(1);
    let skip = input.visual_scroll(room);
    let mut shown = String::new();
    let mut at = 0;
    let mut used = 0;
    for c in sanitize(input.value()).chars() {
        let w = c.width().unwrap_or(0);
        if at < skip {
            at += w;
            continue;
        }
        if used + w > cells {
            break;
        }
        shown.push(c);
        used += w;
    }
    (shown, input.visual_cursor().saturating_sub(skip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::width;

    #[test]
    fn the_caret_stays_in_sight_and_wide_characters_stay_whole() {
        let mut input = Input::new("略阳县接官亭镇何家岩村三组".to_owned());
        let (shown, caret) = window(&input, 10);
        assert!(width(&shown) <= 10);
        assert!(
            shown.ends_with("三组"),
            "the end, where the caret is: {shown}"
        );
        assert!(caret <= 9, "{caret}");
        input = input.with_cursor(0);
        let (shown, caret) = window(&input, 10);
        assert!(shown.starts_with("略阳县"), "{shown}");
        assert_eq!(caret, 0);
        let short = Input::new("abc".to_owned());
        assert_eq!(window(&short, 10), ("abc".to_owned(), 3));
    }
}
