//! The first-run screen: with no database yet, set up this device (pick the township, or type a village or grid
//! code, and give the worker's name) or open a demo database to look around.

use super::field_key::FieldKey as Fk;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::prompt::{Field, Outcome, Prompt};
use crate::domain::ids::RegionCode;
use crate::domain::text::clip;
use crate::domain::{Lang, Localized};

/// What the person chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Set up this device with a jurisdiction code and the first worker.
    Setup {
        code: RegionCode,
        worker: String,
        /// The county card to register (bundles are then encrypted to the county).
        card: Option<String>,
    },
    /// Look around in a demo database of this township.
    Demo {
        township: RegionCode,
    },
    Quit,
}

/// The form: what to do, the township (the 17 of 略阳县), an optional finer code, the worker's name.
pub fn form(lang: Lang, townships: &[(String, String)]) -> Prompt {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    let what = vec![
        ("setup".into(), t("设置本设备", "set up this device")),
        ("demo".into(), t("打开演示数据看看", "open a demo database")),
    ];
    Prompt::new(
        t("欢迎使用 wangge 网格员工作台", "Welcome to wangge"),
        vec![
            Field::choice(Fk::What, t("要做什么（左右键）", "what (left/right)"), what),
            Field::choice(
                Fk::Township,
                t("辖区（左右键）", "where (left/right)"),
                townships.to_vec(),
            ),
            Field::text(
                Fk::Code,
                t("或输入村/网格代码", "or a village/grid code"),
                false,
            ),
            Field::text(Fk::Worker, t("网格员姓名", "your name"), false).limit(50),
            Field::text(
                Fk::Card,
                t("县级名片文件（可空）", "county card file (optional)"),
                false,
            )
            .limit(4096),
        ],
    )
}

/// Reads the form's answer, or says what is missing or wrong. A code typed in is normalised (spaces,
/// full-width digits, a county's 6 digits) and kept so.
pub fn choice(p: &Prompt, lang: Lang) -> Result<Choice, String> {
    let typed = p.get(Fk::Code);
    let code = if typed.trim().is_empty() {
        p.get(Fk::Township)
    } else {
        typed
    };
    let code = RegionCode::typed(&code).map_err(|e| e.message(lang))?;
    if p.get(Fk::What) == "demo" {
        return Ok(Choice::Demo {
            township: RegionCode::typed(&p.get(Fk::Township)).map_err(|e| e.message(lang))?,
        });
    }
    let worker = p.get(Fk::Worker).trim().to_owned();
    if worker.is_empty() {
        return Err(lang
            .pick("请填写网格员姓名", "Please give your name")
            .to_owned());
    }
    let card = Some(p.get(Fk::Card).trim().to_owned()).filter(|c| !c.is_empty());
    Ok(Choice::Setup { code, worker, card })
}

/// Runs the first-run screen until the person chooses or quits.
pub fn run_form<B: Backend>(
    terminal: &mut Terminal<B>,
    lang: Lang,
    today: chrono::NaiveDate,
    townships: &[(String, String)],
) -> std::io::Result<Choice>
where
    B::Error: Into<std::io::Error>,
{
    let mut p = form(lang, townships);
    let at = super::checks::Context { today, lang };
    // F1: the form's keys, over it until any key.
    // (Ctrl+R reloads a record under an edit: there is none here.)
    let keys: Vec<(String, String)> = super::keymap::for_context(super::keymap::Context::Form)
        .filter(|b| b.keys != "Ctrl+R")
        .map(|b| (b.keys.to_owned(), lang.pick(b.zh, b.en).to_owned()))
        .collect();
    let mut help = false;
    loop {
        terminal
            .draw(|f| {
                let area = f.area();
                let intro = lang.pick(
                    " 还没有数据库：设置本设备，或先看演示数据。Ctrl+S 确定，Esc 退出",
                    " No database yet: set up this device, or look at demo data. Ctrl+S go, Esc quit",
                );
                f.render_widget(Paragraph::new(Line::from(clip(intro, area.width as usize))), Rect::new(0, 0, area.width, 1));
                super::prompt_view::draw_prompt(f, &p, Rect::new(0, 2, area.width, area.height.saturating_sub(2)), lang);
                if help {
                    super::view::draw_keys(f, area, lang, &keys, false);
                }
            })
            .map_err(Into::into)?;
        let mut events = vec![event::read()?];
        while event::poll(Duration::ZERO)? {
            events.push(event::read()?);
        }
        for ev in events {
            match ev {
                Event::Key(k) if k.kind == KeyEventKind::Press && help => help = false,
                Event::Key(k) if k.kind == KeyEventKind::Press && k.code == KeyCode::F(1) => {
                    help = true
                }
                Event::Key(k) if k.kind == KeyEventKind::Press => match p.key(k, at) {
                    Outcome::Cancel => return Ok(Choice::Quit),
                    Outcome::Submit => match choice(&p, lang) {
                        Ok(c) => return Ok(c),
                        Err(e) => p.error = Some(e),
                    },
                    Outcome::Editing | Outcome::Pick(_) => {}
                },
                Event::Paste(s) => p.paste(&s, at),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_up_takes_an_optional_county_card() {
        let towns = vec![("610727101000".to_owned(), "接官亭镇".to_owned())];
        let mut p = form(Lang::Zh, &towns);
        assert!(choice(&p, Lang::Zh).is_err(), "a name is needed");
        p.set(Fk::Worker, "张伟");
        let setup = |card: Option<&str>| Choice::Setup {
            code: RegionCode::parse("610727101000").unwrap(),
            worker: "张伟".into(),
            card: card.map(str::to_owned),
        };
        assert_eq!(choice(&p, Lang::Zh), Ok(setup(None)));
        p.set(Fk::Card, " 县级名片.txt ");
        assert_eq!(choice(&p, Lang::Zh), Ok(setup(Some("县级名片.txt"))));
    }

    #[test]
    fn a_typed_code_is_normalised_or_refused_on_the_screen() {
        let towns = vec![("610727101000".to_owned(), "接官亭镇".to_owned())];
        let mut p = form(Lang::Zh, &towns);
        p.set(Fk::Worker, "张伟");
        p.set(Fk::Code, " ６１０７２７１０１２０１ ");
        match choice(&p, Lang::Zh) {
            Ok(Choice::Setup { code, .. }) => assert_eq!(code, "610727101201"),
            other => panic!("{other:?}"),
        }
        p.set(Fk::Code, "61072710120");
        let e = choice(&p, Lang::En).unwrap_err();
        assert!(
            e.contains("61072710120") && e.contains("region code"),
            "{e}"
        );
    }
}
