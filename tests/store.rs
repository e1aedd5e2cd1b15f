//! The store end to end: every lifecycle path, stale writes, tombstones, version vectors, migrations,
//! reopening, the audit/journal/timeline rows of each mutation, jurisdiction, and `check` finding tampering.

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use std::sync::Arc;
use wangge::domain::category::{Category, Grade};
use wangge::domain::clock::FixedClock;
use wangge::domain::clock::china_date;
use wangge::domain::hazard::{Hazard, HazardAction, HazardStatus};
use wangge::domain::inspection::{Inspection, ItemOutcome, ItemResult, Subject};
use wangge::domain::patrol::{
    Department, Finding, FindingAction, FindingCode, FindingStatus, Patrol, PatrolStatus, Zone,
};
use wangge::domain::petition::*;
use wangge::domain::place::{Place, PlaceKind};
use wangge::domain::record::{Family, Meta, Record};
use wangge::domain::{Lang, Localized};
use wangge::store::check::Severity;
use wangge::store::{
    OpenMode, Store, StoreError, WriteCtx, check, device, hazards, holidays, inspections, patrols,
    petitions, places, records,
};

fn ctx(env: &Env) -> WriteCtx {
    let d = device::get(env.store.conn()).unwrap();
    WriteCtx {
        device: d.id,
        actor: d.worker,
        region: d.region,
        now: env.store.now(),
    }
}

fn place(env: &mut Env, region: &str) -> Place {
    let c = ctx(env);
    let p = Place {
        meta: Meta::new(records::new_id(&c), &c.device, c.now_ms(), &code(region)),
        name: "江神庙巷 4 号".into(),
        address: "兴州街道江神庙巷 4 号".into(),
        kind: PlaceKind::Household,
        lat: Some(33.33),
        lon: Some(106.15),
        owner_name: Some("王秀英".into()),
        owner_phone: Some("138 1234 5678".into()),
        floors: None,
        structure: None,
        year_built: None,
        use_type: None,
        business_type: None,
        occupancy: None,
    };
    env.store.write(|tx, c| places::create(tx, c, p)).unwrap()
}

fn gas_inspection(env: &mut Env, place: &Place, failed: &[&str]) -> inspections::Recorded {
    let c = ctx(env);
    let items = inspections::checklist(env.store.conn(), Category::Gas).unwrap();
    let results = items
        .iter()
        .map(|i| ItemOutcome {
            item_code: i.code.clone(),
            result: if failed.contains(&i.code.as_str()) {
                ItemResult::Fail
            } else {
                ItemResult::Pass
            },
            note: failed
                .contains(&i.code.as_str())
                .then(|| "橡胶管已老化开裂".to_owned()),
        })
        .collect();
    let insp = Inspection {
        meta: Meta::new(
            records::new_id(&c),
            &c.device,
            c.now_ms(),
            &place.meta.region_code,
        ),
        place_id: place.meta.id.clone(),
        category: Category::Gas,
        subject: Subject::Resident,
        inspected_on: c.today(),
        inspector: "张伟".into(),
        verdict: None,
        failed_count: 0,
        note: None,
        results,
    };
    env.store
        .write(|tx, c| inspections::record(tx, c, insp, None, &items))
        .unwrap()
}

#[test]
fn a_gas_inspection_with_a_failed_item_opens_a_hazard_with_all_its_rows() {
    let mut env = township();
    let g = grid();
    let p = place(&mut env, &g);
    let audit_before = count(&env.store, "SELECT count(*) FROM audit");
    let journal_before = count(&env.store, "SELECT count(*) FROM journal");
    let done = gas_inspection(&mut env, &p, &["G2"]);
    assert_eq!(done.inspection.failed_count, 1);
    assert_eq!(done.hazards.len(), 1);
    let h = &done.hazards[0];
    assert_eq!(h.status, HazardStatus::Found);
    assert_eq!(h.grade, Grade::General);
    assert_eq!(
        h.deadline,
        NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(),
        "gas default is 30 days"
    );
    assert!(h.description.contains("橡胶管已老化开裂"));
    assert_eq!(h.meta.region_code, g);
    // Inspection + hazard: two records, two audit rows, two journal rows, two timeline events.
    assert_eq!(
        count(&env.store, "SELECT count(*) FROM audit") - audit_before,
        2
    );
    assert_eq!(
        count(&env.store, "SELECT count(*) FROM journal") - journal_before,
        2
    );
    assert_eq!(
        records::timeline(env.store.conn(), &h.meta.id)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM inspections i, json_each(i.results)"
        ),
        12
    );
    let back = inspections::get(env.store.conn(), &done.inspection.meta.id)
        .unwrap()
        .unwrap();
    assert_eq!(back.results, done.inspection.results);
    assert_eq!(back.meta.vv.total(), 1);
}

#[test]
fn hazard_walks_the_whole_loop_with_a_failed_review_and_an_extension() {
    let mut env = township();
    let p = place(&mut env, &grid());
    let h = gas_inspection(&mut env, &p, &["G3"]).hazards.remove(0);
    let id = h.meta.id.clone();
    let mut version = h.meta.version;
    let steps = [
        HazardAction::Assign {
            responsible: "王秀英".into(),
            notice_no: Some("整改〔2026〕12号".into()),
            note: "更换灶具".into(),
        },
        HazardAction::Rectify { note: None },
        HazardAction::Extend {
            new_deadline: NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
            note: "等待灶具到货".into(),
        },
        HazardAction::RequestReview { note: None },
        HazardAction::FailReview {
            note: "仍无熄火保护".into(),
            new_deadline: None,
        },
        HazardAction::RequestReview {
            note: Some("已更换".into()),
        },
        HazardAction::PassReview { note: None },
        HazardAction::Close {
            note: Some("销号".into()),
        },
    ];
    let mut last = h;
    for step in &steps {
        last = env
            .store
            .write(|tx, c| hazards::act(tx, c, &id, version, step))
            .unwrap();
        version = last.meta.version;
    }
    assert_eq!(last.status, HazardStatus::Closed);
    assert_eq!(last.extensions, 1);
    assert_eq!(last.deadline, NaiveDate::from_ymd_opt(2027, 1, 15).unwrap());
    assert_eq!(
        last.original_deadline,
        NaiveDate::from_ymd_opt(2026, 12, 28).unwrap()
    );
    assert_eq!(last.closed_on, Some(env.store.today()));
    assert_eq!(last.meta.version, 1 + steps.len() as u64);
    let events = records::timeline(env.store.conn(), &id).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "assign",
            "rectify",
            "extend",
            "request_review",
            "fail_review",
            "request_review",
            "pass_review",
            "close"
        ]
    );
    assert_eq!(events[4].actor, "张伟");
    let journal: i64 = env
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM journal WHERE record = (SELECT key FROM ids WHERE id = unhex(replace(?1, '-', '')))",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(journal, 9);
    // A closed hazard refuses every action, and says so.
    let err = env
        .store
        .write(|tx, c| hazards::act(tx, c, &id, version, &HazardAction::Rectify { note: None }))
        .unwrap_err();
    assert!(
        err.message(Lang::Zh).contains("已销号"),
        "{}",
        err.message(Lang::Zh)
    );
}

