//! The detail view of one record: its fields (personal data masked until revealed), its statutory deadlines,
//! its timeline, and which actions (`offers`) are legal on it now.

use chrono::NaiveDate;

use super::offers::Offer;
use crate::domain::Lang;
use crate::domain::deadline::days_left;
use crate::domain::hazard::Hazard;
use crate::domain::inspection::Inspection;
use crate::domain::patrol::Finding;
use crate::domain::petition::Petition;
use crate::domain::record::Family;
use crate::domain::validate::{mask_id, mask_name, mask_phone};
use crate::store::records::Event;

/// The record shown.
#[derive(Debug, Clone)]
pub enum Shown {
    Hazard(Hazard),
    Finding(Finding),
    Petition(Petition),
    Inspection(Inspection),
}

#[derive(Debug, Clone)]
pub struct Detail {
    pub shown: Shown,
    /// Lines about related records (the place, the hazards an inspection opened), already labelled.
    pub related: Vec<(String, String)>,
    pub timeline: Vec<Event>,
    pub revealed: bool,
    pub scroll: u16,
    /// An inspection's checklist: item code → the item's text in the current language.
    pub items: std::collections::HashMap<String, String>,
    /// Assignments (交办) of this record, and whether this device made each (then it waits for the answer).
    pub assignments: Vec<(crate::domain::assignment::Assignment, bool)>,
    /// Where this device may assign the record down to (empty: it may not).
    pub assign_to: Vec<(String, String)>,
}

impl Detail {
    pub fn family(&self) -> Family {
        match self.shown {
            Shown::Hazard(_) => Family::Hazard,
            Shown::Finding(_) => Family::Finding,
            Shown::Petition(_) => Family::Petition,
            Shown::Inspection(_) => Family::Inspection,
        }
    }

