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
                self.link = Some(self.link.map_or(0, |i| (i + 1) % self.links.len()));
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
mod tests {
    use super::*;
    use crate::domain::category::{Category, Grade};
    use crate::domain::hazard::HazardStatus;
    use crate::domain::ids::RecordId;
    use crate::domain::inspection::{ItemOutcome, ItemResult, Subject, Verdict};
    use crate::domain::patrol::{
        Department, FindingCode, FindingStatus, Patrol, PatrolStatus, Zone,
    };
    use crate::domain::petition::{
        Channel, Outcome, PetitionCategory, PetitionStatus, Satisfaction, Track,
    };
    use crate::domain::place::{Place, PlaceKind, Structure, Use};
    use crate::domain::record::Meta;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn detail(shown: Shown) -> Detail {
        Detail {
            shown,
            related: Vec::new(),
            timeline: Vec::new(),
            revealed: false,
            scroll: 0,
            scroll_max: Default::default(),
            items: Default::default(),
            assignments: Vec::new(),
            links: Vec::new(),
            link: None,
            assign_to: Vec::new(),
            place: Some(Place {
                meta: Meta::sample(9),
                name: "江神庙巷 4 号".into(),
                address: "兴州街道江神庙巷 4 号".into(),
                kind: PlaceKind::Restaurant,
                lat: Some(33.33),
                lon: Some(106.15),
                owner_name: Some("王秀英".into()),
                owner_phone: Some("13812345678".into()),
                floors: Some(3),
                structure: Some(Structure::Masonry),
                year_built: Some(2009),
                use_type: Some(Use::Business),
                business_type: Some("小吃店".into()),
                occupancy: Some(12),
            }),
            patrol: Some(Patrol {
                meta: Meta::sample(8),
                worker: "石超".into(),
                route: "嘉陵江左岸".into(),
                zone: Zone::General,
                started_at: 1_764_290_000_000,
                ended_at: Some(1_764_300_000_000),
                distance_km: Some(7.5),
                weather: Some("晴".into()),
                status: PatrolStatus::Closed,
                nothing_found: false,
                note: Some("沿河".into()),
            }),
        }
    }

    /// Every field a person may see is in the lines: its label, and its value as the table shows it (a
    /// deadline with the days left after it); personal values masked, their raw text nowhere.
    fn all_shown(d: &Detail, blocks: &[Family]) {
        let lines = d.fields(Lang::En, day("2026-11-28"), &[2026]);
        let text = format!("{lines:?}");
        let check = |family: Family, map: Map<String, Value>, indent: &str| {
            for def in fields::of(family).iter().filter(|d| d.shown()) {
                if matches!(def.kind, Kind::Reference(Family::Place | Family::Patrol)) {
                    continue;
                }
                let value = map.get(def.name).cloned().unwrap_or(Value::Null);
                assert!(
                    !value.is_null(),
                    "{family:?}.{} is empty in the sample",
                    def.name
                );
                let label = format!("{indent}{}", def.label(Lang::En));
                let line = lines
                    .iter()
                    .find(|(l, _)| *l == label)
                    .unwrap_or_else(|| panic!("{family:?}.{} is not shown: {lines:?}", def.name));
                let shown = def.show(&value, Lang::En, false);
                if !matches!(def.kind, Kind::Reference(_)) {
                    assert!(
                        line.1.starts_with(&shown),
                        "{family:?}.{}: '{}' does not show '{shown}'",
                        def.name,
                        line.1
                    );
                }
                if def.personal.is_some() {
                    let raw = value.as_str().unwrap();
                    assert!(
                        !text.contains(raw),
                        "{family:?}.{} shown unmasked",
                        def.name
                    );
                }
            }
        };
        check(d.family(), d.map(), "");
        for family in blocks {
            let map = match family {
                Family::Place => crate::store::records::to_map(d.place.as_ref().unwrap()),
                _ => crate::store::records::to_map(d.patrol.as_ref().unwrap()),
            };
            check(*family, map.unwrap(), "  ");
        }
    }

    #[test]
    fn a_key_on_a_record_says_what_happens_next() {
        let mut p = crate::domain::petition::Petition::new(Meta::sample(1), day("2026-10-01"));
        p.petitioner_name = "赵六".into();
        let mut d = detail(Shown::Petition(p));
        assert_eq!(d.act(Action::Edit, Lang::Zh), Next::Edit);
        assert!(matches!(
            d.act(Action::Reveal, Lang::Zh),
            Next::Reveal { ref fields, .. } if fields.contains(&"petitioner_name")
        ));
        // A letter that is no step now says which are.
        match d.act(Action::Act('z'), Lang::En) {
            Next::Say(msg) => assert!(msg.starts_with("Not possible now; possible: "), "{msg}"),
            other => panic!("{other:?}"),
        }
        // Scrolling stops at the end the last frame measured.
        d.scroll_max.set(3);
        for _ in 0..10 {
            d.act(Action::Down, Lang::Zh);
        }
        assert_eq!(d.scroll, 3);
    }

