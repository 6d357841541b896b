//! What the evaluator is asked about: a [`Request`] (principal, action, resource) and its [`Context`] of
//! condition keys, plus the open/closed-world switch [`MissingKeys`] and the three-valued [`Tri`].

use std::collections::{BTreeMap, BTreeSet};

/// A three-valued truth: the result of matching a policy element when some input may be unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    /// `true` → `True`, `false` → `False`.
    pub fn from_bool(value: bool) -> Tri {
        if value { Tri::True } else { Tri::False }
    }

    /// Kleene conjunction: `False` wins, then `Unknown`.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    /// Kleene disjunction: `True` wins, then `Unknown`.
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }

    /// Kleene negation (`Unknown` stays `Unknown`).
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// The condition keys of a request: key (case-insensitive, stored lower case) → one or many string values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    values: BTreeMap<String, Vec<String>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a single-valued key (replacing any previous value).
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_ascii_lowercase(), vec![value.into()]);
    }

    /// Sets a multi-valued key (replacing any previous value). An empty list is a present key with no
    /// values (what `ForAllValues` treats as empty).
    pub fn insert_many<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.values.insert(key.to_ascii_lowercase(), values.into_iter().map(Into::into).collect());
    }

    /// The values of a key. `key` must already be lower case (policy keys are lowered at parse time).
    pub fn get_lower(&self, key: &str) -> Option<&[String]> {
        self.values.get(key).map(Vec::as_slice)
    }

    /// The values of a key, any case.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
    }

    /// True when the key is set.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// All keys (lower case) and values.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> + Clone {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// All keys (lower case) and values, in key order, moved out.
    pub fn into_entries(self) -> impl Iterator<Item = (String, Vec<String>)> {
        self.values.into_iter()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no key is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// What a key that is not in the [`Context`] means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MissingKeys {
    /// Closed world: a key not in the context is absent from the request.
    #[default]
    Absent,
    /// Open world (log replay): a key not in the context has an unknown value, unless it is listed in
    /// `known_absent` (lower case), in which case the request is known not to carry it.
    Unknown { known_absent: BTreeSet<String> },
    /// Closed world except for the listed keys (lower case), whose values are unknown. The word `resource`
    /// in the list makes a missing resource unknown too (`trail-vpce policy eval`'s `unknown_keys`).
    Listed { unknown: BTreeSet<String> },
}

/// The result of looking a key up in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    Present(&'a [String]),
    Absent,
    Unknown,
}

/// One authorization question: may `principal` perform `action` on `resource` with this context?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The principal as `aws:PrincipalArn` shows it (role ARN for sessions), the service name for AWS
    /// service principals, `anonymous` for unsigned requests; `None` when unknown.
    pub principal: Option<String>,
    /// The principal's account, when known.
    pub principal_account: Option<String>,
    /// The principal is an AWS service principal (`cloudtrail.amazonaws.com`).
    pub principal_is_service: bool,
    /// `service:Action` (case-insensitive).
    pub action: String,
    /// The resource ARN; `None` when the action has no resource or the log does not show it (see the module
    /// documentation of [`crate::policy`] for how `None` matches).
    pub resource: Option<String>,
    /// Condition keys.
    pub context: Context,
    /// What keys missing from `context` mean.
    pub unknown: MissingKeys,
}

impl Request {
    /// A request for `action` with nothing else known, closed world.
    pub fn new(action: impl Into<String>) -> Request {
        Request {
            principal: None,
            principal_account: None,
            principal_is_service: false,
            action: action.into(),
            resource: None,
            context: Context::new(),
            unknown: MissingKeys::Absent,
        }
    }

    /// Sets the principal ARN (and its account, when the ARN shows one). Also sets `aws:PrincipalArn`.
    pub fn principal(mut self, arn: &str) -> Request {
        if let Some(account) = arn_account(arn) {
            self.principal_account = Some(account.to_owned());
        }
        self.principal = Some(arn.to_owned());
        self.context.insert("aws:PrincipalArn", arn);
        self
    }

    /// Sets an AWS service principal (`s3.amazonaws.com`).
    pub fn service_principal(mut self, service: &str) -> Request {
        self.principal = Some(service.to_owned());
        self.principal_is_service = true;
        self
    }

    /// Sets the principal's account.
    pub fn account(mut self, account: &str) -> Request {
        self.principal_account = Some(account.to_owned());
        self
    }

