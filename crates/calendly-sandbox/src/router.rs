//! One listener serves the API, the OAuth server and, with the `control` feature, the loopback
//! `/_sandbox/*` control routes and the per-path faults tests inject.

use crate::api;
use crate::api::reply::ApiError;
use crate::inner::Sandbox;
use crate::oauth;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub(crate) fn router(sb: Sandbox) -> Router {
    let routes = Router::new()
        .merge(api::routes(sb.clone()))
        .merge(oauth::routes(sb.clone()));
    #[cfg(any(test, feature = "control"))]
    let routes = routes
        .merge(crate::control::routes(sb.clone()))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            sb.clone(),
            crate::control::path_fault,
        ));
    #[cfg(not(any(test, feature = "control")))]
    let routes = routes.fallback(not_found);
    routes
        .layer(RequestBodyLimitLayer::new(1 << 20))
        .layer(TraceLayer::new_for_http())
        .with_state(sb)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}
