//! Organisations: tenants and places of work, arranged in a tree.

use crate::Invalid;
use crate::ids::OrganisationId;
use crate::vocabulary;

vocabulary!(
    /// What sort of organisation this is.
    OrganisationKind {
        MetropolitanAssociation => "metropolitan_association",
        Municipality => "municipality",
        County => "county",
        School => "school",
        Kindergarten => "kindergarten",
        Library => "library",
        CultureCentre => "culture_centre",
        CounsellingCentre => "counselling_centre",
        University => "university",
        Ngo => "ngo",
        Other => "other",
    }
);

/// An organisation's name: trimmed, 1–300 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationName(String);

impl OrganisationName {
    pub const MAX_CHARS: usize = 300;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        crate::text::line(raw, Self::MAX_CHARS).map(Self)
    }

    /// A name read back from storage, as it was stored.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::wire::wire_text!(OrganisationName, {
    crate::wire::string_schema(
        Some(1),
        Some(OrganisationName::MAX_CHARS),
        Some(crate::text::LINE_PATTERN),
        "An organisation's name: 1–300 characters, one line.",
    )
    .examples(["Szkoła Podstawowa nr 12 w Gdańsku"])
});

/// How deep the tree may grow: association → county → municipality → school → … is far less.
pub const MAX_DEPTH: usize = 12;

/// Where an organisation stands in the tree: its ancestors from the root, then itself.
///
/// Stored as a materialised path so that "everything under X" is a prefix match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationPath(Vec<OrganisationId>);

impl OrganisationPath {
    /// The path of a top-level organisation.
    pub fn root(id: OrganisationId) -> Self {
        Self(vec![id])
    }

    /// The path of a new child of this organisation.
    pub fn child(&self, id: OrganisationId) -> Result<Self, Invalid> {
        if self.0.len() >= MAX_DEPTH {
            return Err(Invalid::new(format!(
                "the organisation tree may be at most {MAX_DEPTH} levels deep"
            )));
        }
        let mut ids = self.0.clone();
        ids.push(id);
        Ok(Self(ids))
    }

    pub fn id(&self) -> OrganisationId {
        // A path always holds at least the organisation itself (see the constructors).
        self.0[self.0.len() - 1]
    }

    /// The organisation itself and all above it, root first.
    pub fn ids(&self) -> &[OrganisationId] {
        &self.0
    }

    pub fn contains(&self, id: OrganisationId) -> bool {
        self.0.contains(&id)
    }

    /// `/a/b/c/`: every id framed by slashes, so a prefix never matches a sibling.
    pub fn encode(&self) -> String {
        let mut out = String::from("/");
        for id in &self.0 {
            out.push_str(&id.to_string());
            out.push('/');
        }
        out
    }

    pub fn decode(raw: &str) -> Result<Self, Invalid> {
        let ids = raw
            .trim_matches('/')
            .split('/')
            .map(|part| {
                uuid::Uuid::parse_str(part)
                    .map(OrganisationId::from_uuid)
                    .map_err(|_| Invalid::new("corrupt organisation path"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Err(Invalid::new("corrupt organisation path"));
        }
        Ok(Self(ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_round_trips_and_nests() -> Result<(), Invalid> {
        let (a, b) = (OrganisationId::new(), OrganisationId::new());
        let root = OrganisationPath::root(a);
        let child = root.child(b)?;
        assert_eq!(child.id(), b);
        assert!(child.contains(a));
        assert!(child.encode().starts_with(&root.encode()));
        assert_eq!(OrganisationPath::decode(&child.encode())?, child);
        Ok(())
    }

    #[test]
    fn depth_is_bounded() -> Result<(), Invalid> {
        let mut path = OrganisationPath::root(OrganisationId::new());
        for _ in 1..MAX_DEPTH {
            path = path.child(OrganisationId::new())?;
        }
        assert!(path.child(OrganisationId::new()).is_err());
        Ok(())
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert!(OrganisationName::parse("  ").is_err());
        assert!(OrganisationName::parse(&"x".repeat(301)).is_err());
        assert_eq!(
            OrganisationName::parse(" Miasto Gdańsk ").map(|n| n.as_str().to_string()),
            Ok("Miasto Gdańsk".to_string())
        );
    }
}
