//! One field table per family: every field a record stores (its JSON key, which is also its column), its label in
//! both languages, its kind (text, date, a coded choice, a number with its unit, coordinates, a reference), its
//! length limit, whether it is required, and whether it holds personal data. Detail views, conflict labels and
//! field names in messages are built from it, so a field added once is shown and named everywhere; a test proves
//! every stored field of every family has its row here.

use serde_json::Value;

use super::category::{Category, Grade};
use super::codes::label_of;
use super::hazard::HazardStatus;
use super::inspection::{Subject, Verdict};
pub use super::mask::Personal;
use super::patrol::{Department, FindingCode, FindingStatus, PatrolStatus, Zone};
use super::petition::{Channel, Outcome, PetitionCategory, PetitionStatus, Satisfaction, Track};
use super::place::{PlaceKind, Structure, Use};
use super::record::Family;
use super::{Lang, clock};

/// What a field holds, and so how it is shown.
#[derive(Clone, Copy)]
pub enum Kind {
    /// One line of text, at most `max` characters.
    Text {
        max: usize,
    },
    /// Several lines.
    Multi {
        max: usize,
    },
    Date,
    /// A coded choice, shown by its label.
    Choice(fn(&str, Lang) -> String),
    /// A number with its unit (zh, en).
    Number {
        unit: (&'static str, &'static str),
    },
    /// A whole number of things.
    Count,
    /// Latitude or longitude, degrees.
    Coordinate,
    /// A moment (UTC milliseconds), shown in China time.
    Instant,
    Flag,
    /// Another record's id: shown by what it names (the place, the patrol, the earlier case).
    Reference(Family),
    /// Kept by the program, never shown (a hash that finds repeat petitions).
    Internal,
}

/// One field of a family.
#[derive(Clone, Copy)]
pub struct FieldDef {
    /// The JSON key and column.
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub personal: Option<Personal>,
}

impl FieldDef {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }

    /// The label with its unit, as a column or form names the field: 受损面积（亩）, area (mu).
    pub fn heading(&self, lang: Lang) -> String {
        match self.kind {
            Kind::Number { unit } => match lang {
                Lang::Zh => format!("{}（{}）", self.zh, unit.0),
                Lang::En => format!("{} ({})", self.en, unit.1),
            },
            _ => self.label(lang).to_owned(),
        }
    }

    /// Whether a person sees this field (everything but the program's own bookkeeping).
    pub fn shown(&self) -> bool {
        !matches!(self.kind, Kind::Internal)
    }

    /// A stored value as a person reads it: a choice by its label, a moment in China time, a number with its
    /// unit, personal data masked unless `revealed`; "-" for nothing.
    pub fn show(&self, value: &Value, lang: Lang, revealed: bool) -> String {
        let text = match value {
            Value::Null => return "-".into(),
            Value::String(s) if s.is_empty() => return "-".into(),
            Value::String(s) => s.clone(),
            Value::Bool(b) => {
                return lang
                    .pick(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
                    .into();
            }
            other => other.to_string(),
        };
        if let Some(p) = self.personal
            && !revealed
        {
            return super::mask::mask(p, &text, lang);
        }
        match self.kind {
            Kind::Choice(label) => label(&text, lang),
            Kind::Number { unit } => format!("{text} {}", lang.pick(unit.0, unit.1)),
            Kind::Instant => value
                .as_i64()
                .map(|ms| clock::china_time(ms, "%Y-%m-%d %H:%M"))
                .unwrap_or(text),
            Kind::Multi { .. } => text.replace('\n', " / "),
            // Another record: the end of its id (the whole is on that record's first line).
            Kind::Reference(_) => super::ids::RecordId::parse(&text)
                .map(|id| format!("..{}", id.tail()))
                .unwrap_or(text),
            _ => text,
        }
    }
}

const fn f(
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    kind: Kind,
    required: bool,
) -> FieldDef {
    FieldDef {
        name,
        zh,
        en,
        kind,
        required,
        personal: None,
    }
}

