//! Roles an account holds in an organisation, and the vocabulary of job roles.

/// Declares a closed vocabulary stored and sent as `snake_case` strings.
///
/// The JSON Schema is written out here rather than derived: it lists exactly the wire values
/// (`"intercultural_assistant"`), each with its doc comment, so the published document and
/// `parse` share the one list.
#[macro_export]
macro_rules! vocabulary {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[doc = $vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every wire value with its description, in declaration order.
            pub const DESCRIBED: &'static [(&'static str, &'static str)] =
                &[$(($text, concat!($($vdoc),*))),+];

            /// What the type is, from its doc comment.
            pub const DESCRIPTION: &'static str = concat!($($doc),*);

            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(raw: &str) -> Result<Self, $crate::Invalid> {
                match raw {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::Invalid::new(format!(
                        "must be one of: {}",
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let mut description = $name::DESCRIPTION.trim().to_string();
                let documented = $name::DESCRIBED.iter().any(|(_, doc)| !doc.is_empty());
                if documented {
                    description.push_str("\n");
                    for (value, doc) in $name::DESCRIBED {
                        description.push_str(&format!("\n- `{value}`"));
                        if !doc.is_empty() {
                            description.push_str(&format!(": {}", doc.trim()));
                        }
                    }
                }
                $crate::wire::enum_schema($name::DESCRIBED.iter().map(|(v, _)| *v), &description)
                    .examples([$name::DESCRIBED[0].0])
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

vocabulary!(
    /// What an account may do within an organisation's subtree.
    Role {
        /// Runs programmes of the organisation and everything below it.
        Organiser => "organiser",
        /// Teaches sessions and records their attendance.
        Trainer => "trainer",
        /// Registers for programmes.
        Participant => "participant",
    }
);

vocabulary!(
    /// What a person does at their workplace; eligibility rules use it.
    JobRole {
        InterculturalAssistant => "intercultural_assistant",
        Teacher => "teacher",
        SchoolDirector => "school_director",
        FormTeacher => "form_teacher",
        SecondLanguageTeacher => "second_language_teacher",
        Methodologist => "methodologist",
        Librarian => "librarian",
        CultureCentreStaff => "culture_centre_staff",
        SocialWorker => "social_worker",
        Official => "official",
        Psychologist => "psychologist",
        Trainer => "trainer",
        ProcessLeader => "process_leader",
        Other => "other",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(*role));
        }
        for job in JobRole::ALL {
            assert_eq!(JobRole::parse(job.as_str()), Ok(*job));
        }
    }

    #[test]
    fn unknown_values_name_the_choices() {
        let err = Role::parse("admin").err().map(|e| e.0);
        assert_eq!(
            err.as_deref(),
            Some("must be one of: organiser, trainer, participant")
        );
    }
}
