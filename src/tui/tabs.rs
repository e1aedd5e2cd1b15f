//! The six tabs, by the number that selects them, their names in both languages, and the list each shows (the
//! Qinling tab shows its findings or, at a key, its patrols).

use crate::domain::Lang;
use crate::domain::record::Family;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Home,
    Inspections,
    Hazards,
    Qinling,
    Petitions,
    Sync,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Home,
        Tab::Inspections,
        Tab::Hazards,
        Tab::Qinling,
        Tab::Petitions,
        Tab::Sync,
    ];

    /// The digit that selects it.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn from_number(n: u8) -> Option<Tab> {
        Tab::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// Its name; `short` gives the English one that fits 80 columns beside the others.
    pub fn name(self, lang: Lang, short: bool) -> &'static str {
        let (zh, en, brief) = match self {
            Tab::Home => ("总览", "Home", "Home"),
            Tab::Inspections => ("安全检查", "Inspections", "Inspect"),
            Tab::Hazards => ("隐患", "Hazards", "Hazards"),
            Tab::Qinling => ("秦岭巡查", "Qinling patrols", "Qinling"),
            Tab::Petitions => ("信访", "Petitions", "Petitions"),
            Tab::Sync => ("同步", "Sync", "Sync"),
        };
        lang.pick(zh, if short { brief } else { en })
    }

    /// The tab a record of `family` is listed on.
    pub fn of(family: Family) -> Tab {
        match family {
            Family::Inspection | Family::Place => Tab::Inspections,
            Family::Hazard => Tab::Hazards,
            Family::Patrol | Family::Finding => Tab::Qinling,
            Family::Petition | Family::Assignment => Tab::Petitions,
        }
    }

    /// The list it shows (an index into `LIST_FAMILIES`); on the Qinling tab the patrols when `patrols`.
    pub fn list(self, patrols: bool) -> Option<usize> {
        match self {
            Tab::Inspections => Some(0),
            Tab::Hazards => Some(1),
            Tab::Qinling if patrols => Some(4),
            Tab::Qinling => Some(2),
            Tab::Petitions => Some(3),
            Tab::Home | Tab::Sync => None,
        }
    }
}

/// The family of each list.
pub const LIST_FAMILIES: [Family; 5] = [
    Family::Inspection,
    Family::Hazard,
    Family::Finding,
    Family::Petition,
    Family::Patrol,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_name_the_tabs_and_lists_match_their_families() {
        for t in Tab::ALL {
            assert_eq!(Tab::from_number(t.number()), Some(t));
        }
        assert_eq!(Tab::from_number(0), None);
        assert_eq!(Tab::from_number(7), None);
        assert_eq!(
            LIST_FAMILIES[Tab::Qinling.list(true).unwrap()],
            Family::Patrol
        );
        assert_eq!(
            LIST_FAMILIES[Tab::Qinling.list(false).unwrap()],
            Family::Finding
        );
        assert_eq!(
            LIST_FAMILIES[Tab::Hazards.list(false).unwrap()],
            Family::Hazard
        );
    }
}
