//! A person's record as a FHIR R4 (4.0.1) JSON Bundle of type `collection`:
//!
//! - `Patient`: an internal identifier and the person's name (nothing more);
//! - a `Questionnaire` per framework version the readings use (one group per area, with the person's, staff's and
//!   carer's views, the agreed value, the note, the reason views differ and "more help?");
//! - a `QuestionnaireResponse` per finished reading, and an `Observation` per agreed area value (derived from it);
//! - a `Goal` per goal (`lifecycleStatus`/`achievementStatus` from `GoalStatus::fhir`, its steps as notes);
//! - a `CarePlan` for the safety plan (one activity per item, in section order, the section as its code); the
//!   staff-only notes only in a staff export, each marked with the staff-only section and the plan labelled
//!   restricted (`meta.security` R);
//! - a `Consent` per carer: what the person shares with them, part by part.
//!
//! The types are plain serde structs covering only what Waymark writes. (No Rust crate fits: `fhir-sdk` has R4B and
//! R5 but not R4, and `fhirbolt`, the one R4 model, has had no release since 2023 and adds a 118,000-line generated
//! model to every build.) Every resource is validated against the official R4 JSON schema in the tests
//! (`server/tests/fhir_schema.rs`).

use super::{ExportContext, PersonRecord, iso_instant};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use waymark_shared::{
    Relation,
    outcomes::{Framework, Text},
    plan::{PlanSection, view::Agreement},
    tracker::{Presence, Prompt, Rater, SharedPart, StepOwner},
};

/// Code systems and identifiers Waymark defines (URNs: they name, they do not resolve).
pub mod systems {
    pub const PERSON: &str = "urn:waymark:person";
    pub const FRAMEWORK: &str = "urn:waymark:framework:";
    pub const PLAN_SECTION: &str = "urn:waymark:plan-section";
    pub const SHARED_PART: &str = "urn:waymark:shared-part";
    pub const PRESENCE: &str = "urn:waymark:reading-presence";
    pub const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";
    pub const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
    pub const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
    pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
    pub const GOAL_ACHIEVEMENT: &str = "http://terminology.hl7.org/CodeSystem/goal-achievement";
    pub const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
    pub const CONSENT_CATEGORY: &str = "http://loinc.org";
    pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    pub const ROLE_CLASS: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleClass";
    pub const CONFIDENTIALITY: &str = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
}