const fn personal(
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    kind: Kind,
    required: bool,
    p: Personal,
) -> FieldDef {
    FieldDef {
        name,
        zh,
        en,
        kind,
        required,
        personal: Some(p),
    }
}

const LINE: Kind = Kind::Text { max: 200 };
const NOTE: Kind = Kind::Text { max: 500 };

fn choice<T: super::codes::Labelled>(code: &str, lang: Lang) -> String {
    label_of::<T>(code, lang)
}

/// The identity and version fields every record carries (bookkeeping, shown in a record's first line).
pub const META: [&str; 9] = [
    "id",
    "origin",
    "vv",
    "version",
    "created_at",
    "updated_at",
    "updated_by",
    "deleted",
    "region_code",
];

#[rustfmt::skip]
const PLACE: &[FieldDef] = &[
    f("name", "名称", "name", Kind::Text { max: 100 }, true),
    f("address", "地址", "address", LINE, true),
    f("kind", "场所类型", "kind of place", Kind::Choice(choice::<PlaceKind>), true),
    f("lat", "纬度", "latitude", Kind::Coordinate, false),
    f("lon", "经度", "longitude", Kind::Coordinate, false),
    personal("owner_name", "户主/业主", "owner", Kind::Text { max: 50 }, false, Personal::Name),
    personal("owner_phone", "户主电话", "owner's phone", Kind::Text { max: 20 }, false, Personal::Phone),
    f("floors", "层数", "storeys", Kind::Count, false),
    f("structure", "结构", "structure", Kind::Choice(choice::<Structure>), false),
    f("year_built", "建成年份", "year built", Kind::Count, false),
    f("use_type", "用途", "use", Kind::Choice(choice::<Use>), false),
    f("business_type", "经营类型", "business", Kind::Text { max: 50 }, false),
    f("occupancy", "居住/经营人数", "people using it", Kind::Count, false),
];

#[rustfmt::skip]
const INSPECTION: &[FieldDef] = &[
    f("category", "检查类别", "category", Kind::Choice(choice::<Category>), true),
    f("subject", "检查对象", "subject", Kind::Choice(choice::<Subject>), true),
    f("inspected_on", "检查日期", "inspected on", Kind::Date, true),
    f("inspector", "检查人", "inspector", Kind::Text { max: 50 }, true),
    f("verdict", "初判", "verdict", Kind::Choice(choice::<Verdict>), false),
    f("failed_count", "不合格项数", "failed items", Kind::Count, true),
    f("note", "备注", "note", NOTE, false),
    f("place_id", "场所", "place", Kind::Reference(Family::Place), true),
    f("results", "检查结果", "results", Kind::Internal, true),
];

#[rustfmt::skip]
const HAZARD: &[FieldDef] = &[
    f("status", "状态", "status", Kind::Choice(choice::<HazardStatus>), true),
    f("description", "问题", "problem", NOTE, true),
    f("category", "类别", "category", Kind::Choice(choice::<Category>), true),
    f("grade", "等级", "grade", Kind::Choice(choice::<Grade>), true),
    personal("responsible", "整改责任人", "responsible party", Kind::Text { max: 100 }, false, Personal::Name),
    f("notice_no", "整改通知书号", "notice no.", Kind::Text { max: 50 }, false),
    f("found_on", "发现日期", "found on", Kind::Date, true),
    f("deadline", "整改期限", "deadline", Kind::Date, true),
    f("original_deadline", "原定期限", "original deadline", Kind::Date, true),
    f("extensions", "延期次数", "extensions", Kind::Count, true),
    f("rectified_on", "整改完成", "rectified on", Kind::Date, false),
    f("closed_on", "销号日期", "closed on", Kind::Date, false),
    f("item_code", "检查项", "checklist item", Kind::Text { max: 10 }, false),
    f("place_id", "场所", "place", Kind::Reference(Family::Place), false),
    f("inspection_id", "来自检查", "from inspection", Kind::Reference(Family::Inspection), false),
    f("finding_id", "来自巡查发现", "from finding", Kind::Reference(Family::Finding), false),
];

