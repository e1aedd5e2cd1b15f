//! New-record forms: a petition's registration, a patrol's start and its findings, an inspection's place and
//! category (its checklist follows in `checklist`). Each turns its fields into a domain record and saves it
//! through the store's one write path.

use super::field_key::FieldKey as Fk;
use chrono::NaiveDate;

use super::checks::Check;
use super::prompt::{Field, Prompt};
use crate::domain::category::Category;
use crate::domain::ids::{RecordId, RegionCode};
use crate::domain::inspection::Subject;
use crate::domain::patrol::{Finding, FindingCode, FindingStatus, Patrol, PatrolStatus, Zone};
use crate::domain::petition::{Channel, PetitionCategory, Track};
use crate::domain::place::{Place, PlaceKind, Structure, Use};
use crate::domain::record::Family::{
    Finding as Fi, Inspection as In, Patrol as Pa, Petition as Pe, Place as Pl,
};
use crate::domain::record::{Family, Meta};
use crate::domain::{Lang, Localized};
use crate::store::WriteCtx;

/// Which form is open.
#[derive(Debug, Clone)]
pub enum FormKind {
    Petition {
        confirmed_repeat: bool,
    },
    /// An inspection's place and category; holds its checklist while the worker is back here from it, so
    /// that every answer is kept.
    Inspection(Option<Box<super::checklist::Checklist>>),
    Patrol,
    Finding {
        patrol_id: RecordId,
    },
    ClosePatrol {
        patrol_id: RecordId,
        version: u64,
    },
    /// An edit of the record shown in the detail view below the form.
    Edit,
    /// The filter of the list on this tab (index into `App::lists`).
    Filter {
        list: usize,
    },
    /// The 同步 tab's export (folder, destination) and import (file or folder).
    Export,
    Import,
    /// Registering the county card.
    Card,
    /// A village or grid under `parent`, from the 区划 screen.
    AddRegion {
        parent: crate::domain::ids::RegionCode,
    },
    /// A new name for a village or grid, from the 区划 screen.
    RenameRegion {
        code: crate::domain::ids::RegionCode,
    },
    /// A conflict's resolution or a held record's discard, with its note.
    Decide(super::sync::Decision),
}

pub(super) fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_owned(), label(*v).to_owned()))
        .collect()
}

/// Every value of a coded enum as a choice: (code, label).
pub(super) fn coded<T: crate::domain::codes::Labelled>(lang: Lang) -> Vec<(String, String)> {
    choices(T::every(), |c| c.code_of(), |c| c.label(lang))
}

/// The region a form's choice names (its values are canonical codes).
fn region(p: &Prompt, lang: Lang) -> Result<RegionCode, String> {
    RegionCode::parse(&p.get(Fk::Region)).map_err(|e| e.message(lang))
}

pub fn region_choices(regions: &[(String, String)]) -> Vec<(String, String)> {
    regions.to_vec()
}

pub fn petition(lang: Lang, today: NaiveDate, regions: &[(String, String)]) -> Prompt {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    Prompt::new(
        t("登记信访", "Register a petition"),
        vec![
            Field::choice(
                Fk::Channel,
                lbl(Pe, "channel", lang, None),
                choices(Channel::ALL, |c| c.code(), |c| c.label(lang)),
            ),
            Field::choice(
                Fk::Track,
                lbl(Pe, "track", lang, None),
                choices(Track::ALL, |c| c.code(), |c| c.label(lang)),
            ),
            Field::choice(
                Fk::Category,
                lbl(Pe, "category", lang, None),
                choices(PetitionCategory::ALL, |c| c.code(), |c| c.label(lang)),
            ),
            Field::choice(
                Fk::Region,
                t("登记单位/村", "registered at"),
                region_choices(regions),
            ),
            Field::text(Fk::Name, lbl(Pe, "petitioner_name", lang, None), true).limit(50),
            Field::text(Fk::IdNumber, lbl(Pe, "id_number", lang, None), false)
                .check(Check::IdNumber)
                .limit(18),
            Field::text(Fk::Phone, lbl(Pe, "phone", lang, None), false)
                .check(Check::Phone)
                .limit(20),
            Field::text(Fk::Address, lbl(Pe, "address", lang, None), false),
            Field::number(Fk::People, lbl(Pe, "people", lang, None), 1)
                .check(Check::Whole { min: 1 }),
            Field::text(Fk::Summary, lbl(Pe, "summary", lang, None), true).limit(100),
            Field::multi(Fk::Content, lbl(Pe, "content", lang, None), true, ""),
            Field::date(
                Fk::Received,
                lbl(Pe, "received_on", lang, None),
                Some(today),
            ),
        ],
    )
}

