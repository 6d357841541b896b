//! Condition operator names: `[ForAnyValue:|ForAllValues:]<Operator>[IfExists]`, parsed into an
//! [`Operator`] (the comparison family, whether it is negated) plus its qualifiers.

use std::fmt;

/// A condition operator without its `ForAnyValue:`/`ForAllValues:` prefix and `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// How the operator treats a multi-valued key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// No prefix: the key is compared as a single value (a multi-valued key matches when any value does).
    Single,
    /// `ForAnyValue:`: true when at least one request value matches; false when the key is missing or empty.
    ForAnyValue,
    /// `ForAllValues:`: true when every request value matches; true when the key is missing or empty.
    ForAllValues,
}

/// The comparison families, which decide how policy values are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorFamily {
    String,
    StringIgnoreCase,
    StringLike,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// Ordering tests of the numeric and date operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ordering {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

const TABLE: &[(&str, Operator)] = &[
    ("StringEquals", Operator::StringEquals),
    ("StringNotEquals", Operator::StringNotEquals),
    ("StringEqualsIgnoreCase", Operator::StringEqualsIgnoreCase),
    ("StringNotEqualsIgnoreCase", Operator::StringNotEqualsIgnoreCase),
    ("StringLike", Operator::StringLike),
    ("StringNotLike", Operator::StringNotLike),
    ("NumericEquals", Operator::NumericEquals),
    ("NumericNotEquals", Operator::NumericNotEquals),
    ("NumericLessThan", Operator::NumericLessThan),
    ("NumericLessThanEquals", Operator::NumericLessThanEquals),
    ("NumericGreaterThan", Operator::NumericGreaterThan),
    ("NumericGreaterThanEquals", Operator::NumericGreaterThanEquals),
    ("DateEquals", Operator::DateEquals),
    ("DateNotEquals", Operator::DateNotEquals),
    ("DateLessThan", Operator::DateLessThan),
    ("DateLessThanEquals", Operator::DateLessThanEquals),
    ("DateGreaterThan", Operator::DateGreaterThan),
    ("DateGreaterThanEquals", Operator::DateGreaterThanEquals),
    ("Bool", Operator::Bool),
    ("BinaryEquals", Operator::BinaryEquals),
    ("IpAddress", Operator::IpAddress),
    ("NotIpAddress", Operator::NotIpAddress),
    ("ArnEquals", Operator::ArnEquals),
    ("ArnLike", Operator::ArnLike),
    ("ArnNotEquals", Operator::ArnNotEquals),
    ("ArnNotLike", Operator::ArnNotLike),
    ("Null", Operator::Null),
];

impl Operator {
    /// The operator's name as AWS spells it.
    pub fn name(self) -> &'static str {
        TABLE.iter().find(|(_, op)| *op == self).map_or("?", |(name, _)| name)
    }

    /// Looks a bare operator name up (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<Operator> {
        TABLE.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, op)| *op)
    }

    /// True for the negated operators (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...): a missing key
    /// makes them true, and several policy values combine with AND.
    pub fn is_negated(self) -> bool {
        use Operator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The comparison family.
    pub fn family(self) -> OperatorFamily {
        use Operator::*;
        match self {
            StringEquals | StringNotEquals => OperatorFamily::String,
            StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => OperatorFamily::StringIgnoreCase,
            StringLike | StringNotLike => OperatorFamily::StringLike,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => OperatorFamily::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => OperatorFamily::Date,
            Bool => OperatorFamily::Bool,
            BinaryEquals => OperatorFamily::Binary,
            IpAddress | NotIpAddress => OperatorFamily::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => OperatorFamily::Arn,
            Null => OperatorFamily::Null,
        }
    }

    /// The ordering tested by numeric and date operators (`Eq` for every other operator).
    pub fn ordering(self) -> Ordering {
        use Operator::*;
        match self {
            NumericLessThan | DateLessThan => Ordering::Lt,
            NumericLessThanEquals | DateLessThanEquals => Ordering::Le,
            NumericGreaterThan | DateGreaterThan => Ordering::Gt,
            NumericGreaterThanEquals | DateGreaterThanEquals => Ordering::Ge,
            _ => Ordering::Eq,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Ordering {
    /// Applies the ordering to `request_value <op> policy_value`.
    pub fn test<T: PartialOrd>(self, request_value: T, policy_value: T) -> bool {
        match self {
            Ordering::Eq => request_value == policy_value,
            Ordering::Lt => request_value < policy_value,
            Ordering::Le => request_value <= policy_value,
            Ordering::Gt => request_value > policy_value,
            Ordering::Ge => request_value >= policy_value,
        }
    }
}

/// A fully qualified operator name, e.g. `ForAllValues:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QualifiedOperator {
    pub operator: Operator,
    pub qualifier: SetQualifier,
    pub if_exists: bool,
}

impl QualifiedOperator {
    /// Parses a qualified operator name; `None` when it is not one. `Null` takes no `IfExists`.
    pub fn parse(name: &str) -> Option<QualifiedOperator> {
        let (qualifier, rest) = match name.split_once(':') {
            None => (SetQualifier::Single, name),
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("ForAnyValue") => (SetQualifier::ForAnyValue, rest),
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("ForAllValues") => (SetQualifier::ForAllValues, rest),
            Some(_) => return None,
        };
        if let Some(operator) = Operator::from_name(rest) {
            return Some(QualifiedOperator { operator, qualifier, if_exists: false });
        }
        let cut = rest.len().checked_sub("IfExists".len())?;
        let (base, suffix) = (rest.get(..cut)?, rest.get(cut..)?);
        if !suffix.eq_ignore_ascii_case("IfExists") {
            return None;
        }
        let operator = Operator::from_name(base)?;
        (operator != Operator::Null).then_some(QualifiedOperator { operator, qualifier, if_exists: true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualified_names() {
        let cases = [
            ("StringEquals", Some((Operator::StringEquals, SetQualifier::Single, false))),
            ("StringEqualsIfExists", Some((Operator::StringEquals, SetQualifier::Single, true))),
            ("ForAllValues:StringLike", Some((Operator::StringLike, SetQualifier::ForAllValues, false))),
            ("ForAnyValue:ArnNotLikeIfExists", Some((Operator::ArnNotLike, SetQualifier::ForAnyValue, true))),
            ("Null", Some((Operator::Null, SetQualifier::Single, false))),
            ("NullIfExists", None),
            ("ForSomeValues:StringLike", None),
            ("StringEqualz", None),
            ("IfExists", None),
            ("", None),
            ("stringequals", Some((Operator::StringEquals, SetQualifier::Single, false))),
        ];
        for (name, want) in cases {
            let got = QualifiedOperator::parse(name).map(|q| (q.operator, q.qualifier, q.if_exists));
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn every_operator_round_trips() {
        for (name, op) in TABLE {
            assert_eq!(Operator::from_name(name), Some(*op));
            assert_eq!(op.name(), *name);
        }
    }
}
