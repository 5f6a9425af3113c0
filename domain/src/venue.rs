//! Venues: where sessions take place.

use chrono::{DateTime, Utc};

use crate::Invalid;
use crate::country::CountryCode;
use crate::ids::{OrganisationId, VenueId};
use crate::organisation::OrganisationPath;

/// A place where sessions take place, kept by an organisation.
#[derive(Debug, Clone)]
pub struct Venue {
    pub id: VenueId,
    pub organisation_id: OrganisationId,
    /// Copied from the keeping organisation at creation (organisations never move).
    pub organisation_path: OrganisationPath,
    pub name: String,
    pub address: String,
    pub city: String,
    pub postal_code: Option<String>,
    pub country: CountryCode,
    pub capacity: Option<u32>,
    pub accessibility: Option<String>,
    pub coordinates: Option<Coordinates>,
    /// How many sessions may take place here at once (rooms, halls).
    pub concurrent_sessions: ConcurrentSessions,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The most characters of a venue's name and address lines, city and postal code.
pub const NAME_CHARS: usize = 300;
pub const CITY_CHARS: usize = 200;
pub const POSTAL_CODE_CHARS: usize = 20;
/// Accessibility notes: step-free access, induction loops, quiet rooms.
pub const NOTES_CHARS: usize = 4000;

crate::wire::bounded!(
    /// How many sessions a venue may host at once: 1 for a single room, more for a centre
    /// with several halls.
    ConcurrentSessions(u32): 1..=1000,
    "How many sessions may take place at the venue at once: 1 to 1000 (default 1)."
);

impl Default for ConcurrentSessions {
    /// One session at a time: a venue is one room unless its keeper says otherwise.
    fn default() -> Self {
        ConcurrentSessions(1)
    }
}

/// A point on the map (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Coordinates {
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, Invalid> {
        if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
            return Err(Invalid::new(
                "latitude must be within ±90 and longitude within ±180",
            ));
        }
        Ok(Coordinates {
            latitude,
            longitude,
        })
    }
}

/// `{"latitude": 54.3951, "longitude": 18.5713}` on the wire; the bounds are published.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CoordinatesWire {
    latitude: f64,
    longitude: f64,
}

impl serde::Serialize for Coordinates {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CoordinatesWire {
            latitude: self.latitude,
            longitude: self.longitude,
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Coordinates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = CoordinatesWire::deserialize(d)?;
        Coordinates::new(wire.latitude, wire.longitude).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Coordinates {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        let degrees = |limit: f64, what: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .minimum(Some(-limit))
                .maximum(Some(limit))
                .description(Some(what))
        };
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("A point on the map (WGS 84), in decimal degrees."))
            .property(
                "latitude",
                degrees(90.0, "Degrees north (negative: south)."),
            )
            .property(
                "longitude",
                degrees(180.0, "Degrees east (negative: west)."),
            )
            .required("latitude")
            .required("longitude")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .examples([serde_json::json!({"latitude": 54.3951, "longitude": 18.5713})])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Coordinates {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Coordinates")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_bounded() {
        assert!(Coordinates::new(49.3, 19.95).is_ok());
        assert!(Coordinates::new(91.0, 0.0).is_err());
        assert!(Coordinates::new(0.0, -181.0).is_err());
        assert!(Coordinates::new(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn concurrent_sessions_are_one_to_a_thousand_and_one_by_default() {
        assert_eq!(ConcurrentSessions::default().get(), 1);
        assert_eq!(
            ConcurrentSessions::new(1000).map(ConcurrentSessions::get),
            Ok(1000)
        );
        assert!(ConcurrentSessions::new(0).is_err());
        assert!(ConcurrentSessions::new(1001).is_err());
        assert!(ConcurrentSessions::new(-1).is_err());
    }
}
