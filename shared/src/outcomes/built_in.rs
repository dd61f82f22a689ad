//! The frameworks Waymark ships with, written in our own words. (The Recovery Star's area names, ladder and design
//! are proprietary and are deliberately not used.)

use super::{Area, AreaId, Framework, FrameworkId, Scale, Stage, Text};

fn area(id: &str, en: &str, cy: &str, about_en: &str, about_cy: &str) -> Area {
    Area { id: AreaId(id.to_owned()), label: Text::new(en, cy), description: Text::new(about_en, about_cy) }
}

fn stage(from: u8, to: u8, en: &str, cy: &str, about_en: &str, about_cy: &str) -> Stage {
    Stage { from, to, label: Text::new(en, cy), description: Text::new(about_en, about_cy) }
}

/// The Waymark recovery ladder: ten areas of life, each rated 1–10 across five stages of change.
pub fn waymark_ladder() -> Framework {
    Framework {
        id: FrameworkId("waymark_ladder".into()),
        version: 1,
        name: Text::new("Waymark recovery ladder", "Ysgol adferiad Waymark"),
        asks_more_help: false,
        retired: false,
        areas: vec![
            area(
                "mental_wellbeing",
                "Mental wellbeing",
                "Lles meddyliol",
                "How I feel in my mind from day to day, and how I cope when things are hard.",
                "Sut rwy'n teimlo yn fy meddwl o ddydd i ddydd, a sut rwy'n ymdopi pan fydd pethau'n anodd.",
            ),
            area(
                "physical_health",
                "Physical health and looking after myself",
                "Iechyd corfforol a gofalu amdanaf fy hun",
                "Sleep, food, exercise, keeping clean and looking after my body.",
                "Cwsg, bwyd, ymarfer corff, cadw'n lân a gofalu am fy nghorff.",
            ),
            area(
                "daily_living",
                "Everyday living skills",
                "Sgiliau byw bob dydd",
                "Cooking, money, shopping, keeping my space tidy and getting things done.",
                "Coginio, arian, siopa, cadw fy lle'n daclus a chael pethau wedi'u gwneud.",
            ),
            area(
                "social_life",
                "Friendships and social life",
                "Cyfeillgarwch a bywyd cymdeithasol",
                "Having people to talk to, spend time with and enjoy things with.",
                "Cael pobl i siarad â nhw, i dreulio amser gyda nhw ac i fwynhau pethau gyda nhw.",
            ),
            area(
                "occupation",
                "Work, learning and things I do",
                "Gwaith, dysgu a phethau rwy'n eu gwneud",
                "Courses, work, volunteering, hobbies: things that fill my days with purpose.",
                "Cyrsiau, gwaith, gwirfoddoli, hobïau: pethau sy'n llenwi fy nyddiau â phwrpas.",
            ),
            area(
                "family",
                "Family and relationships",
                "Teulu a pherthnasoedd",
                "The people closest to me, and how we get on.",
                "Y bobl agosaf ataf fi, a sut rydyn ni'n dod ymlaen.",
            ),
            area(
                "drugs_and_alcohol",
                "Drugs and alcohol",
                "Cyffuriau ac alcohol",
                "How drugs or alcohol affect my life, if they do.",
                "Sut mae cyffuriau neu alcohol yn effeithio ar fy mywyd, os ydyn nhw.",
            ),
            area(
                "keeping_safe",
                "Responsibilities and keeping safe",
                "Cyfrifoldebau a chadw'n ddiogel",
                "Keeping myself and other people safe, and doing what I have agreed to do.",
                "Cadw fy hun a phobl eraill yn ddiogel, a gwneud yr hyn rwyf wedi cytuno i'w wneud.",
            ),
            area(
                "identity",
                "Sense of self and self-worth",
                "Ymdeimlad o'r hunan a hunan-werth",
                "How I see myself, what I value about me, and feeling I belong.",
                "Sut rwy'n gweld fy hun, beth rwy'n ei werthfawrogi amdanaf fy hun, a theimlo fy mod i'n perthyn.",
            ),
            area(
                "hope_and_trust",
                "Looking ahead with hope",
                "Edrych ymlaen â gobaith",
                "Believing things can get better, and trusting the people helping me.",
                "Credu y gall pethau wella, ac ymddiried yn y bobl sy'n fy helpu.",
            ),
        ],
        scale: Scale {
            min: 1,
            max: 10,
            stages: vec![
                stage(
                    1,
                    2,
                    "Finding it hard right now",
                    "Mae'n anodd ar hyn o bryd",
                    "This area feels stuck or out of reach at the moment.",
                    "Mae'r maes hwn yn teimlo'n sownd neu allan o gyrraedd ar hyn o bryd.",
                ),
                stage(
                    3,
                    4,
                    "Open to support",
                    "Yn agored i gefnogaeth",
                    "I can see this matters, and I am willing to let others help.",
                    "Rwy'n gweld bod hyn yn bwysig, ac rwy'n fodlon i eraill helpu.",
                ),
                stage(
                    5,
                    6,
                    "Starting to see a way forward",
                    "Dechrau gweld ffordd ymlaen",
                    "I believe change is possible and I am trying things out.",
                    "Rwy'n credu bod newid yn bosibl ac rwy'n rhoi cynnig ar bethau.",
                ),
                stage(
                    7,
                    8,
                    "Building it up",
                    "Wrthi'n adeiladu",
                    "I am practising, learning what works for me, with less help.",
                    "Rwy'n ymarfer, yn dysgu beth sy'n gweithio i mi, gyda llai o help.",
                ),
                stage(
                    9,
                    10,
                    "Managing well, my way",
                    "Yn ymdopi'n dda, yn fy ffordd fy hun",
                    "I am doing this for myself and know where to turn if it gets harder.",
                    "Rwy'n gwneud hyn drosof fy hun ac yn gwybod ble i droi os bydd pethau'n mynd yn anoddach.",
                ),
            ],
        },
    }
}

