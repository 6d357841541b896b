//! CloudTrail's event categories, as a closed set: the pipeline and the analyzers compare variants, never
//! strings. A value AWS does not document is kept as written (`Other`), so the input books still name it.

use serde::Serialize;

/// `eventCategory` (derived from `managementEvent` or the event type when absent). S3 access log lines are
/// data events.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventCategory {
    Management,
    Data,
    NetworkActivity,
    Insight,
    /// The record neither says nor implies its category.
    Unknown,
    /// A category AWS does not document, as the record wrote it.
    Other(Box<str>),
}

impl EventCategory {
    /// The category a record names.
    pub fn parse(text: &str) -> EventCategory {
        match text {
            "Management" => EventCategory::Management,
            "Data" => EventCategory::Data,
            "NetworkActivity" => EventCategory::NetworkActivity,
            "Insight" => EventCategory::Insight,
            "Unknown" => EventCategory::Unknown,
            other => EventCategory::Other(other.into()),
        }
    }

    /// The name CloudTrail uses (and the input books and exports print).
    pub fn as_str(&self) -> &str {
        match self {
            EventCategory::Management => "Management",
            EventCategory::Data => "Data",
            EventCategory::NetworkActivity => "NetworkActivity",
            EventCategory::Insight => "Insight",
            EventCategory::Unknown => "Unknown",
            EventCategory::Other(text) => text,
        }
    }
}

impl From<&str> for EventCategory {
    fn from(text: &str) -> EventCategory {
        EventCategory::parse(text)
    }
}

impl Serialize for EventCategory {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for EventCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in ["Management", "Data", "NetworkActivity", "Insight", "Unknown", "Aggregated", "data", ""] {
            assert_eq!(EventCategory::parse(name).as_str(), name);
        }
        assert_eq!(EventCategory::parse("data"), EventCategory::Other("data".into()), "AWS names are case-sensitive");
        assert_eq!(serde_json::to_string(&EventCategory::NetworkActivity).unwrap(), "\"NetworkActivity\"");
    }
}
