//! The detail view of one record: its fields (personal data masked until revealed), its statutory deadlines,
//! its timeline, and which actions (`offers`) are legal on it now.

use super::keymap::Action;
use crate::domain::text::count;
use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::offers::Offer;
use crate::domain::Lang;
use crate::domain::deadline::days_left;
use crate::domain::fields::{self, Kind};
use crate::domain::hazard::Hazard;
use crate::domain::inspection::Inspection;
use crate::domain::patrol::Finding;
use crate::domain::petition::Petition;
use crate::domain::record::Family;
use crate::store::records::Event;

/// The record shown.
#[derive(Debug, Clone)]
pub enum Shown {
    Hazard(Hazard),
    Finding(Finding),
    Petition(Petition),
    Inspection(Inspection),
    Patrol(crate::domain::patrol::Patrol),
}

#[derive(Debug, Clone)]
pub struct Detail {
    pub shown: Shown,
    /// Lines about related records (the place, the hazards an inspection opened), already labelled.
    pub related: Vec<(String, String)>,
    pub timeline: Vec<Event>,
    pub revealed: bool,
    pub scroll: u16,
    /// How far the view can scroll, as last drawn (the lines past one screen).
    pub scroll_max: std::cell::Cell<u16>,
    /// As last drawn: the line each related link stands on, and how many lines the view shows.
    pub drawn: std::cell::RefCell<(Vec<u16>, u16)>,
    /// An inspection's checklist: item code → the item's text in the current language.
    pub items: std::collections::HashMap<String, String>,
    /// Assignments (交办) of this record, and whether this device made each (then it waits for the answer).
    pub assignments: Vec<(crate::domain::assignment::Assignment, bool)>,
    /// Where this device may assign the record down to (empty: it may not).
    pub assign_to: Vec<(String, String)>,
    /// The place an inspection or a hazard is about.
    pub place: Option<crate::domain::place::Place>,
    /// The patrol a finding was reported on.
    pub patrol: Option<crate::domain::patrol::Patrol>,
    /// Related lines that open a record (index into `related`, its family and id): Tab selects, Enter opens.
    pub links: Vec<(usize, Family, String)>,
    /// The link selected.
    pub link: Option<usize>,
}

impl Shown {
    /// The record's id, versions and region.
    pub fn meta(&self) -> &crate::domain::record::Meta {
        match self {
            Shown::Hazard(h) => &h.meta,
            Shown::Finding(f) => &f.meta,
            Shown::Petition(p) => &p.meta,
            Shown::Inspection(i) => &i.meta,
            Shown::Patrol(p) => &p.meta,
        }
    }
}

/// What a key on the detail view leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Stay,
    /// The record's edit (or correction) form.
    Edit,
    /// Show the masked personal `fields` (audited first).
    Reveal {
        family: Family,
        id: crate::domain::ids::RecordId,
        fields: Vec<&'static str>,
    },
    /// The form of a lifecycle step possible now.
    Offer(Offer),
    /// A message instead (nothing masked; a step not possible now, with those that are).
    Say(String),
    /// A related record (a hazard of the inspection, a finding of the patrol).
    Open(Family, String),
}

impl Detail {
    /// An action of the keymap's detail rows: scrolling is done here; the rest says what the app does next.
    pub fn act(&mut self, action: Action, lang: Lang) -> Next {
        let max = self.scroll_max.get();
        match action {
            Action::Down => self.scroll = self.scroll.saturating_add(1).min(max),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = self.scroll.saturating_add(10).min(max),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::First => self.scroll = 0,
            Action::Last => self.scroll = max,
            Action::Edit => return Next::Edit,
            Action::NextField if !self.links.is_empty() => {
                let i = self.link.map_or(0, |i| (i + 1) % self.links.len());
                self.link = Some(i);
                // The selected link in sight: Enter opens what the worker sees.
                let (rows, shown) = &*self.drawn.borrow();
                if let Some(&row) = rows.get(i)
                    && (row < self.scroll || row >= self.scroll + shown.max(&1))
                {
                    self.scroll = row.saturating_sub(2).min(max);
                }
            }
            Action::Open => {
                if let Some((_, family, id)) = self.link.and_then(|i| self.links.get(i)) {
                    return Next::Open(*family, id.clone());
                }
            }
            Action::Reveal if !self.has_personal() => {
                return Next::Say(
                    lang.pick("这条记录没有遮蔽的内容", "Nothing is masked on this record")
                        .to_owned(),
                );
            }
            Action::Reveal => {
                // The personal fields the view shows: its own, and its place's.
                let family = self.family();
                let fields = [family, Family::Place]
                    .iter()
                    .flat_map(|f| crate::domain::fields::of(*f))
                    .filter(|d| d.personal.is_some())
                    .map(|d| d.name)
                    .collect();
                return Next::Reveal {
                    family,
                    id: self.id().clone(),
                    fields,
                };
            }
            Action::Act(c) => {
                let offers = self.offers();
                if let Some(offer) = offers.iter().find(|o| o.key() == c) {
                    return Next::Offer(*offer);
                }
                let legal: Vec<String> = offers
                    .iter()
                    .map(|o| format!("{} {}", o.key(), o.label(lang)))
                    .collect();
                return Next::Say(match lang {
                    Lang::Zh if legal.is_empty() => "这条记录已办结，没有可办的操作".to_owned(),
                    Lang::En if legal.is_empty() => {
                        "This record is closed; nothing to do".to_owned()
                    }
                    Lang::Zh => format!("现在不能这样办；可办：{}", legal.join("  ")),
                    Lang::En => format!("Not possible now; possible: {}", legal.join("  ")),
                });
            }
            _ => {}
        }
        Next::Stay
    }

