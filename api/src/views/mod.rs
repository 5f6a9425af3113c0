//! What the API answers, shared by the route modules that answer it (a route module never
//! imports another: a type two of them send lives here).

pub mod account;
pub mod programme;
pub mod registration;
