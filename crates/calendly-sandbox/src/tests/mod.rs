//! End-to-end tests of the sandbox over real HTTP on 127.0.0.1:0.

mod api;
mod oauth;
mod scenario;
mod support;
mod webhooks;
