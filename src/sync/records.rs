//! A record as it travels, family by family: parsed into its domain type (so a bundle can only carry what the
//! program understands), written back in its canonical JSON form, and checked against the domain's rules on a
//! copy whose text is neutralised — control characters are data and never a reason to refuse.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::assignment::Assignment;
use crate::domain::category::Category;
use crate::domain::deadline::{Calendar, DayCount};
use crate::domain::hazard::Hazard;
use crate::domain::ids::RecordId;
use crate::domain::inspection::Inspection;
use crate::domain::patrol::{Finding, Patrol};
use crate::domain::petition::{ClockRules, Petition};
use crate::domain::place::Place;
use crate::domain::record::{Family, Meta, Record};
use crate::domain::{Lang, Localized};
use crate::store::fields::{Fields, FieldsOf};
use crate::store::records::{from_map, to_map};

/// Calls `$body` with `$t` naming the domain type of `$family`.
macro_rules! typed {
    ($family:expr, $t:ident => $body:expr) => {
        match $family {
            Family::Place => {
                type $t = Place;
                $body
            }
            Family::Inspection => {
                type $t = Inspection;
                $body
            }
            Family::Hazard => {
                type $t = Hazard;
                $body
            }
            Family::Patrol => {
                type $t = Patrol;
                $body
            }
            Family::Finding => {
                type $t = Finding;
                $body
            }
            Family::Petition => {
                type $t = Petition;
                $body
            }
            Family::Assignment => {
                type $t = Assignment;
                $body
            }
        }
    };
}

/// Families in the order a bundle carries them: what is referred to comes before what refers to it.
pub const ORDER: [Family; 7] = [
    Family::Place,
    Family::Patrol,
    Family::Inspection,
    Family::Finding,
    Family::Hazard,
    Family::Petition,
    Family::Assignment,
];

/// A record read from a bundle: its canonical JSON form, identity, and the fields that hold personal data.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub map: Map<String, Value>,
    pub meta: Meta,
    pub personal: &'static [&'static str],
    /// Ids of records this one refers to (place, inspection, finding, patrol, earlier petition, assignment
    /// target).
    pub refers_to: Vec<(Family, RecordId)>,
}

/// The domain rules' verdict on a record: Err is the reason, zh and en.
pub type Verdict = Result<(), (String, String)>;

/// Parses a record's JSON form as `family`; the error says what did not fit, and in which field.
pub fn parse(family: Family, map: Map<String, Value>) -> Result<Parsed, String> {
    read(family, map, None).map(|(parsed, _)| parsed)
}

/// `parse`, and the verdict `check` gives on what it parsed: the typed record `parse` reads is judged as it
/// stands when none of its text needs neutralising (then it is what `check` would read again), so an import
/// reads each incoming record into its type once.
pub fn parse_judged(
    family: Family,
    map: Map<String, Value>,
    rules: &Rules,
) -> Result<(Parsed, Verdict), String> {
    read(family, map, Some(rules)).map(|(parsed, verdict)| (parsed, verdict.unwrap_or(Ok(()))))
}

/// `parse`, and with `rules` its verdict.
fn read(
    family: Family,
    map: Map<String, Value>,
    rules: Option<&Rules>,
) -> Result<(Parsed, Option<Verdict>), String> {
    let value = Value::Object(map);
    typed!(family, T => {
        let mut rec = match T::deserialize(&value) {
            Ok(rec) => rec,
            Err(first) => return Err(match serde_path_to_error::deserialize::<_, T>(&value) {
                Err(e) if e.path().to_string() != "." => format!("{}: {}", e.path(), e.inner()),
                _ => first.to_string(),
            }),
        };
        let map = to_map(&rec).map_err(|e| e.message(Lang::En))?;
        let refers_to = references(family, &map);
        let meta = rec.meta().clone();
        let verdict = rules.map(|rules| match map.values().any(needs_neutralising) {
            true => check(family, &map, rules),
            false => validate_one(&mut rec, rules)
                .map_err(|e| (e.message(Lang::Zh), e.message(Lang::En))),
        });
        Ok((
            Parsed {
                meta,
                map,
                personal: T::PERSONAL,
                refers_to,
            },
            verdict,
        ))
    })
}

