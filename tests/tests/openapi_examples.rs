//! Every example the OpenAPI document gives is an instance of the schema it illustrates: the
//! `example`/`examples` of each schema (in components and inline, at any depth), and the
//! examples of each parameter, header, request body and response.

use kompetens_tests::contract::{SchemaCompiler, dereference, escape, validate};
use serde_json::Value;

/// Keywords whose value is a schema, and those whose value is a map or a list of schemas.
const SCHEMA: &[&str] = &[
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
];
const SCHEMA_MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
];
const SCHEMA_LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Collects what is wrong with the examples of one document.
struct Examples<'a> {
    document: &'a Value,
    compiler: SchemaCompiler,
    checked: usize,
    failures: Vec<String>,
}

impl<'a> Examples<'a> {
    /// `value` must validate against the schema at `schema`; `what` says whose example it is.
    fn check(&mut self, what: &str, schema: &str, value: &Value) {
        self.checked += 1;
        let result = self
            .compiler
            .compile(schema)
            .and_then(|validator| validate(&validator, value));
        if let Err(e) = result {
            self.failures.push(format!(
                "{what} (schema {schema}):\n{e}\n  example: {value}"
            ));
        }
    }

    /// A schema at `pointer` and every schema inside it: each `example`, and each of `examples`.
    fn schema(&mut self, pointer: &str) {
        let Some(schema) = self.document.pointer(pointer).and_then(Value::as_object) else {
            return;
        };
        if let Some(example) = schema.get("example") {
            self.check(&format!("the example of {pointer}"), pointer, example);
        }
        for (i, example) in schema
            .get("examples")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.check(&format!("example {i} of {pointer}"), pointer, example);
        }
        for keyword in SCHEMA {
            if schema.contains_key(*keyword) {
                self.schema(&format!("{pointer}/{}", escape(keyword)));
            }
        }
        for keyword in SCHEMA_MAP {
            for name in schema
                .get(*keyword)
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.keys())
            {
                self.schema(&format!("{pointer}/{}/{}", escape(keyword), escape(name)));
            }
        }
        for keyword in SCHEMA_LIST {
            let n = schema
                .get(*keyword)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..n {
                self.schema(&format!("{pointer}/{keyword}/{i}"));
            }
        }
    }

    /// The object at `pointer`, following a `$ref` (to `#/components/...`).
    fn resolve(&self, pointer: &str) -> Option<(String, &'a Value)> {
        let object = self.document.pointer(pointer)?;
        dereference(self.document, pointer, object).ok()
    }

    /// A parameter, header or media type object at `pointer`: its `example` and `examples`
    /// against its schema, and the schema's own examples.
    fn with_schema(&mut self, what: &str, pointer: &str) {
        let Some((pointer, object)) = self.resolve(pointer) else {
            self.failures
                .push(format!("{what}: {pointer} leads nowhere"));
            return;
        };
        if object.get("schema").is_none() {
            return;
        }
        let schema = format!("{pointer}/schema");
        if let Some(example) = object.get("example") {
            self.check(&format!("the example of {what}"), &schema, example);
        }
        for name in object
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|e| e.keys())
        {
            let example_pointer = format!("{pointer}/examples/{}", escape(name));
            match self.resolve(&example_pointer) {
                // Without a `value` it is an `externalValue`: nothing here to check.
                Some((_, example)) => {
                    if let Some(value) = example.get("value") {
                        self.check(&format!("example {name} of {what}"), &schema, value);
                    }
                }
                None => self.failures.push(format!(
                    "example {name} of {what}: its reference leads nowhere"
                )),
            }
        }
        self.schema(&schema);
    }

    /// A request body or response at `pointer`: each media type (a CSV or calendar example is
    /// a string its schema describes too), and each header.
    fn with_content(&mut self, what: &str, pointer: &str) {
        let Some((pointer, object)) = self.resolve(pointer) else {
            self.failures
                .push(format!("{what}: {pointer} leads nowhere"));
            return;
        };
        for media in object
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|c| c.keys())
        {
            self.with_schema(
                &format!("{what} {media}"),
                &format!("{pointer}/content/{}", escape(media)),
            );
        }
        for header in object
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|h| h.keys())
        {
            self.with_schema(
                &format!("{what}, header {header}"),
                &format!("{pointer}/headers/{}", escape(header)),
            );
        }
    }
}

#[test]
fn every_example_in_the_document_matches_its_schema() {
    let document = serde_json::to_value(kompetens_api::openapi::document()).unwrap();
    let mut examples = Examples {
        document: &document,
        compiler: SchemaCompiler::new(&document).unwrap(),
        checked: 0,
        failures: Vec::new(),
    };
    for name in document["components"]["schemas"]
        .as_object()
        .into_iter()
        .flat_map(|s| s.keys())
    {
        examples.schema(&format!("/components/schemas/{}", escape(name)));
    }
    for (path, item) in document["paths"].as_object().unwrap() {
        let base = format!("/paths/{}", escape(path));
        let shared = item["parameters"].as_array().map_or(0, Vec::len);
        for i in 0..shared {
            examples.with_schema(
                &format!("{path} parameter {i}"),
                &format!("{base}/parameters/{i}"),
            );
        }
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            let name = format!("{} {path}", method.to_uppercase());
            let at = format!("{base}/{method}");
            let parameters = op["parameters"].as_array().map_or(0, Vec::len);
            for i in 0..parameters {
                let parameter = op["parameters"][i]["name"].as_str().unwrap_or("?");
                examples.with_schema(
                    &format!("{name}, parameter {parameter}"),
                    &format!("{at}/parameters/{i}"),
                );
            }
            if op.get("requestBody").is_some() {
                examples.with_content(
                    &format!("{name}, request body"),
                    &format!("{at}/requestBody"),
                );
            }
            for status in responses.keys() {
                examples.with_content(
                    &format!("{name}, response {status}"),
                    &format!("{at}/responses/{}", escape(status)),
                );
            }
        }
    }
    assert!(
        examples.checked >= 50,
        "only {} examples found: is the walk broken?",
        examples.checked
    );
    assert!(
        examples.failures.is_empty(),
        "{} of {} examples do not match their schema:\n\n{}",
        examples.failures.len(),
        examples.checked,
        examples.failures.join("\n\n")
    );
}
