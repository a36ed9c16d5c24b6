//! Clients and time: the report, the insights, a client's page and the consultant's overrides,
//! for the window's commands and `slotline report` alike. Reads are one snapshot each; the
//! computing is the pure functions of [`crate::clients`].

use std::path::PathBuf;

use super::error::CoreError;
use super::owner::Core;
use crate::clients::{
    self, detail, facts, insights, overrides, render, report, rows, ClientDetail, ClientRef,
    ClientsError, ClientsReport, Insights, ReportFormat, ReportRange,
};

impl From<ClientsError> for CoreError {
    fn from(e: ClientsError) -> Self {
        match e {
            ClientsError::Range(_) | ClientsError::Invalid(_) => {
                CoreError::InvalidInput(e.to_string())
            }
            ClientsError::NotFound(_) => CoreError::NotFound(e.to_string()),
            ClientsError::Store(s) => CoreError::Store(s),
            ClientsError::Render(_) => CoreError::Internal(e.to_string()),
        }
    }
}

impl From<clients::RangeError> for CoreError {
    fn from(e: clients::RangeError) -> Self {
        CoreError::InvalidInput(e.to_string())
    }
}

impl Core {
    /// The days `from..=to` (`YYYY-MM-DD`) in zone `tz` (an IANA name; none: the system's).
    /// A missing end is this month's first or last day in that zone.
    pub fn report_range(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        tz: Option<&str>,
    ) -> Result<ReportRange, CoreError> {
        let tz = match tz.map(str::trim).filter(|z| !z.is_empty()) {
            Some(name) => clients::range::parse_zone(name)?,
            None => clients::range::system_zone(),
        };
        let month = ReportRange::this_month(tz, self.now());
        let day = |d: Option<&str>, default| match d.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => clients::range::parse_date(d),
            None => Ok(default),
        };
        Ok(ReportRange::new(
            day(from, month.from)?,
            day(to, month.to)?,
            tz,
        )?)
    }

    fn rows(&self, range: Option<&ReportRange>) -> Result<rows::Rows, CoreError> {
        Ok(self.store.read(|tx| rows::read(tx, range))?)
    }

    /// Per client, event type and week over `range`.
    pub fn clients_report(&self, range: &ReportRange) -> Result<ClientsReport, CoreError> {
        let rows = self.store.read(|tx| facts::read(tx, range))?;
        Ok(report::build(&rows, range, self.now().timestamp_millis()))
    }

    /// The report's bytes, as `slotline report` prints them.
    pub fn render_report(
        &self,
        range: &ReportRange,
        format: ReportFormat,
    ) -> Result<Vec<u8>, CoreError> {
        let report = self.clients_report(range)?;
        Ok(render::render(&report, format).map_err(ClientsError::from)?)
    }

    /// Writes the report (`json` or `csv`) into a new file in the Downloads folder.
    pub fn export_report(
        &self,
        range: &ReportRange,
        format: ReportFormat,
    ) -> Result<PathBuf, CoreError> {
        let bytes = self.render_report(range, format)?;
        let name = format!(
            "slotline-report-{}-{}.{}",
            range.from.format("%Y%m%d"),
            range.to.format("%Y%m%d"),
            format.extension()
        );
        Ok(crate::export::write_new_file(&downloads()?, &name, &bytes)?)
    }

    /// The charts' numbers over `range`.
    pub fn insights(&self, range: &ReportRange) -> Result<Insights, CoreError> {
        Ok(insights::build(&self.rows(Some(range))?, range))
    }

    /// A client's people and meetings over `range`.
    pub fn client_detail(&self, key: &str, range: &ReportRange) -> Result<ClientDetail, CoreError> {
        let rows = self.rows(Some(range))?;
        detail::client_detail(&rows, range, key, self.now().timestamp_millis()).ok_or_else(|| {
            CoreError::NotFound(format!(
                "there is no client {key}; reload the clients and try again"
            ))
        })
    }

    /// Every client, for the merge and move pickers.
    pub fn list_clients(&self) -> Result<Vec<ClientRef>, CoreError> {
        let rows = self.store.read(|tx| {
            Ok::<_, ClientsError>(rows::Rows::new(
                rows::people(tx)?,
                clients::grouping::Grouping::new(crate::store::client_overrides::all(tx)?),
            ))
        })?;
        Ok(detail::all_clients(&rows))
    }

    /// Names a client (blank: back to its default name).
    pub fn rename_client(&self, key: &str, name: &str) -> Result<(), CoreError> {
        let at = crate::clock::format_utc(self.now());
        Ok(self
            .store
            .with_tx(|tx| overrides::rename(tx, key, name, &at))?)
    }

    /// Merges client `from` into client `into`.
    pub fn merge_clients(&self, from: &str, into: &str) -> Result<(), CoreError> {
        let at = crate::clock::format_utc(self.now());
        Ok(self
            .store
            .with_tx(|tx| overrides::merge(tx, from, into, &at))?)
    }

    /// Moves the person `email` to client `to` (`person:<email>`: on their own).
    pub fn move_person(&self, email: &str, to: &str) -> Result<(), CoreError> {
        let at = crate::clock::format_utc(self.now());
        Ok(self
            .store
            .with_tx(|tx| overrides::move_person(tx, email, to, &at))?)
    }
}

fn downloads() -> Result<PathBuf, CoreError> {
    dirs::download_dir()
        .or_else(dirs::home_dir)
        .ok_or_else(|| CoreError::Internal("no Downloads or home folder to save into".into()))
}
