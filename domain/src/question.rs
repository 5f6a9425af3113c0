//! Registration questions: what a programme's form asks (dietary needs, the school one works
//! at, a first-time flag) and the answers a registration gives, checked against them.

use std::collections::BTreeMap;

use crate::Invalid;
use crate::text::LocalizedText;
use crate::vocabulary;

vocabulary!(
    /// What kind of answer a question takes.
    QuestionKind {
        /// Free text, at most 2000 characters.
        Text => "text",
        /// One of the question's `options`, by its `id`.
        Choice => "choice",
        /// `true` or `false`.
        Boolean => "boolean",
    }
);

/// The pattern of a question's or an option's id.
pub const KEY_PATTERN: &str = "^[a-z][a-z0-9_]{0,39}$";
/// The most questions one programme asks, and options one question offers.
pub const MAX_QUESTIONS: usize = 30;
pub const MAX_OPTIONS: usize = 50;
/// The longest label of a question or an option, in each language.
pub const LABEL_CHARS: usize = 500;
/// The longest text answer.
pub const ANSWER_CHARS: usize = 2000;

/// The id of a question or of a choice's option: chosen by the organiser, stable, e.g.
/// `dietary_needs`; 1–40 lower-case letters, digits and `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QuestionKey(String);

impl QuestionKey {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let mut chars = raw.chars();
        let valid = raw.len() <= 40
            && chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if valid {
            Ok(QuestionKey(raw.to_string()))
        } else {
            Err(Invalid::new(
                "must be 1–40 lower-case letters, digits or _, starting with a letter, e.g. dietary_needs",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::wire::wire_text!(QuestionKey, {
    crate::wire::string_schema(
        Some(1),
        Some(40),
        Some(KEY_PATTERN),
        "The id of a question or an option: 1–40 lower-case letters, digits or _, starting with a letter.",
    )
    .examples(["dietary_needs"])
});

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceOption {
    pub id: QuestionKey,
    pub label: LocalizedText,
}

/// A question of a programme's registration form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: QuestionKey,
    pub label: LocalizedText,
    pub kind: QuestionKind,
    pub required: bool,
    /// The choices of a `choice` question (at least two); empty for the other kinds.
    pub options: Vec<ChoiceOption>,
}

/// Checks a form: ids unique, choices with at least two distinct options, options only on
/// choices. Each problem at its pointer under `/questions`.
pub fn check_questions(questions: &[Question]) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if questions.len() > MAX_QUESTIONS {
        problems.push((
            "/questions".to_string(),
            format!("may hold at most {MAX_QUESTIONS} questions"),
        ));
    }
    for (i, q) in questions.iter().enumerate() {
        if questions[..i].iter().any(|o| o.id == q.id) {
            problems.push((
                format!("/questions/{i}/id"),
                format!(
                    "{} is the id of an earlier question; ids must differ",
                    q.id.as_str()
                ),
            ));
        }
        match q.kind {
            QuestionKind::Choice if q.options.len() < 2 => problems.push((
                format!("/questions/{i}/options"),
                "a choice offers at least two options".to_string(),
            )),
            QuestionKind::Choice => {
                for (j, option) in q.options.iter().enumerate() {
                    if q.options[..j].iter().any(|o| o.id == option.id) {
                        problems.push((
                            format!("/questions/{i}/options/{j}/id"),
                            "is the id of an earlier option; ids must differ".to_string(),
                        ));
                    }
                }
            }
            _ if !q.options.is_empty() => problems.push((
                format!("/questions/{i}/options"),
                format!("only choice questions have options; this one is {}", q.kind),
            )),
            _ => {}
        }
        if q.options.len() > MAX_OPTIONS {
            problems.push((
                format!("/questions/{i}/options"),
                format!("may hold at most {MAX_OPTIONS} options"),
            ));
        }
    }
    problems
}

/// An answer as it comes and is kept: text (or an option's id), or yes/no.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Flag(bool),
    Text(String),
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AnswerValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(ANSWER_CHARS))
                    .pattern(Some(ANSWER_PATTERN))
                    .description(Some(
                        "For text questions the text (at most 2000 characters, line breaks allowed); for choice questions the chosen option's id.",
                    )),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .description(Some("For boolean questions.")),
            )
            .description(Some("An answer: text, an option's id, or true/false."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for AnswerValue {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("AnswerValue")
    }
}

/// Text answers refuse what every paragraph field refuses (and may be empty: an empty answer
/// to a question that is not required is no answer).
pub const ANSWER_PATTERN: &str =
    r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*$";

/// A registration's answers, by question id; checked against the form when registering.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Answers(pub BTreeMap<String, AnswerValue>);

impl Answers {
    pub fn new() -> Self {
        Answers(BTreeMap::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&AnswerValue> {
        self.0.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &AnswerValue)> {
        self.0.iter()
    }

    fn contains_key(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }

    fn insert(&mut self, id: String, value: AnswerValue) {
        self.0.insert(id, value);
    }
}

impl std::fmt::Display for AnswerValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnswerValue::Flag(b) => write!(f, "{b}"),
            AnswerValue::Text(t) => f.write_str(t),
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Answers {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Ref, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Answers to the programme's questions, by question id: text, an option's id, or true/false.",
            ))
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(KEY_PATTERN)),
            ))
            .additional_properties(Some(AdditionalProperties::RefOr(RefOr::Ref(
                Ref::from_schema_name(AnswerValue::name()),
            ))))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Answers {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Answers")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("AnswerValue".to_string(), AnswerValue::schema()));
    }
}