#[rustfmt::skip]
const PATROL: &[FieldDef] = &[
    f("worker", "巡查人", "patrolled by", Kind::Text { max: 50 }, true),
    f("route", "巡查路线", "route", Kind::Text { max: 100 }, true),
    f("zone", "区域", "zone", Kind::Choice(choice::<Zone>), true),
    f("started_at", "开始", "started", Kind::Instant, true),
    f("ended_at", "结束", "ended", Kind::Instant, false),
    f("distance_km", "里程", "distance", Kind::Number { unit: ("公里", "km"), }, false),
    f("weather", "天气", "weather", Kind::Text { max: 50 }, false),
    f("status", "状态", "status", Kind::Choice(choice::<PatrolStatus>), true),
    f("nothing_found", "未发现问题", "nothing found", Kind::Flag, true),
    f("note", "备注", "note", NOTE, false),
];

#[rustfmt::skip]
const FINDING: &[FieldDef] = &[
    f("status", "状态", "status", Kind::Choice(choice::<FindingStatus>), true),
    f("code", "问题类别", "kind", Kind::Choice(choice::<FindingCode>), true),
    f("description", "问题", "finding", NOTE, true),
    f("location", "位置", "location", LINE, true),
    f("zone", "区域", "zone", Kind::Choice(choice::<Zone>), true),
    f("found_on", "发现日期", "found on", Kind::Date, true),
    f("department", "移交部门", "department", Kind::Choice(choice::<Department>), false),
    f("referred_on", "移交日期", "referred on", Kind::Date, false),
    f("deadline", "处置期限", "deadline", Kind::Date, false),
    f("handled_on", "处置日期", "handled on", Kind::Date, false),
    f("verified_on", "核查日期", "verified on", Kind::Date, false),
    f("on_site_action", "现场处置", "action on site", NOTE, false),
    f("crop", "受损作物", "crop", Kind::Text { max: 50 }, false),
    f("area_mu", "受损面积", "area", Kind::Number { unit: ("亩", "mu") }, false),
    f("loss_yuan", "估计损失", "estimated loss", Kind::Number { unit: ("元", "yuan"), }, false),
    f("lat", "纬度", "latitude", Kind::Coordinate, false),
    f("lon", "经度", "longitude", Kind::Coordinate, false),
    f("patrol_id", "巡查", "patrol", Kind::Reference(Family::Patrol), false),
];

