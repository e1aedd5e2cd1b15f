//! The labels of the codes records store, kept in the database (`code_labels`: kind, code, the labels in both
//! languages) so that SQL reads a category, a status or a department as a person does, and a search finds the
//! codes whose labels hold its words (the index holds each code, not its labels: a reworded label needs no
//! rebuild). Written from the domain's coded enums when they differ from what is stored (a digest of them in
//! settings).

use rusqlite::{Connection, Transaction, params};
use sha2::{Digest, Sha256};

use super::Result;
use crate::domain::Lang;
use crate::domain::category::{Category, Grade};
use crate::domain::hazard::HazardStatus;
use crate::domain::inspection::{Subject, Verdict};
use crate::domain::patrol::{Department, FindingCode, FindingStatus, PatrolStatus, Zone};
use crate::domain::petition::{Channel, PetitionCategory, PetitionStatus, Track};

/// (kind, code, text): every coded value a search may name, its labels (and a category's short labels) in both
/// languages.
pub fn rows() -> Vec<(&'static str, &'static str, String)> {
    macro_rules! each {
        ($out:ident, $kind:literal, $t:ty) => {
            for v in <$t>::ALL {
                $out.push((
                    $kind,
                    v.code(),
                    format!("{} {}", v.label(Lang::Zh), v.label(Lang::En)),
                ));
            }
        };
    }
    let mut out = Vec::new();
    for c in Category::ALL {
        out.push((
            "category",
            c.code(),
            format!(
                "{} {} {} {}",
                c.label(Lang::Zh),
                c.short(Lang::Zh),
                c.label(Lang::En),
                c.short(Lang::En)
            ),
        ));
    }
    each!(out, "grade", Grade);
    each!(out, "hazard_status", HazardStatus);
    each!(out, "subject", Subject);
    each!(out, "verdict", Verdict);
    each!(out, "finding_code", FindingCode);
    each!(out, "finding_status", FindingStatus);
    each!(out, "department", Department);
    each!(out, "zone", Zone);
    each!(out, "patrol_status", PatrolStatus);
    each!(out, "petition_category", PetitionCategory);
    each!(out, "petition_status", PetitionStatus);
    each!(out, "channel", Channel);
    each!(out, "track", Track);
    out
}

fn digest(rows: &[(&str, &str, String)]) -> String {
    let mut h = Sha256::new();
    for (kind, code, text) in rows {
        h.update(format!("{kind}\t{code}\t{text}\n").as_bytes());
    }
    hex::encode(h.finalize())
}

/// Whether the stored labels are the program's.
pub fn current(conn: &Connection) -> Result<bool> {
    Ok(super::device::setting(conn, "code_labels")?.as_deref() == Some(digest(&rows()).as_str()))
}

/// Writes the program's labels.
pub fn refresh(tx: &Transaction) -> Result<()> {
    let rows = rows();
    tx.execute("DELETE FROM code_labels", [])?;
    let mut st = tx.prepare("INSERT INTO code_labels (kind, code, text) VALUES (?1, ?2, ?3)")?;
    for (kind, code, text) in &rows {
        st.execute(params![kind, code, text])?;
    }
    super::device::set_setting(tx, "code_labels", &digest(&rows))
}
