//! The canonical bytes of an observed request: what `propose`'s fold keys its table on.
//!
//! Folding a record writes its request into one reused buffer (no allocation per record), hashes that buffer
//! once and compares it with one `memcmp`; only a request seen for the first time is copied, as one allocation.
//! After the fold each distinct request is decoded once into an [`ObservedRequest`] for generation and replay.
//!
//! The encoding is injective: every string is length-prefixed, every optional field and list carries a tag or a
//! count, so two requests have the same bytes exactly when they are equal. Both ways in (a policy
//! [`Request`] built from an event, an [`ObservedRequest`] given directly) go through one writer,
//! [`write_access`], so they cannot disagree. `aws:CurrentTime` and `aws:EpochTime` are dropped on the way in
//! (see [`super::observed`]).

use std::collections::BTreeSet;

use super::observed::{DROPPED_KEYS, Observed, ObservedAccess, ObservedRequest};
use crate::model::AccountId;
use crate::policy::{MissingKeys, Request};

/// Writes the request an event needed (its accesses, in order) with its outcome; `out` is cleared first.
pub fn encode_requests(outcome: Observed, network_activity: bool, requests: &[Request], out: &mut Vec<u8>) {
    out.clear();
    write_head(outcome, network_activity, requests.len(), out);
    let none = BTreeSet::new();
    for request in requests {
        let absent = match &request.unknown {
            MissingKeys::Unknown { known_absent } => known_absent,
            // Requests built from events are always open-world; the closed forms carry no absent list.
            MissingKeys::Absent | MissingKeys::Listed { .. } => &none,
        };
        write_access(
            AccessView {
                principal: request.principal.as_deref(),
                principal_account: request.principal_account.as_deref(),
                principal_is_service: request.principal_is_service,
                action: &request.action,
                resource: request.resource.as_deref(),
            },
            request.context.iter(),
            absent.iter(),
            out,
        );
    }
}

/// Writes an observed request; `out` is cleared first. Equal to [`encode_requests`] of the requests it was
/// captured from.
pub fn encode_observed(request: &ObservedRequest, out: &mut Vec<u8>) {
    out.clear();
    write_head(request.outcome, request.network_activity, request.accesses.len(), out);
    for access in &request.accesses {
        write_access(
            AccessView {
                principal: access.principal.as_deref(),
                principal_account: access.principal_account.as_ref().map(AccountId::as_str),
                principal_is_service: access.principal_is_service,
                action: &access.action,
                resource: access.resource.as_deref(),
            },
            access.context.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
            access.known_absent.iter(),
            out,
        );
    }
}

/// Reads back what [`encode_requests`] or [`encode_observed`] wrote; `None` for bytes they cannot have written.
pub fn decode(bytes: &[u8]) -> Option<ObservedRequest> {
    let mut r = Reader { bytes };
    let outcome = match r.byte()? {
        0 => Observed::Success,
        1 => Observed::Denied,
        2 => Observed::Error,
        _ => return None,
    };
    let network_activity = r.flag()?;
    let count = r.count()?;
    let mut accesses = Vec::with_capacity(count.min(r.bytes.len()));
    for _ in 0..count {
        let principal = r.optional()?;
        let principal_account = r.optional()?.map(AccountId::from);
        let principal_is_service = r.flag()?;
        let action = r.string()?;
        let resource = r.optional()?;
        let keys = r.count()?;
        let mut context = Vec::with_capacity(keys.min(r.bytes.len()));
        for _ in 0..keys {
            let key = r.string()?;
            let values = r.count()?;
            let values = (0..values).map(|_| r.string()).collect::<Option<Vec<String>>>()?;
            context.push((key, values));
        }
        let absent = r.count()?;
        let known_absent = (0..absent).map(|_| r.string()).collect::<Option<Vec<String>>>()?;
        accesses.push(ObservedAccess {
            principal,
            principal_account,
            principal_is_service,
            action,
            resource,
            context,
            known_absent,
        });
    }
    r.bytes.is_empty().then_some(ObservedRequest { outcome, network_activity, accesses })
}

/// The scalar fields of one access, borrowed from either way in.
struct AccessView<'a> {
    principal: Option<&'a str>,
    principal_account: Option<&'a str>,
    principal_is_service: bool,
    action: &'a str,
    resource: Option<&'a str>,
}

fn write_head(outcome: Observed, network_activity: bool, accesses: usize, out: &mut Vec<u8>) {
    out.push(match outcome {
        Observed::Success => 0,
        Observed::Denied => 1,
        Observed::Error => 2,
    });
    out.push(u8::from(network_activity));
    write_count(accesses, out);
}

/// The one writer of an access: scalar fields, then the context (sorted keys, time keys dropped), then the keys
/// known absent (sorted). The context is counted after filtering, so it is written in two passes over the keys.
fn write_access<'a>(
    access: AccessView<'_>,
    context: impl Iterator<Item = (&'a str, &'a [String])> + Clone,
    known_absent: impl ExactSizeIterator<Item = &'a String>,
    out: &mut Vec<u8>,
) {
    write_optional(access.principal, out);
    write_optional(access.principal_account, out);
    out.push(u8::from(access.principal_is_service));
    write_str(access.action, out);
    write_optional(access.resource, out);
    let kept = |(key, _): &(&str, &[String])| !DROPPED_KEYS.contains(key);
    write_count(context.clone().filter(kept).count(), out);
    for (key, values) in context.filter(kept) {
        write_str(key, out);
        write_count(values.len(), out);
        for value in values {
            write_str(value, out);
        }
    }
    write_count(known_absent.len(), out);
    for key in known_absent {
        write_str(key, out);
    }
}

