//! The edit form of a record shown in the detail view (`e`): a hazard's, a finding's and a petition's descriptive
//! fields, an inspection's correction (date, subject, 初判 within what its failed items allow, note), each with
//! the reason for the change; filled with what the record holds now.

use super::checks::Check;
use super::field_key::FieldKey as Fk;
use super::forms::choices;
use super::prompt::{Field, Prompt};
use crate::domain::Lang;
use crate::domain::inspection::Subject;
use crate::domain::patrol::Zone;
use crate::domain::petition::{Channel, PetitionCategory, Track};

/// The edit form of a record: its descriptive fields, filled with what it holds now.
pub fn edit(lang: Lang, shown: &super::detail::Shown) -> Option<Prompt> {
    use super::detail::Shown;
    use crate::domain::category::Grade;
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = match shown {
        Shown::Hazard(h) => vec![
            Field::note(Fk::Description, t("问题", "problem"), true, &h.description),
            Field::chosen(
                Fk::Grade,
                t("等级", "grade"),
                choices(Grade::ALL, |c| c.code(), |c| c.label(lang)),
                h.grade.code(),
            ),
            Field::filled(
                Fk::Responsible,
                t("责任人", "responsible"),
                false,
                &opt(&h.responsible),
            )
            .limit(100),
            Field::filled(
                Fk::Notice,
                t("整改通知书编号", "notice number"),
                false,
                &opt(&h.notice_no),
            )
            .limit(50),
            Field::note(Fk::Reason, t("修改原因", "why the change"), false, ""),
        ],
        Shown::Finding(f) => vec![
            Field::note(
                Fk::Description,
                t("问题描述", "description"),
                true,
                &f.description,
            ),
            Field::filled(Fk::Location, t("位置", "location"), true, &f.location),
            Field::chosen(
                Fk::Zone,
                t("保护区", "zone"),
                choices(Zone::ALL, |c| c.code(), |c| c.label(lang)),
                f.zone.code(),
            ),
            Field::note(
                Fk::Action,
                t("现场处置", "on-site action"),
                false,
                &opt(&f.on_site_action),
            ),
            Field::note(Fk::Reason, t("修改原因", "why the change"), false, ""),
        ],
        Shown::Petition(p) => vec![
            Field::chosen(
                Fk::Channel,
                t("信访形式", "channel"),
                choices(Channel::ALL, |c| c.code(), |c| c.label(lang)),
                p.channel.code(),
            ),
            Field::chosen(
                Fk::Track,
                t("性质", "track"),
                choices(Track::ALL, |c| c.code(), |c| c.label(lang)),
                p.track.code(),
            ),
            Field::chosen(
                Fk::Category,
                t("类别", "category"),
                choices(PetitionCategory::ALL, |c| c.code(), |c| c.label(lang)),
                p.category.code(),
            ),
            Field::filled(Fk::Phone, t("电话", "phone"), false, &opt(&p.phone))
                .check(Check::Phone)
                .limit(20),
            Field::filled(Fk::Address, t("住址", "address"), false, &opt(&p.address)),
            Field::filled(Fk::People, t("人数", "people"), true, &p.people.to_string())
                .check(Check::Whole { min: 1 })
                .limit(6),
            Field::filled(
                Fk::Summary,
                t("反映问题（摘要）", "summary"),
                true,
                &p.summary,
            )
            .limit(100),
            Field::multi(Fk::Content, t("具体内容", "content"), true, &p.content),
            Field::filled(
                Fk::Unit,
                t("责任单位", "responsible unit"),
                false,
                &opt(&p.unit),
            )
            .limit(100),
            Field::note(Fk::Reason, t("修改原因", "why the change"), false, ""),
        ],
        Shown::Inspection(i) => {
            use crate::domain::inspection::Verdict;
            let mut fields = vec![
                Field::date(
                    Fk::Date,
                    t("检查日期", "inspected on"),
                    Some(i.inspected_on),
                ),
                Field::chosen(
                    Fk::Subject,
                    t("检查对象", "subject"),
                    choices(Subject::ALL, |c| c.code(), |c| c.label(lang)),
                    i.subject.code(),
                ),
            ];
            if let Some(v) = i.verdict {
                // Only the verdicts the failed items allow: 初判 never contradicts the results.
                let agreeing = Verdict::agreeing(i.failed_count);
                let current = if agreeing.contains(&v) {
                    v
                } else {
                    agreeing[0]
                };
                fields.push(Field::chosen(
                    Fk::Verdict,
                    t("初判", "verdict"),
                    choices(agreeing, |c| c.code(), |c| c.label(lang)),
                    current.code(),
                ));
            }
            fields.push(Field::note(Fk::Note, t("备注", "note"), false, &opt(&i.note)).limit(2000));
            fields.push(Field::note(
                Fk::Reason,
                t("修改原因", "why the change"),
                false,
                "",
            ));
            return Some(Prompt::new(
                t(
                    "更正检查（各项结果和隐患不变）",
                    "Correct the inspection (results and hazards stay)",
                ),
                fields,
            ));
        }
        Shown::Patrol(_) => return None,
    };
    Some(Prompt::new(t("修改", "Edit"), fields))
}
