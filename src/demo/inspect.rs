//! Demo inspections: a place, its checklist, and each failed item's hazard followed to 销号 or left stalled.

use crate::store::desk::Desk;
use chrono::{DateTime, Datelike, Utc};

use super::ctx;
use super::text::{self, fail_note};
use crate::domain::category::Category;
use crate::domain::hazard::{Hazard, HazardAction};
use crate::domain::ids::RegionCode;
use crate::domain::inspection::{Inspection, ItemOutcome, ItemResult, Subject, Verdict};
use crate::domain::place::{Place, PlaceKind, Structure, Use};
use crate::domain::record::Meta;
use crate::store::{Result, inspections, places};

use super::story::World;

impl World {
    /// An inspection; `script` forces one failed item whose hazard then takes exactly that many steps.
    pub(super) fn inspection(
        &mut self,
        tx: &impl Desk,
        age: i64,
        script: Option<usize>,
    ) -> Result<()> {
        let category = *self.dice.pick(&[
            Category::Gas,
            Category::Gas,
            Category::Gas,
            Category::House,
            Category::House,
            Category::Venue,
            Category::Ebike,
            Category::Ebike,
            Category::Chemical,
            Category::Water,
            Category::Power,
            Category::Geo,
        ]);
        let at = self.at(age);
        let same = self.places.iter().filter(|p| p.2 == category).count();
        let reused = if same > 0 && self.dice.chance(0.25) {
            let k = self.dice.below(same);
            self.places
                .iter()
                .filter(|p| p.2 == category)
                .nth(k)
                .map(|p| (p.0.clone(), p.1.clone()))
        } else {
            None
        };
        let (place_id, grid) = if let Some(found) = reused {
            found
        } else {
            let grid = self.dice.pick(&self.grids).clone();
            let worker = self.worker(&grid);
            let place = self.place(&grid, category, at);
            let place = places::create(tx, &ctx(self, &worker, at), place)?;
            self.summary.places += 1;
            if self.places.len() >= super::PLACES {
                let i = self.dice.below(self.places.len());
                tx.forget(self.places.swap_remove(i).0.as_str());
            }
            self.places
                .push((place.meta.id.clone(), grid.clone(), category));
            (place.meta.id, grid)
        };
        let worker = self.worker(&grid);
        let subject = match category {
            Category::Gas if self.dice.chance(0.3) => Subject::Commercial,
            Category::Gas | Category::House | Category::Ebike => Subject::Resident,
            _ => Subject::Unit,
        };
        let mut results = Vec::new();
        let codes: Vec<String> = self
            .items
            .iter()
            .filter(|i| i.category == category)
            .map(|i| i.code.clone())
            .collect();
        for (k, code) in codes.into_iter().enumerate() {
            let r = if script.is_some() {
                if k == 0 {
                    ItemResult::Fail
                } else {
                    ItemResult::Pass
                }
            } else if self.dice.chance(0.03) {
                ItemResult::Fail
            } else if self.dice.chance(0.04) {
                ItemResult::NotApplicable
            } else {
                ItemResult::Pass
            };
            let note = (r == ItemResult::Fail)
                .then(|| fail_note(&code, self.dice.below(4)).to_owned())
                .filter(|n| !n.is_empty());
            results.push(ItemOutcome {
                item_code: code,
                result: r,
                note,
            });
        }
        let failed = results.iter().any(|r| r.result == ItemResult::Fail);
        let verdict = (category == Category::House).then(|| match failed {
            false => Verdict::NoHazard,
            true if self.dice.chance(0.12) => Verdict::Serious,
            true => Verdict::Hazard,
        });
        let insp = Inspection {
            meta: Meta::new(self.dice.id(at), &self.device, at.timestamp_millis(), &grid),
            place_id,
            category,
            subject,
            inspected_on: crate::domain::clock::china_date(at),
            inspector: worker.clone(),
            verdict,
            failed_count: 0,
            note: None,
            results,
        };
        let done = inspections::record(tx, &ctx(self, &worker, at), insp, None, &self.items)?;
        self.summary.inspections += 1;
        for h in done.hazards {
            self.summary.hazards += 1;
            match script {
                Some(steps) => self.script_hazard(tx, h, &worker, steps)?,
                None => self.follow_hazard(tx, h, &worker)?,
            }
        }
        Ok(())
    }

