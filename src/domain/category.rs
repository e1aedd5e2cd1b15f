//! Safety categories (what an inspection or hazard is about) and their default hazard deadlines.

use crate::coded_enum;

coded_enum! {
    /// What a safety inspection checks, and the area a hazard belongs to.
    pub enum Category {
        Gas = ("gas", "燃气", "gas"),
        Venue = ("venue", "人员密集场所", "crowded venue"),
        Ebike = ("ebike", "电动自行车", "e-bike"),
        House = ("house", "自建房", "self-built house"),
        Chemical = ("chem", "危险化学品", "hazardous chemicals"),
        Water = ("water", "水利设施", "water works"),
        Power = ("power", "电力设施", "power lines"),
        Geo = ("geo", "地质灾害", "geological hazard"),
        ForestFire = ("fire", "森林防火", "forest fire"),
        Tailings = ("tailings", "尾矿库", "tailings dam"),
        Other = ("other", "其他", "other"),
    }
}

coded_enum! {
    /// 一般 or 重大 (the national two-tier definition).
    pub enum Grade {
        General = ("general", "一般", "general"),
        Major = ("major", "重大", "major"),
    }
}

impl Category {
    /// Categories inspected with a built-in checklist.
    pub const INSPECTED: &'static [Category] = &[
        Category::Gas,
        Category::Venue,
        Category::Ebike,
        Category::House,
        Category::Chemical,
        Category::Water,
        Category::Power,
        Category::Geo,
    ];

    /// Short label for narrow list columns.
    pub fn short(self, lang: super::Lang) -> &'static str {
        match self {
            Category::Gas => lang.pick("燃气", "gas"),
            Category::Venue => lang.pick("人密", "venue"),
            Category::Ebike => lang.pick("电动车", "e-bike"),
            Category::House => lang.pick("自建房", "house"),
            Category::Chemical => lang.pick("危化品", "chem"),
            Category::Water => lang.pick("水利", "water"),
            Category::Power => lang.pick("电力", "power"),
            Category::Geo => lang.pick("地灾", "geo"),
            Category::ForestFire => lang.pick("森林防火", "fire"),
            Category::Tailings => lang.pick("尾矿库", "tailings"),
            Category::Other => lang.pick("其他", "other"),
        }
    }

    /// Default days to rectify a hazard found today. Townships change each hazard's own deadline as needed;
    /// a major hazard follows its approved treatment plan, so its default is longer.
    pub fn default_hazard_days(self, grade: Grade) -> u32 {
        if grade == Grade::Major {
            return 60;
        }
        match self {
            Category::Ebike | Category::ForestFire => 7,
            Category::Venue | Category::Chemical | Category::Power => 15,
            _ => 30,
        }
    }
}