/// A satisfaction scale in the style of DIALOG: eight areas of life and three parts of care, each rated 1–7 from
/// "totally dissatisfied" to "totally satisfied", each with "would you like more help with this?".
pub fn satisfaction_check() -> Framework {
    let points: [(&str, &str); 7] = [
        ("Totally dissatisfied", "Hollol anfodlon"),
        ("Very dissatisfied", "Anfodlon iawn"),
        ("Fairly dissatisfied", "Eithaf anfodlon"),
        ("In the middle", "Yn y canol"),
        ("Fairly satisfied", "Eithaf bodlon"),
        ("Very satisfied", "Bodlon iawn"),
        ("Totally satisfied", "Hollol fodlon"),
    ];
    Framework {
        id: FrameworkId("satisfaction_check".into()),
        version: 1,
        name: Text::new("How satisfied am I?", "Pa mor fodlon ydw i?"),
        asks_more_help: true,
        retired: false,
        areas: vec![
            area(
                "mental_health",
                "My mental health",
                "Fy iechyd meddwl",
                "How satisfied I am with my mental health.",
                "Pa mor fodlon ydw i â fy iechyd meddwl.",
            ),
            area(
                "physical_health",
                "My physical health",
                "Fy iechyd corfforol",
                "How satisfied I am with my physical health.",
                "Pa mor fodlon ydw i â fy iechyd corfforol.",
            ),
            area(
                "work_and_days",
                "Work and how I spend my days",
                "Gwaith a sut rwy'n treulio fy nyddiau",
                "Work, training or other things I do in the day.",
                "Gwaith, hyfforddiant neu bethau eraill rwy'n eu gwneud yn ystod y dydd.",
            ),
            area(
                "where_i_live",
                "Where I live",
                "Ble rwy'n byw",
                "My room or home, now and what is planned.",
                "Fy ystafell neu fy nghartref, nawr a'r hyn sydd wedi'i gynllunio.",
            ),
            area(
                "free_time",
                "Free time",
                "Amser rhydd",
                "Hobbies and things I do for enjoyment.",
                "Hobïau a phethau rwy'n eu gwneud er mwynhad.",
            ),
            area(
                "family_and_partner",
                "Family or partner",
                "Teulu neu bartner",
                "My relationships with family or a partner.",
                "Fy mherthynas â theulu neu bartner.",
            ),
            area("friends", "Friends", "Ffrindiau", "Having friends and seeing them.", "Cael ffrindiau a'u gweld nhw."),
            area(
                "feeling_safe",
                "Feeling safe",
                "Teimlo'n ddiogel",
                "How safe I feel, where I am and with the people around me.",
                "Pa mor ddiogel rwy'n teimlo, lle rydw i a gyda'r bobl o'm cwmpas.",
            ),
            area(
                "medication",
                "My medication",
                "Fy meddyginiaeth",
                "The medicine I take and how it suits me.",
                "Y feddyginiaeth rwy'n ei chymryd a sut mae'n fy siwtio.",
            ),
            area(
                "practical_help",
                "Practical help I get",
                "Help ymarferol rwy'n ei gael",
                "Help with everyday things such as money, forms or getting about.",
                "Help gyda phethau bob dydd fel arian, ffurflenni neu fynd o le i le.",
            ),
            area(
                "meetings_with_staff",
                "Meetings with staff",
                "Cyfarfodydd gyda'r staff",
                "My meetings with my key worker and other staff.",
                "Fy nghyfarfodydd gyda fy ngweithiwr allweddol a staff eraill.",
            ),
        ],
        scale: Scale {
            min: 1,
            max: 7,
            stages: points.iter().zip(1u8..).map(|((en, cy), n)| stage(n, n, en, cy, en, cy)).collect(),
        },
    }
}