// ---- Data types (only the elements Waymark uses). ----

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coding {
    pub system: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeableConcept {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CodeableConcept {
    fn code(system: &str, code: &str, display: Option<&str>) -> CodeableConcept {
        CodeableConcept {
            coding: vec![Coding { system: system.into(), code: code.into(), display: display.map(str::to_owned) }],
            text: None,
        }
    }

    fn text(text: &str) -> CodeableConcept {
        CodeableConcept { coding: vec![], text: Some(text.into()) }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    pub system: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    fn to(full_url: &str) -> Reference {
        Reference { reference: Some(full_url.into()), ..Reference::default() }
    }

    fn named(display: &str) -> Reference {
        Reference { display: Some(display.into()), ..Reference::default() }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
}

/// The extensions of a primitive element (`_text`): here, its Welsh translation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Element {
    pub extension: Vec<Extension>,
}

/// The Welsh words for an English text, as the standard translation extension.
fn welsh(text: &Text) -> Option<Element> {
    (!text.cy.is_empty() && text.cy != text.en).then(|| Element {
        extension: vec![Extension {
            url: systems::TRANSLATION.into(),
            extension: vec![
                Extension { url: "lang".into(), value_code: Some("cy".into()), ..Extension::default() },
                Extension { url: "content".into(), value_string: Some(text.cy.clone()), ..Extension::default() },
            ],
            ..Extension::default()
        }],
    })
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security: Vec<Coding>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct HumanName {
    pub text: String,
}

// ---- Resources. ----

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "resourceType")]
pub enum Resource {
    Patient(Patient),
    Questionnaire(Questionnaire),
    QuestionnaireResponse(QuestionnaireResponse),
    Observation(Observation),
    Goal(Goal),
    CarePlan(CarePlan),
    Consent(Consent),
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub id: String,
    pub identifier: Vec<Identifier>,
    pub active: bool,
    pub name: Vec<HumanName>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaire {
    pub id: String,
    pub url: String,
    pub version: String,
    pub name: String,
    pub title: String,
    #[serde(rename = "_title", skip_serializing_if = "Option::is_none")]
    pub title_ext: Option<Element>,
    pub status: String,
    pub subject_type: Vec<String>,
    pub item: Vec<QuestionnaireItem>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireItem {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    pub link_id: String,
    pub text: String,
    #[serde(rename = "_text", skip_serializing_if = "Option::is_none")]
    pub text_ext: Option<Element>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeats: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answer_option: Vec<AnswerOption>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<QuestionnaireItem>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerOption {
    pub value_coding: Coding,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse {
    pub id: String,
    pub questionnaire: String,
    pub status: String,
    pub subject: Reference,
    pub authored: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Reference>,
    pub item: Vec<ResponseItem>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseItem {
    pub link_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answer: Vec<Answer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<ResponseItem>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_coding: Option<Coding>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    pub id: String,
    pub status: String,
    pub category: Vec<CodeableConcept>,
    pub code: CodeableConcept,
    pub subject: Reference,
    pub effective_date_time: String,
    pub value_integer: i64,
    pub derived_from: Vec<Reference>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Goal {
    pub id: String,
    pub lifecycle_status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement_status: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<CodeableConcept>,
    pub description: CodeableConcept,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expressed_by: Option<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CarePlan {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    pub status: String,
    pub intent: String,
    pub title: String,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<Activity>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub detail: ActivityDetail,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDetail {
    pub code: CodeableConcept,
    pub status: String,
    pub description: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub id: String,
    pub status: String,
    pub scope: CodeableConcept,
    pub category: Vec<CodeableConcept>,
    pub patient: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub performer: Vec<Reference>,
    pub policy_rule: CodeableConcept,
    pub provision: Provision,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provision {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actor: Vec<ProvisionActor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provision: Vec<Provision>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionActor {
    pub role: CodeableConcept,
    pub reference: Reference,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry {
    pub full_url: String,
    pub resource: Resource,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub resource_type: &'static str,
    pub id: String,
    pub meta: Meta,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub timestamp: String,
    pub entry: Vec<BundleEntry>,
}

// ---- Building the bundle. ----

/// A resource's id and `urn:uuid:` full URL, stable for the same record (a second export names it the same), derived
/// from what it is; never the record's own id (FHIR ids allow no `_`).
fn ids(parts: &[&str]) -> (String, String) {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.len().to_string().as_bytes());
        h.update(b":");
        h.update(p.as_bytes());
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().expect("16 bytes of a 32-byte digest");
    // An RFC 9562 version 8 (custom) UUID.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    let uuid = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
    (hex, format!("urn:uuid:{uuid}"))
}

fn rater_label(r: Rater) -> &'static str {
    match r {
        Rater::Person => "The person's own view",
        Rater::Staff => "The staff view",
        Rater::Carer => "The carer's view",
        Rater::Agreed => "What we agreed",
    }
}

fn presence_label(p: Presence) -> &'static str {
    match p {
        Presence::Person => "The person",
        Presence::KeyWorker => "Key worker",
        Presence::OtherStaff => "Other staff",
        Presence::Carer => "Carer",
    }
}

fn section_title(s: PlanSection) -> &'static str {
    match s {
        PlanSection::Triggers => "What can set things off for me",
        PlanSection::WarningSigns => "Early signs that I am not doing well",
        PlanSection::Escalation => "How things can build up for me",
        PlanSection::ICanDo => "What I can do",
        PlanSection::StaffCanDo => "What staff can do",
        PlanSection::CarerCanDo => "What my carer or family can do",
        PlanSection::PeoplePlaces => "People and places that help",
        PlanSection::ReasonsForHope => "What matters to me and my reasons for hope",
        PlanSection::SaferSurroundings => "Making my surroundings safer",
        PlanSection::Contacts => "Who to contact and how",
        PlanSection::StaffOnly => "Staff only: risk notes (never shared with the person or carers)",
    }
}

fn prompt_label(p: Prompt) -> &'static str {
    match p {
        Prompt::GoingWell => "What is going well",
        Prompt::SmallStep => "The smallest next step",
        Prompt::WhoCouldHelp => "Who could help",
    }
}

fn framework_url(f: &waymark_shared::outcomes::FrameworkId) -> String {
    format!("{}{}", systems::FRAMEWORK, f.0)
}

fn link(area: &str, what: &str) -> String {
    format!("{area}.{what}")
}

/// One framework version as a Questionnaire.
pub fn questionnaire(f: &Framework) -> (String, Questionnaire) {
    let (id, full_url) = ids(&["questionnaire", &f.id.0, &f.version.to_string()]);
    let scale = vec![
        Extension { url: systems::MIN_VALUE.into(), value_integer: Some(f.scale.min.into()), ..Extension::default() },
        Extension { url: systems::MAX_VALUE.into(), value_integer: Some(f.scale.max.into()), ..Extension::default() },
    ];
    let mut items = vec![QuestionnaireItem {
        link_id: "present".into(),
        text: "Who was there".into(),
        kind: "choice".into(),
        repeats: Some(true),
        answer_option: Presence::ALL
            .iter()
            .map(|p| AnswerOption {
                value_coding: Coding {
                    system: systems::PRESENCE.into(),
                    code: p.as_str().into(),
                    display: Some(presence_label(*p).into()),
                },
            })
            .collect(),
        ..QuestionnaireItem::default()
    }];
    for area in &f.areas {
        let a = &area.id.0;
        let mut children: Vec<QuestionnaireItem> = Rater::ALL
            .iter()
            .map(|r| QuestionnaireItem {
                extension: scale.clone(),
                link_id: link(a, r.as_str()),
                text: rater_label(*r).into(),
                kind: "integer".into(),
                ..QuestionnaireItem::default()
            })
            .collect();
        children.push(QuestionnaireItem {
            link_id: link(a, "note"),
            text: "Note".into(),
            kind: "text".into(),
            ..Default::default()
        });
        children.push(QuestionnaireItem {
            link_id: link(a, "reason"),
            text: "Why our views differ".into(),
            kind: "text".into(),
            ..Default::default()
        });
        if f.asks_more_help {
            children.push(QuestionnaireItem {
                link_id: link(a, "more_help"),
                text: "Would you like more help with this?".into(),
                kind: "boolean".into(),
                ..Default::default()
            });
        }
        items.push(QuestionnaireItem {
            link_id: a.clone(),
            text: area.label.en.clone(),
            text_ext: welsh(&area.label),
            kind: "group".into(),
            item: children,
            ..QuestionnaireItem::default()
        });
    }
    let q = Questionnaire {
        id,
        url: framework_url(&f.id),
        version: f.version.to_string(),
        name: machine_name(&f.id.0),
        title: f.name.en.clone(),
        title_ext: welsh(&f.name),
        status: if f.retired { "retired" } else { "active" }.into(),
        subject_type: vec!["Patient".into()],
        item: items,
    };
    (full_url, q)
}

/// A framework id as a FHIR computable name (`waymark_ladder` → `WaymarkLadder`).
fn machine_name(id: &str) -> String {
    let name: String = id
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) { name } else { format!("F{name}") }
}

/// The whole Bundle for one person.
pub fn bundle(record: &PersonRecord, ctx: &ExportContext<'_>) -> Bundle {
    let person = &record.id.0;
    let mut entries: Vec<BundleEntry> = Vec::new();
    let (patient_id, patient_url) = ids(&["patient", person]);
    entries.push(BundleEntry {
        full_url: patient_url.clone(),
        resource: Resource::Patient(Patient {
            id: patient_id,
            identifier: vec![Identifier { system: systems::PERSON.into(), value: person.clone() }],
            active: true,
            name: vec![HumanName { text: record.name.clone() }],
        }),
    });
    let subject = || Reference::to(&patient_url);

    // A Questionnaire per framework version the finished readings use.
    let mut used: BTreeMap<(String, u32), Option<&Framework>> = BTreeMap::new();
    for r in record.finished_readings() {
        used.entry((r.framework.0.clone(), r.version))
            .or_insert_with(|| ctx.frameworks.iter().find(|f| f.id == r.framework && f.version == r.version));
    }
    for f in used.values().flatten() {
        let (full_url, q) = questionnaire(f);
        entries.push(BundleEntry { full_url, resource: Resource::Questionnaire(q) });
    }

    // A QuestionnaireResponse per finished reading, and an Observation per agreed value.
    for r in record.finished_readings() {
        let framework = used.get(&(r.framework.0.clone(), r.version)).copied().flatten();
        let (qr_id, qr_url) = ids(&["reading", person, &r.id.0]);
        let mut items = Vec::new();
        if !r.present.is_empty() {
            items.push(ResponseItem {
                link_id: "present".into(),
                answer: r
                    .present
                    .iter()
                    .map(|p| Answer {
                        value_coding: Some(Coding {
                            system: systems::PRESENCE.into(),
                            code: p.as_str().into(),
                            display: Some(presence_label(*p).into()),
                        }),
                        ..Answer::default()
                    })
                    .collect(),
                ..ResponseItem::default()
            });
        }
        for (area, reading) in &r.areas {
            let a = &area.0;
            let label = framework.and_then(|f| f.area(area)).map(|x| x.label.en.clone());
            let mut children = Vec::new();
            for (rater, value) in &reading.values {
                children.push(ResponseItem {
                    link_id: link(a, rater.as_str()),
                    answer: vec![Answer { value_integer: Some((*value).into()), ..Answer::default() }],
                    ..ResponseItem::default()
                });
            }
            for (what, text) in [("note", &reading.note), ("reason", &reading.reason)] {
                if !text.is_empty() {
                    children.push(ResponseItem {
                        link_id: link(a, what),
                        answer: vec![Answer { value_string: Some(text.clone()), ..Answer::default() }],
                        ..ResponseItem::default()
                    });
                }
            }
            if let Some(wanted) = reading.more_help {
                children.push(ResponseItem {
                    link_id: link(a, "more_help"),
                    answer: vec![Answer { value_boolean: Some(wanted), ..Answer::default() }],
                    ..ResponseItem::default()
                });
            }
            if !children.is_empty() {
                items.push(ResponseItem {
                    link_id: a.clone(),
                    text: label.clone(),
                    item: children,
                    ..ResponseItem::default()
                });
            }
            if let Some(agreed) = reading.values.get(&Rater::Agreed) {
                let (obs_id, obs_url) = ids(&["observation", person, &r.id.0, a]);
                let display = label.clone().unwrap_or_else(|| a.clone());
                entries.push(BundleEntry {
                    full_url: obs_url,
                    resource: Resource::Observation(Observation {
                        id: obs_id,
                        status: "final".into(),
                        category: vec![CodeableConcept::code(systems::OBSERVATION_CATEGORY, "survey", Some("Survey"))],
                        code: CodeableConcept {
                            coding: vec![Coding {
                                system: framework_url(&r.framework),
                                code: a.clone(),
                                display: Some(display.clone()),
                            }],
                            text: Some(display),
                        },
                        subject: subject(),
                        effective_date_time: r.date.clone(),
                        value_integer: (*agreed).into(),
                        derived_from: vec![Reference::to(&qr_url)],
                    }),
                });
            }
        }
        entries.push(BundleEntry {
            full_url: qr_url,
            resource: Resource::QuestionnaireResponse(QuestionnaireResponse {
                id: qr_id,
                questionnaire: format!("{}|{}", framework_url(&r.framework), r.version),
                status: "completed".into(),
                subject: subject(),
                authored: r.date.clone(),
                author: r.started_by.as_ref().map(|b| Reference::named(&b.name)),
                item: items,
            }),
        });
    }

    // Goals, with their steps as notes.
    for g in &record.tracker.goals {
        let (id, full_url) = ids(&["goal", person, &g.id.0]);
        let (lifecycle, achievement) = g.status.fhir();
        let category = g
            .areas
            .areas
            .iter()
            .map(|a| {
                let label = ctx
                    .frameworks
                    .iter()
                    .filter(|f| f.id == g.areas.framework)
                    .max_by_key(|f| f.version)
                    .and_then(|f| f.area(a))
                    .map(|x| x.label.en.clone());
                CodeableConcept::code(&framework_url(&g.areas.framework), &a.0, label.as_deref())
            })
            .collect();
        let mut note: Vec<Annotation> = g
            .prompts
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(p, t)| Annotation { text: format!("{}: {t}", prompt_label(*p)), ..Annotation::default() })
            .collect();
        for s in &g.steps {
            let owner = match &s.owner {
                Some(StepOwner::Me) => "the person".to_owned(),
                Some(StepOwner::KeyWorker) => "key worker".to_owned(),
                Some(StepOwner::Carer) => "carer".to_owned(),
                Some(StepOwner::SomeoneElse { name }) => name.clone(),
                None => "not said".to_owned(),
            };
            let due = s.due.as_deref().map(|d| format!(", due {d}")).unwrap_or_default();
            let done = if s.done { "done" } else { "not done yet" };
            note.push(Annotation {
                text: format!("Step: {} (who: {owner}{due}; {done})", s.text),
                ..Annotation::default()
            });
        }
        entries.push(BundleEntry {
            full_url,
            resource: Resource::Goal(Goal {
                id,
                lifecycle_status: lifecycle.into(),
                achievement_status: achievement.map(|a| CodeableConcept::code(systems::GOAL_ACHIEVEMENT, a, None)),
                category,
                description: CodeableConcept::text(&g.text),
                subject: subject(),
                expressed_by: g.written_by.as_ref().map(|b| Reference::named(&b.name)),
                note,
            }),
        });
    }

    // The safety plan.
    let plan = &record.plan;
    if !plan.items.is_empty() || !plan.signatures.is_empty() {
        let (id, full_url) = ids(&["careplan", person]);
        let mut activity = Vec::new();
        let mut staff_only = false;
        for section in PlanSection::ALL {
            if section.is_staff_only() && !record.staff_only {
                continue;
            }
            for item in plan.section(section) {
                staff_only |= section.is_staff_only();
                activity.push(Activity {
                    detail: ActivityDetail {
                        code: CodeableConcept {
                            coding: vec![Coding {
                                system: systems::PLAN_SECTION.into(),
                                code: section.as_str().into(),
                                display: Some(section_title(section).into()),
                            }],
                            text: Some(section_title(section).into()),
                        },
                        status: "unknown".into(),
                        description: item.text.clone(),
                    },
                });
            }
        }
        let mut note = vec![Annotation {
            text: format!(
                "Setting: {}",
                match plan.setting {
                    waymark_shared::plan::Setting::Ward => "on the ward",
                    waymark_shared::plan::Setting::Leave => "on leave",
                    waymark_shared::plan::Setting::Community => "in the community",
                }
            ),
            ..Annotation::default()
        }];
        let agreement = plan.agreement();
        let status = match &agreement {
            Agreement::Agreed { version, person, key_worker, changed_since } => {
                note.push(Annotation {
                    text: format!(
                        "Version {version} agreed: signed by the person on {person} and by the key worker on {key_worker}{}",
                        if *changed_since { "; changed since, to be signed again" } else { "" }
                    ),
                    ..Annotation::default()
                });
                "active"
            }
            Agreement::Waiting { version, .. } => {
                note.push(Annotation {
                    text: format!("Version {version} waits to be signed by both"),
                    ..Annotation::default()
                });
                "draft"
            }
            Agreement::NotYet => "draft",
        };
        let meta = staff_only.then(|| Meta {
            last_updated: None,
            security: vec![Coding {
                system: systems::CONFIDENTIALITY.into(),
                code: "R".into(),
                display: Some("restricted: holds staff-only notes".into()),
            }],
        });
        entries.push(BundleEntry {
            full_url,
            resource: Resource::CarePlan(CarePlan {
                id,
                meta,
                status: status.into(),
                intent: "plan".into(),
                title: "Personal safety plan".into(),
                subject: subject(),
                period: plan.review_by.as_ref().map(|d| Period { start: None, end: Some(d.clone()) }),
                note,
                activity,
            }),
        });
    }

    // A Consent per carer: what the person shares with them, part by part.
    let mut by_carer: BTreeMap<&str, Vec<&super::SharingDecision>> = BTreeMap::new();
    for d in &record.sharing {
        by_carer.entry(d.carer.0.as_str()).or_default().push(d);
    }
    for (carer, decisions) in by_carer {
        let (id, full_url) = ids(&["consent", person, carer]);
        let name = ctx
            .care_team
            .iter()
            .find(|m| m.id.0 == carer && m.relation == Relation::Carer)
            .map(|m| m.display_name.clone());
        let latest = decisions.iter().filter_map(|d| d.by.as_ref()).max_by_key(|b| b.at_ms);
        let parts: Vec<Provision> = decisions
            .iter()
            .map(|d| Provision {
                kind: if d.share { "permit" } else { "deny" }.into(),
                actor: vec![],
                period: None,
                code: vec![CodeableConcept::code(systems::SHARED_PART, d.part.as_str(), Some(part_label(d.part)))],
                provision: vec![],
            })
            .collect();
        let any_shared = decisions.iter().any(|d| d.share);
        entries.push(BundleEntry {
            full_url,
            resource: Resource::Consent(Consent {
                id,
                status: if any_shared { "active" } else { "inactive" }.into(),
                scope: CodeableConcept::code(systems::CONSENT_SCOPE, "patient-privacy", Some("Privacy Consent")),
                category: vec![CodeableConcept::code(systems::CONSENT_CATEGORY, "59284-0", Some("Patient Consent"))],
                patient: subject(),
                date_time: latest.map(|b| iso_instant(b.at_ms)),
                performer: latest.map(|b| Reference::named(&b.name)).into_iter().collect(),
                policy_rule: CodeableConcept::code(systems::ACT_CODE, "OPTIN", Some("opt-in")),
                provision: Provision {
                    // Nothing is shared unless a part says so.
                    kind: "deny".into(),
                    actor: vec![ProvisionActor {
                        role: CodeableConcept::code(systems::ROLE_CLASS, "CAREGIVER", Some("caregiver")),
                        reference: Reference {
                            reference: None,
                            identifier: Some(Identifier { system: systems::PERSON.into(), value: carer.to_owned() }),
                            display: name,
                        },
                    }],
                    period: None,
                    code: vec![],
                    provision: parts,
                },
            }),
        });
    }

    let (bundle_id, _) = ids(&["bundle", person, &ctx.now_ms.to_string()]);
    Bundle {
        resource_type: "Bundle",
        id: bundle_id,
        meta: Meta { last_updated: Some(iso_instant(ctx.now_ms)), security: vec![] },
        kind: "collection",
        timestamp: iso_instant(ctx.now_ms),
        entry: entries,
    }
}

fn part_label(p: SharedPart) -> &'static str {
    match p {
        SharedPart::AboutMe => "About me",
        SharedPart::Comments => "Comments",
        SharedPart::Tracker => "Recovery tracker",
        SharedPart::Plan(s) => section_title(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_are_stable_valid_fhir_ids_and_uuids() {
        let (id, url) = ids(&["goal", "person-1", "g_1"]);
        assert_eq!((id.clone(), url.clone()), ids(&["goal", "person-1", "g_1"]));
        assert_ne!(id, ids(&["goal", "person-1", "g_2"]).0);
        assert!(id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()));
        let uuid = url.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "8", "version 8");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "RFC variant");
        // Parts are length-prefixed: moving a character between parts changes the id.
        assert_ne!(ids(&["ab", "c"]).0, ids(&["a", "bc"]).0);
    }

    #[test]
    fn framework_ids_make_computable_names() {
        assert_eq!(machine_name("waymark_ladder"), "WaymarkLadder");
        assert_eq!(machine_name("ctp_areas_2010"), "CtpAreas2010");
        assert_eq!(machine_name("2024_custom"), "F2024Custom");
    }
}
