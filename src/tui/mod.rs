//! The worker's app in the terminal: set-up and restoration of the terminal (also on panic), and the main loop,
//! generic over the backend so tests drive the very same loop on `TestBackend`.

pub mod app;
mod bindings;
pub mod checklist;
pub mod checks;
mod dash;
mod dash_view;
pub mod detail;
mod edit_form;
mod entry;
pub mod field;
pub mod field_key;
pub mod firstrun;
pub mod forms;
pub mod keymap;
pub mod list_view;
pub mod offers;
pub mod patrol_run;
mod pick;
pub mod prompt;
mod prompt_view;
pub mod regions;
mod screens;
mod scroll;
pub mod search_view;
mod submit;
pub mod sync;
mod sync_view;
pub mod tabs;
mod update;
pub mod view;
mod waiting;
pub mod wrap;

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::execute;

use app::App;
use view::Theme;

/// Shows the first-run screen in a terminal of its own and returns the choice.
pub fn first_run(
    lang: crate::domain::Lang,
    today: chrono::NaiveDate,
    townships: &[(String, String)],
) -> std::io::Result<firstrun::Choice> {
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(std::io::stdout(), EnableBracketedPaste);
    let result = firstrun::run_form(&mut terminal, lang, today, townships);
    let _ = execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::try_restore()?;
    result
}

/// Runs the app until the worker quits. The terminal is restored on quit, on error and on panic.
pub fn run(app: App) -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(std::io::stdout(), EnableBracketedPaste);
    let result = run_app(&mut terminal, app, Theme::from_env());
    let _ = execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::try_restore()?;
    result
}

/// The loop: draw, do what waits for idle time (then draw again), wait for an event, drain every pending one (an
/// IME commits a phrase as a burst), repeat.
/// While an export or import runs, it also wakes ten times a second to draw the progress.
pub fn run_app<B: Backend>(
    terminal: &mut Terminal<B>,
    mut app: App,
    theme: Theme,
) -> std::io::Result<()>
where
    B::Error: Into<std::io::Error>,
{
    if let Ok(size) = terminal.size() {
        app.resize(size.height);
    }
    while !app.quit {
        terminal
            .draw(|f| view::draw(f, &app, theme))
            .map_err(Into::into)?;
        if app.idle() && !event::poll(Duration::ZERO)? {
            continue;
        }
        // A save waiting for another program's lock: tried again every moment no key comes.
        if app.waiting && !event::poll(Duration::from_millis(200))? {
            continue;
        }
        if app.busy() && !event::poll(Duration::from_millis(100))? {
            app.tick();
            continue;
        }
        app.event(event::read()?);
        app.tick();
        while !app.quit && event::poll(Duration::ZERO)? {
            app.event(event::read()?);
        }
    }
    Ok(())
}
