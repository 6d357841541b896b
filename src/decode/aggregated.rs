//! CloudTrail aggregated events (`eventCategory: Aggregated`, `eventType: AwsAggregatedEvent`): 5-minute
//! summaries of data events. They are not requests: the decoder hands them to the sink as a
//! [`model::Aggregate`](crate::model::Aggregate), which the books count apart and `scan` sums.
//! Shape: CloudTrail user guide, "CloudTrail record contents for aggregated events".

use std::borrow::Cow;

use serde::Deserialize;

use crate::model::{AccountId, Aggregate, Timestamp};

use super::cloudtrail_raw::{RawRecord, Text};

/// `timeWindow`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawTimeWindow<'a> {
    #[serde(borrow)]
    pub window_start: Text<'a>,
}

/// `summary`: the primary dimension and the details, each a list of `{name, value}` statistics.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawSummary<'a> {
    #[serde(borrow)]
    pub primary_dimension: Option<RawDimension<'a>>,
    #[serde(borrow, default)]
    pub details: Vec<RawDimension<'a>>,
}

#[derive(Deserialize, Default)]
pub struct RawDimension<'a> {
    #[serde(borrow)]
    pub dimension: Text<'a>,
    #[serde(borrow, default)]
    pub statistics: Vec<RawStatistic<'a>>,
}

#[derive(Deserialize, Default)]
pub struct RawStatistic<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    pub value: Option<f64>,
}

/// True for an aggregated event record.
pub fn is_aggregated(raw: &RawRecord<'_>) -> bool {
    raw.event_category.as_deref() == Some("Aggregated") || raw.event_type.as_deref() == Some("AwsAggregatedEvent")
}

/// The summary of an aggregated event record: who, where, when, how many requests and which error codes.
pub fn to_aggregate(raw: RawRecord<'_>) -> Aggregate {
    let summary = raw.summary.unwrap_or_default();
    let count = |s: &RawStatistic<'_>| s.value.filter(|v| v.is_finite() && *v > 0.0).map_or(0, |v| v as u64);
    let requests = summary
        .primary_dimension
        .as_ref()
        .map_or(0, |d| d.statistics.iter().map(count).fold(0u64, u64::saturating_add));
    let error_codes = summary
        .primary_dimension
        .iter()
        .chain(summary.details.iter())
        .filter(|d| d.dimension.as_deref() == Some("errorCodes"))
        .flat_map(|d| d.statistics.iter())
        .filter_map(|s| Some((s.name.as_deref()?.to_owned(), count(s))))
        .collect();
    let text = |t: Text<'_>| Option::<Cow<'_, str>>::from(t).filter(|s| !s.is_empty()).map(Cow::into_owned);
    Aggregate {
        event_id: text(raw.event_id_aggregated),
        account: text(raw.account_id).map(AccountId::from),
        region: text(raw.aws_region),
        event_source: text(raw.event_source).unwrap_or_default(),
        window_start: raw.time_window.and_then(|w| w.window_start.as_deref().and_then(Timestamp::parse_rfc3339)),
        requests,
        error_codes,
    }
}
