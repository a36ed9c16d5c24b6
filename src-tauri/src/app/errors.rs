//! The `kind` of an `IpcError`: what the window switches on, never the message.

use crate::connect::ConnectError;
use crate::core::CoreError;
use crate::feed::IpcErrorKind as Kind;
use crate::oauth::OAuthError;
use crate::sync::engine::SyncError;

pub fn kind(e: &CoreError) -> Kind {
    match e {
        CoreError::Connect(c) => connect_kind(c),
        CoreError::Explore(crate::explore::ExploreError::Connect(c)) => connect_kind(c),
        CoreError::Explore(_) | CoreError::Internal(_) | CoreError::Live(_) => Kind::Internal,
        CoreError::Sync(s) => match s.as_ref() {
            SyncError::Api(crate::calendly::ApiError::Network { .. }) => Kind::Network,
            SyncError::Api(_) => Kind::Calendly,
            SyncError::Apply(_) | SyncError::Store(_) | SyncError::Elsewhere(_) => Kind::Store,
        },
        CoreError::Store(_) | CoreError::Note(_) | CoreError::Export(_) => Kind::Store,
        CoreError::Prefs(crate::prefs::PrefsError::Invalid(_)) | CoreError::InvalidInput(_) => {
            Kind::InvalidInput
        }
        CoreError::Prefs(_) => Kind::Store,
        CoreError::Secret(_) => Kind::Keyring,
        CoreError::NotFound(_) => Kind::NotFound,
    }
}

fn connect_kind(e: &ConnectError) -> Kind {
    match e {
        ConnectError::EmptyToken | ConnectError::BadToken(_) | ConnectError::BadSetting(_) => {
            Kind::InvalidInput
        }
        ConnectError::OAuth(OAuthError::NoClientId) => Kind::InvalidInput,
        ConnectError::OAuth(OAuthError::Canceled) => Kind::Canceled,
        ConnectError::OAuth(OAuthError::Timeout(_)) => Kind::Timeout,
        ConnectError::OAuth(OAuthError::Denied(_)) => Kind::Denied,
        ConnectError::NotConnected | ConnectError::TokenMissing => Kind::NotConnected,
        ConnectError::Api(_) | ConnectError::OAuth(_) => Kind::Calendly,
        ConnectError::Secret(_) => Kind::Keyring,
        ConnectError::Store(_) => Kind::Store,
    }
}