#[rustfmt::skip]
const PETITION: &[FieldDef] = &[
    f("case_no", "案号", "case no.", Kind::Text { max: 30 }, true),
    f("status", "状态", "status", Kind::Choice(choice::<PetitionStatus>), true),
    personal("petitioner_name", "信访人姓名", "petitioner name", Kind::Text { max: 50 }, true, Personal::Name),
    personal("id_number", "证件号", "ID number", Kind::Text { max: 18 }, false, Personal::IdNumber),
    personal("phone", "电话", "phone", Kind::Text { max: 20 }, false, Personal::Phone),
    personal("address", "住址", "address", LINE, false, Personal::Address),
    f("people", "人数", "people", Kind::Count, true),
    f("summary", "反映问题", "summary", Kind::Text { max: 100 }, true),
    f("content", "具体内容", "content", Kind::Multi { max: 5000 }, true),
    f("category", "类别", "category", Kind::Choice(choice::<PetitionCategory>), true),
    f("track", "办理途径", "track", Kind::Choice(choice::<Track>), true),
    f("channel", "信访形式", "channel", Kind::Choice(choice::<Channel>), true),
    f("unit", "责任单位", "responsible unit", Kind::Text { max: 100 }, false),
    f("received_on", "登记日期", "received on", Kind::Date, true),
    f("accept_due", "受理告知期限", "acceptance due", Kind::Date, true),
    f("accepted_on", "受理日期", "accepted on", Kind::Date, false),
    f("handle_due", "办理期限（60日）", "handling due (60 d)", Kind::Date, false),
    f("extended_days", "延期天数", "days extended", Kind::Count, false),
    f("extended_due", "延期后期限", "extended to", Kind::Date, false),
    f("replied_on", "答复日期", "replied on", Kind::Date, false),
    f("outcome", "办理结果", "outcome", Kind::Choice(choice::<Outcome>), false),
    f("closed_on", "办结日期", "closed on", Kind::Date, false),
    f("satisfaction", "评价", "evaluation", Kind::Choice(choice::<Satisfaction>), false),
    f("review_requested_on", "申请复查日期", "review requested on", Kind::Date, false),
    f("review_due", "复查意见期限", "review due", Kind::Date, false),
    f("reviewed_on", "复查意见日期", "reviewed on", Kind::Date, false),
    f("reexam_requested_on", "申请复核日期", "re-examination requested on", Kind::Date, false),
    f("reexam_due", "复核意见期限", "re-examination due", Kind::Date, false),
    f("reexamined_on", "复核意见日期", "re-examined on", Kind::Date, false),
    f("finalized_on", "终结日期", "finalized on", Kind::Date, false),
    f("office_due", "当前期限", "due now", Kind::Date, false),
    f("repeat_of", "重复信访", "repeats", Kind::Reference(Family::Petition), false),
    f("person_key", "信访人标识", "person key", Kind::Internal, false),
];

#[rustfmt::skip]
const ASSIGNMENT: &[FieldDef] = &[
    f("target_family", "交办对象类别", "assigned record's family", Kind::Internal, true),
    f("target_id", "交办对象", "assigned record", Kind::Internal, true),
    f("assigned_by", "交办人", "assigned by", Kind::Text { max: 50 }, true),
    f("assigned_on", "交办日期", "assigned on", Kind::Date, true),
    f("deadline", "交办期限", "deadline", Kind::Date, true),
    f("note", "交办要求", "what to do", NOTE, true),
    f("status", "状态", "status", Kind::Internal, true),
    f("reply", "办理情况", "reply", NOTE, false),
    f("done_on", "办结日期", "done on", Kind::Date, false),
];

/// A family's fields, in the order a detail view shows them.
pub fn of(family: Family) -> &'static [FieldDef] {
    match family {
        Family::Place => PLACE,
        Family::Inspection => INSPECTION,
        Family::Hazard => HAZARD,
        Family::Patrol => PATROL,
        Family::Finding => FINDING,
        Family::Petition => PETITION,
        Family::Assignment => ASSIGNMENT,
    }
}

/// A family's field by name.
pub fn find(family: Family, name: &str) -> Option<&'static FieldDef> {
    of(family).iter().find(|d| d.name == name)
}

/// Fields of forms that are no record's: the worker at the keyboard, a date asked for, a region's name.
const FORM_ONLY: &[(&str, &str, &str)] = &[
    ("worker", "网格员", "worker"),
    ("date", "日期", "date"),
    ("region_name", "区划名称", "region name"),
];

