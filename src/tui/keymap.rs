//! The one keymap table: every key of every screen, with its zh/en description. The help overlay, the hint bar
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

const fn b(
    context: Context,
    keys: &'static str,
    press: &'static [(Key, Action)],
    zh: &'static str,
    en: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        context,
        keys,
        press,
        zh,
        en,
        hint,
    }
}

use Action as A;
use Context as C;
use Key as K;

const MOVE: &[(Key, Action)] = &[
    (K::Char('j'), A::Down),
    (K::Char('k'), A::Up),
    (K::Code(KeyCode::Down), A::Down),
    (K::Code(KeyCode::Up), A::Up),
];
const ESC_BACK: &[(Key, Action)] = &[(K::Code(KeyCode::Esc), A::Back)];
const SAVE: &[(Key, Action)] = &[(K::Ctrl('s'), A::Save), (K::Code(KeyCode::F(2)), A::Save)];
const TEXT: &[(Key, Action)] = &[(K::Text, A::Edit)];

/// Every key.
pub const KEYMAP: &[Binding] = &[
    b(
        C::List,
        "Enter",
        &[(K::Code(KeyCode::Enter), A::Open)],
        "打开",
        "open",
        true,
    ),
    b(C::List, "n", &[(K::Char('n'), A::New)], "新建", "new", true),
    b(
        C::List,
        "v",
        &[(K::Char('v'), A::SwitchList)],
        "巡查记录/发现",
        "patrols/findings",
        true,
    ),
    b(C::List, "j/k", MOVE, "移动", "move", true),
    b(
        C::List,
        "PgUp/PgDn",
        &[
            (K::Code(KeyCode::PageUp), A::PageUp),
            (K::Code(KeyCode::PageDown), A::PageDown),
        ],
        "翻页",
        "page",
        false,
    ),
    b(
        C::List,
        "g/G Home/End",
        &[
            (K::Char('g'), A::First),
            (K::Char('G'), A::Last),
            (K::Code(KeyCode::Home), A::First),
            (K::Code(KeyCode::End), A::Last),
        ],
        "第一条/最后一条",
        "first/last",
        false,
    ),
    b(
        C::List,
        "f",
        &[(K::Char('f'), A::Filter)],
        "筛选（状态、逾期）",
        "filter (status, overdue)",
        true,
    ),
    b(
        C::List,
        "e",
        &[(K::Char('e'), A::Edit)],
        "修改所选的记录",
        "edit the selected record",
        false,
    ),
    b(
        C::List,
        "Esc",
        ESC_BACK,
        "返回（总览：退出所选行）",
        "back (overview: leave the line)",
        false,
    ),
    b(
        C::List,
        "F2",
        &[(K::Code(KeyCode::F(2)), A::Save)],
        "回到等待保存的表单",
        "back to the form whose save waits",
        false,
    ),
    b(C::Detail, "Esc", ESC_BACK, "返回", "back", true),
    b(C::Detail, "j/k", MOVE, "滚动", "scroll", false),
    b(
        C::Detail,
        "Tab",
        &[(K::Code(KeyCode::Tab), A::NextField)],
        "选关联记录",
        "select linked",
        true,
    ),
    b(
        C::Detail,
        "Enter",
        &[(K::Code(KeyCode::Enter), A::Open)],
        "打开所选",
        "open selected",
        true,
    ),
    b(
        C::Detail,
        "g/G",
        &[(K::Char('g'), A::First), (K::Char('G'), A::Last)],
        "顶部/底部",
        "top/bottom",
        false,
    ),
    b(
        C::Detail,
        "PgUp/PgDn",
        &[
            (K::Code(KeyCode::PageUp), A::PageUp),
            (K::Code(KeyCode::PageDown), A::PageDown),
        ],
        "翻页",
        "page",
        false,
    ),
    b(
        C::Detail,
        "e",
        &[(K::Char('e'), A::Edit)],
        "修改",
        "edit",
        true,
    ),
    b(
        C::Detail,
        "i",
        &[(K::Char('i'), A::Reveal)],
        "显示遮蔽的个人信息（记入审计）",
        "reveal masked personal data (audited)",
        true,
    ),
    b(
        C::Detail,
        "a-z",
        &[(K::Letter, A::Act('?'))],
        "办理（底行“可办”列出的字母）",
        "a step (the letters after \"do:\")",
        false,
    ),
    b(
        C::Form,
        "Tab/Shift+Tab",
        TEXT,
        "下一项/上一项",
        "next/previous field",
        true,
    ),
    b(C::Form, "Ctrl+S / F2", TEXT, "保存", "save", true),
    b(
        C::Form,
        "Ctrl+J / Alt+Enter",
        TEXT,
        "换行（多行内容）",
        "new line (multi-line text)",
        false,
    ),
    b(
        C::Form,
        "Ctrl+R",
        TEXT,
        "载入最新版本（别人已改过，已填的保留）",
        "load the newest version (changed meanwhile; typing kept)",
        false,
    ),
    b(C::Form, "Esc", TEXT, "取消", "cancel", true),
    b(
        C::Form,
        "F1",
        TEXT,
        "帮助（表单里 ? 是文字）",
        "help (in a form ? is text)",
        false,
    ),
    b(
        C::Checklist,
        "p/f/n",
        &[
            (K::Char('p'), A::Mark(ItemResult::Pass)),
            (K::Char('f'), A::Mark(ItemResult::Fail)),
            (K::Char('n'), A::Mark(ItemResult::NotApplicable)),
        ],
        "合格/不合格/不适用",
        "pass/fail/n.a.",
        true,
    ),
    b(
        C::Checklist,
        "P",
        &[(K::Char('P'), A::RestPassed)],
        "其余全部合格",
        "rest passed",
        true,
    ),
    b(C::Checklist, "Ctrl+S / F2", SAVE, "保存", "save", true),
    b(
        C::Checklist,
        "Tab",
        &[(K::Code(KeyCode::Tab), A::NextField)],
        "备注",
        "note",
        true,
    ),
    b(
        C::Checklist,
        "g",
        &[(K::Char('g'), A::Grade)],
        "等级",
        "grade",
        true,
    ),
    b(
        C::Checklist,
        "+/-",
        &[
            (K::Char('+'), A::Deadline(1)),
            (K::Char('='), A::Deadline(1)),
            (K::Char('-'), A::Deadline(-1)),
        ],
        "期限",
        "deadline",
        true,
    ),
    b(
        C::Checklist,
        "v",
        &[(K::Char('v'), A::Verdict)],
        "自建房初判",
        "house verdict",
        false,
    ),
    b(C::Checklist, "j/k", MOVE, "移动", "move", false),
    b(
        C::Checklist,
        "Esc",
        ESC_BACK,
        "回到场所信息（答案保留）",
        "back to the place (answers kept)",
        true,
    ),
    b(
        C::Checklist,
        "?",
        &[(K::Char('?'), A::Help)],
        "帮助",
        "help",
        true,
    ),
    b(
        C::Checklist,
        "q",
        &[(K::Char('q'), A::Quit)],
        "退出（先问）",
        "quit (asks first)",
        false,
    ),
    b(
        C::Note,
        "Enter/Tab",
        TEXT,
        "写完到下一项",
        "done, next item",
        true,
    ),
    b(C::Note, "Esc", TEXT, "写完", "done", true),
    b(C::Note, "Ctrl+S / F2", TEXT, "保存检查", "save", true),
    b(
        C::Patrol,
        "a",
        &[(K::Char('a'), A::New)],
        "上报发现",
        "report a finding",
        true,
    ),
    b(
        C::Patrol,
        "c",
        &[(K::Char('c'), A::Save)],
        "结束巡查",
        "finish the patrol",
        true,
    ),
    b(
        C::Patrol,
        "Esc",
        ESC_BACK,
        "离开（巡查继续，在 4 页按 v 找到它再打开）",
        "leave (it goes on; v on tab 4 lists it to open again)",
        false,
    ),
    b(
        C::Sync,
        "e",
        &[(K::Char('e'), A::Act('e'))],
        "导出",
        "export",
        true,
    ),
    b(
        C::Sync,
        "i",
        &[(K::Char('i'), A::Act('i'))],
        "导入",
        "import",
        true,
    ),
    b(C::Sync, "j/k", MOVE, "移动", "move", false),
    b(
        C::Sync,
        "c",
        &[(K::Char('c'), A::Act('c'))],
        "确认设备",
        "confirm device",
        true,
    ),
    b(
        C::Sync,
        "Enter",
        &[(K::Code(KeyCode::Enter), A::Open)],
        "看冲突",
        "open conflict",
        true,
    ),
    b(
        C::Sync,
        "a",
        &[(K::Char('a'), A::Act('a'))],
        "登记县级名片",
        "register county card",
        false,
    ),
    b(
        C::Sync,
        "r",
        &[(K::Char('r'), A::Act('r'))],
        "重查隔离",
        "recheck",
        false,
    ),
    b(
        C::Sync,
        "x",
        &[(K::Char('x'), A::Act('x'))],
        "丢弃隔离记录",
        "discard held record",
        false,
    ),
    b(
        C::Conflict,
        "a",
        &[(K::Char('a'), A::Act('a'))],
        "保留现在这版",
        "keep current",
        true,
    ),
    b(
        C::Conflict,
        "b",
        &[(K::Char('b'), A::Act('b'))],
        "改用另一版",
        "take other",
        true,
    ),
    b(C::Conflict, "Esc", ESC_BACK, "返回", "back", true),
    b(
        C::Regions,
        "n",
        &[(K::Char('n'), A::New)],
        "添加村/网格（所选之下）",
        "add village/grid below",
        true,
    ),
    b(
        C::Regions,
        "e",
        &[(K::Char('e'), A::Edit)],
        "改名",
        "rename",
        true,
    ),
    b(C::Regions, "j/k", MOVE, "移动", "move", true),
    b(
        C::Regions,
        "g/G",
        &[(K::Char('g'), A::First), (K::Char('G'), A::Last)],
        "第一行/最后一行",
        "first/last",
        false,
    ),
    b(
        C::Regions,
        "PgUp/PgDn",
        &[
            (K::Code(KeyCode::PageUp), A::PageUp),
            (K::Code(KeyCode::PageDown), A::PageDown),
        ],
        "翻页",
        "page",
        false,
    ),
    b(C::Regions, "Esc", ESC_BACK, "返回", "back", true),
    b(
        C::Search,
        "Enter",
        &[(K::Code(KeyCode::Enter), A::Open)],
        "打开",
        "open",
        true,
    ),
    b(C::Search, "j/k", MOVE, "移动", "move", true),
    b(C::Search, "Esc", ESC_BACK, "返回", "back", true),
    b(
        C::Global,
        "1-6",
        &[
            (K::Char('1'), A::Tab(1)),
            (K::Char('2'), A::Tab(2)),
            (K::Char('3'), A::Tab(3)),
            (K::Char('4'), A::Tab(4)),
            (K::Char('5'), A::Tab(5)),
            (K::Char('6'), A::Tab(6)),
        ],
        "切换页签",
        "switch tab",
        false,
    ),
    b(
        C::Global,
        "/",
        &[(K::Char('/'), A::Search)],
        "搜索",
        "search",
        true,
    ),
    b(
        C::Global,
        "w",
        &[(K::Char('w'), A::SwitchWorker)],
        "切换网格员",
        "switch worker",
        false,
    ),
    b(
        C::Global,
        "R",
        &[(K::Char('R'), A::Regions)],
        "区划：添加、改名村和网格",
        "regions: add or rename villages and grids",
        false,
    ),
    b(
        C::Global,
        "?",
        &[(K::Char('?'), A::Help)],
        "帮助",
        "help",
        true,
    ),
    b(
        C::Global,
        "q",
        &[(K::Char('q'), A::Quit)],
        "退出",
        "quit",
        true,
    ),
    b(
        C::Global,
        "Ctrl+C",
        &[(K::Ctrl('c'), A::Quit)],
        "退出",
        "quit",
        false,
    ),
];

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