#[test]
fn an_illegal_move_is_refused_with_the_legal_ones_and_changes_nothing() {
    let mut env = township();
    let p = place(&mut env, &grid());
    let h = gas_inspection(&mut env, &p, &["G1"]).hazards.remove(0);
    let err = env
        .store
        .write(|tx, c| {
            hazards::act(
                tx,
                c,
                &h.meta.id,
                h.meta.version,
                &HazardAction::Close { note: None },
            )
        })
        .unwrap_err();
    let msg = err.message(Lang::Zh);
    assert!(
        msg.contains("不能「销号」") && msg.contains("交责任人") && msg.contains("延期"),
        "{msg}"
    );
    let now = hazards::get(env.store.conn(), &h.meta.id).unwrap();
    assert_eq!(now, h);
}

#[test]
fn a_stale_edit_is_refused_and_overwrites_nothing() {
    let mut env = township();
    let p = place(&mut env, &grid());
    let h = gas_inspection(&mut env, &p, &["G1"]).hazards.remove(0);
    let assign = HazardAction::Assign {
        responsible: "甲".into(),
        notice_no: None,
        note: "限期整改".into(),
    };
    let first = env
        .store
        .write(|tx, c| hazards::act(tx, c, &h.meta.id, h.meta.version, &assign))
        .unwrap();
    // A second worker still holds version 1.
    let mut edited = h.clone();
    edited.description = "别人的改动".into();
    let err = env
        .store
        .write(|tx, c| hazards::update(tx, c, &edited, None))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Stale {
                read: 1,
                now: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.message(Lang::Zh).contains("重新载入"));
    assert_eq!(hazards::get(env.store.conn(), &h.meta.id).unwrap(), first);
}

#[test]
fn delete_leaves_a_tombstone_that_still_travels() {
    let mut env = township();
    let p = place(&mut env, &grid());
    let done = gas_inspection(&mut env, &p, &[]);
    let id = done.inspection.meta.id.clone();
    let gone: Inspection = env
        .store
        .write(|tx, c| records::delete::<Inspection>(tx, c, &id, 1, "录入重复"))
        .unwrap();
    assert!(gone.meta.deleted);
    assert_eq!(gone.meta.version, 2);
    let row: Inspection = records::get(env.store.conn(), &id).unwrap().unwrap();
    assert!(row.meta.deleted);
    let last: (i64, String) = env
        .store
        .conn()
        .query_row(
            "SELECT j.version, i.id FROM journal j JOIN ids i ON i.key = j.record ORDER BY j.seq DESC LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    wangge::store::keys::spelled(r.get_ref(1)?).unwrap_or_default(),
                ))
            },
        )
        .unwrap();
    assert_eq!(last, (2, id.to_string()));
    // Deleted records leave the figures.
    let r = wangge::report::build(env.store.conn(), now(), "610727101000", None, None).unwrap();
    assert_eq!(r.inspections.total, 0);
    // And cannot be edited again.
    let err = env
        .store
        .write(|tx, c| records::delete::<Inspection>(tx, c, &id, 2, "x"))
        .unwrap_err();
    assert!(matches!(err, StoreError::NoRecord { .. }));
}

#[test]
fn version_vectors_count_each_device() {
    let mut env = township();
    let p = place(&mut env, &grid());
    let h = gas_inspection(&mut env, &p, &["G1"]).hazards.remove(0);
    let assign = HazardAction::Assign {
        responsible: "甲".into(),
        notice_no: None,
        note: "限期".into(),
    };
    let h2 = env
        .store
        .write(|tx, c| hazards::act(tx, c, &h.meta.id, 1, &assign))
        .unwrap();
    // The same record edited by another device (e.g. the county) counts under that device's id.
    let county_device = "0190a000-0000-7000-8000-0000000c0c0c";
    let county = WriteCtx {
        device: wangge::domain::ids::DeviceId::parse(county_device).unwrap(),
        actor: "县".into(),
        region: code("610727000000"),
        now: now(),
    };
    let h3 = env
        .store
        .write_as(&county, |tx, c| {
            hazards::act(tx, c, &h.meta.id, 2, &HazardAction::Rectify { note: None })
        })
        .unwrap();
    assert_eq!(h2.meta.vv.get(&h.meta.origin), 2);
    assert_eq!(h3.meta.vv.get(county_device), 1);
    assert_eq!(h3.meta.version, 3);
    assert_eq!(h3.meta.updated_by, county_device);
}

#[test]
fn writes_outside_the_jurisdiction_or_to_unknown_regions_are_refused() {
    let mut env = township();
    let c = ctx(&env);
    let mut p = place(&mut env, &grid());
    p.meta = Meta::new(
        records::new_id(&c),
        &c.device,
        c.now_ms(),
        &code("610727102000"),
    );
    let err = env
        .store
        .write(|tx, c| places::create(tx, c, p.clone()))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::OutsideJurisdiction { .. }),
        "{err:?}"
    );
    p.meta.region_code = code("610727101299001");
    let err = env
        .store
        .write(|tx, c| places::create(tx, c, p.clone()))
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownRegion(_)), "{err:?}");
}

#[test]
fn bad_fields_are_refused_with_a_chinese_sentence() {
    let mut env = township();
    let c = ctx(&env);
    let mut p = place(&mut env, &grid());
    p.meta = Meta::new(records::new_id(&c), &c.device, c.now_ms(), &grid());
    p.owner_phone = Some("12345".into());
    let err = env
        .store
        .write(|tx, c| places::create(tx, c, p.clone()))
        .unwrap_err();
    assert!(
        err.message(Lang::Zh).contains("电话"),
        "{}",
        err.message(Lang::Zh)
    );
    p.owner_phone = None;
    p.name = "   ".into();
    let err = env
        .store
        .write(|tx, c| places::create(tx, c, p.clone()))
        .unwrap_err();
    assert!(
        err.message(Lang::Zh).contains("名称"),
        "{}",
        err.message(Lang::Zh)
    );
}

