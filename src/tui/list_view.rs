//! One family's list on its tab: a page of rows, the selection and the count, and the keys that move
//! through it. Paging reads the store; what the list cannot do itself (open, edit, filter, new) it hands back
//! as `Next`. Its filter form lives here too.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::checks::Check;
use super::field_key::FieldKey as Fk;
use super::keymap::Action;
use super::prompt::{Field, Prompt};
use crate::domain::Lang;
use crate::domain::category::Category;
use crate::domain::patrol::{FindingCode, PatrolStatus, Zone};
use crate::domain::petition::{PetitionCategory, PetitionStatus};
use crate::domain::record::Family;
use crate::store::StoreError;
use crate::store::lists::{self, At, Filter, Row};

/// One family's list: a page of rows and where it is.
#[derive(Debug, Clone)]
pub struct ListView {
    pub filter: Filter,
    pub rows: Vec<Row>,
    pub selected: usize,
    /// How many the filter matches, counted up to `lists::COUNT_CAP` + 1 unless `exact`.
    pub total: i64,
    /// `total` was counted whole (the last page asks for it).
    pub exact: bool,
    /// Rows skipped before this page (for "第 a-b 条").
    pub offset: i64,
}

/// What a key on a list leads to, beyond moving through it.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Stay,
    /// Open the record (its id).
    Open(String),
    /// Open the record and its edit form.
    Edit(String),
    /// The filter form.
    Filter,
    /// The tab's new-record form.
    New,
}

/// What paging needs: the database, today (for what is overdue) and the page's height.
#[derive(Clone, Copy)]
pub struct Pager<'a> {
    pub conn: &'a Connection,
    pub today: NaiveDate,
    pub size: usize,
}

impl ListView {
    pub(super) fn new(family: Family) -> ListView {
        ListView {
            filter: Filter::new(family),
            rows: Vec::new(),
            selected: 0,
            total: 0,
            exact: false,
            offset: 0,
        }
    }

    /// The id of the selected row.
    fn chosen(&self) -> Option<String> {
        self.rows.get(self.selected).map(|r| r.id.clone())
    }

    /// Handles a key's action; moving past the page's edge reads the next page.
    pub(super) fn act(&mut self, action: Action, p: Pager) -> Result<Next, StoreError> {
        match action {
            Action::Down if self.selected + 1 < self.rows.len() => self.selected += 1,
            Action::Down => {
                // On to the next page's first row, when there is a next page.
                let before = self.offset;
                self.load(self.after(), p)?;
                if self.offset != before {
                    self.selected = 0;
                }
            }
            Action::Up if self.selected > 0 => self.selected -= 1,
            Action::Up if self.offset > 0 => {
                let key = self.rows.first().map(|r| r.key.clone());
                self.load(key.clone().map_or(At::First, At::Before), p)?;
                // The row just above the old top (the page may have been filled from the list's top).
                let old_top = self.rows.iter().position(|r| Some(&r.key) == key.as_ref());
                self.selected = old_top.unwrap_or(self.rows.len()).saturating_sub(1);
            }
            Action::PageDown => self.load(self.after(), p)?,
            Action::PageUp => {
                let at = self
                    .rows
                    .first()
                    .map_or(At::First, |r| At::Before(r.key.clone()));
                self.load(at, p)?
            }
            Action::First => {
                self.selected = 0;
                self.load(At::First, p)?
            }
            Action::Last => {
                self.load(At::Last, p)?;
                // The rows before the last page are counted only now, when they are asked for.
                if !self.exact {
                    self.total = lists::count(p.conn, &self.filter, p.today, None)?;
                    self.exact = true;
                }
                self.offset = (self.total - self.rows.len() as i64).max(0);
                self.selected = self.rows.len().saturating_sub(1);
            }
            Action::Filter => return Ok(Next::Filter),
            Action::New => return Ok(Next::New),
            Action::Open => return Ok(self.chosen().map_or(Next::Stay, Next::Open)),
            Action::Edit => return Ok(self.chosen().map_or(Next::Stay, Next::Edit)),
            _ => {}
        }
        Ok(Next::Stay)
    }

    /// Where the page after this one starts.
    fn after(&self) -> At {
        self.rows
            .last()
            .map_or(At::First, |r| At::After(r.key.clone()))
    }