/// A scanned row's canonical JSON form: what `parse` gives for the `Map` of its fields, read from the fields
/// without making that map (the error, when it does not parse, is `parse`'s).
pub fn canonical(family: Family, fields: &Fields) -> Result<Map<String, Value>, String> {
    typed!(family, T => {
        let pairs = serde::de::value::MapDeserializer::<_, serde_json::Error>::new(fields.pairs());
        match T::deserialize(pairs) {
            Ok(rec) => to_map(&rec).map_err(|e| e.message(Lang::En)),
            Err(_) => {
                let map = fields.pairs().map(|(k, v)| (k.to_owned(), v.clone())).collect();
                parse(family, map).map(|p| p.map)
            }
        }
    })
}

/// The records a record refers to, by the id columns it carries.
pub fn references(family: Family, map: &impl FieldsOf) -> Vec<(Family, RecordId)> {
    let mut out = Vec::new();
    let mut add = |f: Family, key: &str| {
        if let Some(Value::String(id)) = map.field(key)
            && let Ok(id) = RecordId::parse(id)
        {
            out.push((f, id));
        }
    };
    add(Family::Place, "place_id");
    add(Family::Inspection, "inspection_id");
    add(Family::Finding, "finding_id");
    add(Family::Patrol, "patrol_id");
    add(Family::Petition, "repeat_of");
    if family == Family::Assignment
        && let Some(Value::String(f)) = map.field("target_family")
        && let Some(tf) = Family::from_code(f)
    {
        add(tf, "target_id");
    }
    out
}

/// What the domain rules need to judge an incoming record.
pub struct Rules<'a> {
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
    pub count: DayCount,
    /// Item codes per inspected category.
    pub checklists: &'a HashMap<Category, Vec<String>>,
}

/// What the rules need, loaded once: the holiday calendar, the day count and the checklists.
pub struct RuleBook {
    calendar: Calendar,
    count: DayCount,
    checklists: HashMap<Category, Vec<String>>,
}

impl RuleBook {
    pub fn load(conn: &rusqlite::Connection) -> Result<RuleBook, crate::store::StoreError> {
        let mut checklists = HashMap::new();
        for c in Category::INSPECTED {
            let items = crate::store::inspections::checklist(conn, *c)?;
            checklists.insert(*c, items.into_iter().map(|i| i.code).collect());
        }
        Ok(RuleBook {
            calendar: crate::store::holidays::calendar(conn)?,
            count: crate::store::device::day_count(conn)?,
            checklists,
        })
    }

    /// The rules as of `today`.
    pub fn on(&self, today: NaiveDate) -> Rules<'_> {
        Rules {
            today,
            calendar: &self.calendar,
            count: self.count,
            checklists: &self.checklists,
        }
    }
}

/// Checks a parsed record against the domain rules (on a neutralised copy); Err is the reason, zh and en.
pub fn check(family: Family, map: &Map<String, Value>, rules: &Rules) -> Verdict {
    let neutral = neutralise(map);
    let out: Result<(), crate::domain::record::DomainError> = typed!(family, T => {
        let mut rec: T = match from_map(neutral) {
            Ok(r) => r,
            Err(e) => return Err((e.message(Lang::Zh), e.message(Lang::En))),
        };
        validate_one(&mut rec, rules)
    });
    out.map_err(|e| (e.message(Lang::Zh), e.message(Lang::En)))
}

/// Each family's own validation.
trait Validate {
    fn validate_with(&mut self, rules: &Rules) -> Result<(), crate::domain::record::DomainError>;
}

fn validate_one<T: Validate>(
    rec: &mut T,
    rules: &Rules,
) -> Result<(), crate::domain::record::DomainError> {
    rec.validate_with(rules)
}

