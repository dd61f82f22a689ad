//! Input hygiene, on SQLite and PostgreSQL: what one person writes and everyone else is shown is plain. "Where I am
//! writing" is only a section and an item of it (never free text); no text takes control or direction-override
//! characters; custom frameworks are bounded in size and in number (every device downloads them all). Each refusal
//! is a clear error and writes nothing.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, TestDb,
    changes::{counts, mutation, push},
};
use serde_json::{Value, json};

on_both_engines!(
    where_someone_is_writing_is_only_a_section_and_an_item_of_it,
    text_with_control_or_direction_override_characters_is_refused,
    custom_frameworks_are_bounded_in_size_and_number,
);

async fn where_someone_is_writing_is_only_a_section_and_an_item_of_it(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    let item = json!({ "type": "add_plan_item", "item": "i-1", "section": "triggers", "text": "Loud music at night" });
    push(&mut owen, "tablet-owen-0001", vec![mutation(1, &dylan, item)]).await.assert_status(StatusCode::OK);
    owen.post(&format!("/api/people/{}/session", dylan.0), json!({})).await.assert_status(StatusCode::OK);
    let path = format!("/api/people/{}/session/presence", dylan.0);
    let written = || app.db.count("SELECT COUNT(*) FROM planning_presence WHERE editing IS NOT NULL");
    let before = written().await;
    let mut dylan_c = app.signed_in("dylan").await;
    let huge = "x".repeat(200 * 1024);
    let bad: [(Value, &str); 6] = [
        (json!({ "section": "triggers", "item": huge }), "200 KB of text"),
        (json!({ "section": "triggers", "item": "<img src=x onerror=alert(1)>" }), "markup"),
        (json!({ "section": "triggers", "item": "i-1\u{0}" }), "a NUL"),
        (json!({ "section": "triggers", "item": "not-an-item" }), "an item that does not exist"),
        (json!({ "section": "warning_signs", "item": "i-1" }), "an item of another section"),
        (json!({ "section": "staff_only", "item": null }), "the staff-only notes, for a service user"),
    ];
    for (editing, what) in bad {
        let r = dylan_c.post(&path, json!({ "editing": editing })).await;
        assert!(r.status.is_client_error(), "{what}: {} {}", r.status, r.body);
        assert_eq!(written().await, before, "{what}: nothing written");
    }
    let r = dylan_c.post(&path, json!({ "editing": { "section": "triggers", "item": "i-1" } })).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(written().await, before + 1);
}

async fn text_with_control_or_direction_override_characters_is_refused(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut dylan_c = app.signed_in("dylan").await;
    let changes = [
        json!({ "type": "about_me", "field": "preferred_name", "text": "Dyl\u{202E}nagol" }),
        json!({ "type": "add_comment", "comment": "c-1", "text": "See \u{2066}this\u{2069}" }),
        json!({ "type": "add_plan_item", "item": "p-1", "section": "i_can_do", "text": "Walk\u{1b}[31m" }),
        json!({ "type": "add_goal", "goal": "g-1", "text": "Cook\u{7}" }),
    ];
    for (i, change) in changes.into_iter().enumerate() {
        let before = counts(&app.db).await;
        let r = push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(i as u64 + 1, &dylan, change.clone())]).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
        assert!(r.body["message"].as_str().unwrap().contains("direction"), "{}", r.body);
        assert_eq!(counts(&app.db).await, before, "{change}: nothing written");
    }
}

fn text(en: &str) -> Value {
    json!({ "en": en, "cy": format!("{en} (Cymraeg)") })
}

fn framework(id: &str, areas: usize, label: Value) -> Value {
    json!({
        "id": id,
        "name": text("Ward check-in"),
        "areas": (1..=areas).map(|i| json!({ "id": format!("area_{i}"), "label": label.clone(), "description": text("About it") })).collect::<Vec<_>>(),
        "scale": { "min": 1, "max": 5, "stages": [
            { "from": 1, "to": 2, "label": text("Getting started"), "description": text("Early days") },
            { "from": 3, "to": 5, "label": text("Going well"), "description": text("Moving on") },
        ] },
        "asks_more_help": false,
    })
}

async fn custom_frameworks_are_bounded_in_size_and_number(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut rhian = app.signed_in("rhian").await;
    let rows = || app.db.count("SELECT COUNT(*) FROM frameworks");
    let bad = [
        (framework("check_in", 3, json!({ "en": "Sleep\u{0}", "cy": "Cwsg" })), "a control character in a label"),
        (framework("check_in", 3, json!({ "en": "Sleep", "cy": "Cwsg\u{202E}" })), "a direction override"),
        (framework("check_in", 3, text(&"long ".repeat(40))), "a label of 200 characters"),
        (framework("check_in", 31, text("Area")), "31 areas"),
    ];
    for (f, what) in bad {
        let r = rhian.post("/api/frameworks", f).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
        assert_eq!(rows().await, 0, "{what}: nothing written");
    }
    // At most 50 custom versions on a server, however they are split between frameworks.
    for i in 0..50 {
        let r = rhian.post("/api/frameworks", framework(&format!("check_in_{}", i % 5), 3, text("Sleep"))).await;
        r.assert_status(StatusCode::CREATED);
    }
    let r = rhian.post("/api/frameworks", framework("check_in_0", 3, text("Sleep"))).await;
    r.assert_error(StatusCode::CONFLICT, "record_exists");
    assert!(r.body["message"].as_str().unwrap().contains("50"), "{}", r.body);
    assert_eq!(rows().await, 50);
    // What every device downloads stays bounded: 50 versions of at most 64 KB each, and these are small.
    let r = rhian.get("/api/frameworks").await;
    assert!(r.bytes.len() < 50 * 64 * 1024 + 64 * 1024, "{}", r.bytes.len());
}
