//! Calendly's API: typed models, the HTTP client and its errors.

pub mod client;
pub mod models;
pub mod subscriptions;

pub use client::{ApiError, Client, RateLimit};
