//! A patrol under way: its findings reported one by one, then the patrol finished. It stays under way when
//! the worker leaves it, and opens here again from the patrols list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::keymap::Action;
use crate::domain::Lang;
use crate::domain::ids::RecordId;
use crate::domain::patrol::{Patrol, Zone};
use crate::domain::text::pad;

#[derive(Debug, Clone)]
pub struct PatrolRun {
    pub patrol: Patrol,
    /// Findings reported on it so far.
    pub findings: usize,
}

/// What a key on a patrol under way leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Stay,
    /// The finding form, its zone the patrol's.
    Report {
        patrol_id: RecordId,
        zone: Zone,
    },
    /// The form that finishes the patrol (at this version).
    Finish {
        patrol_id: RecordId,
        version: u64,
    },
}

impl PatrolRun {
    pub fn act(&self, action: Action) -> Next {
        let p = &self.patrol;
        match action {
            Action::New => Next::Report {
                patrol_id: p.meta.id.clone(),
                zone: p.zone,
            },
            Action::Save => Next::Finish {
                patrol_id: p.meta.id.clone(),
                version: p.meta.version,
            },
            _ => Next::Stay,
        }
    }

    pub(super) fn draw(&self, f: &mut Frame, area: Rect, lang: Lang) {
        let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
        let p = &self.patrol;
        let w = area.width as usize;
        // The route whole, on as many lines as it needs.
        let head = format!(" {}  ", t("巡查中", "Patrol under way"));
        let mut lines: Vec<Line> = super::wrap::wrap(&p.route, w.saturating_sub(head.len() + 1), 4)
            .into_iter()
            .enumerate()
            .map(|(k, part)| {
                let lead = if k == 0 {
                    head.clone()
                } else {
                    " ".repeat(head.len())
                };
                Line::from(format!("{lead}{part}"))
            })
            .collect();
        let row = |label: &str, value: String| Line::from(format!("   {} {value}", pad(label, 10)));
        lines.push(row(t("保护区", "zone"), p.zone.label(lang).to_owned()));
        lines.push(row(t("网格员", "worker"), p.worker.clone()));
        lines.push(row(t("已上报发现", "findings"), self.findings.to_string()));
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            " {}",
            t(
                "a 上报发现    c 结束巡查（没有发现即记为“未发现问题”）",
                "a report a finding    c finish (no findings = nothing found)"
            )
        )));
        lines.push(Line::from(format!(
            " {}",
            t(
                "Esc 先离开：巡查继续，在 4 页按 v 列出巡查记录，打开它接着上报",
                "Esc leaves it going: v on tab 4 lists patrols; open it to go on"
            )
        )));
        f.render_widget(Paragraph::new(lines), area);
    }
}