/// The eight areas of life of a Care and Treatment Plan under the Mental Health (Wales) Measure 2010, each rated
/// 1–5 for how things are going.
pub fn care_and_treatment_plan() -> Framework {
    Framework {
        id: FrameworkId("care_and_treatment_plan".into()),
        version: 1,
        name: Text::new("Care and Treatment Plan areas", "Meysydd y Cynllun Gofal a Thriniaeth"),
        asks_more_help: true,
        retired: false,
        areas: vec![
            area(
                "finance_and_money",
                "Finance and money",
                "Cyllid ac arian",
                "Income, benefits, debts and managing money.",
                "Incwm, budd-daliadau, dyledion a rheoli arian.",
            ),
            area(
                "accommodation",
                "Accommodation",
                "Llety",
                "Somewhere suitable to live, now and after leaving hospital.",
                "Rhywle addas i fyw, nawr ac ar ôl gadael yr ysbyty.",
            ),
            area(
                "personal_care",
                "Personal care and physical wellbeing",
                "Gofal personol a lles corfforol",
                "Looking after myself and my physical health.",
                "Gofalu amdanaf fy hun a fy iechyd corfforol.",
            ),
            area(
                "education_and_training",
                "Education and training",
                "Addysg a hyfforddiant",
                "Learning, courses and gaining skills.",
                "Dysgu, cyrsiau ac ennill sgiliau.",
            ),
            area(
                "work_and_occupation",
                "Work and occupation",
                "Gwaith a galwedigaeth",
                "Paid or unpaid work and meaningful activity.",
                "Gwaith cyflogedig neu ddi-dâl a gweithgarwch ystyrlon.",
            ),
            area(
                "parenting_and_caring",
                "Parenting or caring relationships",
                "Perthnasoedd magu plant neu ofalu",
                "Being a parent, or caring for someone, and the support that needs.",
                "Bod yn rhiant, neu ofalu am rywun, a'r gefnogaeth sydd ei hangen.",
            ),
            area(
                "social_cultural_spiritual",
                "Social, cultural and spiritual",
                "Cymdeithasol, diwylliannol ac ysbrydol",
                "Friends, community, culture, language and faith.",
                "Ffrindiau, cymuned, diwylliant, iaith a ffydd.",
            ),
            area(
                "medical_and_treatment",
                "Medical and other treatment",
                "Triniaeth feddygol a thriniaeth arall",
                "Medication, therapies and psychological help.",
                "Meddyginiaeth, therapïau a help seicolegol.",
            ),
        ],
        scale: Scale {
            min: 1,
            max: 5,
            stages: vec![
                stage(
                    1,
                    1,
                    "Needs a lot of help",
                    "Angen llawer o help",
                    "Things are hard here and a lot of support is needed.",
                    "Mae pethau'n anodd yma ac mae angen llawer o gefnogaeth.",
                ),
                stage(
                    2,
                    2,
                    "Needs some help",
                    "Angen rhywfaint o help",
                    "Some things are working; support is still needed.",
                    "Mae rhai pethau'n gweithio; mae angen cefnogaeth o hyd.",
                ),
                stage(
                    3,
                    3,
                    "Getting there",
                    "Yn cyrraedd",
                    "Steady progress, with support when needed.",
                    "Cynnydd cyson, gyda chefnogaeth pan fo angen.",
                ),
                stage(
                    4,
                    4,
                    "Mostly going well",
                    "Yn mynd yn dda ar y cyfan",
                    "Going well most of the time.",
                    "Yn mynd yn dda y rhan fwyaf o'r amser.",
                ),
                stage(
                    5,
                    5,
                    "Going well",
                    "Yn mynd yn dda",
                    "This area is going well.",
                    "Mae'r maes hwn yn mynd yn dda.",
                ),
            ],
        },
    }
}