fn patrol(env: &mut Env) -> Patrol {
    let c = ctx(env);
    let p = Patrol {
        meta: Meta::new(records::new_id(&c), &c.device, c.now_ms(), &grid()),
        worker: "张伟".into(),
        route: "石家坝至后山巡护线".into(),
        zone: Zone::Key,
        started_at: c.now_ms(),
        ended_at: None,
        distance_km: None,
        weather: Some("晴".into()),
        status: PatrolStatus::Open,
        nothing_found: false,
        note: None,
    };
    env.store.write(|tx, c| patrols::start(tx, c, p)).unwrap()
}

#[test]
fn a_patrol_without_findings_closes_as_nothing_found() {
    let mut env = township();
    let p = patrol(&mut env);
    let end = env.store.now() + Duration::hours(3);
    let closed = env
        .store
        .write(|tx, c| patrols::close(tx, c, &p.meta.id, 1, end.timestamp_millis(), Some(8.5)))
        .unwrap();
    assert!(closed.nothing_found);
    assert_eq!(closed.status, PatrolStatus::Closed);
    let err = env
        .store
        .write(|tx, c| patrols::close(tx, c, &p.meta.id, 2, end.timestamp_millis(), None))
        .unwrap_err();
    assert!(err.message(Lang::Zh).contains("已经结束"));
}

#[test]
fn a_finding_is_referred_handled_and_verified_and_can_be_overdue() {
    let mut env = township();
    let p = patrol(&mut env);
    let c = ctx(&env);
    let f = Finding {
        meta: Meta::new(
            records::new_id(&c),
            &c.device,
            c.now_ms(),
            &code("610727101000"),
        ),
        patrol_id: Some(p.meta.id.clone()),
        code: FindingCode::Q3,
        description: "河滩有人私自采砂".into(),
        location: "3 组河滩".into(),
        lat: None,
        lon: None,
        found_on: c.today(),
        zone: Zone::Key,
        on_site_action: Some("现场劝阻".into()),
        crop: None,
        area_mu: None,
        loss_yuan: None,
        department: None,
        referred_on: None,
        deadline: None,
        handled_on: None,
        verified_on: None,
        status: FindingStatus::Reported,
    };
    let (f, warning) = env.store.write(|tx, c| patrols::report(tx, c, f)).unwrap();
    assert!(warning.is_none());
    assert_eq!(f.meta.region_code, p.meta.region_code);
    let refer = FindingAction::Refer {
        department: Department::NaturalResources,
        deadline: None,
        note: None,
    };
    let f = env
        .store
        .write(|tx, c| patrols::act(tx, c, &f.meta.id, 1, &refer))
        .unwrap();
    assert_eq!(f.deadline, Some(c.today() + chrono::Days::new(15)));
    assert!(!f.is_overdue(c.today() + chrono::Days::new(15)));
    assert!(f.is_overdue(c.today() + chrono::Days::new(16)));
    // Sixteen days later the county report counts it overdue.
    let later = reopen(&env, now() + Duration::days(16));
    assert_eq!(
        wangge::store::report::findings(later.conn(), china_date(now() + Duration::days(16)))
            .unwrap()
            .overdue,
        1
    );
    drop(later);
    let f = env
        .store
        .write(|tx, c| {
            patrols::act(
                tx,
                c,
                &f.meta.id,
                2,
                &FindingAction::Handle {
                    note: "已责令停止".into(),
                },
            )
        })
        .unwrap();
    let f = env
        .store
        .write(|tx, c| patrols::act(tx, c, &f.meta.id, 3, &FindingAction::Verify { note: None }))
        .unwrap();
    assert_eq!(f.status, FindingStatus::Verified);
    // A patrol with a finding is not "nothing found".
    let end = env.store.now().timestamp_millis();
    let closed = env
        .store
        .write(|tx, c| patrols::close(tx, c, &p.meta.id, 1, end, Some(4.0)))
        .unwrap();
    assert!(!closed.nothing_found);
}

fn petition(env: &Env, received: NaiveDate, id_number: Option<&str>) -> Petition {
    let c = ctx(env);
    Petition {
        channel: Channel::Visit,
        track: Track::Claim,
        category: PetitionCategory::Land,
        petitioner_name: "王建国".into(),
        id_number: id_number.map(str::to_owned),
        phone: Some("13812341234".into()),
        address: Some("3 组".into()),
        people: 3,
        summary: "征地补偿款未足额发放".into(),
        content: "要求补发差额".into(),
        ..Petition::new(
            Meta::new(
                records::new_id(&c),
                &c.device,
                c.now_ms(),
                &code("610727101000"),
            ),
            received,
        )
    }
}

fn rules<'a>(cal: &'a wangge::domain::deadline::Calendar, today: NaiveDate) -> ClockRules<'a> {
    ClockRules {
        calendar: cal,
        count: wangge::domain::deadline::DayCount::Calendar,
        today,
    }
}