    /// Sets the resource ARN.
    pub fn resource(mut self, arn: &str) -> Request {
        self.resource = Some(arn.to_owned());
        self
    }

    /// Sets a single-valued condition key.
    pub fn with(mut self, key: &str, value: &str) -> Request {
        self.context.insert(key, value);
        self
    }

    /// Sets a multi-valued condition key.
    pub fn with_many(mut self, key: &str, values: &[&str]) -> Request {
        self.context.insert_many(key, values.iter().copied());
        self
    }

    /// Switches to the open world: keys not in the context are unknown.
    pub fn open_world(mut self) -> Request {
        if self.unknown == MissingKeys::Absent {
            self.unknown = MissingKeys::Unknown { known_absent: BTreeSet::new() };
        }
        self
    }

    /// Switches to the open world (if not already) and records that `key` is known to be absent.
    pub fn known_absent(mut self, key: &str) -> Request {
        self = self.open_world();
        if let MissingKeys::Unknown { known_absent } = &mut self.unknown {
            known_absent.insert(key.to_ascii_lowercase());
        }
        self
    }

    /// Looks a lower-case key up.
    pub fn lookup(&self, key_lower: &str) -> Lookup<'_> {
        match self.context.get_lower(key_lower) {
            Some(values) => Lookup::Present(values),
            None => match &self.unknown {
                MissingKeys::Absent => Lookup::Absent,
                MissingKeys::Unknown { known_absent } if known_absent.contains(key_lower) => Lookup::Absent,
                MissingKeys::Unknown { .. } => Lookup::Unknown,
                MissingKeys::Listed { unknown } if unknown.contains(key_lower) => Lookup::Unknown,
                MissingKeys::Listed { .. } => Lookup::Absent,
            },
        }
    }

    /// True in the open world (a missing resource or key is unknown rather than absent).
    pub fn is_open_world(&self) -> bool {
        match &self.unknown {
            MissingKeys::Absent => false,
            MissingKeys::Unknown { .. } => true,
            MissingKeys::Listed { unknown } => unknown.contains("resource"),
        }
    }
}

/// The account field of an ARN (`arn:aws:iam::111122223333:role/x` → `111122223333`), if non-empty.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let account = parts.nth(3)?;
    parts.next()?;
    (!account.is_empty()).then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tri_tables() {
        use Tri::*;
        let and = [(True, True, True), (True, Unknown, Unknown), (False, Unknown, False), (Unknown, Unknown, Unknown)];
        for (a, b, want) in and {
            assert_eq!(a.and(b), want);
            assert_eq!(b.and(a), want);
        }
        let or = [(False, False, False), (True, Unknown, True), (False, Unknown, Unknown)];
        for (a, b, want) in or {
            assert_eq!(a.or(b), want);
            assert_eq!(b.or(a), want);
        }
        assert_eq!(Unknown.not(), Unknown);
    }

    #[test]
    fn lookup_worlds() {
        let closed = Request::new("s3:GetObject").with("AWS:SourceVpce", "vpce-1");
        assert_eq!(closed.lookup("aws:sourcevpce"), Lookup::Present(&["vpce-1".to_owned()]));
        assert_eq!(closed.lookup("aws:sourceip"), Lookup::Absent);
        let open = closed.clone().known_absent("aws:SourceIp");
        assert_eq!(open.lookup("aws:sourceip"), Lookup::Absent);
        assert_eq!(open.lookup("aws:sourcevpc"), Lookup::Unknown);
        let mut listed = Request::new("s3:GetObject");
        listed.unknown = MissingKeys::Listed { unknown: ["aws:principalorgid".to_owned()].into() };
        assert_eq!(listed.lookup("aws:principalorgid"), Lookup::Unknown);
        assert_eq!(listed.lookup("aws:sourcevpc"), Lookup::Absent);
        assert!(!listed.is_open_world());
    }

    #[test]
    fn arn_accounts() {
        let cases = [
            ("arn:aws:iam::111122223333:role/x", Some("111122223333")),
            ("arn:aws:s3:::bucket", None),
            ("arn:aws:iam::111122223333", None),
            ("cloudtrail.amazonaws.com", None),
        ];
        for (arn, want) in cases {
            assert_eq!(arn_account(arn), want, "{arn}");
        }
    }
}
