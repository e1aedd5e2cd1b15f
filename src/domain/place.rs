//! Places that get inspected: households, shops, venues, facilities, with their building attributes.

use super::record::{DomainError, Family, Meta, Record};
use super::validate;
use crate::coded_enum;

coded_enum! {
    pub enum PlaceKind {
        Household = ("household", "居民户", "household"),
        Shop = ("shop", "商铺", "shop"),
        Restaurant = ("restaurant", "餐饮", "restaurant"),
        Lodging = ("lodging", "宾馆民宿农家乐", "hotel or guesthouse"),
        Venue = ("venue", "公众聚集场所", "public venue"),
        School = ("school", "学校幼儿园", "school"),
        Clinic = ("clinic", "医疗卫生", "clinic"),
        Care = ("care", "养老福利", "care home"),
        Workshop = ("workshop", "生产加工", "workshop"),
        Warehouse = ("warehouse", "仓储", "warehouse"),
        ChemSite = ("chem_site", "危化品经营储存", "chemicals site"),
        Facility = ("facility", "公共设施", "public facility"),
        GeoPoint = ("geo_point", "地质灾害隐患点", "geohazard point"),
        Other = ("other", "其他", "other"),
    }
}

coded_enum! {
    pub enum Structure {
        Masonry = ("masonry", "砖混", "brick-concrete"),
        BrickWood = ("brick_wood", "砖木", "brick-wood"),
        EarthWood = ("earth_wood", "土木", "earth-wood"),
        StoneWood = ("stone_wood", "石木", "stone-wood"),
        Concrete = ("concrete", "钢筋混凝土", "reinforced concrete"),
        Steel = ("steel", "钢结构", "steel"),
        Mixed = ("mixed", "混杂", "mixed"),
        Other = ("other", "其他", "other"),
    }
}

coded_enum! {
    pub enum Use {
        Own = ("own", "自住", "own use"),
        Rent = ("rent", "出租", "rented out"),
        Business = ("business", "经营", "business"),
        Production = ("production", "生产", "production"),
        ThreeInOne = ("three_in_one", "三合一", "living + work + storage"),
        Other = ("other", "其他", "other"),
    }
}

/// A place. The owner's name and phone are personal data.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    pub address: String,
    pub kind: PlaceKind,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub owner_name: Option<String>,
    pub owner_phone: Option<String>,
    pub floors: Option<u32>,
    pub structure: Option<Structure>,
    pub year_built: Option<i32>,
    pub use_type: Option<Use>,
    pub business_type: Option<String>,
    pub occupancy: Option<u32>,
}

impl Record for Place {
    const FAMILY: Family = Family::Place;
    const PERSONAL: &'static [&'static str] = &["owner_name", "owner_phone"];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
    fn summary(&self) -> String {
        self.name.clone()
    }
}

impl Place {
    /// Checks the fields; returns a warning for coordinates outside Lueyang.
    pub fn validate(&mut self, this_year: i32) -> Result<Option<validate::Warning>, DomainError> {
        self.name = validate::required("name", &self.name, 100)?;
        self.address = validate::required("address", &self.address, 200)?;
        self.owner_name = validate::optional("name", self.owner_name.as_deref().unwrap_or(""), 50)?;
        if let Some(p) = self.owner_phone.as_deref().filter(|s| !s.trim().is_empty()) {
            self.owner_phone = Some(validate::phone(p)?.0);
        } else {
            self.owner_phone = None;
        }
        if self.floors.is_some_and(|f| f == 0 || f > 100) {
            return Err(DomainError::rule(
                "层数应在 1 到 100 之间",
                "Floors must be 1 to 100",
            ));
        }
        if self.year_built.is_some_and(|y| y < 1800 || y > this_year) {
            return Err(DomainError::rule(
                format!("建成年份应在 1800 到 {this_year} 之间"),
                format!("The year built must be 1800 to {this_year}"),
            ));
        }
        if self.occupancy.is_some_and(|n| n > 100_000) {
            return Err(DomainError::rule(
                "使用人数超出合理范围",
                "The occupancy is out of range",
            ));
        }
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => Ok(validate::coordinates(lat, lon)?),
            (None, None) => Ok(None),
            _ => Err(DomainError::rule(
                "经纬度要么都填，要么都不填",
                "Give both latitude and longitude, or neither",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_attributes_are_range_checked_and_phones_normalised() {
        let mut p = Place {
            meta: Meta::sample(4),
            name: " 嘉陵江宾馆 ".into(),
            address: "滨江路 8 号".into(),
            kind: PlaceKind::Lodging,
            lat: None,
            lon: None,
            owner_name: None,
            owner_phone: Some("0916-3212345".into()),
            floors: Some(4),
            structure: Some(Structure::Concrete),
            year_built: Some(2008),
            use_type: Some(Use::Business),
            business_type: Some("宾馆".into()),
            occupancy: Some(40),
        };
        assert_eq!(p.validate(2026).unwrap(), None);
        assert_eq!(p.name, "嘉陵江宾馆");
        assert_eq!(p.owner_phone.as_deref(), Some("0916-3212345"));
        p.floors = Some(0);
        assert!(p.validate(2026).is_err());
        p.floors = Some(4);
        p.year_built = Some(2027);
        assert!(p.validate(2026).is_err());
    }
}
