//! The chain: each digest records the previous digest's object, hash and signature, so deleting or editing a
//! digest breaks the link of the next one. Walked per trail (account, region, trail name), from the last
//! digest back to the first digest of the window: a link to a digest that is present must match it exactly;
//! a link to one that is absent names a missing digest, unless it points before the window (the earliest digest
//! found). Backfill digests are signed but outside the chain. Pure.

use std::collections::HashMap;

/// What the walk needs of one digest.
#[derive(Debug, Clone)]
pub struct Link<'a> {
    /// Index of the digest in the caller's list.
    pub index: usize,
    /// The trail it belongs to (account, region, trail name).
    pub trail: (&'a str, &'a str, &'a str),
    /// `AWSLogs/…` tail of its own object.
    pub tail: &'a str,
    pub end_millis: i64,
    pub backfill: bool,
    /// Its own hex SHA-256 and hex signature (as stored with it).
    pub sha256: &'a str,
    pub signature: Option<&'a str>,
    /// The previous digest it names: tail, hex hash, hex signature.
    pub previous: Option<(&'a str, &'a str, &'a str)>,
}

/// What the walk found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFinding {
    /// The digest at `index` records a hash or signature for its previous digest that the digest found there
    /// does not have.
    BrokenLink { index: usize, previous_tail: String },
    /// The digest at `index` names a previous digest that is not among the sources.
    Missing { index: usize, previous_tail: String },
    /// The digest at `index` starts a new chain although an earlier digest of its trail exists (logging or
    /// validation was off in between; the AWS CLI reports the same gap). Not a failure by itself.
    Restarted { index: usize },
}

/// Walks every trail's chain; findings come in the order of `links`.
pub fn walk(links: &[Link<'_>]) -> Vec<ChainFinding> {
    let mut by_trail: HashMap<(&str, &str, &str), Vec<&Link<'_>>> = HashMap::new();
    for link in links.iter().filter(|l| !l.backfill) {
        by_trail.entry(link.trail).or_default().push(link);
    }
    let mut findings = Vec::new();
    for chain in by_trail.values_mut() {
        chain.sort_by(|a, b| (a.end_millis, a.tail).cmp(&(b.end_millis, b.tail)));
        let by_tail: HashMap<&str, &Link<'_>> = chain.iter().map(|l| (l.tail, *l)).collect();
        for (position, link) in chain.iter().enumerate() {
            match link.previous {
                None if position > 0 => findings.push(ChainFinding::Restarted { index: link.index }),
                None => {}
                Some((tail, hash, signature)) => match by_tail.get(tail) {
                    Some(previous) => {
                        // A previous digest stored without a signature is already unchecked on its own account.
                        let same_signature = previous.signature.is_none_or(|s| s.eq_ignore_ascii_case(signature));
                        if !previous.sha256.eq_ignore_ascii_case(hash) || !same_signature {
                            findings
                                .push(ChainFinding::BrokenLink { index: link.index, previous_tail: tail.to_owned() });
                        }
                    }
                    // The earliest digest found may point before the window.
                    None if position == 0 => {}
                    None => findings.push(ChainFinding::Missing { index: link.index, previous_tail: tail.to_owned() }),
                },
            }
        }
    }
    findings.sort_by_key(|f| match f {
        ChainFinding::BrokenLink { index, .. }
        | ChainFinding::Missing { index, .. }
        | ChainFinding::Restarted { index } => *index,
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAIL: (&str, &str, &str) = ("111122223333", "us-east-1", "t_us-east-1");

    fn link(index: usize, previous: Option<usize>) -> Link<'static> {
        let tails = ["d0", "d1", "d2", "d3", "d4"];
        let hashes = ["h0", "h1", "h2", "h3", "h4"];
        let signatures = ["s0", "s1", "s2", "s3", "s4"];
        Link {
            index,
            trail: TRAIL,
            tail: tails[index],
            end_millis: index as i64 * 3_600_000,
            backfill: false,
            sha256: hashes[index],
            signature: Some(signatures[index]),
            previous: previous.map(|p| (tails[p], hashes[p], signatures[p])),
        }
    }

    #[test]
    fn walk_table() {
        let intact: Vec<Link<'static>> = (0..4).map(|i| link(i, i.checked_sub(1))).collect();
        let mut edited_hash = intact.clone();
        edited_hash[2].previous = Some(("d1", "not-h1", "s1"));
        let mut edited_signature = intact.clone();
        edited_signature[2].signature = Some("forged");
        let mut restarted = intact.clone();
        restarted[2].previous = None;
        let mut other_trail = intact.clone();
        other_trail[0].trail = ("444455556666", "us-east-1", "t_us-east-1");
        let mut backfill = intact.clone();
        backfill.push(Link { backfill: true, previous: Some(("gone", "x", "y")), ..link(4, None) });
        let cases: Vec<(&str, Vec<Link<'static>>, Vec<ChainFinding>)> = vec![
            ("intact", intact.clone(), vec![]),
            ("first of the window points before it", intact[1..].to_vec(), vec![]),
            (
                "a digest deleted in the middle",
                [&intact[..2], &intact[3..]].concat(),
                vec![ChainFinding::Missing { index: 3, previous_tail: "d2".into() }],
            ),
            (
                "a recorded hash edited",
                edited_hash,
                vec![ChainFinding::BrokenLink { index: 2, previous_tail: "d1".into() }],
            ),
            (
                "a digest's own signature replaced",
                edited_signature,
                vec![ChainFinding::BrokenLink { index: 3, previous_tail: "d2".into() }],
            ),
            ("a new chain after a gap", restarted, vec![ChainFinding::Restarted { index: 2 }]),
            // Digest 0 moved to another trail: digest 1 is then the first of its own and points before it.
            ("chains are per trail", other_trail, vec![]),
            ("backfill digests are outside the chain", backfill, vec![]),
        ];
        for (name, links, want) in cases {
            assert_eq!(walk(&links), want, "{name}");
        }
    }
}
