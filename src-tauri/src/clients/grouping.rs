//! Who is whose client: an invitee belongs to the company of their email domain (matched case-
//! insensitively), or is a client of their own on a free-mail domain (`freemail.txt`); the
//! consultant's overrides (a move, then merges) have the last word.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::store::client_overrides::ClientOverrides;

const DOMAIN: &str = "domain:";
const PERSON: &str = "person:";

/// The free-mail domains, from `freemail.txt` (one a line, `#` comments).
static FREEMAIL: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("freemail.txt")
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect()
});

pub fn is_freemail(domain: &str) -> bool {
    let domain = domain.trim();
    FREEMAIL.contains(domain)
        || domain.bytes().any(|b| b.is_ascii_uppercase())
            && FREEMAIL.contains(domain.to_ascii_lowercase().as_str())
}

/// An email as the report knows people: trimmed, lower case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// [`normalize_email`], without a copy when the email already is (as nearly all are).
pub fn normal_email(email: &str) -> Cow<'_, str> {
    if is_normal(email) {
        Cow::Borrowed(email)
    } else {
        Cow::Owned(normalize_email(email))
    }
}

/// Already what [`normalize_email`] makes of it.
fn is_normal(email: &str) -> bool {
    email.is_ascii()
        && !email.bytes().any(|b| b.is_ascii_uppercase())
        && email.trim().len() == email.len()
}

/// The domain after the last `@`, lower case; `None` when there is none.
pub fn domain_of(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    (!domain.is_empty()).then_some(domain)
}

/// The client an email belongs to without overrides: `domain:<domain>` for a company,
/// `person:<email>` on a free-mail domain (or an address without one).
pub fn natural_key(email: &str) -> String {
    match domain_of(email) {
        Some(d) if !is_freemail(&d) => format!("{DOMAIN}{d}"),
        _ => person_key(email),
    }
}

/// The key of a client that is one person.
pub fn person_key(email: &str) -> String {
    format!("{PERSON}{}", normal_email(email))
}

/// The company domain of a client key, `None` for a person.
pub fn key_domain(key: &str) -> Option<&str> {
    key.strip_prefix(DOMAIN)
}

/// The person's email of a client key, `None` for a company.
pub fn key_person(key: &str) -> Option<&str> {
    key.strip_prefix(PERSON)
}

/// Whether `key` is shaped like a client key.
pub fn is_key(key: &str) -> bool {
    key_domain(key).is_some_and(|d| !d.is_empty()) || key_person(key).is_some_and(|e| !e.is_empty())
}

/// The overrides, ready to resolve people to their clients.
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    overrides: ClientOverrides,
}

/// A merge chain longer than this is a loop (a hand-edited database): it stops there.
const MAX_MERGES: usize = 64;

impl Grouping {
    pub fn new(overrides: ClientOverrides) -> Self {
        Self { overrides }
    }

    /// The client `key` ends up in after the merges.
    pub fn resolve(&self, key: &str) -> String {
        self.resolve_owned(key.to_string())
    }

    fn resolve_owned(&self, mut key: String) -> String {
        for _ in 0..MAX_MERGES {
            match self.overrides.merges.get(&key) {
                Some(into) if *into != key => key = into.clone(),
                _ => break,
            }
        }
        key
    }

    /// The client of a person (any casing of their email).
    pub fn client_of(&self, email: &str) -> String {
        let email = normal_email(email);
        let key = match self.overrides.members.get(email.as_ref()) {
            Some(key) => key.clone(),
            None => natural_key(&email),
        };
        self.resolve_owned(key)
    }

    /// Whether the person was moved away from their natural client.
    pub fn moved(&self, email: &str) -> bool {
        self.overrides
            .members
            .contains_key(normal_email(email).as_ref())
    }

    /// The consultant's name for a client, if they gave one.
    pub fn given_name(&self, key: &str) -> Option<&str> {
        self.overrides.names.get(key).map(String::as_str)
    }

