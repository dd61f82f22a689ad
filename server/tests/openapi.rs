//! `GET /api/openapi.json`: an OpenAPI document, generated from the handlers' types, that describes every route of
//! `routes.rs` (read from the source, so a new route without its entry fails here) with schemas that resolve.

mod common;

use axum::http::StatusCode;
use common::{TestApp, TestDb};
use serde_json::Value;
use std::collections::BTreeSet;

on_both_engines!(the_openapi_document_covers_every_route_and_its_references_resolve);

/// Every (method, path) that `routes.rs` routes, with the API's routes under `/api`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes.rs")).unwrap();
    let api_start = source.find("let api = Router::new()").expect("the API router");
    let app_start = source.find("let app = Router::new()").expect("the app router");
    let mut routes = BTreeSet::new();
    for (offset, part) in source.match_indices(".route(\"") {
        let rest = &source[offset + part.len()..];
        let path = &rest[..rest.find('"').unwrap()];
        // The handlers: `get(…)`, `.post(…)`, … up to the end of this `.route(…)` call.
        let call = &rest
            [..rest.find("\n        .").unwrap_or(rest.len()).min(rest.find("))\n").map_or(rest.len(), |i| i + 2))];
        let prefix = if offset > api_start && offset < app_start { "/api" } else { "" };
        let mut found = false;
        for method in ["get", "post", "put", "delete", "patch"] {
            if call.contains(&format!(" {method}("))
                || call.contains(&format!(".{method}("))
                || call.contains(&format!("({method}("))
            {
                routes.insert((method.to_owned(), format!("{prefix}{path}")));
                found = true;
            }
        }
        // `any(…)` answers not-found for `/api/` itself: not an operation.
        assert!(found || call.contains("any("), "no method found for {path}: {call}");
    }
    routes
}

async fn the_openapi_document_covers_every_route_and_its_references_resolve(db: TestDb) {
    let app = TestApp::new(db);
    // No sign-in needed: it describes the API, not anyone's data.
    let r = app.client().get("/api/openapi.json").await;
    r.assert_status(StatusCode::OK);
    let doc = &r.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let routed = routes_in_source();
    assert!(routed.len() >= 28, "{routed:?}");
    let missing: Vec<_> = routed.difference(&documented).collect();
    assert!(missing.is_empty(), "routes without an entry in server/src/openapi.rs: {missing:?}");
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(extra.is_empty(), "documented routes that routes.rs does not have: {extra:?}");

    // Every reference resolves to a schema the document holds.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    let refs: BTreeSet<&str> =
        text.split("\"$ref\":\"#/components/schemas/").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    assert!(refs.len() > 40, "{refs:?}");
    for name in &refs {
        assert!(schemas.contains_key(*name), "{name} is referred to but not defined");
    }
    // The schemas are the handlers' types.
    let entry = &schemas["AuditEntry"]["properties"];
    for field in ["seq", "at_ms", "who", "action", "what", "client", "sign_in"] {
        assert!(entry.get(field).is_some(), "AuditEntry.{field}");
    }
    assert_eq!(schemas["AuditAction"]["enum"], serde_json::json!(waymark_shared::api::AuditAction::NAMES));
    assert_eq!(schemas["Change"]["oneOf"].as_array().unwrap().len(), 5, "one per domain");
    let tracker = schemas["TrackerChange"].to_string();
    assert!(tracker.contains("start_reading") && tracker.contains("step_done"), "{tracker}");
    let op = &doc["paths"]["/api/people/{id}/audit"]["get"];
    let params: Vec<&str> = op["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    for p in ["id", "who", "what", "action", "from", "to", "before", "limit"] {
        assert!(params.contains(&p), "{p} in {params:?}");
    }
    assert_eq!(
        doc["paths"]["/api/people/{id}/export/fhir"]["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["application/fhir+json"]
    );
    let _: &Value = &doc["components"]["securitySchemes"]["session"];
    assert_eq!(doc["components"]["securitySchemes"]["csrf"]["name"], "x-csrf-token");
}
