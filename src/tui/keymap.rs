//! The one keymap table: every key of every screen, with its zh/en description. The help overlay, the hint bar
//! and the README's key table are all generated from it, so they can never drift from the real keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::Lang;

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
    /// A lifecycle action in the detail view, by its letter.
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
}

/// One row of the table.
pub struct Binding {
    pub context: Context,
    pub keys: &'static str,
    pub action: Action,
    pub zh: &'static str,
    pub en: &'static str,
    /// Shown in the bottom hint bar of its context.
    pub hint: bool,
}

const fn b(
    context: Context,
    keys: &'static str,
    action: Action,
    zh: &'static str,
    en: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        zh,
        en,
        hint,
    }
}

use Action as A;
use Context as C;

/// Every key.
pub const KEYMAP: &[Binding] = &[
    b(C::List, "Enter", A::Open, "打开", "open", true),
    b(
        C::List,
        "v",
        A::SwitchList,
        "巡查记录/发现",
        "patrols/findings",
        true,
    ),
    b(C::List, "j/k", A::Down, "移动", "move", true),
    b(C::List, "PgUp/PgDn", A::PageDown, "翻页", "page", false),
    b(
        C::List,
        "g/G",
        A::First,
        "第一条/最后一条",
        "first/last",
        false,
    ),
    b(
        C::List,
        "f",
        A::Filter,
        "筛选（状态、逾期）",
        "filter (status, overdue)",
        true,
    ),
    b(C::Detail, "Esc", A::Back, "返回", "back", true),
    b(
        C::Detail,
        "i",
        A::Reveal,
        "显示遮蔽的个人信息（记入审计）",
        "reveal masked personal data (audited)",
        true,
    ),
    b(
        C::Form,
        "Tab/Shift+Tab",
        A::NextField,
        "下一项/上一项",
        "next/previous field",
        true,
    ),
    b(C::Form, "Ctrl+S / F2", A::Save, "保存", "save", true),
    b(
        C::Form,
        "Ctrl+J / Alt+Enter",
        A::Edit,
        "换行（多行内容）",
        "new line (multi-line text)",
        false,
    ),
    b(
        C::Form,
        "Ctrl+R",
        A::Edit,
        "载入最新版本（别人已改过，已填的保留）",
        "load the newest version (changed meanwhile; typing kept)",
        false,
    ),
    b(C::Form, "Esc", A::Back, "取消", "cancel", true),
    b(C::List, "n", A::New, "新建", "new", true),
    b(
        C::List,
        "F2",
        A::Save,
        "回到等待保存的表单",
        "back to the form whose save waits",
        false,
    ),
    b(
        C::Checklist,
        "p/f/n",
        A::Edit,
        "合格/不合格/不适用",
        "pass/fail/n.a.",
        true,
    ),
    b(
        C::Checklist,
        "P",
        A::Edit,
        "其余全部合格",
        "mark the rest passed",
        true,
    ),
    b(C::Checklist, "Tab", A::NextField, "备注", "note", true),
    b(C::Checklist, "g", A::Edit, "等级", "grade", true),
    b(C::Checklist, "+/-", A::Edit, "期限", "deadline", true),
    b(
        C::Checklist,
        "v",
        A::Edit,
        "自建房初判",
        "house verdict",
        false,
    ),
    b(C::Checklist, "Ctrl+S / F2", A::Save, "保存", "save", true),
    b(
        C::Checklist,
        "Esc",
        A::Back,
        "回到场所信息（答案保留）",
        "back to the place (answers kept)",
        true,
    ),
    b(
        C::Note,
        "Enter/Tab",
        A::NextField,
        "写完到下一项",
        "done, next item",
        true,
    ),
    b(C::Note, "Esc", A::Back, "写完", "done", true),
    b(C::Note, "Ctrl+S / F2", A::Save, "保存检查", "save", true),
    b(C::Patrol, "a", A::New, "上报发现", "report a finding", true),
    b(
        C::Patrol,
        "c",
        A::Save,
        "结束巡查",
        "finish the patrol",
        true,
    ),
    b(C::Sync, "e", A::Act('e'), "导出", "export", true),
    b(C::Sync, "i", A::Act('i'), "导入", "import", true),
    b(C::Sync, "j/k", A::Down, "移动", "move", false),
    b(
        C::Sync,
        "c",
        A::Act('c'),
        "确认设备",
        "confirm device",
        true,
    ),
    b(C::Sync, "Enter", A::Open, "看冲突", "open conflict", true),
    b(
        C::Sync,
        "a",
        A::Act('a'),
        "登记县级名片",
        "register county card",
        false,
    ),
    b(C::Sync, "r", A::Act('r'), "重查隔离", "recheck", false),
    b(
        C::Sync,
        "x",
        A::Act('x'),
        "丢弃隔离记录",
        "discard held record",
        false,
    ),
    b(
        C::Conflict,
        "a",
        A::Act('a'),
        "保留现在这版",
        "keep current",
        true,
    ),
    b(
        C::Conflict,
        "b",
        A::Act('b'),
        "改用另一版",
        "take other",
        true,
    ),
    b(C::Conflict, "Esc", A::Back, "返回", "back", true),
    b(
        C::Regions,
        "n",
        A::New,
        "添加村/网格（所选之下）",
        "add village/grid below",
        true,
    ),
    b(C::Regions, "e", A::Edit, "改名", "rename", true),
    b(C::Regions, "j/k", A::Down, "移动", "move", true),
    b(C::Regions, "Esc", A::Back, "返回", "back", true),
    b(C::Global, "1-6", A::Tab(1), "切换页签", "switch tab", false),
    b(C::Global, "/", A::Search, "搜索", "search", true),
    b(
        C::Global,
        "w",
        A::SwitchWorker,
        "切换网格员",
        "switch worker",
        false,
    ),
    b(
        C::Global,
        "R",
        A::Regions,
        "区划：添加、改名村和网格",
        "regions: add or rename villages and grids",
        false,
    ),
    b(C::Global, "?", A::Help, "帮助", "help", true),
    b(C::Global, "q", A::Quit, "退出", "quit", true),
];

