//! The report as `slotline report` prints it and the window exports it: the JSON contract
//! (every key always present) or CSV for invoicing (one row per client, one revenue column per
//! currency, RFC 4180 quoting through the `csv` crate, formulas defused).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::report::ClientsReport;

/// `json` or `csv`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Deserialize,
    serde::Serialize,
    ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Json,
    Csv,
}

impl ReportFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(Self::Json),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// The contract: `{from, to, tz, clients: [{name, domain, people, meetings, hours, canceled,
/// no_shows, revenue: [{currency, amount}], last_meeting, next_meeting}], event_types: [{name,
/// meetings, hours, canceled, no_shows}], weeks: [{week_start, meetings, hours, canceled,
/// no_shows}]}`.
pub fn contract(r: &ClientsReport) -> Value {
    json!({
        "from": r.from,
        "to": r.to,
        "tz": r.tz,
        "clients": r.clients.iter().map(|c| json!({
            "name": c.name,
            "domain": c.domain,
            "people": c.people,
            "meetings": c.meetings,
            "hours": c.hours,
            "canceled": c.canceled,
            "no_shows": c.no_shows,
            "revenue": c.revenue.iter().map(|m| json!({"currency": m.currency, "amount": m.amount})).collect::<Vec<_>>(),
            "last_meeting": c.last_meeting,
            "next_meeting": c.next_meeting,
        })).collect::<Vec<_>>(),
        "event_types": r.event_types.iter().map(|t| json!({
            "name": t.name,
            "meetings": t.meetings,
            "hours": t.hours,
            "canceled": t.canceled,
            "no_shows": t.no_shows,
        })).collect::<Vec<_>>(),
        "weeks": r.weeks.iter().map(|w| json!({
            "week_start": w.week_start,
            "meetings": w.meetings,
            "hours": w.hours,
            "canceled": w.canceled,
            "no_shows": w.no_shows,
        })).collect::<Vec<_>>(),
    })
}

/// The columns before the revenue ones.
pub const CSV_COLUMNS: [&str; 7] = [
    "client", "domain", "people", "meetings", "hours", "canceled", "no_shows",
];

/// One row per client: `client, domain, people, meetings, hours, canceled, no_shows`, then
/// `revenue_<CURRENCY>` for each currency in the report (a plain decimal, `0.00` when none), then
/// `last_meeting, next_meeting` (UTC). CRLF records.
pub fn csv(r: &ClientsReport) -> Result<String, ::csv::Error> {
    let currencies: BTreeSet<&str> = r
        .clients
        .iter()
        .flat_map(|c| c.revenue.iter().map(|m| m.currency.as_str()))
        .collect();
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut header: Vec<String> = CSV_COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(currencies.iter().map(|c| format!("revenue_{c}")));
    header.extend(["last_meeting".to_string(), "next_meeting".to_string()]);
    w.write_record(&header)?;
    for c in &r.clients {
        let mut row: Vec<String> = vec![
            c.name.clone(),
            c.domain.clone().unwrap_or_default(),
            c.people.join("; "),
            c.meetings.to_string(),
            format!("{:.2}", c.hours),
            c.canceled.to_string(),
            c.no_shows.to_string(),
        ];
        for cur in &currencies {
            let amount = c
                .revenue
                .iter()
                .find(|m| m.currency == *cur)
                .map_or(0.0, |m| m.amount);
            row.push(format!("{amount:.2}"));
        }
        row.push(c.last_meeting.clone().unwrap_or_default());
        row.push(c.next_meeting.clone().unwrap_or_default());
        w.write_record(row.iter().map(|v| crate::export::csv_cell(v).into_owned()))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The report's bytes, as `slotline report` prints them.
pub fn render(r: &ClientsReport, format: ReportFormat) -> Result<Vec<u8>, RenderError> {
    Ok(match format {
        ReportFormat::Json => {
            let mut out = serde_json::to_vec_pretty(&contract(r))?;
            out.push(b'\n');
            out
        }
        ReportFormat::Csv => csv(r)?.into_bytes(),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("could not write the CSV: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("could not render the JSON: {0}")]
    Json(#[from] serde_json::Error),
}