#[test]
fn petition_clock_through_acceptance_extension_reply_and_review() {
    // Received on 2026-09-16: 15 days later is 2026-10-01, National Day, so the notice is due on 10-08.
    let start = parse("2026-09-16T10:00:00+08:00");
    let mut env = township_at(start);
    let cal = holidays::calendar(env.store.conn()).unwrap();
    let received = china_date(start);
    let p = petition(&env, received, Some("11010519491231002x"));
    let (p, repeats) = env
        .store
        .write(|tx, c| petitions::register(tx, c, p, rules(&cal, received)))
        .unwrap();
    assert!(repeats.is_empty());
    assert_eq!(
        p.id_number.as_deref(),
        Some("11010519491231002X"),
        "normalised"
    );
    assert_eq!(p.accept_due, day("2026-10-08"));
    assert_eq!(p.office_due, Some(day("2026-10-08")));
    assert!(p.case_no.starts_with("XF-2026-"), "{}", p.case_no);
    // Audit rows never hold personal values; the first version's holds none at all (the row has them).
    let changes: String = env
        .store
        .conn()
        .query_row(
            "SELECT changes FROM audit WHERE record = (SELECT key FROM ids WHERE id = unhex(replace(?1, '-', '')))",
            [&p.meta.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(changes, "{}");

    let act = |env: &mut Env,
               at: &str,
               p: &Petition,
               a: PetitionAction|
     -> Result<Petition, StoreError> {
        let t = parse(at);
        let mut s = reopen(env, t);
        let cal = holidays::calendar(s.conn()).unwrap();
        s.write(|tx, c| {
            petitions::act(
                tx,
                c,
                &p.meta.id,
                p.meta.version,
                &a,
                rules(&cal, china_date(t)),
            )
        })
    };
    let p = act(
        &mut env,
        "2026-09-20T09:00:00+08:00",
        &p,
        PetitionAction::Accept { note: None },
    )
    .unwrap();
    assert_eq!(
        p.handle_due,
        Some(day("2026-11-19")),
        "60 days after 09-20 is a Thursday"
    );
    assert!(!p.is_overdue(day("2026-11-19")), "day 60 is not overdue");
    assert!(p.is_overdue(day("2026-11-20")), "day 61 is");
    // An extension after the deadline has passed is refused.
    let err = act(
        &mut env,
        "2026-11-20T09:00:00+08:00",
        &p,
        PetitionAction::Extend {
            days: 30,
            note: "复杂".into(),
        },
    )
    .unwrap_err();
    assert!(
        err.message(Lang::Zh).contains("已过"),
        "{}",
        err.message(Lang::Zh)
    );
    let err = act(
        &mut env,
        "2026-11-10T09:00:00+08:00",
        &p,
        PetitionAction::Extend {
            days: 31,
            note: "复杂".into(),
        },
    )
    .unwrap_err();
    assert!(
        err.message(Lang::Zh).contains("30"),
        "{}",
        err.message(Lang::Zh)
    );
    let p = act(
        &mut env,
        "2026-11-10T09:00:00+08:00",
        &p,
        PetitionAction::Extend {
            days: 30,
            note: "情况复杂".into(),
        },
    )
    .unwrap();
    assert_eq!(p.status, PetitionStatus::Extended);
    assert_eq!(
        p.extended_due,
        Some(day("2026-12-21")),
        "11-19 + 30 = 12-19, a Saturday: moves to Monday"
    );
    assert_eq!(p.office_due, p.extended_due);
    // Only one extension.
    let err = act(
        &mut env,
        "2026-11-11T09:00:00+08:00",
        &p,
        PetitionAction::Extend {
            days: 5,
            note: "再延".into(),
        },
    )
    .unwrap_err();
    assert!(
        err.message(Lang::Zh).contains("不能"),
        "{}",
        err.message(Lang::Zh)
    );
    let p = act(
        &mut env,
        "2026-11-20T09:00:00+08:00",
        &p,
        PetitionAction::Reply {
            outcome: Outcome::Support,
            note: "补发差额".into(),
        },
    )
    .unwrap();
    assert_eq!(
        p.office_due, None,
        "the petitioner's review window never counts"
    );
    let p = act(
        &mut env,
        "2026-11-21T09:00:00+08:00",
        &p,
        PetitionAction::Close { note: None },
    )
    .unwrap();
    let p = act(
        &mut env,
        "2026-11-22T09:00:00+08:00",
        &p,
        PetitionAction::Evaluate {
            satisfaction: Satisfaction::Unsatisfied,
            note: None,
        },
    )
    .unwrap();
    let p = act(
        &mut env,
        "2026-11-27T09:00:00+08:00",
        &p,
        PetitionAction::RequestReview { note: None },
    )
    .unwrap();
    assert_eq!(
        p.review_due,
        Some(day("2026-12-28")),
        "11-27 + 30 = 12-27, a Sunday"
    );
    let p = act(
        &mut env,
        "2026-12-10T09:00:00+08:00",
        &p,
        PetitionAction::DecideReview {
            note: "维持".into(),
        },
    )
    .unwrap();
    let p = act(
        &mut env,
        "2026-12-11T09:00:00+08:00",
        &p,
        PetitionAction::Finalize { note: None },
    )
    .unwrap();
    assert_eq!(p.status, PetitionStatus::Finalized);
    assert!(!p.status.is_open());
}

#[test]
fn a_review_requested_too_late_is_refused() {
    let start = parse("2026-06-01T10:00:00+08:00");
    let mut env = township_at(start);
    let cal = holidays::calendar(env.store.conn()).unwrap();
    let p = petition(&env, china_date(start), None);
    let (mut p, _) = env
        .store
        .write(|tx, c| petitions::register(tx, c, p, rules(&cal, china_date(start))))
        .unwrap();
    for a in [
        PetitionAction::Accept { note: None },
        PetitionAction::Reply {
            outcome: Outcome::Explain,
            note: "解释".into(),
        },
    ] {
        p = env
            .store
            .write(|tx, c| {
                petitions::act(
                    tx,
                    c,
                    &p.meta.id,
                    p.meta.version,
                    &a,
                    rules(&cal, c.today()),
                )
            })
            .unwrap();
    }
    let late = day("2026-07-02");
    let err = env
        .store
        .write(|tx, c| {
            petitions::act(
                tx,
                c,
                &p.meta.id,
                p.meta.version,
                &PetitionAction::RequestReview { note: None },
                rules(&cal, late),
            )
        })
        .unwrap_err();
    assert!(
        err.message(Lang::Zh).contains("30 日内"),
        "{}",
        err.message(Lang::Zh)
    );
}

#[test]
fn a_second_petition_of_the_same_person_and_category_is_a_repeat() {
    let mut env = township();
    let cal = holidays::calendar(env.store.conn()).unwrap();
    let today = env.store.today();
    let first = petition(
        &env,
        today - chrono::Days::new(40),
        Some("11010519491231002X"),
    );
    let (first, _) = env
        .store
        .write(|tx, c| petitions::register(tx, c, first, rules(&cal, today)))
        .unwrap();
    let second = petition(&env, today, Some(" 11010519491231002x "));
    let (second, earlier) = env
        .store
        .write(|tx, c| petitions::register(tx, c, second, rules(&cal, today)))
        .unwrap();
    assert_eq!(second.repeat_of.as_deref(), Some(first.meta.id.as_str()));
    assert_eq!(earlier.len(), 1);
    // Without an ID number, name and phone identify the person.
    let mut third = petition(&env, today, None);
    third.category = PetitionCategory::Labour;
    let (third, earlier) = env
        .store
        .write(|tx, c| petitions::register(tx, c, third, rules(&cal, today)))
        .unwrap();
    assert!(
        third.repeat_of.is_none() && earlier.is_empty(),
        "another category is not a repeat"
    );
    let r = wangge::store::report::petitions(env.store.conn(), today).unwrap();
    assert_eq!(r.repeat, 1);
}

#[test]
fn migrations_from_empty_reopen_and_refuse_a_newer_database() {
    let env = township();
    let v: i64 = env
        .store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, wangge::store::migrate::LATEST);
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM regions WHERE level = 'township'"
        ),
        17
    );
    assert!(count(&env.store, "SELECT count(*) FROM holidays") > 300);
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM checklist_items WHERE category = 'gas'"
        ),
        12
    );
    let path = env.path();
    drop(env.store);
    let again = wangge::store::Store::open(
        &path,
        wangge::store::OpenMode::Existing,
        std::sync::Arc::new(wangge::domain::clock::FixedClock(now())),
    )
    .unwrap();
    assert_eq!(device::get(again.conn()).unwrap().worker, "张伟");
    again
        .conn()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    drop(again);
    let err = wangge::store::Store::open(
        &path,
        wangge::store::OpenMode::Existing,
        std::sync::Arc::new(wangge::domain::clock::FixedClock(now())),
    )
    .err()
    .unwrap();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }));
    assert!(err.message(Lang::Zh).contains("升级"));
}

