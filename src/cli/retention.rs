//! `wangge purge-personal`: erases the petitioners' personal data of cases that ended before a date. Without
//! `--yes` it only counts.

use std::path::Path;
use std::sync::Arc;

use super::commands::{Result, open};
use super::out::print;
use crate::domain::Lang;
use crate::domain::clock::Clock;
use crate::error::AppError;
use crate::store::retention;

pub fn purge_personal(
    path: &Path,
    clock: Arc<dyn Clock>,
    before: chrono::NaiveDate,
    yes: bool,
    lang: Lang,
) -> Result<i32> {
    let mut store = open(path, clock, lang)?;
    let today = store.today();
    if before > today {
        return Err(AppError::input(
            format!("--closed-before 不能晚于今天（{today}）：还在复查、复核期内的信访件不能清除"),
            format!(
                "--closed-before cannot be after today ({today}): cases still open to review must keep their data"
            ),
        ));
    }
    if !yes {
        let n = retention::due(store.conn(), before)?.len();
        print(&match lang {
            Lang::Zh => format!(
                "{before} 前办结的信访件中，有 {n} 件的信访人个人信息（姓名、证件号、电话、住址）可以清除；加 --yes 执行清除（不可恢复）"
            ),
            Lang::En => format!(
                "{} that ended before {before} hold personal data (name, ID number, phone, address) to erase; add --yes to erase it (cannot be undone)",
                crate::domain::text::count(n as u64, "petition", "petitions")
            ),
        })?;
        return Ok(0);
    }
    let n = store.write(|tx, ctx| retention::purge(tx, ctx, before))?;
    print(&match lang {
        Lang::Zh => format!(
            "已清除 {n} 件信访件的信访人个人信息（{before} 前办结）；已记入审计日志，下次导出时县里也会清除。旧的备份和已发出的交换包里仍有这些信息，请按规定销毁"
        ),
        Lang::En => format!(
            "Erased the personal data of {} that ended before {before}; audited, and the next export carries the erasure to the county. Older backups and bundles already sent still hold it: destroy them as the rules require",
            crate::domain::text::count(n as u64, "petition", "petitions")
        ),
    })?;
    Ok(0)
}
