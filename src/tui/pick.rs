//! Picking a place already on file for a new inspection: suggestions under the place field as the worker types,
//! and the form filled from the place taken (so it is inspected again rather than created twice).

use super::app::{App, Screen};
use super::field_key::FieldKey as Fk;
use super::forms::FormKind;
use crate::domain::place::Place;
use crate::store::{lists, records};

/// Places offered at once under the field.
pub const SUGGESTIONS: usize = 5;

impl App {
    /// Refreshes the places offered under the inspection form's place field after a key.
    pub(super) fn suggest_places(&mut self) {
        let Some(Screen::Form(FormKind::Inspection(_), prompt)) = self.stack.last() else {
            return;
        };
        let typed = prompt.get(Fk::Place);
        let hits = if prompt.focus_key() == Some(Fk::Place) && !typed.trim().is_empty() {
            lists::places_matching(self.store.conn(), &typed, SUGGESTIONS)
        } else {
            Ok(Vec::new())
        };
        let hits = match hits {
            Ok(h) => h,
            Err(e) => return self.report(Err(e)),
        };
        if let Some(Screen::Form(_, prompt)) = self.stack.last_mut() {
            let picked = prompt.picked;
            prompt.suggestions = hits
                .into_iter()
                .map(|h| (h.id, format!("{}  {}", h.name, h.address)))
                .collect();
            prompt.picked = picked.filter(|i| *i < prompt.suggestions.len());
        }
    }

    /// Fills the inspection form from suggestion `n`.
    pub(super) fn pick_place(&mut self, n: usize) {
        let Some(Screen::Form(_, prompt)) = self.stack.last() else {
            return;
        };
        let Some((id, _)) = prompt.suggestions.get(n).cloned() else {
            return;
        };
        let place = match records::get::<Place>(self.store.conn(), &id) {
            Ok(Some(p)) => p,
            Ok(None) => return,
            Err(e) => return self.report(Err(e)),
        };
        let lang = self.lang;
        if let Some(Screen::Form(_, prompt)) = self.stack.last_mut() {
            let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
            prompt.set(Fk::Place, &place.name);
            prompt.set(Fk::Address, &place.address);
            prompt.set(Fk::Region, &place.meta.region_code);
            prompt.set(Fk::Kind, place.kind.code());
            prompt.set(Fk::Owner, place.owner_name.as_deref().unwrap_or(""));
            prompt.set(Fk::Phone, place.owner_phone.as_deref().unwrap_or(""));
            prompt.set(Fk::Floors, &num(place.floors.map(i64::from)));
            prompt.set(Fk::Year, &num(place.year_built.map(i64::from)));
            prompt.set(
                Fk::Structure,
                place.structure.map(|s| s.code()).unwrap_or(""),
            );
            prompt.set(Fk::Use, place.use_type.map(|s| s.code()).unwrap_or(""));
            prompt.set(Fk::Occupancy, &num(place.occupancy.map(i64::from)));
            prompt.suggestions.clear();
            prompt.picked = None;
            // On to the date: Enter then opens the checklist.
            prompt.focus = prompt
                .fields
                .iter()
                .position(|f| f.key == Fk::Date)
                .unwrap_or(prompt.focus);
            self.status = Some(match lang {
                crate::domain::Lang::Zh => {
                    format!("已选已有场所：{}（本次检查记在该场所下）", place.name)
                }
                crate::domain::Lang::En => format!("Place on file taken: {}", place.name),
            });
        }
    }
}