#[test]
fn a_foreign_sqlite_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hi');")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let clock = std::sync::Arc::new(wangge::domain::clock::FixedClock(now()));
    let err = wangge::store::Store::open(
        &path,
        wangge::store::OpenMode::CreateIfMissing,
        clock.clone(),
    )
    .err()
    .unwrap();
    assert!(matches!(err, StoreError::NotWangge(_)));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("other.sqlite-wal").exists());
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    let err = wangge::store::Store::open(&text, wangge::store::OpenMode::Existing, clock)
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::NotWangge(_)));
    assert_eq!(std::fs::read(&text).unwrap(), b"not a database");
}

#[cfg(unix)]
#[test]
fn new_databases_and_backups_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let env = township();
    let mode = std::fs::metadata(env.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let copy = env.dir.path().join("copy.db");
    env.store.backup(&copy).unwrap();
    assert_eq!(
        std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(env.store.backup(&copy).is_err(), "never overwrites");
}

/// What `check` calls an error, in `lang`.
fn check_errors(env: &Env, lang: Lang) -> Vec<String> {
    check::run(env.store.conn(), env.store.today())
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message(lang))
        .collect()
}

#[test]
fn check_passes_then_finds_a_tampered_and_a_removed_audit_row() {
    let mut env = township();
    let p = place(&mut env, &grid());
    gas_inspection(&mut env, &p, &["G2", "G3"]);
    let errors = |env: &Env| check_errors(env, Lang::Zh);
    assert!(errors(&env).is_empty(), "{:?}", errors(&env));
    env.store
        .conn()
        .execute_batch(
            "INSERT INTO names (name) VALUES ('别人');
             UPDATE audit SET actor = (SELECT key FROM names WHERE name = '别人') WHERE seq = 3;",
        )
        .unwrap();
    let e = errors(&env);
    assert!(
        e.iter().any(|m| m.contains("第 3 条审计记录被改动过")),
        "{e:?}"
    );
    env.store
        .conn()
        .execute(
            "UPDATE audit SET actor = (SELECT key FROM names WHERE name = '张伟') WHERE seq = 3",
            [],
        )
        .unwrap();
    assert!(errors(&env).is_empty());
    env.store
        .conn()
        .execute("DELETE FROM audit WHERE seq = 4", [])
        .unwrap();
    let e = errors(&env);
    assert!(e.iter().any(|m| m.contains("第 4 条审计记录缺失")), "{e:?}");
}