    pub fn id(&self) -> &crate::domain::ids::RecordId {
        match &self.shown {
            Shown::Hazard(h) => &h.meta.id,
            Shown::Finding(f) => &f.meta.id,
            Shown::Petition(p) => &p.meta.id,
            Shown::Inspection(i) => &i.meta.id,
        }
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
            Shown::Inspection(_) => Vec::new(),
        }
    }

    /// The fields to show, as (label, value) lines.
    /// `holiday_years`: the years the holiday table covers; a deadline in another year says so.
    pub fn fields(
        &self,
        lang: Lang,
        today: NaiveDate,
        holiday_years: &[i32],
    ) -> Vec<(String, String)> {
        let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
        let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        let due = |d: Option<NaiveDate>| match d {
            None => "-".to_owned(),
            Some(d) => {
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
            }
        };
        // A statutory deadline that fell on a non-working day and moved says so.
        let moved = |from: NaiveDate, days: u64, due: NaiveDate| {
            if from + chrono::Days::new(days) == due {
                String::new()
            } else {
                t("（遇休顺延）", " (moved past a day off)")
            }
        };
        match &self.shown {
            Shown::Hazard(h) => vec![
                (t("状态", "status"), h.status.label(lang).into()),
                (
                    t("类别/等级", "category/grade"),
                    format!("{} {}", h.category.label(lang), h.grade.label(lang)),
                ),
                (t("问题", "problem"), h.description.clone()),
                (
                    t("责任人", "responsible"),
                    h.responsible.clone().unwrap_or_else(|| "-".into()),
                ),
                (t("发现日期", "found"), h.found_on.to_string()),
                (
                    t("整改期限", "deadline"),
                    if h.status.is_closed() {
                        h.deadline.to_string()
                    } else {
                        due(Some(h.deadline))
                    },
                ),
                (t("延期次数", "extensions"), h.extensions.to_string()),
            ],
            Shown::Finding(f) => vec![
                (t("状态", "status"), f.status.label(lang).into()),
                (
                    t("类别", "code"),
                    format!("{} {}", f.code.code(), f.code.label(lang)),
                ),
                (t("问题", "finding"), f.description.clone()),
                (
                    t("位置", "location"),
                    format!("{}（{}）", f.location, f.zone.label(lang)),
                ),
                (
                    t("移交部门", "department"),
                    f.department
                        .map(|d| d.label(lang).to_owned())
                        .unwrap_or_else(|| "-".into()),
                ),
                (
                    t("处置期限", "deadline"),
                    if f.status == crate::domain::patrol::FindingStatus::Referred {
                        due(f.deadline)
                    } else {
                        opt(f.deadline)
                    },
                ),
            ],
            Shown::Inspection(i) => {
                let mut v = vec![
                    (
                        t("类别/对象", "category/subject"),
                        format!("{} {}", i.category.label(lang), i.subject.label(lang)),
                    ),
                    (t("检查日期", "date"), i.inspected_on.to_string()),
                    (t("检查人", "inspector"), i.inspector.clone()),
                    (t("不合格项", "failed items"), i.failed_count.to_string()),
                ];
                if let Some(v2) = i.verdict {
                    v.push((t("初判", "verdict"), v2.label(lang).into()));
                }
                for r in &i.results {
                    let note = r
                        .note
                        .as_deref()
                        .map(|n| format!("  {n}"))
                        .unwrap_or_default();
                    v.push((
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
                v
            }
            Shown::Petition(p) => {
                let id = p.id_number.as_deref().map(|s| {
                    if self.revealed {
                        s.to_owned()
                    } else {
                        mask_id(s)
                    }
                });
                let phone = p.phone.as_deref().map(|s| {
                    if self.revealed {
                        s.to_owned()
                    } else {
                        mask_phone(s)
                    }
                });
                let name = if self.revealed {
                    p.petitioner_name.clone()
                } else {
                    mask_name(&p.petitioner_name)
                };
                let mut v = vec![
                    (
                        t("案号/状态", "case/status"),
                        format!("{}  {}", p.case_no, p.status.label(lang)),
                    ),
                    (
                        t("信访人", "petitioner"),
                        format!(
                            "{name}  {} {}  {} {}  {} {}",
                            t("证件", "ID"),
                            id.unwrap_or_else(|| "-".into()),
                            t("电话", "phone"),
                            phone.unwrap_or_else(|| "-".into()),
                            p.people,
                            if p.people == 1 {
                                t("人", "person")
                            } else {
                                t("人", "people")
                            }
                        ),
                    ),
                    (
                        t("类别", "category"),
                        format!(
                            "{} {} {}",
                            p.category.label(lang),
                            p.track.label(lang),
                            p.channel.label(lang)
                        ),
                    ),
                    (t("反映", "summary"), p.summary.clone()),
                    (t("内容", "content"), p.content.replace('\n', " / ")),
                    (
                        t("责任单位", "unit"),
                        p.unit.clone().unwrap_or_else(|| "-".into()),
                    ),
                    (
                        t("受理告知期限", "acceptance due"),
                        match p.accepted_on {
                            Some(a) => format!("{}  {} {a}", p.accept_due, t("已受理", "accepted")),
                            None => format!(
                                "{}{}",
                                due(Some(p.accept_due)),
                                moved(p.received_on, 15, p.accept_due)
                            ),
                        },
                    ),
                ];
                if let Some(h) = p.handle_due {
                    let done = p
                        .replied_on
                        .map(|r| format!("{}  {} {r}", h, t("已答复", "replied")));
                    v.push((
                        t("办理期限(60日)", "handling (60 d)"),
                        done.clone().unwrap_or_else(|| due(Some(h))),
                    ));
                    if let Some(e) = p.extended_due {
                        v.push((
                            t("延期后期限", "extended to"),
                            done.unwrap_or_else(|| due(Some(e))),
                        ));
                    }
                }
                if let Some(r) = p.review_due {
                    v.push((t("复查意见期限", "review due"), due(Some(r))));
                }
                if let Some(r) = p.reexam_due {
                    v.push((t("复核意见期限", "re-examination due"), due(Some(r))));
                }
                if p.repeat_of.is_some() {
                    v.push((
                        t("重复信访", "repeat"),
                        t("是（同一人同类事项）", "yes (same person, same matter)"),
                    ));
                }
                v
            }
        }
    }
}

/// "剩 5 天" / "今天到期" / "逾期 3 天".
pub fn days_text(days: i64, lang: Lang) -> String {
    match (days, lang) {
        (0, Lang::Zh) => "今天到期".into(),
        (0, Lang::En) => "due today".into(),
        (d, Lang::Zh) if d > 0 => format!("剩 {d} 天"),
        (d, Lang::En) if d > 0 => format!("{d} days left"),
        (d, Lang::Zh) => format!("逾期 {} 天", -d),
        (d, Lang::En) => format!("{} days overdue", -d),
    }
}
