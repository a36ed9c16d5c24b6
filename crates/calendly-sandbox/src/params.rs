//! Query or form parameters, as the API and the OAuth server both read them.

/// Query or form pairs in order; the first occurrence of a name wins.
#[derive(Clone, Debug, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self::from_bytes(raw.unwrap_or("").as_bytes())
    }

    pub fn from_bytes(raw: &[u8]) -> Self {
        Params(url::form_urlencoded::parse(raw).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