/// Rows written before schema 12 keep whole SHA-256 hashes, rows written since their first 16 bytes: a chain that
/// holds both verifies, goes on from a whole hash, and an edit of either kind of row is still found.
#[test]
fn a_chain_of_whole_and_shortened_hashes_verifies_and_still_finds_an_edit() {
    use wangge::store::audit::{AuditRow, GENESIS};
    let mut env = township();
    let p = place(&mut env, &grid());
    gas_inspection(&mut env, &p, &["G2"]);
    // The rows so far as an earlier version wrote them: each hash whole, over the previous one whole.
    let c = env.store.conn();
    // (seq, at, [device, actor, family, record, action], reason, changes, state hash)
    type Row = (
        i64,
        i64,
        [String; 5],
        Option<String>,
        String,
        Option<Vec<u8>>,
    );
    let rows: Vec<Row> = c
        .prepare(
            "SELECT a.seq, a.at, d.id, w.name, f.name, r.id, n.name, a.reason, a.changes, a.state_hash
             FROM audit a JOIN ids d ON d.key = a.device JOIN ids r ON r.key = a.record
                  JOIN names w ON w.key = a.actor JOIN names f ON f.key = a.family JOIN names n ON n.key = a.action
             ORDER BY a.seq",
        )
        .unwrap()
        .query_map([], |r| {
            let id = |i| -> rusqlite::Result<String> {
                Ok(wangge::store::keys::spelled(r.get_ref(i)?).unwrap_or_default())
            };
            let texts = [id(2)?, r.get(3)?, r.get(4)?, id(5)?, r.get(6)?];
            Ok((r.get(0)?, r.get(1)?, texts, r.get(7)?, r.get(8)?, r.get(9)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let old_rows = rows.len() as i64;
    assert!(old_rows >= 3);
    let mut prev = GENESIS.to_owned();
    for (i, (seq, at, [device, actor, family, record, action], reason, changes, state)) in
        rows.iter().enumerate()
    {
        let mut state = state.as_ref().map(hex::encode);
        // A record's last state as it was written then: its whole hash.
        let last = !rows[i + 1..]
            .iter()
            .any(|r| r.2[3] == *record && r.5.is_some());
        if let (Some(short), true, Some(family)) = (&state, last, Family::from_code(family)) {
            let map = wangge::store::exchange::row_map(c, family, record)
                .unwrap()
                .unwrap();
            let whole = wangge::store::audit::state_hash(&map);
            assert!(whole.starts_with(short.as_str()));
            c.execute(
                "UPDATE audit SET state_hash = ?1 WHERE seq = ?2",
                rusqlite::params![hex::decode(&whole).unwrap(), seq],
            )
            .unwrap();
            state = Some(whole);
        }
        let hash = AuditRow {
            seq: *seq,
            at: *at,
            device,
            actor,
            family,
            record_id: record,
            action,
            reason: reason.as_deref(),
            changes,
            state_hash: state.as_deref(),
            prev_hash: &prev,
        }
        .hash();
        c.execute(
            "UPDATE audit SET hash = ?1 WHERE seq = ?2",
            rusqlite::params![hex::decode(&hash).unwrap(), seq],
        )
        .unwrap();
        prev = hash;
    }
    // Written now: shortened, chained to the last whole hash.
    gas_inspection(&mut env, &p, &["G3"]);
    let lengths = |env: &Env| -> Vec<i64> {
        let mut st = env
            .store
            .conn()
            .prepare("SELECT length(hash) FROM audit ORDER BY seq")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let all = lengths(&env);
    assert!(all.len() as i64 > old_rows);
    let whole_states = count(
        &env.store,
        "SELECT count(*) FROM audit WHERE length(state_hash) = 32",
    );
    assert!(whole_states >= 2, "{whole_states}");
    assert!(all[..old_rows as usize].iter().all(|n| *n == 32), "{all:?}");
    assert!(all[old_rows as usize..].iter().all(|n| *n == 16), "{all:?}");
    let errors = |env: &Env| check_errors(env, Lang::En);
    assert!(errors(&env).is_empty(), "{:?}", errors(&env));
    for seq in [2, old_rows + 1] {
        let c = env.store.conn();
        c.execute("INSERT OR IGNORE INTO names (name) VALUES ('别人')", [])
            .unwrap();
        c.execute(
            "UPDATE audit SET actor = (SELECT key FROM names WHERE name = '别人') WHERE seq = ?1",
            [seq],
        )
        .unwrap();
        let e = errors(&env);
        assert!(
            e.iter()
                .any(|m| m.contains(&format!("audit row {seq} was altered"))),
            "{e:?}"
        );
        c.execute(
            "UPDATE audit SET actor = (SELECT actor FROM audit WHERE seq = 1) WHERE seq = ?1",
            [seq],
        )
        .unwrap();
    }
    assert!(errors(&env).is_empty(), "{:?}", errors(&env));
    // A record whose last state the log holds whole, edited behind its back, is found; and so is a version
    // vector naming a device by a key that names nothing.
    let c = env.store.conn();
    c.execute(
        "UPDATE inspections SET note = '改过' WHERE rowid = (SELECT min(rowid) FROM inspections)",
        [],
    )
    .unwrap();
    let e = errors(&env);
    assert!(
        e.iter()
            .any(|m| m.contains("differ from what the audit log recorded")),
        "{e:?}"
    );
    c.execute(
        "UPDATE hazards SET vv = replace(vv, '\"' || origin || '\"', '\"999999\"')",
        [],
    )
    .unwrap();
    let e = errors(&env);
    assert!(
        e.iter()
            .any(|m| m.contains("hazard records holding an id, device or region code")),
        "{e:?}"
    );
}

#[test]
fn check_finds_broken_versions_journal_and_states() {
    let mut env = township();
    let p = place(&mut env, &grid());
    let h = gas_inspection(&mut env, &p, &["G2"]).hazards.remove(0);
    let today = env.store.today();
    let c = env.store.conn();
    c.execute(
        &format!("UPDATE hazards SET version = 7 WHERE {}", common::BY_ID),
        [&h.meta.id],
    )
    .unwrap();
    c.execute(
        &format!("UPDATE hazards SET status = 'lost' WHERE {}", common::BY_ID),
        [&h.meta.id],
    )
    .unwrap();
    c.execute(
        "DELETE FROM journal WHERE record = (SELECT key FROM ids WHERE id = unhex(replace(?1, '-', '')))",
        [&p.meta.id],
    )
    .unwrap();
    let found: Vec<String> = check::run(c, today)
        .into_iter()
        .map(|f| f.message(Lang::En))
        .collect();
    assert!(
        found.iter().any(|m| m.contains("illegal status 'lost'")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|m| m.contains("version vector")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|m| m.contains("journal is incomplete")),
        "{found:?}"
    );
}

/// A record whose id `ids` holds in another spelling (as an earlier version could take from a bundle), and a
/// reference to a record whose key names nothing, are each named, and only those: every other record is fine.
#[test]
fn check_names_a_record_id_in_another_spelling_and_a_dangling_reference() {
    let mut env = township();
    let p = place(&mut env, &grid());
    let h = gas_inspection(&mut env, &p, &["G2"]).hazards.remove(0);
    let today = env.store.today();
    let c = env.store.conn();
    let named = |c: &rusqlite::Connection| -> Vec<String> {
        check::run(c, today)
            .into_iter()
            .filter(|f| f.severity == check::Severity::Error)
            .map(|f| f.message(Lang::En))
            .collect()
    };
    assert!(named(c).is_empty(), "{:?}", named(c));
    c.execute(
        "UPDATE ids SET id = upper(?1) WHERE id = unhex(replace(?1, '-', ''))",
        [&h.meta.id],
    )
    .unwrap();
    // An inspection that refers to its place by a key that names nothing.
    c.execute_batch("PRAGMA foreign_keys = OFF; UPDATE inspections SET place_key = 999999;")
        .unwrap();
    let found = named(c);
    for family in ["hazard", "inspection"] {
        assert!(
            found
                .iter()
                .any(|m| m.starts_with(&format!("{family} records"))
                    && m.contains("non-canonical")
                    && m.contains(": 1;")),
            "{family}: {found:?}"
        );
    }
    assert!(
        !found.iter().any(|m| m.starts_with("place records")),
        "{found:?}"
    );
}

#[test]
fn the_record_trait_knows_personal_fields() {
    assert!(Petition::PERSONAL.contains(&"id_number"));
    assert!(Place::PERSONAL.contains(&"owner_phone"));
    assert!(Hazard::PERSONAL.is_empty());
}

fn parse(s: &str) -> chrono::DateTime<chrono::Utc> {
    wangge::domain::clock::parse_instant(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn several_workers_share_a_device_and_each_action_names_its_worker() {
    let mut env = township();
    env.store
        .write(|tx, c| device::switch_worker(tx, c, "李娜"))
        .unwrap();
    assert_eq!(device::get(env.store.conn()).unwrap().worker, "李娜");
    assert_eq!(device::workers(env.store.conn()).unwrap(), ["张伟", "李娜"]);
    let p = place(&mut env, &grid());
    let actor: String = env
        .store
        .conn()
        .query_row(
            "SELECT w.name FROM audit a JOIN names w ON w.key = a.actor
             WHERE a.record = (SELECT key FROM ids WHERE id = unhex(replace(?1, '-', '')))",
            [&p.meta.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(actor, "李娜");
    // Switching back to a known worker adds nobody.
    env.store
        .write(|tx, c| device::switch_worker(tx, c, "张伟"))
        .unwrap();
    assert_eq!(device::workers(env.store.conn()).unwrap().len(), 2);
}

#[test]
fn check_finds_a_record_edited_behind_the_logs_back_even_a_personal_field() {
    let mut env = township();
    let start = parse("2026-11-20T09:00:00+08:00");
    let cal = holidays::calendar(env.store.conn()).unwrap();
    let p = petition(&env, china_date(start), Some("11010519491231002X"));
    env.store
        .write(|tx, c| petitions::register(tx, c, p, rules(&cal, china_date(start))))
        .unwrap();
    let pl = place(&mut env, &grid());
    gas_inspection(&mut env, &pl, &["G2"]);
    let errors = |env: &Env| check_errors(env, Lang::Zh);
    assert!(errors(&env).is_empty(), "{:?}", errors(&env));
    let c = env.store.conn();
    c.execute("UPDATE petitions SET phone = '13900000000'", [])
        .unwrap();
    let e = errors(&env);
    assert!(
        e.iter().any(|m| m.contains("1 条信访与审计记录不符")),
        "{e:?}"
    );
    c.execute("UPDATE petitions SET phone = '13812341234'", [])
        .unwrap();
    assert!(
        errors(&env).is_empty(),
        "restoring the value restores the match"
    );
    c.execute(
        "UPDATE inspections SET results = (SELECT json_group_array(CASE WHEN r.value GLOB 'fG2*'
             THEN 'p' || substr(r.value, 2) ELSE r.value END) FROM json_each(results) r)",
        [],
    )
    .unwrap();
    let e = errors(&env);
    assert!(
        e.iter().any(|m| m.contains("安全检查与审计记录不符")),
        "{e:?}"
    );
}

#[test]
fn the_sql_overdue_rule_names_the_statuses_the_domain_does() {
    use wangge::domain::hazard::HazardStatus;
    for s in HazardStatus::ALL {
        let in_sql = wangge::store::hazards::DEADLINE_RUNS.contains(&format!("'{}'", s.code()));
        assert_eq!(in_sql, s.deadline_runs(), "{s:?}");
    }
}

/// The rule a large write compacts by: once the file holds 16 MB, when the pages in use grew by a quarter since
/// the last compaction, or a quarter of the file is free.
#[test]
fn a_file_is_compacted_when_it_grew_by_a_quarter_or_a_quarter_is_free() {
    let env = township();
    let filler = |mb: usize| {
        env.store
            .conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, zeroblob(?2))",
                rusqlite::params![
                    format!(
                        "filler-{mb}-{}",
                        count(&env.store, "SELECT count(*) FROM settings")
                    ),
                    (mb * 1_000_000) as i64
                ],
            )
            .unwrap();
    };
    let quiet = &mut |_| {};
    // A small file: never.
    assert!(!env.store.compaction_due().unwrap());
    assert_eq!(env.store.compact_if_due(quiet).unwrap(), None);
    // 20 MB never compacted: due, and compacted once.
    filler(20);
    assert!(env.store.compaction_due().unwrap());
    let mut said = Vec::new();
    let sizes = env.store.compact_if_due(&mut |w| said.push(w)).unwrap();
    assert!(sizes.is_some());
    assert_eq!(said, vec![wangge::store::LongWork::Compact]);
    assert!(!env.store.compaction_due().unwrap());
    // A tenth more: not yet; a third more: due.
    filler(2);
    assert!(!env.store.compaction_due().unwrap());
    filler(5);
    assert!(env.store.compaction_due().unwrap());
    env.store.compact_if_due(quiet).unwrap().unwrap();
    assert!(!env.store.compaction_due().unwrap());
    // Nothing grew, but a third of the file is free pages: due.
    env.store
        .conn()
        .execute("DELETE FROM settings WHERE key LIKE 'filler-20-%'", [])
        .unwrap();
    assert!(env.store.compaction_due().unwrap());
    let (before, after) = env.store.compact_if_due(quiet).unwrap().unwrap();
    assert!(after < before / 2, "{before} -> {after}");
}

/// A database made under a working name reaches its own name whole, and nothing stays under the working name:
/// moved as it is when small, never over a file that is there; compacted on the way when large (one copy, every
/// record kept, the copy's pages what `compaction_due` measures from).
#[test]
fn a_database_made_under_a_working_name_reaches_its_own_whole() {
    let mut env = township();
    let p = place(&mut env, &grid());
    gas_inspection(&mut env, &p, &["G2", "G3"]);
    let records = "SELECT count(*) FROM places";
    let hazards = "SELECT count(*) FROM hazards";
    let (places, open) = (count(&env.store, records), count(&env.store, hazards));
    assert!(places == 1 && open == 2, "{places} {open}");
    let Env { dir, store } = env;
    drop(store);
    let from = dir.path().join("t.db");
    let dest = dir.path().join("d.db");
    let open_at = |path: &std::path::Path, mode| {
        Store::open(path, mode, Arc::new(FixedClock(now()))).unwrap()
    };
    let clean = |store: &Store| {
        check::run(store.conn(), store.today())
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
            == 0
    };
    let names = || -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    // Owner-only, and in WAL mode already (header bytes 18 and 19), so the next opener changes nothing.
    let private = |path: &std::path::Path| {
        assert_eq!(&std::fs::read(path).unwrap()[18..20], &[2, 2]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        #[cfg(not(unix))]
        let _ = path;
    };
    let quiet = &mut |_| {};
    // A file there already is never written over: the database stays where it was made.
    std::fs::write(&dest, b"mine").unwrap();
    let store = open_at(&from, OpenMode::CreateHeld);
    assert!(store.move_to(&dest, quiet).is_err());
    assert_eq!(std::fs::read(&dest).unwrap(), b"mine");
    std::fs::remove_file(&dest).unwrap();
    // Small: moved as it is, its log folded in, no journal left beside it.
    let store = open_at(&from, OpenMode::CreateHeld);
    assert_eq!(store.move_to(&dest, quiet).unwrap().unwrap(), None);
    assert_eq!(names(), vec!["d.db"]);
    private(&dest);
    let store = open_at(&dest, OpenMode::Existing);
    assert_eq!((count(&store, records), count(&store, hazards)), (1, 2));
    assert!(clean(&store));
    // Large, with pages freed: compacted on the way.
    let filler = |mb: usize, key: &str| {
        store
            .conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, zeroblob(?2))",
                rusqlite::params![key, (mb * 1_000_000) as i64],
            )
            .unwrap();
    };
    filler(20, "filler-a");
    filler(10, "filler-b");
    store
        .conn()
        .execute("DELETE FROM settings WHERE key = 'filler-b'", [])
        .unwrap();
    drop(store);
    std::fs::rename(&dest, &from).unwrap();
    let store = open_at(&from, OpenMode::CreateHeld);
    let mut said = Vec::new();
    let (before, after) = store
        .move_to(&dest, &mut |w| said.push(w))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(said, vec![wangge::store::LongWork::Compact]);
    assert!(after < before - 9_000_000, "{before} -> {after}");
    assert_eq!(names(), vec!["d.db"]);
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), after);
    private(&dest);
    let store = open_at(&dest, OpenMode::Existing);
    assert_eq!((count(&store, records), count(&store, hazards)), (1, 2));
    assert!(!store.compaction_due().unwrap());
    assert!(clean(&store));
}

/// One program at a time makes a database under a working name: held open, it is busy for everyone else; what
/// a killed run left there (the file, a half-written compacted copy, or an empty claim long past) is cleared by
/// the next claim.
#[test]
fn a_working_name_is_claimed_by_one_program_and_a_killed_runs_is_cleared() {
    use wangge::store::{claim_work_file, clear_work_file, release_work_file};
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("d.db");
    let work = claim_work_file(&dest).unwrap();
    assert_eq!(work, dir.path().join("d.db.making"));
    assert_eq!(std::fs::metadata(&work).unwrap().len(), 0);
    let busy = |r: Result<(), StoreError>| matches!(r, Err(StoreError::Busy));
    let claim = || claim_work_file(&dest).map(|_| ());
    // Held open while the database is made.
    let store = Store::open(&work, OpenMode::CreateHeld, Arc::new(FixedClock(now()))).unwrap();
    assert!(busy(claim()));
    assert!(busy(clear_work_file(&dest)));
    assert!(std::fs::metadata(&work).unwrap().len() > 0);
    // Killed: the file and a half-written compacted copy stay behind, held by nobody.
    drop(store);
    let copy = dir.path().join("d.db.making.compact");
    std::fs::write(&copy, b"half").unwrap();
    assert_eq!(claim_work_file(&dest).unwrap(), work);
    assert_eq!(std::fs::metadata(&work).unwrap().len(), 0);
    assert!(!copy.exists());
    // Killed between claiming and opening: an empty claim, cleared once it is old (a new one is waited on).
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&work)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    assert_eq!(claim_work_file(&dest).unwrap(), work);
    release_work_file(&work);
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

/// An upgrade leaves the audit log no index: its head is read from the table's end. (With statistics from a
/// nearly empty log, the bench's county, upgraded and then importing in one process, once planned the head as a
/// scan of the log's index by record: 50,000 records took 88 s instead of 5. `migrate::run` reloads the
/// statistics after an upgrade, and schema 16 gave that index up.)
#[test]
fn an_upgrade_leaves_no_index_to_read_the_audit_logs_head_through() {
    let env = township();
    let latest = count(&env.store, "PRAGMA user_version");
    // Schema 15, which had it.
    common::back_to(env.store.conn(), 15);
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'audit' AND type = 'index'"
        ),
        1
    );
    let store = reopen(&env, now());
    assert_eq!(count(&store, "PRAGMA user_version"), latest);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'audit' AND type = 'index'"
        ),
        0
    );
    let plan: String = store
        .conn()
        .query_row(
            "EXPLAIN QUERY PLAN SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert_eq!(plan, "SCAN audit");
}

