//! One simple picture per area of life, for easy read: drawn here as small inline SVG (no image files, so it works
//! offline and prints), one for each area of the three built-in frameworks and a plain one for custom areas. The
//! picture sits beside the area's name, so it is hidden from screen readers.

use leptos::prelude::*;
use waymark_shared::outcomes::AreaId;

/// The picture's shapes (24×24, drawn with `currentColor`), named by what they show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picture {
    Smile,
    Heart,
    Pot,
    TwoPeople,
    Bag,
    Family,
    Glass,
    Shield,
    Person,
    Sunrise,
    House,
    Music,
    Pill,
    Toolbox,
    Talk,
    Coin,
    Book,
    Globe,
    Cross,
    Other,
}

/// The picture for an area of a built-in framework (any other area gets [`Picture::Other`]).
pub fn picture_for(area: &AreaId) -> Picture {
    use Picture::*;
    match area.0.as_str() {
        "mental_wellbeing" | "mental_health" => Smile,
        "physical_health" | "personal_care" => Heart,
        "daily_living" => Pot,
        "social_life" | "friends" => TwoPeople,
        "occupation" | "work_and_days" | "work_and_occupation" => Bag,
        "family" | "family_and_partner" | "parenting_and_caring" => Family,
        "drugs_and_alcohol" => Glass,
        "keeping_safe" | "feeling_safe" => Shield,
        "identity" => Person,
        "hope_and_trust" => Sunrise,
        "where_i_live" | "accommodation" => House,
        "free_time" => Music,
        "medication" => Pill,
        "practical_help" => Toolbox,
        "meetings_with_staff" => Talk,
        "finance_and_money" => Coin,
        "education_and_training" => Book,
        "social_cultural_spiritual" => Globe,
        "medical_and_treatment" => Cross,
        _ => Other,
    }
}

impl Picture {
    pub fn as_str(self) -> &'static str {
        use Picture::*;
        match self {
            Smile => "smile",
            Heart => "heart",
            Pot => "pot",
            TwoPeople => "two-people",
            Bag => "bag",
            Family => "family",
            Glass => "glass",
            Shield => "shield",
            Person => "person",
            Sunrise => "sunrise",
            House => "house",
            Music => "music",
            Pill => "pill",
            Toolbox => "toolbox",
            Talk => "talk",
            Coin => "coin",
            Book => "book",
            Globe => "globe",
            Cross => "cross",
            Other => "other",
        }
    }

    /// Outline paths (stroked) of the picture.
    fn paths(self) -> &'static [&'static str] {
        use Picture::*;
        match self {
            Smile => &["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M9 10v0.5M15 10v0.5", "M8 14.5a5 5 0 0 0 8 0"],
            Heart => &["M12 20s-7.5-4.6-7.5-10.2A4.3 4.3 0 0 1 12 7.2a4.3 4.3 0 0 1 7.5 2.6C19.5 15.4 12 20 12 20z"],
            Pot => {
                &["M5 10h14v6a4 4 0 0 1-4 4H9a4 4 0 0 1-4-4z", "M3 10h18", "M9 7c0-1.5 1-1.5 1-3M14 7c0-1.5 1-1.5 1-3"]
            }
            TwoPeople => &[
                "M8.5 5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z",
                "M15.5 6a2.2 2.2 0 1 0 0 4.4a2.2 2.2 0 1 0 0-4.4z",
                "M3.5 19a5 5 0 0 1 10 0M13 14.5a4.5 4.5 0 0 1 7.5 3.5",
            ],
            Bag => &["M4 8h16v11H4z", "M9 8V5.5h6V8", "M4 13h16"],
            Family => &[
                "M8 4a2.3 2.3 0 1 0 0 4.6a2.3 2.3 0 1 0 0-4.6z",
                "M16.5 10a1.8 1.8 0 1 0 0 3.6a1.8 1.8 0 1 0 0-3.6z",
                "M3.5 20v-3.5a4.5 4.5 0 0 1 9 0V20M13.5 20v-1.5a3 3 0 0 1 6 0V20",
            ],
            Glass => &["M7 4h10l-1.5 7a3.5 3.5 0 0 1-7 0z", "M12 14.5V20M8.5 20h7"],
            Shield => &["M12 3l7 3v5c0 4.5-3 8-7 10c-4-2-7-5.5-7-10V6z", "M9 12l2 2l4-4"],
            Person => &["M12 4a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7z", "M5 20a7 7 0 0 1 14 0"],
            Sunrise => &["M6 16a6 6 0 0 1 12 0", "M3 19h18", "M12 5v3M5.5 8.5l2 2M18.5 8.5l-2 2"],
            House => &["M4 11l8-7l8 7", "M6 9.5V20h12V9.5", "M10 20v-5h4v5"],
            Music => &[
                "M9 18V6l10-2v12",
                "M6.5 15.5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z",
                "M16.5 13.5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z",
            ],
            Pill => &["M9.5 4.5a5 5 0 0 1 7 7l-5 5a5 5 0 0 1-7-7z", "M7 9.5l7 7"],
            Toolbox => &["M3 9h18v10H3z", "M9 9V6h6v3", "M3 13h18"],
            Talk => &["M4 5h11v7H9l-3 3v-3H4z", "M15 9h5v7h-2v3l-3-3h-4v-2"],
            Coin => &["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M14.5 8.5a2.5 2.5 0 0 0-4.5 1.5v6M8.5 12.5h4M8.5 16h6"],
            Book => &["M12 6c-2-1.5-5-2-8-1.5v13c3-.5 6 0 8 1.5c2-1.5 5-2 8-1.5v-13c-3-.5-6 0-8 1.5z", "M12 6v13"],
            Globe => &["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M3 12h18", "M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18"],
            Cross => &["M9.5 4h5v5.5H20v5h-5.5V20h-5v-5.5H4v-5h5.5z"],
            Other => &["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z"],
        }
    }
}

/// The area's picture, decorative (the area's name is always written beside it).
#[component]
pub fn AreaIcon(area: AreaId) -> impl IntoView {
    let picture = picture_for(&area);
    view! {
        <svg class="area-icon" data-test="area-icon" data-picture=picture.as_str() viewBox="0 0 24 24"
            aria-hidden="true" focusable="false">
            {picture.paths().iter().map(|d| view! { <path d=*d/> }).collect_view()}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::outcomes::built_in;

    #[test]
    fn every_built_in_area_has_its_own_picture_and_others_get_the_plain_one() {
        for f in built_in::all() {
            let pictures: Vec<Picture> = f.areas.iter().map(|a| picture_for(&a.id)).collect();
            assert!(!pictures.contains(&Picture::Other), "{}: {pictures:?}", f.id.0);
            let mut unique = pictures.clone();
            unique.sort_by_key(|p| p.as_str());
            unique.dedup();
            // The satisfaction check's "practical help" and "medication" are apart; within a framework no two
            // areas share a picture.
            assert_eq!(unique.len(), pictures.len(), "{}: two areas share a picture", f.id.0);
        }
        assert_eq!(picture_for(&AreaId("gardening".into())), Picture::Other);
    }
}
