//! Calendly's REST surface: users, event types, scheduled events, invitees, no-shows and webhook
//! subscriptions, each route behind [`gate::gate`].

mod events;
mod gate;
pub(crate) mod reply;
mod subscriptions;
mod users;

use crate::inner::Sandbox;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

pub(crate) fn routes(sb: Sandbox) -> Router<Sandbox> {
    Router::new()
        .route("/users/me", get(users::users_me))
        .route("/users/{uuid}", get(users::get_user))
        .route("/event_types", get(users::list_event_types))
        .route("/event_types/{uuid}", get(users::get_event_type))
        .route("/scheduled_events", get(events::list_events))
        .route("/scheduled_events/{uuid}", get(events::get_event))
        .route(
            "/scheduled_events/{uuid}/cancellation",
            post(events::cancel_event),
        )
        .route(
            "/scheduled_events/{uuid}/invitees",
            get(events::list_invitees),
        )
        .route(
            "/scheduled_events/{uuid}/invitees/{invitee}",
            get(events::get_invitee),
        )
        .route("/invitee_no_shows", post(events::create_no_show))
        .route(
            "/invitee_no_shows/{uuid}",
            get(events::get_no_show).delete(events::delete_no_show),
        )
        .route(
            "/webhook_subscriptions",
            get(subscriptions::list_subscriptions).post(subscriptions::create_subscription),
        )
        .route(
            "/webhook_subscriptions/{uuid}",
            get(subscriptions::get_subscription).delete(subscriptions::delete_subscription),
        )
        .route_layer(middleware::from_fn_with_state(sb, gate::gate))
}