    #[test]
    fn every_stored_field_of_every_family_is_shown_masked_where_personal() {
        let mut p = crate::domain::petition::Petition::new(Meta::sample(1), day("2026-10-01"));
        p.case_no = "略信〔2026〕1号".into();
        p.channel = Channel::Letter;
        p.track = Track::Accusation;
        p.category = PetitionCategory::Land;
        p.petitioner_name = "王小明".into();
        p.id_number = Some("11010519491231002X".into());
        p.phone = Some("13912345678".into());
        p.address = Some("接官亭镇 3 组".into());
        p.person_key = Some("k".into());
        p.people = 3;
        p.summary = "征地补偿".into();
        p.content = "要求补发\n差额".into();
        p.unit = Some("自然资源局".into());
        p.status = PetitionStatus::Finalized;
        p.accept_due = day("2026-10-16");
        p.accepted_on = Some(day("2026-10-10"));
        p.handle_due = Some(day("2026-12-09"));
        p.extended_days = Some(10);
        p.extended_due = Some(day("2026-12-19"));
        p.replied_on = Some(day("2026-11-01"));
        p.outcome = Some(Outcome::Support);
        p.closed_on = Some(day("2026-11-02"));
        p.satisfaction = Some(Satisfaction::Basic);
        p.review_requested_on = Some(day("2026-11-03"));
        p.review_due = Some(day("2026-12-03"));
        p.reviewed_on = Some(day("2026-11-10"));
        p.reexam_requested_on = Some(day("2026-11-11"));
        p.reexam_due = Some(day("2026-12-11"));
        p.reexamined_on = Some(day("2026-11-20"));
        p.finalized_on = Some(day("2026-11-21"));
        p.office_due = Some(day("2026-12-30"));
        p.repeat_of = Some(RecordId::sample(7));
        all_shown(&detail(Shown::Petition(p)), &[]);

        let h = crate::domain::hazard::Hazard {
            meta: Meta::sample(2),
            inspection_id: Some(RecordId::sample(3)),
            item_code: Some("G2".into()),
            finding_id: Some(RecordId::sample(4)),
            place_id: Some(RecordId::sample(9)),
            category: Category::Gas,
            grade: Grade::Major,
            description: "软管老化".into(),
            responsible: Some("小吃店店主".into()),
            notice_no: Some("略燃整〔2026〕3号".into()),
            found_on: day("2026-11-01"),
            deadline: day("2026-12-01"),
            original_deadline: day("2026-11-20"),
            extensions: 1,
            status: HazardStatus::Closed,
            rectified_on: Some(day("2026-11-25")),
            closed_on: Some(day("2026-11-27")),
        };
        all_shown(&detail(Shown::Hazard(h)), &[Family::Place]);

        let f = crate::domain::patrol::Finding {
            meta: Meta::sample(4),
            patrol_id: Some(RecordId::sample(8)),
            code: FindingCode::Q7,
            description: "野猪拱毁玉米".into(),
            location: "3 组后山".into(),
            lat: Some(33.3),
            lon: Some(106.1),
            found_on: day("2026-11-01"),
            zone: Zone::Core,
            on_site_action: Some("拍照取证".into()),
            crop: Some("玉米".into()),
            area_mu: Some(2.5),
            loss_yuan: Some(1800.0),
            department: Some(Department::Forestry),
            referred_on: Some(day("2026-11-02")),
            deadline: Some(day("2026-12-02")),
            handled_on: Some(day("2026-11-20")),
            verified_on: Some(day("2026-11-25")),
            status: FindingStatus::Verified,
        };
        all_shown(&detail(Shown::Finding(f)), &[Family::Patrol]);

        let i = crate::domain::inspection::Inspection {
            meta: Meta::sample(3),
            place_id: RecordId::sample(9),
            category: Category::House,
            subject: Subject::Unit,
            inspected_on: day("2026-11-01"),
            inspector: "石超".into(),
            verdict: Some(Verdict::Hazard),
            failed_count: 1,
            note: Some("东墙有裂缝".into()),
            results: vec![ItemOutcome {
                item_code: "S2".into(),
                result: ItemResult::Fail,
                note: Some("裂缝 2 米".into()),
            }],
        };
        let d = detail(Shown::Inspection(i));
        all_shown(&d, &[Family::Place]);
        assert!(d.has_personal());
        let lines = d.fields(Lang::Zh, day("2026-11-28"), &[2026]);
        assert!(
            lines
                .iter()
                .any(|(l, v)| l.contains("S2") && v.contains("裂缝 2 米"))
        );
    }
}
