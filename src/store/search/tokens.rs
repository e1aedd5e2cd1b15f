//! The index's tokens: a text's characters and neighbouring pairs, spelled as hex so FTS5 sees plain ASCII, a
//! code's tag, and the FTS5 query a search's words make.

use rusqlite::Connection;

use crate::store::Result;

/// The characters that count, lowered: whitespace and control characters break the text into runs.
pub(super) fn runs(text: &str) -> Vec<Vec<char>> {
    let mut out = vec![Vec::new()];
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c.is_control() {
            if out.last().is_some_and(|r| !r.is_empty()) {
                out.push(Vec::new());
            }
        } else if let Some(r) = out.last_mut() {
            r.push(c);
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn uni(c: char) -> String {
    let mut s = String::new();
    push_uni(&mut s, c);
    s
}

fn bi(a: char, b: char) -> String {
    let mut s = String::new();
    push_bi(&mut s, a, b);
    s
}

/// Appends a character's token: `u` and its code point in hex.
fn push_uni(s: &mut String, c: char) {
    s.push('u');
    push_hex(s, c as u32);
}

/// Appends a pair's token: `b`, the first code point, `x`, the second (hex).
fn push_bi(s: &mut String, a: char, b: char) {
    s.push('b');
    push_hex(s, a as u32);
    s.push('x');
    push_hex(s, b as u32);
}

/// Lower-case hex without leading zeros, as `{:x}` writes it (the rebuild spells millions of these).
fn push_hex(s: &mut String, n: u32) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let width = (32 - n.leading_zeros()).div_ceil(4).max(1);
    for i in (0..width).rev() {
        s.push(char::from(DIGITS[((n >> (i * 4)) & 0xf) as usize]));
    }
}

/// The two columns of a document: its characters, and its neighbouring pairs with a break token between runs
/// (so no phrase matches across two fields or words).
pub(super) fn grams<'a>(fields: impl Iterator<Item = &'a str>) -> (String, String) {
    let (mut u, mut b) = (String::new(), String::new());
    for field in fields {
        for run in runs(field) {
            for c in &run {
                push_uni(&mut u, *c);
                u.push(' ');
            }
            for w in run.windows(2) {
                push_bi(&mut b, w[0], w[1]);
                b.push(' ');
            }
            b.push_str("zz ");
        }
    }
    (u, b)
}

/// A code's label, as `code_labels` holds it.
pub(super) struct Label {
    kind: String,
    code: String,
    text: String,
}

/// Every code's label (a hundred or so: read for each query).
pub(super) fn labels(conn: &Connection) -> Result<Vec<Label>> {
    let mut st = conn.prepare_cached("SELECT kind, code, text FROM code_labels")?;
    let rows = st.query_map([], |r| {
        Ok(Label {
            kind: r.get(0)?,
            code: r.get(1)?,
            text: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A code's tag, as the index's select spells it: `t` and the hex of `kind:code`.
fn tag(kind: &str, code: &str) -> String {
    let mut s = String::from("t");
    for b in format!("{kind}:{code}").bytes() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The FTS5 query for `query`: each word (all required) as its phrase of pairs (a word of one character: that
/// character), or the tag of a code one of whose `labels` holds the word inside one of its runs, as the word
/// would match that label's text were it indexed in every record.
pub(super) fn fts_query(query: &str, labels: &[Label]) -> Option<String> {
    let parts: Vec<String> = runs(query)
        .into_iter()
        .map(|run| {
            let own = match run.as_slice() {
                [c] => format!("uni : {}", uni(*c)),
                _ => {
                    let pairs: Vec<String> = run.windows(2).map(|w| bi(w[0], w[1])).collect();
                    format!("bi : \"{}\"", pairs.join(" "))
                }
            };
            let tags = tags_holding(&run, labels);
            if tags.is_empty() {
                own
            } else {
                format!("({own} OR {})", tags.join(" OR "))
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// The tags (as query terms) of the codes one of whose `labels` holds `run` inside one of its runs.
fn tags_holding(run: &[char], labels: &[Label]) -> Vec<String> {
    labels
        .iter()
        .filter(|l| {
            runs(&l.text)
                .iter()
                .any(|r| r.windows(run.len()).any(|w| w == run))
        })
        .map(|l| format!("tag : {}", tag(&l.kind, &l.code)))
        .collect()
}

/// For a query of one character: its token, and the tags (as query terms) of the codes whose labels hold it.
/// What `fts_query` matches for it is the token or any of the tags.
pub(super) fn one_character(query: &str, labels: &[Label]) -> Option<(String, Vec<String>)> {
    match runs(query).as_slice() {
        [run] if run.len() == 1 => Some((uni(run[0]), tags_holding(run, labels))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_spell_code_points_as_hex_does() {
        for n in [
            0,
            1,
            0xf,
            0x10,
            0xff,
            0x4e00,
            0x9fa5,
            0x1_0000,
            0x10_ffff,
            u32::MAX,
        ] {
            let mut s = String::new();
            push_hex(&mut s, n);
            assert_eq!(s, format!("{n:x}"));
        }
        assert_eq!(
            bi('燃', '气'),
            format!("b{:x}x{:x}", '燃' as u32, '气' as u32)
        );
    }

    #[test]
    fn text_becomes_characters_and_pairs_per_run() {
        let (u, b) = grams(["燃气 漏", "Ab"].into_iter());
        assert_eq!(u.split_whitespace().count(), 5);
        assert_eq!(
            b.split_whitespace().collect::<Vec<_>>(),
            vec![&bi('燃', '气')[..], "zz", "zz", &bi('a', 'b')[..], "zz"]
        );
    }

    #[test]
    fn a_query_is_each_words_phrase() {
        assert_eq!(fts_query("  ", &[]), None);
        assert_eq!(
            fts_query("气", &[]).unwrap(),
            format!("uni : {}", uni('气'))
        );
        assert_eq!(
            fts_query("燃气灶 漏", &[]).unwrap(),
            format!(
                "bi : \"{} {}\" AND uni : {}",
                bi('燃', '气'),
                bi('气', '灶'),
                uni('漏')
            )
        );
        // Quotes and operators in a query are only characters.
        let q = fts_query("\"a\" OR b*", &[]).unwrap();
        assert!(q.contains(&bi('b', '*')) && q.contains(&bi('o', 'r')) && !q.contains(" OR "));
    }

    #[test]
    fn a_word_inside_a_run_of_a_label_finds_its_code() {
        let gas = Label {
            kind: "category".into(),
            code: "gas".into(),
            text: "燃气 燃气 gas gas".into(),
        };
        let chem = Label {
            kind: "category".into(),
            code: "chem".into(),
            text: "危险化学品 危化品 Hazardous chemicals chem".into(),
        };
        let labels = [gas, chem];
        assert_eq!(tag("category", "gas"), "t63617465676f72793a676173");
        assert_eq!(
            fts_query("燃", &labels).unwrap(),
            format!("(uni : {} OR tag : {})", uni('燃'), tag("category", "gas"))
        );
        // Lowered, inside one run: "chemicals" holds "chem"; no label holds a word across two runs.
        let q = fts_query("CHEM", &labels).unwrap();
        assert!(
            q.ends_with(&format!("OR tag : {})", tag("category", "chem"))),
            "{q}"
        );
        assert!(!q.contains(&tag("category", "gas")), "{q}");
        assert!(!fts_query("品危", &labels).unwrap().contains("tag"));
    }
}