/// A petition from the form (validated by the domain when saved).
pub fn petition_record(
    p: &Prompt,
    ctx: &WriteCtx,
    received: NaiveDate,
    lang: Lang,
) -> Result<crate::domain::petition::Petition, String> {
    let people: u32 = p
        .get(Fk::People)
        .trim()
        .parse()
        .map_err(|_| "人数应为数字 / people must be a number".to_owned())?;
    Ok(crate::domain::petition::Petition {
        channel: p.choice(Fk::Channel).unwrap_or(Channel::Visit),
        track: p.choice(Fk::Track).unwrap_or(Track::Claim),
        category: p.choice(Fk::Category).unwrap_or(PetitionCategory::Other),
        petitioner_name: p.get(Fk::Name),
        id_number: p.opt(Fk::IdNumber),
        phone: p.opt(Fk::Phone),
        address: p.opt(Fk::Address),
        people,
        summary: p.get(Fk::Summary),
        content: p.get(Fk::Content),
        ..crate::domain::petition::Petition::new(
            Meta::new(
                crate::store::records::new_id(ctx),
                &ctx.device,
                ctx.now_ms(),
                &region(p, lang)?,
            ),
            received,
        )
    })
}

pub fn inspection(lang: Lang, today: NaiveDate, regions: &[(String, String)]) -> Prompt {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    Prompt::new(
        t("新建检查：场所和类别", "New inspection: place and category"),
        vec![
            Field::choice(
                Fk::Category,
                lbl(In, "category", lang, None),
                choices(Category::INSPECTED, |c| c.code(), |c| c.label(lang)),
            ),
            Field::choice(
                Fk::Subject,
                lbl(In, "subject", lang, None),
                choices(Subject::ALL, |c| c.code(), |c| c.label(lang)),
            ),
            Field::choice(Fk::Region, t("网格", "grid"), region_choices(regions)),
            Field::text(Fk::Place, lbl(Pl, "name", lang, None), true).limit(100),
            Field::text(Fk::Address, lbl(Pl, "address", lang, None), true),
            Field::choice(
                Fk::Kind,
                lbl(Pl, "kind", lang, None),
                choices(PlaceKind::ALL, |c| c.code(), |c| c.label(lang)),
            ),
            Field::text(Fk::Owner, lbl(Pl, "owner_name", lang, None), false).limit(50),
            Field::text(Fk::Phone, lbl(Pl, "owner_phone", lang, None), false)
                .check(Check::Phone)
                .limit(20),
            Field::text(
                Fk::Floors,
                lbl(Pl, "floors", lang, Some(("房屋", "building"))),
                false,
            )
            .check(Check::Whole { min: 1 })
            .limit(3),
            Field::text(Fk::Year, lbl(Pl, "year_built", lang, None), false)
                .check(Check::Year)
                .limit(4),
            Field::choice(
                Fk::Structure,
                lbl(Pl, "structure", lang, None),
                optional(
                    choices(Structure::ALL, |c| c.code(), |c| c.label(lang)),
                    lang,
                ),
            ),
            Field::choice(
                Fk::Use,
                lbl(Pl, "use_type", lang, None),
                optional(choices(Use::ALL, |c| c.code(), |c| c.label(lang)), lang),
            ),
            Field::text(Fk::Occupancy, lbl(Pl, "occupancy", lang, None), false)
                .check(Check::Whole { min: 0 })
                .limit(6),
            Field::date(Fk::Date, lbl(In, "inspected_on", lang, None), Some(today)),
        ],
    )
}

/// A record field's label from the field table (with its unit), so that a form says what the detail view,
/// the ledger and search say; `hint` adds what helps while typing: 纬度（可空）.
fn lbl(family: Family, name: &str, lang: Lang, hint: Option<(&str, &str)>) -> String {
    let base = crate::domain::fields::find(family, name)
        .map_or_else(|| name.to_owned(), |d| d.heading(lang));
    match (hint, lang) {
        (Some((zh, _)), Lang::Zh) => format!("{base}（{zh}）"),
        (Some((_, en)), Lang::En) => format!("{base} ({en})"),
        (None, _) => base,
    }
}

