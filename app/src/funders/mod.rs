//! Funders: who pays for training. Every signed-in caller reads them; organisers of the
//! keeping organisation change them.

mod create;
mod get;
mod list;
mod update;

pub use create::{NewFunder, create};
pub use get::get;
pub use kompetens_domain::funding::{Funder, FunderKind};
pub use list::{FunderFilter, list};
pub use update::{FunderChanges, update};