fn write_count(n: usize, out: &mut Vec<u8>) {
    // Counts and lengths come from in-memory values, far below 4 GiB each (records are capped well under it).
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    write_count(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

fn write_optional(s: Option<&str>, out: &mut Vec<u8>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            write_str(s, out);
        }
    }
}

/// Reads the encoding from the front.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(b)
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn count(&mut self) -> Option<usize> {
        let (head, rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        usize::try_from(u32::from_le_bytes(*head)).ok()
    }

    fn string(&mut self) -> Option<String> {
        let len = self.count()?;
        if len > self.bytes.len() {
            return None;
        }
        let (text, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        String::from_utf8(text.to_vec()).ok()
    }

    fn optional(&mut self) -> Option<Option<String>> {
        match self.byte()? {
            0 => Some(None),
            1 => self.string().map(Some),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Context;

    fn request(action: &str, resource: Option<&str>, absent: &[&str]) -> Request {
        let mut context = Context::new();
        context.insert("aws:PrincipalAccount", "111122223333");
        context.insert("aws:CurrentTime", "2026-01-01T00:00:00Z");
        context.insert_many("aws:PrincipalOrgPaths", ["o-1/r-1/ou-1/", "o-1/r-1/ou-2/"]);
        context.insert_many("aws:SourceVpc", Vec::<String>::new());
        Request {
            principal: Some("arn:aws:iam::111122223333:role/App".to_owned()),
            principal_account: Some("111122223333".to_owned()),
            principal_is_service: false,
            action: action.to_owned(),
            resource: resource.map(str::to_owned),
            context,
            unknown: MissingKeys::Unknown { known_absent: absent.iter().map(|s| (*s).to_owned()).collect() },
        }
    }

    /// Both ways in write the same bytes, the bytes decode to the captured request, and any difference in any
    /// field (outcome, flag, access count, a string's content or its split between fields) changes the bytes.
    #[test]
    fn encoding_round_trips_and_tells_every_request_apart() {
        let cases: Vec<(Observed, bool, Vec<Request>)> = vec![
            (Observed::Success, false, vec![request("s3:GetObject", Some("arn:aws:s3:::b/k"), &["aws:userid"])]),
            (Observed::Denied, false, vec![request("s3:GetObject", Some("arn:aws:s3:::b/k"), &["aws:userid"])]),
            (Observed::Success, true, vec![request("s3:GetObject", Some("arn:aws:s3:::b/k"), &["aws:userid"])]),
            (Observed::Success, false, vec![request("s3:GetObject", None, &[])]),
            (Observed::Success, false, vec![request("s3:GetObject", Some(""), &[])]),
            (Observed::Error, false, vec![request("s3:GetObjec", Some("tarn:aws:s3:::b/k"), &[])]),
            (
                Observed::Success,
                false,
                vec![request("s3:GetObject", Some("arn:aws:s3:::b/k"), &[]), request("kms:Decrypt", None, &["a"])],
            ),
            (Observed::Success, false, vec![]),
        ];
        let mut seen = std::collections::HashSet::new();
        for (outcome, network_activity, requests) in cases {
            let mut bytes = Vec::new();
            encode_requests(outcome, network_activity, &requests, &mut bytes);
            let observed = ObservedRequest {
                outcome,
                network_activity,
                accesses: requests.iter().cloned().map(ObservedAccess::from_request).collect(),
            };
            let mut again = vec![0xff; 3];
            encode_observed(&observed, &mut again);
            assert_eq!(bytes, again, "{observed:?}");
            assert_eq!(decode(&bytes).as_ref(), Some(&observed));
            assert!(observed.accesses.iter().all(|a| a.key("aws:currenttime").is_none()));
            assert!(seen.insert(bytes), "{observed:?} collides");
        }
    }

    /// Bytes the writers cannot produce (cut short, trailing, bad tags, lengths past the end) decode to `None`.
    #[test]
    fn damaged_bytes_do_not_decode() {
        let mut bytes = Vec::new();
        encode_requests(
            Observed::Success,
            false,
            &[request("s3:GetObject", Some("arn:aws:s3:::b/k"), &[])],
            &mut bytes,
        );
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        assert_eq!(decode(&[bytes.as_slice(), &[0]].concat()), None);
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert_eq!(decode(&bad), None);
        assert_eq!(decode(&[0, 0, 0xff, 0xff, 0xff, 0xff]), None);
    }

    proptest::proptest! {
        /// Any strings (empty, non-ASCII, looking like the encoding itself) round-trip, and two requests that
        /// differ anywhere have different bytes.
        #[test]
        fn any_request_round_trips(
            a in proptest::collection::vec(".{0,12}", 5),
            b in proptest::collection::vec(".{0,12}", 5),
            service in proptest::bool::ANY,
        ) {
            let build = |f: &[String]| {
                let mut context = Context::new();
                context.insert(&f[3], f[4].clone());
                Request {
                    principal: Some(f[0].clone()).filter(|p| !p.is_empty()),
                    principal_account: Some(f[1].clone()),
                    principal_is_service: service,
                    action: f[2].clone(),
                    resource: None,
                    context,
                    unknown: MissingKeys::Unknown { known_absent: [f[4].clone()].into_iter().collect() },
                }
            };
            let (ra, rb) = (build(&a), build(&b));
            let (mut ea, mut eb) = (Vec::new(), Vec::new());
            encode_requests(Observed::Success, false, std::slice::from_ref(&ra), &mut ea);
            encode_requests(Observed::Success, false, std::slice::from_ref(&rb), &mut eb);
            let da = decode(&ea).expect("decodes");
            proptest::prop_assert_eq!(&da.accesses[0], &ObservedAccess::from_request(ra));
            let same = da == decode(&eb).expect("decodes");
            proptest::prop_assert_eq!(same, ea == eb);
        }
    }
}