    pub fn family(&self) -> Family {
        match self.shown {
            Shown::Hazard(_) => Family::Hazard,
            Shown::Finding(_) => Family::Finding,
            Shown::Petition(_) => Family::Petition,
            Shown::Inspection(_) => Family::Inspection,
            Shown::Patrol(_) => Family::Patrol,
        }
    }

    pub fn id(&self) -> &crate::domain::ids::RecordId {
        &self.shown.meta().id
    }

    /// The open assignment of this record received from above, if any.
    pub fn received(&self) -> Option<&crate::domain::assignment::Assignment> {
        self.assignments
            .iter()
            .find(|(a, ours)| {
                !ours && a.status == crate::domain::assignment::AssignmentStatus::Open
            })
            .map(|(a, _)| a)
    }

    /// The actions legal now: the record's lifecycle steps, then 交办 and 办结 where they apply.
    pub fn offers(&self) -> Vec<Offer> {
        let mut offers = self.lifecycle();
        let open = match &self.shown {
            Shown::Hazard(h) => !h.status.is_closed(),
            Shown::Petition(p) => p.status.is_open(),
            _ => false,
        };
        let waiting = self.assignments.iter().any(|(a, ours)| {
            *ours && a.status == crate::domain::assignment::AssignmentStatus::Open
        });
        if open && !waiting && !self.assign_to.is_empty() {
            offers.push(Offer::AssignDown);
        }
        if self.received().is_some() {
            offers.push(Offer::AnswerAssignment);
        }
        offers
    }

    fn lifecycle(&self) -> Vec<Offer> {
        match &self.shown {
            Shown::Hazard(h) => h
                .status
                .legal_actions()
                .into_iter()
                .map(Offer::Hazard)
                .collect(),
            Shown::Finding(f) => f
                .status
                .legal_actions()
                .into_iter()
                .map(Offer::Finding)
                .collect(),
            Shown::Petition(p) => p
                .status
                .legal_actions()
                .into_iter()
                .map(Offer::Petition)
                .collect(),
            Shown::Inspection(_) | Shown::Patrol(_) => Vec::new(),
        }
    }

    /// Whether anything shown is masked (then `i` reveals it): a petitioner, or a place's owner.
    pub fn has_personal(&self) -> bool {
        let filled = |family: Family, map: &Map<String, Value>| {
            fields::of(family)
                .iter()
                .any(|d| d.personal.is_some() && !map.get(d.name).is_none_or(Value::is_null))
        };
        filled(self.family(), &self.map())
            || self
                .place
                .as_ref()
                .and_then(|p| crate::store::records::to_map(p).ok())
                .is_some_and(|m| filled(Family::Place, &m))
    }

    /// The record's JSON form (its stored fields by name).
    fn map(&self) -> Map<String, Value> {
        let map = match &self.shown {
            Shown::Hazard(h) => crate::store::records::to_map(h),
            Shown::Finding(f) => crate::store::records::to_map(f),
            Shown::Petition(p) => crate::store::records::to_map(p),
            Shown::Inspection(i) => crate::store::records::to_map(i),
            Shown::Patrol(p) => crate::store::records::to_map(p),
        };
        map.unwrap_or_default()
    }