/// Compaction (SQLite's `VACUUM`, which numbers afresh the rows of a table without an `INTEGER PRIMARY KEY`)
/// keeps every record's events where they are: a record's events are a range of the timeline's rowids.
#[test]
fn a_compacted_file_keeps_every_records_timeline() {
    let mut env = township();
    let p = place(&mut env, &grid());
    let first = gas_inspection(&mut env, &p, &["G2", "G3"]);
    let second = gas_inspection(&mut env, &p, &["G4"]);
    let mut ids: Vec<String> = vec![p.meta.id.to_string()];
    for r in [&first, &second] {
        ids.push(r.inspection.meta.id.to_string());
        ids.extend(r.hazards.iter().map(|h| h.meta.id.to_string()));
    }
    let timelines = |store: &wangge::store::Store| -> Vec<Vec<String>> {
        ids.iter()
            .map(|id| {
                records::timeline(store.conn(), id)
                    .unwrap()
                    .iter()
                    .map(|e| format!("{:?} {} {}", e.id, e.action, e.at))
                    .collect()
            })
            .collect()
    };
    let before = timelines(&env.store);
    assert!(
        before.iter().filter(|t| !t.is_empty()).count() >= 4,
        "{before:?}"
    );
    env.store.compact().unwrap();
    assert_eq!(timelines(&env.store), before);
    assert!(check_errors(&env, Lang::En).is_empty());
}

/// The journal's counter must stay ahead of the numbers in use: one behind would give two changes one number.
#[test]
fn check_finds_a_journal_counter_behind_its_numbers() {
    let mut env = township();
    let p = place(&mut env, &grid());
    gas_inspection(&mut env, &p, &["G2"]);
    assert!(check_errors(&env, Lang::En).is_empty());
    env.store
        .conn()
        .execute("UPDATE journal_head SET seq = 1", [])
        .unwrap();
    let e = check_errors(&env, Lang::En);
    assert!(e.iter().any(|m| m.contains("counter stands at 1")), "{e:?}");
}