/// A choice list with "not given" first.
fn optional(mut opts: Vec<(String, String)>, lang: Lang) -> Vec<(String, String)> {
    opts.insert(
        0,
        (String::new(), lang.pick("未填", "not given").to_owned()),
    );
    opts
}

/// An optional number typed in a field; a typo is refused with the field's name.
fn number<T: std::str::FromStr>(p: &Prompt, key: Fk, lang: Lang) -> Result<Option<T>, String> {
    let v = p.get(key);
    if v.trim().is_empty() {
        return Ok(None);
    }
    let label = p
        .fields
        .iter()
        .find(|f| f.key == key)
        .map(|f| f.label.clone())
        .unwrap_or_default();
    v.trim().parse().map(Some).map_err(|_| match lang {
        Lang::Zh => format!("「{label}」应为数字"),
        Lang::En => format!("'{label}' must be a number"),
    })
}

pub fn place_record(p: &Prompt, ctx: &WriteCtx, lang: Lang) -> Result<Place, String> {
    Ok(Place {
        meta: Meta::new(
            crate::store::records::new_id(ctx),
            &ctx.device,
            ctx.now_ms(),
            &region(p, lang)?,
        ),
        name: p.get(Fk::Place),
        address: p.get(Fk::Address),
        kind: p.choice(Fk::Kind).unwrap_or(PlaceKind::Other),
        lat: None,
        lon: None,
        owner_name: p.opt(Fk::Owner),
        owner_phone: p.opt(Fk::Phone),
        floors: number(p, Fk::Floors, lang)?,
        structure: p.choice(Fk::Structure),
        year_built: number(p, Fk::Year, lang)?,
        use_type: p.choice(Fk::Use),
        business_type: None,
        occupancy: number(p, Fk::Occupancy, lang)?,
    })
}

pub fn patrol(lang: Lang, regions: &[(String, String)]) -> Prompt {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    Prompt::new(
        t("开始巡查", "Start a patrol"),
        vec![
            Field::text(
                Fk::Route,
                lbl(Pa, "route", lang, Some(("或路段", "or section"))),
                true,
            )
            .limit(100),
            Field::choice(
                Fk::Zone,
                lbl(Pa, "zone", lang, None),
                choices(Zone::ALL, |c| c.code(), |c| c.label(lang)),
            ),
            Field::choice(Fk::Region, t("网格", "grid"), region_choices(regions)),
            Field::text(Fk::Weather, lbl(Pa, "weather", lang, None), false).limit(50),
        ],
    )
}

pub fn patrol_record(p: &Prompt, ctx: &WriteCtx, lang: Lang) -> Result<Patrol, String> {
    Ok(Patrol {
        meta: Meta::new(
            crate::store::records::new_id(ctx),
            &ctx.device,
            ctx.now_ms(),
            &region(p, lang)?,
        ),
        worker: ctx.actor.clone(),
        route: p.get(Fk::Route),
        zone: p.choice(Fk::Zone).unwrap_or(Zone::General),
        started_at: ctx.now_ms(),
        ended_at: None,
        distance_km: None,
        weather: p.opt(Fk::Weather),
        status: PatrolStatus::Open,
        nothing_found: false,
        note: None,
    })
}