/// The label of a field of `family`, or of any family when the family is not known (a validation message
/// names its field only); the name itself when no table holds it.
pub fn label(family: Option<Family>, name: &str, lang: Lang) -> String {
    if family.is_none()
        && let Some((_, zh, en)) = FORM_ONLY.iter().find(|(n, ..)| *n == name)
    {
        return lang.pick(zh, en).to_owned();
    }
    let def = match family {
        Some(f) => find(f, name),
        None => Family::ALL.iter().find_map(|f| find(*f, name)),
    };
    def.map_or_else(|| name.to_owned(), |d| d.label(lang).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::RecordId;
    use crate::domain::record::{Meta, Record};

    /// Every key of a record's JSON form is a field of its table or an identity field, and every field of the
    /// table is a key: nothing is stored without a label, nothing labelled is not stored.
    fn covers<R: Record>(rec: &R) {
        let map = match serde_json::to_value(rec).unwrap() {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let family = R::FAMILY;
        for key in map.keys() {
            assert!(
                META.contains(&key.as_str()) || find(family, key).is_some(),
                "{family:?}.{key} has no row in the field table"
            );
        }
        for d in of(family) {
            assert!(
                map.contains_key(d.name),
                "{family:?}.{} is not stored",
                d.name
            );
        }
    }

    #[test]
    fn every_stored_field_of_every_family_has_a_row() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let meta = || Meta::sample(1);
        covers(&crate::domain::place::Place {
            meta: meta(),
            name: "x".into(),
            address: "x".into(),
            kind: PlaceKind::Household,
            lat: None,
            lon: None,
            owner_name: None,
            owner_phone: None,
            floors: None,
            structure: None,
            year_built: None,
            use_type: None,
            business_type: None,
            occupancy: None,
        });
        covers(&crate::domain::hazard::Hazard {
            meta: meta(),
            inspection_id: None,
            item_code: None,
            finding_id: None,
            place_id: None,
            category: Category::Gas,
            grade: Grade::General,
            description: "x".into(),
            responsible: None,
            notice_no: None,
            found_on: today,
            deadline: today,
            original_deadline: today,
            extensions: 0,
            status: HazardStatus::Found,
            rectified_on: None,
            closed_on: None,
        });
        covers(&crate::domain::petition::Petition::new(meta(), today));
        covers(&crate::domain::patrol::Patrol {
            meta: meta(),
            worker: "x".into(),
            route: "x".into(),
            zone: Zone::General,
            started_at: 0,
            ended_at: None,
            distance_km: None,
            weather: None,
            status: PatrolStatus::Open,
            nothing_found: false,
            note: None,
        });
        covers(&crate::domain::patrol::Finding {
            meta: meta(),
            patrol_id: None,
            code: FindingCode::Q7,
            description: "x".into(),
            location: "x".into(),
            lat: None,
            lon: None,
            found_on: today,
            zone: Zone::General,
            on_site_action: None,
            crop: None,
            area_mu: None,
            loss_yuan: None,
            department: None,
            referred_on: None,
            deadline: None,
            handled_on: None,
            verified_on: None,
            status: FindingStatus::Reported,
        });
        covers(&crate::domain::inspection::Inspection {
            meta: meta(),
            place_id: RecordId::sample(2),
            category: Category::Gas,
            subject: Subject::Resident,
            inspected_on: today,
            inspector: "x".into(),
            verdict: None,
            failed_count: 0,
            note: None,
            results: Vec::new(),
        });
        covers(&crate::domain::assignment::Assignment {
            meta: meta(),
            target_family: Family::Hazard,
            target_id: RecordId::sample(3),
            assigned_by: "x".into(),
            assigned_on: today,
            deadline: today,
            note: "x".into(),
            status: crate::domain::assignment::AssignmentStatus::Open,
            reply: None,
            done_on: None,
        });
    }

    #[test]
    fn values_are_shown_by_kind_and_personal_data_masked() {
        let d = find(Family::Petition, "phone").unwrap();
        assert_eq!(
            d.show(&Value::from("13812345678"), Lang::Zh, false),
            "****5678"
        );
        assert_eq!(
            d.show(&Value::from("13812345678"), Lang::Zh, true),
            "13812345678"
        );
        let d = find(Family::Hazard, "status").unwrap();
        assert_eq!(
            d.show(&Value::from("rectifying"), Lang::Zh, false),
            "整改中"
        );
        let d = find(Family::Finding, "area_mu").unwrap();
        assert_eq!(d.show(&Value::from(2.5), Lang::En, false), "2.5 mu");
        assert_eq!(d.show(&Value::Null, Lang::En, false), "-");
        assert_eq!(label(None, "petitioner_name", Lang::En), "petitioner name");
        assert_eq!(label(None, "mystery", Lang::En), "mystery");
    }
}
