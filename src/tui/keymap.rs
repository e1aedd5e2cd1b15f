//! The keymap: what a key asks for (`Action`), where it applies (`Context`), and resolving a press by walking
//! the one table of every key (`bindings.rs`) with its zh/en description. The help overlay, the hint bar
//! and the README's key table are all generated from it, so they can never drift from the real keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::Lang;
use crate::domain::inspection::ItemResult;

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Tab(u8),
    Down,
    Up,
    PageDown,
    PageUp,
    First,
    Last,
    Open,
    Back,
    New,
    Edit,
    Search,
    Filter,
    NextField,
    PrevField,
    Save,
    Reveal,
    SwitchWorker,
    /// The Qinling tab: its patrols or their findings.
    SwitchList,
    /// The villages and grids of the jurisdiction.
    Regions,
    /// A checklist item marked pass, fail or not applicable.
    Mark(ItemResult),
    /// Every checklist item not marked yet passed.
    RestPassed,
    /// A failed item's hazard: general or major.
    Grade,
    /// A failed item's hazard deadline a day later (+1) or earlier (-1).
    Deadline(i8),
    /// A self-built house's 初判, as far as the failed items allow.
    Verdict,
    /// A step named by its letter: a lifecycle action in the detail view, a 同步 or conflict action.
    Act(char),
}

/// Where a key applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere no text field has focus.
    Global,
    List,
    Detail,
    Form,
    /// The checklist grid of a new inspection.
    Checklist,
    /// An item's note being written on the checklist.
    Note,
    /// A patrol under way.
    Patrol,
    /// The 同步 tab.
    Sync,
    /// A conflict opened from the 同步 tab.
    Conflict,
    /// The villages and grids of the jurisdiction.
    Regions,
    /// Search results (`/`).
    Search,
}

impl Context {
    /// Contexts whose keys `resolve` reads from the table; in the others (forms, a note) a key is text first
    /// and their rows describe the keys the editor takes.
    pub const RESOLVED: [Context; 8] = [
        C::List,
        C::Search,
        C::Detail,
        C::Checklist,
        C::Patrol,
        C::Sync,
        C::Conflict,
        C::Regions,
    ];
}

/// A key as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character typed without Ctrl (Shift makes the capital).
    Char(char),
    /// Ctrl with a letter.
    Ctrl(char),
    /// A key without a character: Enter, Esc, Tab, arrows, F2.
    Code(KeyCode),
    /// Any lowercase letter this context binds no other way: the step of that letter (`Act`).
    Letter,
    /// Keys a text editor takes itself (forms, notes): described, not resolved here.
    Text,
}

impl Key {
    /// Whether a press is this key. Alt is not told apart: over SSH, Esc and a quick next key arrive as one
    /// Alt press, which must still do what the key does.
    fn matches(self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match (self, key.code) {
            (Key::Ctrl(c), KeyCode::Char(k)) => ctrl && k.eq_ignore_ascii_case(&c),
            (Key::Char(c), KeyCode::Char(k)) => !ctrl && k == c,
            (Key::Letter, KeyCode::Char(k)) => !ctrl && k.is_ascii_lowercase(),
            (Key::Code(c), k) => !ctrl && k == c,
            _ => false,
        }
    }
}

/// One row of the table: the keys it binds (each with its action), as shown, and what they do.
pub struct Binding {
    pub context: Context,
    pub keys: &'static str,
    pub press: &'static [(Key, Action)],
    pub zh: &'static str,
    pub en: &'static str,
    /// Shown in the bottom hint bar of its context.
    pub hint: bool,
}

impl Binding {
    /// The row's main action (hints are filtered by it).
    pub fn action(&self) -> Action {
        self.press.first().map_or(A::Help, |p| p.1)
    }
}

use Action as A;
use Context as C;
use Key as K;

pub use super::bindings::KEYMAP;

