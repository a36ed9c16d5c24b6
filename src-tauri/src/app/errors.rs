//! The `kind` of an `IpcError`: what the window switches on, never the message.

use crate::connect::ConnectError;
use crate::core::CoreError;
use crate::oauth::OAuthError;
use crate::sync::engine::SyncError;

pub fn kind(e: &CoreError) -> &'static str {
    match e {
        CoreError::Connect(c) => connect_kind(c),
        CoreError::Explore(crate::explore::ExploreError::Connect(c)) => connect_kind(c),
        CoreError::Explore(_) | CoreError::Internal(_) | CoreError::Live(_) => "internal",
        CoreError::Sync(s) => match s.as_ref() {
            SyncError::Api(crate::calendly::ApiError::Network { .. }) => "network",
            SyncError::Api(_) => "calendly",
            SyncError::Apply(_) | SyncError::Store(_) | SyncError::Elsewhere(_) => "store",
        },
        CoreError::Store(_) | CoreError::Note(_) | CoreError::Export(_) => "store",
        CoreError::Prefs(crate::prefs::PrefsError::Invalid(_)) | CoreError::InvalidInput(_) => {
            "invalid_input"
        }
        CoreError::Prefs(_) => "store",
        CoreError::Secret(_) => "keyring",
        CoreError::NotFound(_) => "not_found",
    }
}

fn connect_kind(e: &ConnectError) -> &'static str {
    match e {
        ConnectError::EmptyToken | ConnectError::BadToken(_) | ConnectError::BadSetting(_) => {
            "invalid_input"
        }
        ConnectError::OAuth(OAuthError::NoClientId) => "invalid_input",
        ConnectError::OAuth(OAuthError::Canceled) => "canceled",
        ConnectError::OAuth(OAuthError::Timeout(_)) => "timeout",
        ConnectError::OAuth(OAuthError::Denied(_)) => "denied",
        ConnectError::NotConnected | ConnectError::TokenMissing => "not_connected",
        ConnectError::Api(_) | ConnectError::OAuth(_) => "calendly",
        ConnectError::Secret(_) => "keyring",
        ConnectError::Store(_) => "store",
    }
}
