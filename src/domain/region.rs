//! Regions: county → township → village/community → grid, and their levels.
//!
//! A county's 12-digit code is its 6-digit code followed by six zeros; a township's ends in 000; a village's
//! does not; a grid's is its village's code plus a 3-digit sequence (15 digits). So a code alone tells its level
//! and its ancestors, and "inside a region" is a prefix test: see `ids::RegionCode`, the only holder of a code.

use crate::coded_enum;

coded_enum! {
    pub enum Level {
        County = ("county", "县", "county"),
        Township = ("township", "乡镇街道", "township"),
        Village = ("village", "村社区", "village"),
        Grid = ("grid", "网格", "grid"),
    }
}