/// Every built-in framework.
pub fn all() -> Vec<Framework> {
    vec![waymark_ladder(), satisfaction_check(), care_and_treatment_plan()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_frameworks_are_well_formed_and_distinct_in_both_languages() {
        for f in all() {
            f.validate().unwrap_or_else(|e| panic!("{}: {e}", f.id.0));
            for a in &f.areas {
                assert_ne!(a.label.en, a.label.cy, "{} is not translated", a.id.0);
                assert_ne!(a.description.en, a.description.cy, "{} is not translated", a.id.0);
            }
        }
        let ladder = waymark_ladder();
        assert_eq!((ladder.areas.len(), ladder.scale.min, ladder.scale.max, ladder.scale.stages.len()), (10, 1, 10, 5));
        let dialog = satisfaction_check();
        assert_eq!((dialog.areas.len(), dialog.scale.min, dialog.scale.max, dialog.asks_more_help), (11, 1, 7, true));
        assert_eq!(dialog.stage_for(4).map(|s| s.label.en.as_str()), Some("In the middle"));
        assert_eq!(care_and_treatment_plan().areas.len(), 8);
        let ids: std::collections::BTreeSet<_> = all().into_iter().map(|f| f.id).collect();
        assert_eq!(ids.len(), 3, "framework ids are unique");
    }

    #[test]
    fn none_of_the_recovery_stars_wording_is_used() {
        // Its ladder and area names are proprietary; ours must not echo them.
        let proprietary = [
            "stuck",
            "accepting help",
            "believing",
            "learning",
            "self-reliance",
            "managing mental health",
            "living skills",
            "social networks",
            "addictive behaviour",
            "identity and self-esteem",
            "trust and hope",
            "hope and trust",
            "physical health and self-care",
            "relationships",
            "work",
            "responsibilities",
        ];
        for f in all() {
            let mut words: Vec<&str> = f.areas.iter().map(|a| a.label.en.as_str()).collect();
            words.extend(f.scale.stages.iter().map(|s| s.label.en.as_str()));
            for w in words {
                let w = w.to_lowercase();
                for p in proprietary {
                    assert_ne!(w, p, "{w:?} copies proprietary wording");
                }
            }
        }
    }
}