/// The action a key press means in `context` when no text field has focus: the first row of the context's
/// own, then of the global ones, that binds the key; a letter no row binds is a step where the context takes
/// letters as steps. A key no row binds means nothing.
pub fn resolve(context: Context, key: KeyEvent) -> Option<Action> {
    binding(context, key).map(|(_, action)| action)
}

/// The row that binds a key press in `context`, and the action it means there.
pub fn binding(context: Context, key: KeyEvent) -> Option<(&'static Binding, Action)> {
    let rows = || for_context(context).flat_map(|b| b.press.iter().map(move |p| (b, p)));
    if let Some((b, &(_, action))) = rows().find(|(_, (k, _))| *k != K::Letter && k.matches(key)) {
        return Some((b, action));
    }
    // A letter bound no other way names a step (the detail view's lifecycle actions).
    match key.code {
        KeyCode::Char(c) => rows()
            .find(|(_, (k, _))| *k == K::Letter && k.matches(key))
            .map(|(b, _)| (b, A::Act(c))),
        _ => None,
    }
}

/// The bindings shown for a context: its own, then the global ones.
pub fn for_context(context: Context) -> impl Iterator<Item = &'static Binding> {
    // In forms every printable key is text, so the global keys do not apply there.
    let globals = matches!(
        context,
        C::List | C::Detail | C::Patrol | C::Sync | C::Conflict | C::Regions | C::Search
    );
    KEYMAP.iter().filter(move |b| b.context == context).chain(
        KEYMAP
            .iter()
            .filter(move |b| globals && b.context == C::Global),
    )
}

/// The hint bar's items: the main keys of a context, but those `keep` leaves out (a key that would do nothing
/// on this screen), most needed first.
pub fn hints_where(context: Context, lang: Lang, keep: impl Fn(Action) -> bool) -> Vec<String> {
    for_context(context)
        .filter(|b| b.hint && keep(b.action()))
        .map(|b| format!("{} {}", b.keys, lang.pick(b.zh, b.en)))
        .collect()
}

/// The hint bar's items of a context.
pub fn hints(context: Context, lang: Lang) -> Vec<String> {
    hints_where(context, lang, |_| true)
}

/// The README's key table (Markdown), from the same rows, plus the lifecycle keys of the detail views.
pub fn markdown_table() -> String {
    let mut s = String::from("| key | where / 在哪里 | does / 作用 |\n| --- | --- | --- |\n");
    for b in KEYMAP {
        let place = match b.context {
            C::Global => "any list or detail / 任何列表或详情",
            C::List => "lists / 列表",
            C::Detail => "detail / 详情",
            C::Form => "forms / 表单",
            C::Checklist => "checklist / 检查表",
            C::Note => "an item's note / 检查项备注",
            C::Patrol => "patrol under way / 巡查中",
            C::Sync => "同步 tab / 同步页",
            C::Conflict => "a conflict / 冲突",
            C::Regions => "regions (`R`) / 区划",
            C::Search => "search results / 搜索结果",
        };
        s.push_str(&format!(
            "| `{}` | {place} | {} / {} |\n",
            b.keys, b.zh, b.en
        ));
    }
    use super::offers::Offer;
    use crate::domain::hazard::HazardActionKind;
    use crate::domain::patrol::FindingActionKind;
    use crate::domain::petition::PetitionActionKind;
    let offers = HazardActionKind::ALL
        .iter()
        .map(|k| ("hazard / 隐患", Offer::Hazard(*k)))
        .chain(
            FindingActionKind::ALL
                .iter()
                .map(|k| ("finding / 巡查发现", Offer::Finding(*k))),
        )
        .chain(
            PetitionActionKind::ALL
                .iter()
                .map(|k| ("petition / 信访", Offer::Petition(*k))),
        );
    let assignment =
        [Offer::AssignDown, Offer::AnswerAssignment].map(|o| ("hazard, petition / 隐患、信访", o));
    for (family, o) in offers.chain(assignment) {
        s.push_str(&format!(
            "| `{}` | {family} detail / 详情 | {} / {} |\n",
            o.key(),
            o.label(Lang::Zh),
            o.label(Lang::En)
        ));
    }
    s
}
