//! Carers joining with an invitation, through the real router on SQLite and PostgreSQL: only the care team makes
//! codes; a code makes one carer account linked to the person, once, before it expires; bad input writes nothing.

mod common;

use axum::http::StatusCode;
use common::{TestApp, TestDb};
use serde_json::json;

on_both_engines!(an_invitation_makes_one_linked_carer_account_once,);

async fn an_invitation_makes_one_linked_carer_account_once(db: TestDb) {
    let app = TestApp::demo(db).await;
    let alys = app.db.user("alys").await.id;
    let path = format!("/api/people/{}/invitations", alys.0);

    // Only staff on Alys's care team make codes.
    for who in ["alys", "helen", "rhian"] {
        app.signed_in(who).await.post(&path, json!({})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    app.signed_in("dylan").await.post(&path, json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM carer_invitations").await, 0);
    let r = app.signed_in("owen").await.post(&path, json!({})).await;
    r.assert_status(StatusCode::CREATED);
    let code = r.body["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 14, "{code}");
    assert_eq!(r.body["link"], format!("/join?code={code}"));
    assert_eq!(app.db.count("SELECT COUNT(*) FROM carer_invitations").await, 1);
    let stored =
        app.db.count(&format!("SELECT COUNT(*) FROM carer_invitations WHERE code_hash LIKE '%{}%'", &code[0..4])).await;
    assert_eq!(stored, 0, "only a hash of the code is kept");

    let users = || app.db.count("SELECT COUNT(*) FROM users");
    let before = users().await;
    let accept = |code: &str, username: &str, password: &str| json!({ "code": code, "display_name": "Ceri Hughes", "username": username, "password": password });
    let mut newcomer = app.client();
    // Wrong code, short password, bad name, taken username: clear errors, nothing written.
    newcomer
        .post("/api/invitations/accept", accept("AAAA-BBBB-CCCC", "ceri", "a long password"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invitation_not_valid");
    newcomer
        .post("/api/invitations/accept", accept(&code, "ceri", "short"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    newcomer
        .post(
            "/api/invitations/accept",
            json!({ "code": code, "display_name": " ", "username": "ceri", "password": "a long password" }),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    newcomer
        .post("/api/invitations/accept", accept(&code, "gareth", "a long password"))
        .await
        .assert_error(StatusCode::CONFLICT, "username_taken");
    assert_eq!(users().await, before);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM carer_invitations WHERE used_at_ms IS NULL").await, 1);

    // Typed loosely, it works: the account is made, linked as Alys's carer, and signed in.
    let r = newcomer
        .post("/api/invitations/accept", accept(&code.to_lowercase().replace('-', " "), "Ceri", "a long password"))
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["user"]["role"], "carer");
    assert_eq!(r.body["user"]["display_name"], "Ceri Hughes");
    let people = newcomer.get("/api/people").await;
    people.assert_status(StatusCode::OK);
    let names: Vec<&str> =
        people.body["people"].as_array().unwrap().iter().map(|p| p["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alys Hughes"]);
    assert_eq!(users().await, before + 1);
    // Alys's page names her care team, but never her other carer (Helen) to Ceri.
    let alys_id = people.body["people"][0]["id"].as_str().unwrap().to_owned();
    let page = newcomer.get(&format!("/api/people/{alys_id}")).await;
    page.assert_status(StatusCode::OK);
    let team: Vec<&str> =
        page.body["care_team"].as_array().unwrap().iter().map(|m| m["display_name"].as_str().unwrap()).collect();
    assert!(team.contains(&"Ceri Hughes") && team.contains(&"Owen Price"), "{team:?}");
    assert!(
        !String::from_utf8_lossy(&page.bytes).contains("Helen"),
        "another carer's name reached a carer: {}",
        String::from_utf8_lossy(&page.bytes)
    );
    let mut owen = app.signed_in("owen").await;
    assert!(
        String::from_utf8_lossy(&owen.get(&format!("/api/people/{alys_id}")).await.bytes).contains("Helen Hughes"),
        "staff see every carer"
    );
    // They can sign in again later with what they chose.
    let mut later = app.client();
    later.sign_in("ceri", "a long password").await.assert_status(StatusCode::OK);

    // Once only.
    let mut someone = app.client();
    someone
        .post("/api/invitations/accept", accept(&code, "ceri2", "a long password"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invitation_not_valid");
    assert_eq!(users().await, before + 1);

    // An expired code does nothing.
    let r = app.signed_in("owen").await.post(&path, json!({})).await;
    let old = r.body["code"].as_str().unwrap().to_owned();
    sqlx::query("UPDATE carer_invitations SET expires_at_ms = 1 WHERE used_at_ms IS NULL")
        .execute(app.db.store.pool())
        .await
        .unwrap();
    someone
        .post("/api/invitations/accept", accept(&old, "ceri3", "a long password"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invitation_not_valid");
    assert_eq!(users().await, before + 1);
}
