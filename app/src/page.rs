//! Keyset pagination: a page of up to `limit` items after the id of the last one seen.

use uuid::Uuid;

pub use kompetens_persistence::Page;

/// The most items one page may hold, and how many a page holds unless asked otherwise.
pub const MAX_PAGE_LIMIT: u64 = 200;
pub const DEFAULT_PAGE_LIMIT: u64 = 50;

/// Which page: at most `limit` items, after the item with id `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    pub after: Option<Uuid>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_PAGE_LIMIT,
            after: None,
        }
    }
}
