//! Venues: where sessions take place. Public places, so anyone may read them; organisers of
//! the keeping organisation change them.

mod create;
mod get;
mod list;
mod update;

pub use create::{NewVenue, create};
pub use get::get;
pub use kompetens_domain::venue::{Coordinates, Venue};
pub use list::{VenueFilter, list};
pub use update::{VenueChanges, update};