impl Validate for Place {
    fn validate_with(&mut self, rules: &Rules) -> Result<(), crate::domain::record::DomainError> {
        self.validate(chrono::Datelike::year(&rules.today))
            .map(|_| ())
    }
}
impl Validate for Inspection {
    fn validate_with(&mut self, rules: &Rules) -> Result<(), crate::domain::record::DomainError> {
        let items = rules
            .checklists
            .get(&self.category)
            .cloned()
            .unwrap_or_default();
        self.validate(&items, rules.today)
    }
}
impl Validate for Hazard {
    fn validate_with(&mut self, rules: &Rules) -> Result<(), crate::domain::record::DomainError> {
        self.validate(rules.today)
    }
}
impl Validate for Patrol {
    fn validate_with(&mut self, _rules: &Rules) -> Result<(), crate::domain::record::DomainError> {
        self.validate()
    }
}
impl Validate for Finding {
    fn validate_with(&mut self, rules: &Rules) -> Result<(), crate::domain::record::DomainError> {
        self.validate(rules.today).map(|_| ())
    }
}
impl Validate for Petition {
    fn validate_with(&mut self, rules: &Rules) -> Result<(), crate::domain::record::DomainError> {
        self.validate(ClockRules {
            calendar: rules.calendar,
            count: rules.count,
            today: rules.today,
        })
    }
}
impl Validate for Assignment {
    fn validate_with(&mut self, rules: &Rules) -> Result<(), crate::domain::record::DomainError> {
        self.validate(rules.today)
    }
}

/// Whether `neutralise` changes a character of `c`.
fn unneutral(c: char) -> bool {
    crate::domain::validate::is_bidi_control(c) || (c.is_control() && c != '\n')
}

/// Whether any text in `v` has a character `neutralise` changes.
fn needs_neutralising(v: &Value) -> bool {
    match v {
        Value::String(s) => s.chars().any(unneutral),
        Value::Array(a) => a.iter().any(needs_neutralising),
        Value::Object(o) => o.values().any(needs_neutralising),
        _ => false,
    }
}

/// A copy whose strings carry no control or direction characters (they are data, not errors).
fn neutralise(map: &Map<String, Value>) -> Map<String, Value> {
    fn clean(v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(
                s.chars()
                    .filter(|c| !crate::domain::validate::is_bidi_control(*c))
                    .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(clean).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), clean(v))).collect())
            }
            other => other.clone(),
        }
    }
    map.iter().map(|(k, v)| (k.clone(), clean(v))).collect()
}

/// The longest string anywhere in a JSON value (in characters).
pub fn longest_text(v: &Value) -> usize {
    match v {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.iter().map(longest_text).max().unwrap_or(0),
        Value::Object(o) => o.values().map(longest_text).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `parse_judged` gives `check`'s verdict on every demo record of every family, as it is, with a control or
    /// direction character in its text, and with a rule broken.
    #[test]
    fn the_verdict_read_with_the_parse_is_checks() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::sync::test_store(
            &dir.path().join("t.db"),
            "610727101000",
            "0190a1b2-0000-7000-8000-000000000007",
        );
        crate::demo::generate(&mut store, 120, 3, &mut |_| {}).unwrap();
        let book = RuleBook::load(store.conn()).unwrap();
        let rules = book.on(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        // Judged long before, a record's dates lie in the future: rules broken.
        let before = book.on(NaiveDate::from_ymd_opt(2001, 1, 1).unwrap());
        let (mut judged, mut refused) = (0, 0);
        for family in ORDER {
            let mut ids = Vec::new();
            crate::store::exchange::each_id(store.conn(), family, |id| ids.push(id.to_owned()))
                .unwrap();
            // (The demo makes no assignments.)
            assert!(
                !ids.is_empty() || family == Family::Assignment,
                "{family:?}"
            );
            for id in ids.iter().take(40) {
                let map = crate::sync::export::current(store.conn(), family, id)
                    .unwrap()
                    .unwrap();
                let mut variants = vec![map.clone()];
                // A text with a control and a direction character in it: data, judged as neutralised.
                let mut marked = map.clone();
                for (k, v) in map.iter() {
                    if let Value::String(s) = v
                        && !k.ends_with("_id")
                        && k != "id"
                        && !s.is_ascii()
                    {
                        marked.insert(k.clone(), Value::String(format!("\u{202e}{s}\u{7}")));
                    }
                }
                variants.push(marked);
                for (v, rules) in variants.iter().flat_map(|v| [(v, &rules), (v, &before)]) {
                    let parsed = parse(family, v.clone()).unwrap();
                    let (again, verdict) = parse_judged(family, v.clone(), rules).unwrap();
                    assert_eq!(again.map, parsed.map);
                    assert_eq!(
                        verdict,
                        check(family, &parsed.map, rules),
                        "{family:?} {id}"
                    );
                    judged += 1;
                    refused += usize::from(verdict.is_err());
                }
            }
        }
        assert!(
            judged > 100 && refused > 0,
            "{judged} judged, {refused} refused"
        );
    }
}