    /// The fields to show, as (label, value) lines, every stored field of the record built from its family's
    /// field table (`domain::fields`): required fields always, optional ones when they hold a value, personal
    /// data masked until revealed. A running deadline says how many days are left; the inspected place's fields
    /// follow an inspection's or a hazard's own, and a patrol's follow its finding's.
    /// `holiday_years`: the years the holiday table covers; a deadline in another year says so.
    pub fn fields(
        &self,
        lang: Lang,
        today: NaiveDate,
        holiday_years: &[i32],
    ) -> Vec<(String, String)> {
        let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
        let due = |d: NaiveDate| {
            let year = chrono::Datelike::year(&d);
            let missing = if holiday_years.contains(&year) {
                String::new()
            } else {
                match lang {
                    Lang::Zh => format!("  {year} 年节假日表未导入，只按周末顺延"),
                    Lang::En => format!("  {year} holidays not imported: weekends only"),
                }
            };
            format!("{d}  {}{missing}", days_text(days_left(today, d), lang))
        };
        // A statutory deadline that fell on a non-working day and moved says so.
        let moved = |from: NaiveDate, days: u64, due: NaiveDate| {
            if from + chrono::Days::new(days) == due {
                String::new()
            } else {
                t("（遇休顺延）", " (moved past a day off)")
            }
        };
        let family = self.family();
        let map = self.map();
        let mut out = Vec::new();
        for def in fields::of(family) {
            let value = map.get(def.name).cloned().unwrap_or(Value::Null);
            if !def.shown() || matches!(def.kind, Kind::Reference(Family::Place | Family::Patrol)) {
                continue;
            }
            if !def.required && value.is_null() {
                continue;
            }
            let date = value.as_str().and_then(|s| s.parse::<NaiveDate>().ok());
            let shown = match (&self.shown, def.name, date) {
                (Shown::Hazard(h), "deadline", Some(d)) if !h.status.is_closed() => due(d),
                (Shown::Finding(f), "deadline", Some(d))
                    if f.status == crate::domain::patrol::FindingStatus::Referred =>
                {
                    due(d)
                }
                (Shown::Petition(p), "accept_due", Some(d)) => match p.accepted_on {
                    Some(a) => format!("{d}  {} {a}", t("已受理", "accepted")),
                    None => format!("{}{}", due(d), moved(p.received_on, 15, d)),
                },
                (Shown::Petition(p), "handle_due" | "extended_due", Some(d)) => {
                    match p.replied_on {
                        Some(r) => format!("{d}  {} {r}", t("已答复", "replied")),
                        None => due(d),
                    }
                }
                (Shown::Petition(p), "review_due", Some(d)) if p.reviewed_on.is_none() => due(d),
                (Shown::Petition(p), "reexam_due", Some(d)) if p.reexamined_on.is_none() => due(d),
                (Shown::Petition(_), "office_due", Some(d)) => due(d),
                (_, _, _) if matches!(def.kind, Kind::Reference(_)) => match (family, def.name) {
                    (Family::Petition, "repeat_of") => {
                        t("是（同一人同类事项）", "yes (same person, same matter)")
                    }
                    _ => def.show(&value, lang, self.revealed),
                },
                _ => def.show(&value, lang, self.revealed),
            };
            out.push((def.label(lang).to_owned(), shown));
        }
        if let Shown::Inspection(i) = &self.shown {
            for r in &i.results {
                let note = r
                    .note
                    .as_deref()
                    .map(|n| format!("  {n}"))
                    .unwrap_or_default();
                out.push((
                    format!("  {} {}", r.item_code, r.result.label(lang)),
                    format!(
                        "{}{note}",
                        self.items
                            .get(&r.item_code)
                            .map(String::as_str)
                            .unwrap_or("")
                    ),
                ));
            }
        }
        let place = self
            .place
            .as_ref()
            .and_then(|p| crate::store::records::to_map(p).ok());
        let patrol = self
            .patrol
            .as_ref()
            .and_then(|p| crate::store::records::to_map(p).ok());
        for (family, map) in [(Family::Place, place), (Family::Patrol, patrol)] {
            let Some(map) = map else {
                continue;
            };
            out.push((family.label(lang).to_owned(), String::new()));
            for def in fields::of(family).iter().filter(|d| d.shown()) {
                let value = map.get(def.name).cloned().unwrap_or(Value::Null);
                if def.required || !value.is_null() {
                    out.push((
                        format!("  {}", def.label(lang)),
                        def.show(&value, lang, self.revealed),
                    ));
                }
            }
        }
        out
    }
}

/// "剩 5 天" / "今天到期" / "逾期 3 天".
pub fn days_text(days: i64, lang: Lang) -> String {
    match (days, lang) {
        (0, Lang::Zh) => "今天到期".into(),
        (0, Lang::En) => "due today".into(),
        (d, Lang::Zh) if d > 0 => format!("剩 {d} 天"),
        (d, Lang::En) if d > 0 => format!("{} left", count(d.unsigned_abs(), "day", "days")),
        (d, Lang::Zh) => format!("逾期 {} 天", -d),
        (d, Lang::En) => format!("{} overdue", count(d.unsigned_abs(), "day", "days")),
    }
}

#[cfg(test)]
#[path = "detail_tests.rs"]
mod tests;
