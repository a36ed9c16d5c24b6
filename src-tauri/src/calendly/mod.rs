//! Calendly's API: typed models, the HTTP client and its errors.

pub mod attempt;
pub mod client;
mod error;
pub mod models;
pub mod subscriptions;

pub use attempt::Attempt;
pub use client::{ApiError, Client, RateLimit};