    /// Reads the page at `at`. Every record in this database lies inside the device's jurisdiction (writes and
    /// imports check it), so only a narrower region chosen in the filter restricts the list.
    pub(super) fn load(&mut self, at: At, p: Pager) -> Result<(), StoreError> {
        let mut rows = lists::page(p.conn, &self.filter, p.today, &at, p.size)?;
        let mut at = at;
        if matches!(at, At::Before(_)) && rows.len() < p.size && !rows.is_empty() {
            // Fewer rows above than a page: the top page, full.
            at = At::First;
            rows = lists::page(p.conn, &self.filter, p.today, &at, p.size)?;
        }
        if rows.is_empty() && matches!(at, At::After(_) | At::Before(_)) {
            return Ok(());
        }
        match at {
            At::After(_) => self.offset += self.rows.len() as i64,
            At::Before(_) => self.offset = (self.offset - rows.len() as i64).max(0),
            At::First => self.offset = 0,
            // Where the last page starts is known once the list is counted whole (`act` does).
            At::Last => {}
        }
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        // Paging keeps the count; a new filter or a fresh first page counts again.
        if at == At::First || self.total == 0 {
            self.total = lists::count(p.conn, &self.filter, p.today, Some(lists::COUNT_CAP))?;
            self.exact = self.total <= lists::COUNT_CAP;
        }
        Ok(())
    }
}

/// The filter form of a list: overdue only, status, category, grid, date range.
pub fn filter(lang: Lang, f: &crate::store::lists::Filter, grids: &[(String, String)]) -> Prompt {
    use crate::domain::record::Family;
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    let all = || vec![(String::new(), t("全部", "all"))];
    let mut statuses = all();
    let mut categories = all();
    match f.family {
        Family::Hazard => {
            statuses.extend(super::forms::coded::<crate::domain::hazard::HazardStatus>(
                lang,
            ));
            categories.extend(super::forms::coded::<Category>(lang));
        }
        Family::Finding => {
            statuses.extend(super::forms::coded::<crate::domain::patrol::FindingStatus>(
                lang,
            ));
            categories.extend(super::forms::coded::<FindingCode>(lang));
        }
        Family::Petition => {
            statuses.extend(super::forms::coded::<PetitionStatus>(lang));
            categories.extend(super::forms::coded::<PetitionCategory>(lang));
        }
        Family::Patrol => {
            statuses.extend(super::forms::coded::<PatrolStatus>(lang));
            categories.extend(super::forms::coded::<Zone>(lang));
        }
        _ => categories.extend(super::forms::choices(
            Category::INSPECTED,
            |c| c.code(),
            |c| c.label(lang),
        )),
    }
    let mut regions = all();
    regions.extend(grids.iter().cloned());
    let pick = |opts: &Vec<(String, String)>, v: Option<&str>| {
        opts.iter()
            .position(|o| Some(o.0.as_str()) == v)
            .unwrap_or(0)
    };
    let mut fields = vec![
        Field::choice(
            Fk::Overdue,
            t("仅看逾期", "overdue only"),
            vec![("no".into(), t("否", "no")), ("yes".into(), t("是", "yes"))],
        ),
        Field::choice(Fk::Status, t("状态", "status"), statuses.clone()),
        Field::choice(
            Fk::Category,
            match f.family {
                Family::Patrol => t("保护区", "zone"),
                Family::Finding => t("问题类别", "kind"),
                _ => t("类别", "category"),
            },
            categories.clone(),
        ),
        Field::choice(Fk::Region, t("网格", "grid"), regions.clone()),
        Field::date(Fk::From, t("日期从（可空）", "from (optional)"), f.from).check(Check::Day),
        Field::date(Fk::To, t("日期到（可空）", "to (optional)"), f.to).check(Check::Day),
    ];
    fields[0].choice = usize::from(f.overdue_only);
    fields[1].choice = pick(&statuses, f.status.as_deref());
    fields[2].choice = pick(&categories, f.category.as_deref());
    fields[3].choice = pick(&regions, f.region.as_deref());
    if matches!(f.family, Family::Hazard | Family::Petition) {
        let mut assigned = Field::choice(
            Fk::Assigned,
            t("仅看交办待办结", "assigned, not answered"),
            vec![("no".into(), t("否", "no")), ("yes".into(), t("是", "yes"))],
        );
        assigned.choice = usize::from(f.assigned);
        fields.push(assigned);
    }
    for f in &mut fields {
        f.required = false;
    }
    Prompt::new(t("筛选", "Filter"), fields)
}