    pub(super) fn place(
        &mut self,
        grid: &RegionCode,
        category: Category,
        at: DateTime<Utc>,
    ) -> Place {
        let kind = match category {
            Category::Gas => *self.dice.pick(&[
                PlaceKind::Household,
                PlaceKind::Household,
                PlaceKind::Restaurant,
            ]),
            Category::House => {
                *self
                    .dice
                    .pick(&[PlaceKind::Household, PlaceKind::Lodging, PlaceKind::Shop])
            }
            Category::Venue => *self.dice.pick(&[
                PlaceKind::Lodging,
                PlaceKind::Venue,
                PlaceKind::School,
                PlaceKind::Clinic,
            ]),
            Category::Ebike => PlaceKind::Household,
            Category::Chemical => PlaceKind::ChemSite,
            Category::Water | Category::Power => PlaceKind::Facility,
            _ => PlaceKind::GeoPoint,
        };
        let address = if self.dice.chance(0.3) {
            format!(
                "{} {} 号",
                self.dice.pick(text::ROADS),
                self.dice.between(1, 120)
            )
        } else {
            format!(
                "{} 组 {} 号",
                self.dice.between(1, 9),
                self.dice.between(1, 60)
            )
        };
        let owner = self.name();
        let name = match kind {
            PlaceKind::Household => format!("{owner}家"),
            PlaceKind::Facility => format!(
                "{}号{}",
                self.dice.between(1, 30),
                self.dice.pick(&["山塘", "变压器", "渠道", "线路"])
            ),
            PlaceKind::GeoPoint => format!(
                "{}滑坡点",
                self.dice.pick(&["后山", "沟口", "路边", "河岸"])
            ),
            _ => format!(
                "{}{}",
                self.dice.pick(text::SURNAMES),
                self.dice.pick(text::BUSINESS)
            ),
        };
        let house = category == Category::House;
        Place {
            meta: Meta::new(self.dice.id(at), &self.device, at.timestamp_millis(), grid),
            name,
            address,
            kind,
            lat: Some(33.33 + self.dice.below(3000) as f64 / 10_000.0),
            lon: Some(106.0 + self.dice.below(4000) as f64 / 10_000.0),
            owner_name: Some(owner),
            owner_phone: Some(self.mobile()),
            floors: house.then(|| self.dice.between(1, 6) as u32),
            structure: house.then(|| {
                *self.dice.pick(&[
                    Structure::Masonry,
                    Structure::BrickWood,
                    Structure::Concrete,
                    Structure::EarthWood,
                ])
            }),
            year_built: house
                .then(|| self.dice.between(1975, i64::from(at.year()).min(2022)) as i32),
            use_type: house.then(|| {
                *self.dice.pick(&[
                    Use::Own,
                    Use::Own,
                    Use::Rent,
                    Use::Business,
                    Use::ThreeInOne,
                ])
            }),
            business_type: (kind != PlaceKind::Household)
                .then(|| self.dice.pick(text::BUSINESS).to_string()),
            occupancy: Some(self.dice.between(1, 60) as u32),
        }
    }

    pub(super) fn follow_hazard(
        &mut self,
        tx: &impl Desk,
        mut h: Hazard,
        worker: &str,
    ) -> Result<()> {
        let stall = self.dice.chance(0.10);
        let mut t = DateTime::<Utc>::from_timestamp_millis(h.meta.created_at).unwrap_or(self.now);
        let span = (h.deadline - h.found_on).num_days().max(2);
        let mut plan: Vec<(i64, HazardAction)> = vec![
            (
                self.dice.between(0, 2),
                HazardAction::Assign {
                    responsible: self.name(),
                    notice_no: Some(format!(
                        "整改〔{}〕{}号",
                        h.found_on.year(),
                        self.dice.between(1, 999)
                    )),
                    note: "下达隐患整改通知书，限期整改".into(),
                },
            ),
            (
                self.dice.between(0, 2),
                HazardAction::Rectify { note: None },
            ),
        ];
        if self.dice.chance(0.1) {
            let new_deadline = h.deadline + chrono::Days::new(self.dice.between(10, 30) as u64);
            plan.push((
                self.dice.between(1, 5),
                HazardAction::Extend {
                    new_deadline,
                    note: "整改需采购材料，申请延期".into(),
                },
            ));
        }
        let late = if self.dice.chance(0.1) { span / 2 } else { 0 };
        plan.push((
            self.dice.between(1, span) + late,
            HazardAction::RequestReview {
                note: Some("已整改，申请复查".into()),
            },
        ));
        if self.dice.chance(0.15) {
            plan.push((
                self.dice.between(1, 5),
                HazardAction::FailReview {
                    note: "复查仍不合格".into(),
                    new_deadline: None,
                },
            ));
            plan.push((
                self.dice.between(2, 10),
                HazardAction::RequestReview {
                    note: Some("再次整改完成".into()),
                },
            ));
        }
        plan.push((
            self.dice.between(1, 5),
            HazardAction::PassReview {
                note: Some("复查合格".into()),
            },
        ));
        plan.push((
            self.dice.between(0, 3),
            HazardAction::Close {
                note: Some("销号".into()),
            },
        ));
        let stop = if stall {
            self.dice.below(plan.len())
        } else {
            plan.len()
        };
        for (gap, mut action) in plan.into_iter().take(stop) {
            let Some(next) = self.later(t, gap) else {
                break;
            };
            if let HazardAction::FailReview { new_deadline, .. } = &mut action {
                *new_deadline =
                    Some(crate::domain::clock::china_date(next) + chrono::Days::new(15));
            }
            if let HazardAction::Extend { new_deadline, .. } = &action
                && *new_deadline <= h.deadline
            {
                continue;
            }
            h = self.hazard_step(tx, worker, next, &h, &action)?;
            t = next;
        }
        Ok(())
    }
}