/// Checks `given` against `questions`: every id a question of the form, each answer of its
/// kind, every required question answered. Text is trimmed; an empty answer to a question that
/// is not required is dropped. The problems are at `/answers/<id>`.
pub fn check_answers(
    questions: &[Question],
    given: &Answers,
) -> Result<Answers, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let mut kept = Answers::new();
    for (id, value) in given.iter() {
        let at = format!("/answers/{id}");
        let Some(q) = questions.iter().find(|q| q.id.as_str() == id) else {
            problems.push((at, "no such question in this programme's form".to_string()));
            continue;
        };
        match (q.kind, value) {
            (QuestionKind::Boolean, AnswerValue::Flag(_)) => {
                kept.insert(id.clone(), value.clone());
            }
            (QuestionKind::Text, AnswerValue::Text(text)) => {
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                match crate::text::checked(text, ANSWER_CHARS, true) {
                    Ok(t) => {
                        kept.insert(id.clone(), AnswerValue::Text(t));
                    }
                    Err(e) => problems.push((at, e.0)),
                }
            }
            (QuestionKind::Choice, AnswerValue::Text(choice)) => {
                let choice = choice.trim();
                if choice.is_empty() {
                    continue;
                }
                if q.options.iter().any(|o| o.id.as_str() == choice) {
                    kept.insert(id.clone(), AnswerValue::Text(choice.to_string()));
                } else {
                    let ids: Vec<&str> = q.options.iter().map(|o| o.id.as_str()).collect();
                    problems.push((at, format!("must be one of {}", ids.join(", "))));
                }
            }
            (QuestionKind::Boolean, AnswerValue::Text(_)) => {
                problems.push((at, "must be true or false".to_string()));
            }
            (_, AnswerValue::Flag(_)) => {
                problems.push((at, format!("must be text: this is a {} question", q.kind)));
            }
        }
    }
    for q in questions.iter().filter(|q| q.required) {
        let at = format!("/answers/{}", q.id.as_str());
        if !kept.contains_key(q.id.as_str()) && !problems.iter().any(|(p, _)| *p == at) {
            problems.push((at, "is required: answer this question".to_string()));
        }
    }
    if problems.is_empty() {
        Ok(kept)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> QuestionKey {
        QuestionKey::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn label(s: &str) -> LocalizedText {
        LocalizedText::parse([("pl", s)], 100).unwrap_or_else(|_| panic!("label"))
    }

    fn form() -> Vec<Question> {
        vec![
            Question {
                id: key("dietary_needs"),
                label: label("Dieta"),
                kind: QuestionKind::Choice,
                required: true,
                options: vec![
                    ChoiceOption {
                        id: key("none"),
                        label: label("Bez wymagań"),
                    },
                    ChoiceOption {
                        id: key("vegetarian"),
                        label: label("Wegetariańska"),
                    },
                ],
            },
            Question {
                id: key("first_time"),
                label: label("Pierwszy raz?"),
                kind: QuestionKind::Boolean,
                required: false,
                options: vec![],
            },
            Question {
                id: key("notes"),
                label: label("Uwagi"),
                kind: QuestionKind::Text,
                required: false,
                options: vec![],
            },
        ]
    }

    fn answers(pairs: &[(&str, AnswerValue)]) -> Answers {
        Answers(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn text(s: &str) -> AnswerValue {
        AnswerValue::Text(s.to_string())
    }

    #[test]
    fn answers_are_checked_against_the_form() {
        let form = form();
        let ok = check_answers(
            &form,
            &answers(&[
                ("dietary_needs", text(" vegetarian ")),
                ("first_time", AnswerValue::Flag(true)),
                ("notes", text("  ")),
            ]),
        );
        assert_eq!(
            ok,
            Ok(answers(&[
                ("dietary_needs", text("vegetarian")),
                ("first_time", AnswerValue::Flag(true)),
            ]))
        );
        let cases: Vec<(Answers, Vec<&str>)> = vec![
            (answers(&[]), vec!["/answers/dietary_needs"]),
            (
                answers(&[("dietary_needs", text("vegan"))]),
                vec!["/answers/dietary_needs"],
            ),
            (
                answers(&[("dietary_needs", text(""))]),
                vec!["/answers/dietary_needs"],
            ),
            (
                answers(&[
                    ("dietary_needs", text("none")),
                    ("first_time", text("yes")),
                    ("shoe_size", text("42")),
                ]),
                vec!["/answers/first_time", "/answers/shoe_size"],
            ),
            (
                answers(&[
                    ("dietary_needs", AnswerValue::Flag(true)),
                    ("notes", text("a\u{202E}b")),
                ]),
                vec!["/answers/dietary_needs", "/answers/notes"],
            ),
        ];
        for (given, pointers) in cases {
            let got = check_answers(&form, &given).err().unwrap_or_default();
            let got: Vec<&str> = got.iter().map(|(at, _)| at.as_str()).collect();
            assert_eq!(got, pointers, "{given:?}");
        }
    }

    #[test]
    fn a_form_names_what_is_wrong_with_it() {
        let mut form = form();
        form[1].options = form[0].options.clone();
        form[2].id = key("dietary_needs");
        form[0].options.truncate(1);
        let got: Vec<String> = check_questions(&form)
            .into_iter()
            .map(|(at, _)| at)
            .collect();
        assert_eq!(
            got,
            [
                "/questions/0/options",
                "/questions/1/options",
                "/questions/2/id"
            ]
        );
        assert!(check_questions(&self::form()).is_empty());
        assert!(QuestionKey::parse("Dietary").is_err() && QuestionKey::parse("").is_err());
        assert!(QuestionKey::parse(&"a".repeat(41)).is_err());
    }
}
