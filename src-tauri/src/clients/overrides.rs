//! The consultant's changes to the grouping: rename a client, merge one into another, move a
//! person to another client (or out on their own). Each is checked against the clients as they
//! are and written in the caller's transaction; syncs never touch them.

use std::collections::BTreeSet;

use rusqlite::Transaction;

use super::grouping::{is_key, natural_key, normalize_email, person_key, Grouping};
use super::rows::people;
use super::ClientsError;
use crate::store::client_overrides::{self, OverrideKind};

/// A client's name is at most this many characters.
pub const MAX_NAME: usize = 200;

struct Current {
    grouping: Grouping,
    emails: BTreeSet<String>,
    clients: BTreeSet<String>,
}

fn current(tx: &Transaction<'_>) -> Result<Current, ClientsError> {
    let grouping = Grouping::new(client_overrides::all(tx)?);
    let emails: BTreeSet<String> = people(tx)?.into_keys().collect();
    let clients = emails.iter().map(|e| grouping.client_of(e)).collect();
    Ok(Current {
        grouping,
        emails,
        clients,
    })
}

/// The client `key` is now (after merges), if anyone belongs to it.
fn existing(now: &Current, key: &str) -> Result<String, ClientsError> {
    if !is_key(key) {
        return Err(ClientsError::Invalid(format!(
            "{key:?} is not a client key (domain:<domain> or person:<email>)"
        )));
    }
    let resolved = now.grouping.resolve(key);
    if now.clients.contains(&resolved) {
        Ok(resolved)
    } else {
        Err(ClientsError::NotFound(format!(
            "there is no client {key}; reload the clients and try again"
        )))
    }
}

/// Names a client; a blank name gives it back its default (its domain, or the person's name).
pub fn rename(tx: &Transaction<'_>, key: &str, name: &str, at: &str) -> Result<(), ClientsError> {
    let key = existing(&current(tx)?, key)?;
    let name = name.trim();
    if name.chars().count() > MAX_NAME {
        return Err(ClientsError::Invalid(format!(
            "a client's name is at most {MAX_NAME} characters; shorten it"
        )));
    }
    if name.is_empty() {
        client_overrides::delete(tx, OverrideKind::Name, &key)?;
    } else {
        client_overrides::set(tx, OverrideKind::Name, &key, name, at)?;
    }
    Ok(())
}

/// Merges client `from` into client `into`: its people, meetings and revenue count for `into`.
pub fn merge(tx: &Transaction<'_>, from: &str, into: &str, at: &str) -> Result<(), ClientsError> {
    let now = current(tx)?;
    let (from, into) = (existing(&now, from)?, existing(&now, into)?);
    if from == into {
        return Err(ClientsError::Invalid(
            "these are already one client; pick another client to merge into".into(),
        ));
    }
    // Both are ends of their merge chains, so this link makes no loop.
    client_overrides::set(tx, OverrideKind::Merge, &from, &into, at)?;
    Ok(())
}

/// Moves a person to client `to`; `person:<their email>` makes them a client of their own.
pub fn move_person(
    tx: &Transaction<'_>,
    email: &str,
    to: &str,
    at: &str,
) -> Result<(), ClientsError> {
    let now = current(tx)?;
    let email = normalize_email(email);
    if !now.emails.contains(&email) {
        return Err(ClientsError::NotFound(format!(
            "no one booked as {email}; reload the client and try again"
        )));
    }
    let own = person_key(&email);
    let to = if to == own {
        // On their own even when their own client was once merged away.
        client_overrides::delete(tx, OverrideKind::Merge, &own)?;
        own
    } else {
        existing(&now, to)?
    };
    if to == natural_key(&email) {
        client_overrides::delete(tx, OverrideKind::Member, &email)?;
    } else {
        client_overrides::set(tx, OverrideKind::Member, &email, &to, at)?;
    }
    Ok(())
}
