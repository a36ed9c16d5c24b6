//! One request, one answer: the sync engine sends each request once through these and decides
//! itself whether and when to retry (its own budget and back-off), reading the rate-limit
//! headers of every answer.

use reqwest::{Method, Response};
use serde::de::DeserializeOwned;
use tracing::instrument;

use super::client::{next_token, Auth, Client, EventQuery, Page, RateLimit};
use super::error::{error_of, ApiError};
use super::models::{Collection, Invitee, Resource, ScheduledEvent};

/// One answer to one request: the decoded body or the error, with the `X-RateLimit-*` headers
/// of that very answer (concurrent callers cannot tell whose [`Client::rate_limit`] they read).
#[derive(Debug)]
pub struct Attempt<T> {
    pub result: Result<T, ApiError>,
    pub rate: Option<RateLimit>,
}

/// Single attempts for callers that pace and retry themselves (the sync engine): the 401
/// refresh of `send`, but no retry of 429, 5xx or network errors.
impl Client {
    #[instrument(skip(self, params))]
    pub async fn get_once<T: DeserializeOwned>(
        &self,
        url: &str,
        params: &[(&str, String)],
    ) -> Attempt<T> {
        let mut token = match self.bearer().await {
            Ok(t) => t,
            Err(e) => {
                return Attempt {
                    result: Err(e),
                    rate: None,
                }
            }
        };
        let mut refreshed = false;
        loop {
            let resp = match self
                .http
                .get(url)
                .query(params)
                .bearer_auth(&token)
                .send()
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    let result = Err(self.transport_error(&Method::GET, url, e));
                    return Attempt { result, rate: None };
                }
            };
            let rate = rate_of(&resp);
            self.note_rate_limit(&resp);
            if resp.status().is_success() {
                let result = match resp.bytes().await {
                    Ok(b) => {
                        serde_json::from_slice(&b).map_err(|e| ApiError::Decode(e.to_string()))
                    }
                    Err(e) => Err(self.transport_error(&Method::GET, url, e)),
                };
                return Attempt { result, rate };
            }
            let err = error_of(resp).await;
            if let (ApiError::Unauthenticated { .. }, Auth::OAuth(session)) = (&err, &self.auth) {
                if !refreshed {
                    refreshed = true;
                    match session.after_unauthorized(&token).await {
                        Ok(t) => {
                            token = t;
                            continue;
                        }
                        Err(e) => {
                            return Attempt {
                                result: Err(e.into()),
                                rate,
                            }
                        }
                    }
                }
            }
            return Attempt {
                result: Err(err),
                rate,
            };
        }
    }

    /// One page of `GET /scheduled_events`, sorted by start time.
    pub async fn events_page_once(
        &self,
        q: &EventQuery,
        page_token: Option<&str>,
    ) -> Attempt<Page<ScheduledEvent>> {
        let params = q.params(page_token);
        let url = format!("{}/scheduled_events", self.api_url());
        page_of(
            self.get_once::<Collection<ScheduledEvent>>(&url, &params)
                .await,
        )
    }

    /// One page (up to 100) of an event's invitees.
    pub async fn invitees_page_once(
        &self,
        event_uri: &str,
        page_token: Option<&str>,
    ) -> Attempt<Page<Invitee>> {
        let url = format!("{}/invitees", self.url_of(event_uri));
        let mut params: Vec<(&str, String)> = vec![("count", "100".into())];
        if let Some(t) = page_token {
            params.push(("page_token", t.to_string()));
        }
        page_of(self.get_once::<Collection<Invitee>>(&url, &params).await)
    }

    /// `GET /scheduled_events/{uuid}`.
    pub async fn event_once(&self, uri: &str) -> Attempt<ScheduledEvent> {
        let a = self
            .get_once::<Resource<ScheduledEvent>>(&self.url_of(uri), &[])
            .await;
        Attempt {
            result: a.result.map(|r| r.resource),
            rate: a.rate,
        }
    }
}

fn page_of<T>(a: Attempt<Collection<T>>) -> Attempt<Page<T>> {
    Attempt {
        result: a.result.map(|c| Page {
            next_page_token: next_token(&c.pagination),
            items: c.collection,
        }),
        rate: a.rate,
    }
}

fn rate_of(resp: &Response) -> Option<RateLimit> {
    let h = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u32>().ok())
    };
    Some(RateLimit {
        limit: h("x-ratelimit-limit")?,
        remaining: h("x-ratelimit-remaining")?,
        reset_secs: h("x-ratelimit-reset")?,
    })
}