/// A finding's form; its zone starts as the patrol's.
pub fn finding(lang: Lang, today: NaiveDate, zone: Zone) -> Prompt {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    Prompt::new(
        t("上报巡查发现", "Report a finding"),
        vec![
            Field::choice(
                Fk::Code,
                lbl(Fi, "code", lang, None),
                choices(FindingCode::ALL, |c| c.code(), |c| c.label(lang)),
            ),
            Field::note(
                Fk::Description,
                lbl(Fi, "description", lang, None),
                true,
                "",
            ),
            Field::text(Fk::Location, lbl(Fi, "location", lang, None), true),
            Field::chosen(
                Fk::Zone,
                lbl(Fi, "zone", lang, None),
                choices(Zone::ALL, |c| c.code(), |c| c.label(lang)),
                zone.code(),
            ),
            Field::note(
                Fk::Action,
                lbl(
                    Fi,
                    "on_site_action",
                    lang,
                    Some(("劝阻/制止", "warned, stopped")),
                ),
                false,
                "",
            ),
            Field::text(
                Fk::Lat,
                lbl(Fi, "lat", lang, Some(("可空", "optional"))),
                false,
            )
            .check(Check::Latitude)
            .limit(12),
            Field::text(
                Fk::Lon,
                lbl(Fi, "lon", lang, Some(("可空", "optional"))),
                false,
            )
            .check(Check::Longitude)
            .limit(12),
            Field::text(
                Fk::Crop,
                lbl(Fi, "crop", lang, Some(("野猪致害", "wild boar"))),
                false,
            )
            .limit(50),
            Field::text(Fk::Area, lbl(Fi, "area_mu", lang, None), false)
                .check(Check::Amount)
                .limit(10),
            Field::text(Fk::Loss, lbl(Fi, "loss_yuan", lang, None), false)
                .check(Check::Amount)
                .limit(12),
            Field::date(Fk::Date, lbl(Fi, "found_on", lang, None), Some(today)),
        ],
    )
}

pub fn finding_record(
    p: &Prompt,
    ctx: &WriteCtx,
    patrol_id: &RecordId,
    found_on: NaiveDate,
    lang: Lang,
) -> Result<Finding, String> {
    Ok(Finding {
        meta: Meta::new(
            crate::store::records::new_id(ctx),
            &ctx.device,
            ctx.now_ms(),
            &ctx.region,
        ),
        patrol_id: Some(patrol_id.clone()),
        code: p.choice(Fk::Code).unwrap_or(FindingCode::Q7),
        description: p.get(Fk::Description),
        location: p.get(Fk::Location),
        lat: number(p, Fk::Lat, lang)?,
        lon: number(p, Fk::Lon, lang)?,
        found_on,
        zone: p.choice(Fk::Zone).unwrap_or(Zone::General),
        on_site_action: p.opt(Fk::Action),
        crop: p.opt(Fk::Crop),
        area_mu: number(p, Fk::Area, lang)?,
        loss_yuan: number(p, Fk::Loss, lang)?,
        department: None,
        referred_on: None,
        deadline: None,
        handled_on: None,
        verified_on: None,
        status: FindingStatus::Reported,
    })
}

pub fn close_patrol(lang: Lang) -> Prompt {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    Prompt::new(
        t(
            "结束巡查（没有发现即记为未发现问题）",
            "Finish the patrol (no findings = nothing found)",
        ),
        vec![
            Field::text(Fk::Km, lbl(Pa, "distance_km", lang, None), false)
                .check(Check::Amount)
                .limit(8),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new record's form names each field as the field table does (the detail view, ledger and search).
    #[test]
    fn record_forms_name_fields_as_the_detail_view_does() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        for lang in [Lang::Zh, Lang::En] {
            let forms = [
                (
                    petition(lang, today, &[]),
                    Pe,
                    &[
                        "channel",
                        "track",
                        "category",
                        "petitioner_name",
                        "id_number",
                    ][..],
                ),
                (
                    petition(lang, today, &[]),
                    Pe,
                    &[
                        "phone",
                        "address",
                        "people",
                        "summary",
                        "content",
                        "received_on",
                    ],
                ),
                (
                    inspection(lang, today, &[]),
                    Pl,
                    &[
                        "name",
                        "address",
                        "kind",
                        "owner_name",
                        "owner_phone",
                        "occupancy",
                    ],
                ),
                (
                    inspection(lang, today, &[]),
                    In,
                    &["category", "subject", "inspected_on"],
                ),
                (
                    finding(lang, today, Zone::General),
                    Fi,
                    &[
                        "code",
                        "description",
                        "location",
                        "zone",
                        "found_on",
                        "area_mu",
                    ],
                ),
                (patrol(lang, &[]), Pa, &["zone", "weather"]),
            ];
            for (form, family, names) in forms {
                let labels: Vec<&str> = form.fields.iter().map(|f| f.label.as_str()).collect();
                for name in names {
                    let want = crate::domain::fields::find(family, name)
                        .unwrap()
                        .heading(lang);
                    assert!(
                        labels.contains(&want.as_str()),
                        "{family:?}.{name}: {want} not in {labels:?}"
                    );
                }
            }
        }
    }
}