    /// The name a client shows: the consultant's, else its domain (a company) or the person's
    /// name, else their email.
    pub fn name_of(&self, key: &str, names: &HashMap<String, Option<String>>) -> String {
        if let Some(n) = self.given_name(key) {
            return n.to_string();
        }
        if let Some(d) = key_domain(key) {
            return d.to_string();
        }
        let email = key_person(key).unwrap_or(key);
        names
            .get(email)
            .cloned()
            .flatten()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| email.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grouping(
        names: &[(&str, &str)],
        merges: &[(&str, &str)],
        members: &[(&str, &str)],
    ) -> Grouping {
        let map = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        Grouping::new(ClientOverrides {
            names: map(names),
            merges: map(merges),
            members: map(members),
        })
    }

    #[test]
    fn emails_already_normal_are_used_as_they_are() {
        for e in ["ana@gmail.com", "x.y@a-b.example"] {
            assert!(is_normal(e));
            assert!(matches!(normal_email(e), Cow::Borrowed(b) if b == e));
        }
        for (e, normal) in [
            ("Ana@gmail.com", "ana@gmail.com"),
            (" ana@gmail.com", "ana@gmail.com"),
            ("ana@gmail.com\t", "ana@gmail.com"),
            ("Zoë@X.example", "zoë@x.example"),
        ] {
            assert!(!is_normal(e), "{e}");
            assert_eq!(normal_email(e), normal);
            assert_eq!(normalize_email(e), normal);
        }
        assert!(is_freemail("GMail.com") && is_freemail(" gmail.com"));
    }

    #[test]
    fn companies_by_domain_people_on_free_mail() {
        assert_eq!(
            natural_key("Jonas.Weber@Weber-Logistik.example"),
            "domain:weber-logistik.example"
        );
        assert_eq!(
            natural_key("jonas.weber@weber-logistik.example"),
            "domain:weber-logistik.example"
        );
        assert_eq!(natural_key("Ana@GMail.com"), "person:ana@gmail.com");
        for d in [
            "googlemail.com",
            "outlook.com",
            "hotmail.com",
            "yahoo.com",
            "icloud.com",
            "proton.me",
        ] {
            assert!(is_freemail(d), "{d}");
        }
        assert!(!is_freemail("example.com"));
        assert_eq!(natural_key("no-at-sign"), "person:no-at-sign");
        assert_eq!(domain_of("a@b@Example.ORG."), Some("example.org".into()));
    }

    #[test]
    fn a_move_then_merges_decide_and_names_default_sensibly() {
        let g = grouping(
            &[("domain:b.example", "Beta & Co")],
            &[
                ("domain:a.example", "domain:b.example"),
                ("domain:b.example", "domain:c.example"),
            ],
            &[("x@a.example", "person:x@a.example")],
        );
        assert_eq!(g.client_of("y@A.example"), "domain:c.example");
        assert_eq!(g.client_of("X@a.example"), "person:x@a.example");
        assert!(g.moved("x@A.EXAMPLE"));
        let names = HashMap::from([("ana@gmail.com".to_string(), Some("Ana Lima".to_string()))]);
        assert_eq!(g.name_of("domain:b.example", &names), "Beta & Co");
        assert_eq!(g.name_of("domain:c.example", &names), "c.example");
        assert_eq!(g.name_of("person:ana@gmail.com", &names), "Ana Lima");
        assert_eq!(g.name_of("person:bo@gmail.com", &names), "bo@gmail.com");
    }

    #[test]
    fn a_merge_loop_from_a_hand_edited_database_ends() {
        let g = grouping(
            &[],
            &[("domain:a.x", "domain:b.x"), ("domain:b.x", "domain:a.x")],
            &[],
        );
        let k = g.resolve("domain:a.x");
        assert!(k == "domain:a.x" || k == "domain:b.x");
    }
}
