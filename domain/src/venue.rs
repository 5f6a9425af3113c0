//! Venues: where sessions take place.

use crate::Invalid;

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
}
