//! What the search reads of each family: as a hit or a scan shows a record (its texts with its place and region
//! names and its codes' labels), and as the index holds it (the same texts, each code as one tag).

use crate::domain::record::Family;

/// The columns of a family's selects: 0 the id (as the index reads it, the record's key), 1 the date, `TEXTS` the searchable texts; then, as a hit or a scan
/// reads it, the summary a hit shows and the person (petitions), or, as the index reads it, the tags.
pub(super) const TEXTS: std::ops::Range<usize> = 2..8;
pub(super) const SUMMARY: usize = 8;
pub(super) const PERSON: usize = 9;
pub(super) const TAGS: usize = 8;

/// A family's two selects. As a hit or a scan reads a record: its own texts, then what a list shows of it beside
/// them: the names of its grid, village and township, the labels of its codes (both languages, from
/// `code_labels`) and `extras`. As the index reads it: the same, but each code as one tag (`t` and the hex of
/// `kind:code`) instead of its labels' words, which would otherwise be indexed again in every record; a query
/// finds the codes whose labels hold a word (`fts_query`).
macro_rules! selects {
    ($head:literal, [$($kind:literal = $column:literal),*], [$($extra:literal),*], $tail:literal, $from:literal) => {
        (
            concat!(
                "SELECT ", crate::store::keys::spelled_id!("t.key"), ", ", $head, ", concat_ws(' ', ", names!(),
                $(", (SELECT text FROM code_labels WHERE kind = '", $kind, "' AND code = ", $column, ")",)*
                $(", ", $extra,)* "), ", $tail, " FROM ", $from
            ),
            concat!(
                "SELECT t.key, ", $head, ", concat_ws(' ', ", names!(), $(", ", $extra,)* "), concat_ws(' '",
                $(", 't' || nullif(hex('", $kind, ":' || ", $column, "), '')",)* ") FROM ", $from
            ),
        )
    };
}

/// The names of a record's grid, village and township.
macro_rules! names {
    () => {
        concat!(
            "(SELECT group_concat(name, ' ') FROM regions WHERE code IN (t.region_code, ",
            "substr(t.region_code, 1, 12), substr(t.region_code, 1, 9) || '000'))"
        )
    };
}

/// Per family: (as a hit or a scan reads it, as the index reads it).
pub(super) fn selects(family: Family) -> Option<(&'static str, &'static str)> {
    Some(match family {
        Family::Inspection => selects!(
            "t.inspected_on, p.name, p.address, t.note, t.inspector, NULL",
            [
                "category" = "t.category",
                "subject" = "t.subject",
                "verdict" = "t.verdict"
            ],
            [],
            "coalesce(p.name, '') || ' ' || coalesce(t.note, ''), NULL",
            "inspections t LEFT JOIN places p ON p.key = t.place_key"
        ),
        Family::Hazard => selects!(
            "t.found_on, t.description, p.name, p.address, t.responsible, NULL",
            [
                "category" = "t.category",
                "grade" = "t.grade",
                "hazard_status" = "t.status"
            ],
            [],
            "t.description, NULL",
            "hazards t LEFT JOIN places p ON p.key = t.place_key"
        ),
        Family::Finding => selects!(
            "t.found_on, t.description, t.location, pa.route, NULL, NULL",
            [
                "finding_code" = "t.code",
                "zone" = "t.zone",
                "department" = "t.department",
                "finding_status" = "t.status"
            ],
            ["t.code"],
            "t.description, NULL",
            "findings t LEFT JOIN patrols pa ON pa.key = t.patrol_key"
        ),
        Family::Petition => selects!(
            "t.received_on, t.case_no, t.summary, t.content, t.petitioner_name, t.address",
            [
                "petition_category" = "t.category",
                "channel" = "t.channel",
                "track" = "t.track",
                "petition_status" = "t.status"
            ],
            ["t.unit"],
            "t.case_no || ' ' || t.summary, t.petitioner_name",
            "petitions t"
        ),
        Family::Patrol => selects!(
            "date(t.started_at / 1000, 'unixepoch', '+8 hours'), t.route, t.worker, t.weather, t.note, NULL",
            ["zone" = "t.zone", "patrol_status" = "t.status"],
            [],
            "t.route, NULL",
            "patrols t"
        ),
        _ => return None,
    })
}

/// As a hit or a scan reads a family's records.
pub(super) fn source(family: Family) -> Option<&'static str> {
    selects(family).map(|s| s.0)
}

/// As the index reads a family's records.
pub(super) fn indexed(family: Family) -> Option<&'static str> {
    selects(family).map(|s| s.1)
}