/// The action a key press means in `context` when no text field has focus.
pub fn resolve(context: Context, key: KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('s') if ctrl => A::Save,
        KeyCode::Char('c') if ctrl => A::Quit,
        KeyCode::F(2) => A::Save,
        KeyCode::Tab => A::NextField,
        KeyCode::BackTab => A::PrevField,
        KeyCode::Esc => A::Back,
        KeyCode::Enter => A::Open,
        KeyCode::Down => A::Down,
        KeyCode::Up => A::Up,
        KeyCode::PageDown => A::PageDown,
        KeyCode::PageUp => A::PageUp,
        KeyCode::Home => A::First,
        KeyCode::End => A::Last,
        _ if ctrl => return None,
        KeyCode::Char('q') => A::Quit,
        KeyCode::Char('?') => A::Help,
        KeyCode::Char(c @ '1'..='6') => A::Tab(c as u8 - b'0'),
        KeyCode::Char('j') => A::Down,
        KeyCode::Char('k') => A::Up,
        KeyCode::Char('g') => A::First,
        KeyCode::Char('G') => A::Last,
        KeyCode::Char('n') => A::New,
        KeyCode::Char(c @ ('e' | 'i' | 'c' | 'r' | 'x' | 'a')) if context == C::Sync => A::Act(c),
        KeyCode::Char('e') => A::Edit,
        KeyCode::Char('/') => A::Search,
        KeyCode::Char('f') if context != C::Detail => A::Filter,
        KeyCode::Char('v') if context == C::List => A::SwitchList,
        KeyCode::Char('w') => A::SwitchWorker,
        KeyCode::Char('R') => A::Regions,
        KeyCode::Char('i') if context == C::Detail => A::Reveal,
        KeyCode::Char(c) if context == C::Detail && c.is_ascii_lowercase() => A::Act(c),
        KeyCode::Char(c @ ('a' | 'b')) if context == C::Conflict => A::Act(c),
        _ => return None,
    })
}

/// The bindings shown for a context: its own, then the global ones.
pub fn for_context(context: Context) -> impl Iterator<Item = &'static Binding> {
    // In forms every printable key is text, so the global keys do not apply there.
    let globals = matches!(
        context,
        C::List | C::Detail | C::Patrol | C::Sync | C::Conflict | C::Regions
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
        .filter(|b| b.hint && keep(b.action))
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
