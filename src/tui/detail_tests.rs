//! The detail view's own tests: scrolling, links and what it offers.
use super::*;
use crate::domain::category::{Category, Grade};
use crate::domain::hazard::HazardStatus;
use crate::domain::ids::RecordId;
use crate::domain::inspection::{ItemOutcome, ItemResult, Subject, Verdict};
use crate::domain::patrol::{Department, FindingCode, FindingStatus, Patrol, PatrolStatus, Zone};
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
        drawn: Default::default(),
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
