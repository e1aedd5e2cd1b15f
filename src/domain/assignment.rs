//! 交办: an office hands a hazard or petition down to a township or grid with a deadline and a note. A record of
//! its own, owned by the assigning office, so it never collides with the township's handling of the case; the
//! township answers it (办结 with a reply) and both travel back up.

use chrono::NaiveDate;

use super::ids::RecordId;
use super::record::{DomainError, Family, Meta, Record};
use super::validate;
use crate::coded_enum;

coded_enum! {
    pub enum AssignmentStatus {
        Open = ("open", "待办", "open"),
        Done = ("done", "已办结", "done"),
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Assignment {
    #[serde(flatten)]
    pub meta: Meta,
    /// `hazard` or `petition`.
    pub target_family: Family,
    pub target_id: RecordId,
    /// The worker who assigned it.
    pub assigned_by: String,
    pub assigned_on: NaiveDate,
    pub deadline: NaiveDate,
    pub note: String,
    pub status: AssignmentStatus,
    pub reply: Option<String>,
    pub done_on: Option<NaiveDate>,
}

impl Record for Assignment {
    const FAMILY: Family = Family::Assignment;
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
    fn summary(&self) -> String {
        self.note.clone()
    }
}

impl Assignment {
    /// Checks the fields: a hazard or petition as target, a note, a deadline not before the day of assignment.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), DomainError> {
        if !matches!(self.target_family, Family::Hazard | Family::Petition) {
            return Err(DomainError::rule(
                "只能交办隐患或信访件",
                "Only hazards and petitions can be assigned",
            ));
        }
        self.note = validate::required("note", &self.note, 500)?;
        self.assigned_by = validate::required("assigned_by", &self.assigned_by, 50)?;
        if self.assigned_on > today {
            return Err(validate::Invalid::FutureDate {
                field: "assigned_on",
                date: self.assigned_on,
            }
            .into());
        }
        if self.deadline < self.assigned_on {
            return Err(DomainError::rule(
                "交办期限不能早于交办日期",
                "The deadline cannot be before the day of assignment",
            ));
        }
        if let Some(r) = &self.reply {
            self.reply = validate::optional("reply", r, 500)?;
        }
        Ok(())
    }

    /// 办结: the assignee's answer.
    pub fn answer(&mut self, reply: &str, on: NaiveDate) -> Result<(), DomainError> {
        if self.status == AssignmentStatus::Done {
            return Err(DomainError::rule(
                "该交办已办结",
                "This assignment is already done",
            ));
        }
        self.reply = Some(validate::required("reply", reply, 500)?);
        self.done_on = Some(on);
        self.status = AssignmentStatus::Done;
        Ok(())
    }
}
