//! The committed `openapi.yaml` is what the code generates, and every operation is documented.

use kompetens_tests::spawn_app;
use serde_json::Value;

#[test]
fn committed_spec_is_up_to_date() {
    let generated = kompetens_api::openapi::yaml().unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
            .unwrap_or_default();
    assert!(
        generated == committed,
        "openapi.yaml is stale: run `cargo run -p kompetens-api -- openapi > openapi.yaml`"
    );
}

fn has_example(schema: &Value, document: &Value) -> bool {
    if schema.get("example").is_some() || schema.get("examples").is_some() {
        return true;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        return has_example(&document["components"]["schemas"][name], document);
    }
    false
}

#[test]
fn every_operation_has_an_id_summary_security_errors_and_an_example() {
    let document = serde_json::to_value(kompetens_api::openapi::document()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let mut missing = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            if op["operationId"].as_str().is_none_or(str::is_empty) {
                missing.push(format!("{name}: operationId"));
            }
            if op["summary"].as_str().is_none_or(str::is_empty) {
                missing.push(format!("{name}: summary"));
            }
            if op.get("security").is_none() {
                missing.push(format!("{name}: security"));
            }
            let responses = op["responses"].as_object().unwrap();
            if !responses
                .keys()
                .any(|code| code.starts_with('4') || code.starts_with('5'))
            {
                missing.push(format!("{name}: error responses"));
            }
            let mut schemas: Vec<&Value> = responses
                .values()
                .filter_map(|r| r["content"].as_object())
                .flat_map(|c| c.values().map(|m| &m["schema"]))
                .collect();
            if let Some(content) = op["requestBody"]["content"].as_object() {
                schemas.extend(content.values().map(|m| &m["schema"]));
            }
            if !schemas.iter().any(|s| has_example(s, &document)) {
                missing.push(format!("{name}: example"));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented:\n{}", missing.join("\n"));
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let app = spawn_app().await;
    let served = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(served.status, 200);
    let mut served = served.body;
    // The served document names the server it comes from (KOMPETENS_PUBLIC_URL); the rest is
    // the committed document.
    assert_eq!(served["servers"][0]["url"], app.address);
    let generated = serde_json::to_value(kompetens_api::openapi::document()).unwrap();
    served["servers"] = generated["servers"].clone();
    assert!(
        served == generated,
        "the served document differs from the generated one beyond `servers`"
    );
}
