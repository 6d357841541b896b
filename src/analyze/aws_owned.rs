//! Buckets AWS owns that workloads legitimately reach through an S3 endpoint (ECR layers, package
//! repositories, Systems Manager, ...), plus the buckets the user adds (`aws_owned_buckets` in the config:
//! third-party and internal-platform buckets). They look like foreign-account buckets but are not: `outside`
//! never flags them and `propose` keeps the observed ones in a statement of their own.
//!
//! Source: aws-samples/data-perimeter-policy-examples, `service_owned_resources.md` at commit
//! 654a38c3729cfe5f91e25df6d1d0368b5da24694 (every "Amazon S3 bucket" row), and the AWS CLI's `aws-cli` bucket,
//! which that version does not list (aws-facts.md reports its addition; the AWS CLI version 1 user guide
//! installs from `https://s3.amazonaws.com/aws-cli/awscli-bundle.zip`).
//!
//! Templates are whole bucket names with placeholders: `{r}` a region (`us-east-1`), `{rc}` a region without
//! dashes (`useast1`), `{acct}` a 12-digit account id (AWS's service account), `{id}` a unique identifier (one
//! or more bucket-name characters). A name that merely starts or ends like a template does not match. Like
//! the policy examples they come from, templates with `{id}` can be squatted by anyone who creates a bucket
//! of that shape; `outside` still lists every bucket it set aside (`aws_owned_buckets[]`).
//!
//! Matching is a position-set simulation over the name (bucket names have at most 63 characters; longer
//! names are never AWS-owned): linear in the template's length, no backtracking.

/// The service label of buckets the user listed in `aws_owned_buckets`.
pub const CONFIGURED: &str = "Configured in aws_owned_buckets";

/// The longest S3 bucket name.
const MAX_BUCKET: usize = 63;

/// A catalogue template. `standard` marks the buckets `propose --allow-aws-owned` adds for each region even
/// when unseen (package repositories, agents and image layers instances fetch from).
struct Template {
    pattern: &'static str,
    service: &'static str,
    standard: bool,
}

const fn t(pattern: &'static str, service: &'static str, standard: bool) -> Template {
    Template { pattern, service, standard }
}

const TEMPLATES: &[Template] = &[
    t("prod-{r}-starport-layer-bucket", "Amazon ECR (image layers)", true),
    t("packages.{r}.amazonaws.com", "Amazon Linux repositories", true),
    t("repo.{r}.amazonaws.com", "Amazon Linux repositories", true),
    t("amazonlinux.{r}.amazonaws.com", "Amazon Linux repositories", true),
    t("amazonlinux-2-repos-{r}", "Amazon Linux 2 repositories", true),
    t("al2023-repos-{r}-de612dc2", "Amazon Linux 2023 repositories", true),
    t("al2023-{r}", "Amazon Linux 2023 repositories", true),
    t("aws-ssm-{r}", "AWS Systems Manager", true),
    t("amazon-ssm-{r}", "AWS Systems Manager", true),
    t("amazon-ssm-packages-{r}", "AWS Systems Manager", true),
    t("{r}-birdwatcher-prod", "AWS Systems Manager", true),
    t("aws-ssm-distributor-file-{r}", "AWS Systems Manager Distributor", true),
    t("aws-ssm-document-attachments-{r}", "AWS Systems Manager", true),
    t("patch-baseline-snapshot-{r}", "AWS Systems Manager Patch Manager", true),
    t("aws-windows-downloads-{r}", "AWS Systems Manager (Windows)", true),
    t("aws-patchmanager-macos-{r}", "AWS Systems Manager Patch Manager (macOS)", true),
    t("session-manager-downloads", "AWS Systems Manager", false),
    t("ssm-document-categories", "AWS Systems Manager", false),
    t("amazoncloudwatch-agent-{r}", "Amazon CloudWatch agent", true),
    t("amazoncloudwatch-agent", "Amazon CloudWatch agent", true),
    t("aws-synthetics-library-{id}", "Amazon CloudWatch Synthetics", false),
    t("aws-codedeploy-{r}", "AWS CodeDeploy", true),
    t("ec2imagebuilder-toe-{r}-prod", "EC2 Image Builder", true),
    t("ec2imagebuilder-managed-resources-{r}-prod", "EC2 Image Builder", true),
    t("prod-04-2014-tasks", "AWS Lambda", true),
    t("awslambda-{r}-tasks", "AWS Lambda", true),
    t("cloudformation-waitcondition-{r}", "AWS CloudFormation", true),
    t("cloudformation-custom-resource-response-{rc}", "AWS CloudFormation", true),
    t("cloudformation-examples", "AWS CloudFormation", false),
    t("elasticbeanstalk-{r}", "AWS Elastic Beanstalk", true),
    t("elasticbeanstalk-platform-assets-{r}", "AWS Elastic Beanstalk", true),
    t("elasticbeanstalk-samples-{r}", "AWS Elastic Beanstalk", false),
    t("elasticbeanstalk-env-resources-{r}", "AWS Elastic Beanstalk", false),
    // Beijing uses `public-beta-cn-north-1` in place of the region.
    t("elasticbeanstalk-public-beta-cn-north-1", "AWS Elastic Beanstalk", false),
    t("elasticbeanstalk-platform-assets-public-beta-cn-north-1", "AWS Elastic Beanstalk", false),
    t("elasticbeanstalk-samples-public-beta-cn-north-1", "AWS Elastic Beanstalk", false),
    t("elasticbeanstalk-env-resources-public-beta-cn-north-1", "AWS Elastic Beanstalk", false),
    t("jumpstart-cache-prod-{r}", "Amazon SageMaker JumpStart", true),
    t("repo.{r}.emr.amazonaws.com", "Amazon EMR", true),
    t("aws157-logs-prod-{r}", "Amazon EMR (Spark history logs)", false),
    t("aws157-logs-prod", "Amazon EMR (Spark history logs)", false),
    t("prod.{r}.appinfo.src", "Amazon EMR (Spark history logs)", false),
    t("aws-mgn-clients-{r}", "AWS Application Migration Service", true),
    t("aws-mgn-clients-hashes-{r}", "AWS Application Migration Service", true),
    t("aws-mgn-internal-{r}", "AWS Application Migration Service", true),
    t("aws-mgn-internal-hashes-{r}", "AWS Application Migration Service", true),
    t("aws-application-migration-service-{r}", "AWS Application Migration Service", true),
    t("aws-application-migration-service-hashes-{r}", "AWS Application Migration Service", true),
    t("aws-drs-clients-{r}", "AWS Elastic Disaster Recovery", true),
    t("aws-drs-clients-hashes-{r}", "AWS Elastic Disaster Recovery", true),
    t("aws-drs-internal-{r}", "AWS Elastic Disaster Recovery", true),
    t("aws-drs-internal-hashes-{r}", "AWS Elastic Disaster Recovery", true),
    t("aws-elastic-disaster-recovery-{r}", "AWS Elastic Disaster Recovery", true),
    t("aws-elastic-disaster-recovery-hashes-{r}", "AWS Elastic Disaster Recovery", true),
    t("aws-ec2-enclave-certificate-{r}-prod", "AWS Certificate Manager (Nitro Enclaves)", false),
    t("assets-{acct}-{r}", "AWS CodeArtifact", false),
    t("sc-{id}-{r}", "AWS Service Catalog", false),
    t("{id}aws-data-exchange{id}", "AWS Data Exchange", false),
    t("aws-glue-studio-transforms-{acct}-prod-{r}", "AWS Glue Studio", false),
    t("aws-glue-ml-data-quality-assets-{r}", "AWS Glue Data Quality", false),
    t("crawler-public-{r}", "AWS Glue (crawler samples)", false),
    t("aws-neptune-notebook", "Amazon Neptune", false),
    t("aws-neptune-notebook-{r}", "Amazon Neptune", false),
    t("amazonq-code-scan-{r}-{id}", "Amazon Q Developer", false),
    t("amazonq-code-transformation-{r}-{id}", "Amazon Q Developer", false),
    t("amazonq-feature-development-{r}-{id}", "Amazon Q Developer", false),
    t("amazonq-test-generation-{r}-{id}", "Amazon Q Developer", false),
    t("static-{r}-prod-static-{id}", "AWS Cloud9", false),
    t("athena-examples-{r}", "Amazon Athena (samples)", false),
    t("awssupportdatasvcs.com", "AWS Schema Conversion Tool", false),
    t("redshift-downloads", "AWS Schema Conversion Tool", false),
    t("aws-sap-data-provider", "AWS Data Provider for SAP", false),
    t("aws-sap-dataprovider-{r}", "AWS Data Provider for SAP", false),
    t("awssap-backint-agent", "AWS Backint Agent for SAP", false),
    t("solutions-{r}", "AWS Solutions Library", false),
    t("{r}.managedblockchain", "Amazon Managed Blockchain", false),
    t("textract-public-assets-{r}", "Amazon Textract (samples)", false),
    t("gamelift-session-logs-prod-{r}", "Amazon GameLift", false),
    t("gamelift-event-logs-prod-{r}", "Amazon GameLift", false),
    t("amazon-eks", "Amazon EKS", false),
    t("aws-cli", "AWS CLI (version 1 bundle)", false),
];

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Region,
    CompactRegion,
    Account,
    Id,
    /// `*` in a configured pattern: any run of characters, empty included.
    Star,
}

impl Piece {
    /// The fewest bytes of a name the piece can take (see [`ends`]).
    fn min_len(&self) -> usize {
        match self {
            Piece::Literal(text) => text.len(),
            // `xx-word-N`, `xxxxxN`.
            Piece::Region => 6,
            Piece::CompactRegion => 6,
            Piece::Account => 12,
            Piece::Id => 1,
            Piece::Star => 0,
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    pieces: Vec<Piece>,
    service: &'static str,
    standard: bool,
    /// The template as written (for `buckets_for_region`).
    pattern: String,
    /// The literal the template starts with and the one it ends with (empty when it starts or ends with a
    /// placeholder), a searcher for its longest literal, and the shortest name it can match: a name that fails
    /// any of them cannot match, checked before the position-set simulation.
    lead: Vec<u8>,
    tail: Vec<u8>,
    longest: memchr::memmem::Finder<'static>,
    min_len: usize,
}

impl Entry {
    fn new(pieces: Vec<Piece>, service: &'static str, standard: bool, pattern: &str) -> Entry {
        let literal = |piece: Option<&Piece>| match piece {
            Some(Piece::Literal(text)) => text.as_bytes().to_vec(),
            _ => Vec::new(),
        };
        let (lead, tail) = (literal(pieces.first()), literal(pieces.last()));
        let longest = pieces.iter().map(|p| literal(Some(p))).max_by_key(Vec::len).unwrap_or_default();
        let longest = memchr::memmem::Finder::new(&longest).into_owned();
        let min_len = pieces.iter().map(Piece::min_len).sum();
        Entry { pieces, service, standard, pattern: pattern.to_owned(), lead, tail, longest, min_len }
    }

    fn matches(&self, name: &[u8]) -> bool {
        // The cheapest rejections first: length, then the tail's last byte (most names miss every template).
        name.len() >= self.min_len
            && self.tail.last().is_none_or(|last| name.last() == Some(last))
            && name.starts_with(&self.lead)
            && name.ends_with(&self.tail)
            && self.longest.find(name).is_some()
            && matches(&self.pieces, name)
    }
}

/// The entries' leading literals as a byte trie: walking a name down it meets exactly the entries whose
/// leading literal is a prefix of the name.
#[derive(Debug, Clone, Default)]
struct LeadTrie {
    nodes: Vec<TrieNode>,
}

#[derive(Debug, Clone, Default)]
struct TrieNode {
    children: Vec<(u8, usize)>,
    /// Entries whose leading literal ends at this node.
    entries: Vec<usize>,
}

impl LeadTrie {
    fn insert(&mut self, lead: &[u8], entry: usize) {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut node = 0;
        for &byte in lead {
            node = match self.nodes[node].children.iter().find(|(b, _)| *b == byte) {
                Some(&(_, child)) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    self.nodes[node].children.push((byte, child));
                    child
                }
            };
        }
        self.nodes[node].entries.push(entry);
    }

    /// Calls `visit` with every entry whose leading literal is a prefix of `name` (the walk stops where the
    /// trie does: at most the longest leading literal's length).
    fn prefixes_of(&self, name: &[u8], mut visit: impl FnMut(usize)) {
        let Some(mut node) = self.nodes.first() else { return };
        for byte in name {
            let Some(&(_, child)) = node.children.iter().find(|(b, _)| b == byte) else { return };
            node = &self.nodes[child];
            node.entries.iter().copied().for_each(&mut visit);
        }
    }
}

/// The catalogue: AWS's templates and the configured patterns. Built once from the settings and shared.
///
/// Every record that touches S3 asks it about a bucket, so lookups are indexed: only the entries whose leading
/// literal the name starts with (found by walking [`LeadTrie`]) and those that start with a placeholder are
/// tried, each first against its literals; most names reach no position-set simulation at all.
#[derive(Debug, Clone)]
pub struct AwsOwned {
    entries: Vec<Entry>,
    leads: LeadTrie,
    /// Entry indexes (ascending) of the entries that start with a placeholder.
    unanchored: Vec<usize>,
}

impl Default for AwsOwned {
    fn default() -> AwsOwned {
        AwsOwned::builtin()
    }
}

impl AwsOwned {
    /// AWS's templates only.
    pub fn builtin() -> AwsOwned {
        let entries = TEMPLATES.iter().map(|t| Entry::new(parse_template(t.pattern), t.service, t.standard, t.pattern));
        AwsOwned::indexed(entries.collect())
    }

    fn indexed(entries: Vec<Entry>) -> AwsOwned {
        let mut leads = LeadTrie::default();
        let mut unanchored = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            if entry.lead.is_empty() {
                unanchored.push(index);
            } else {
                leads.insert(&entry.lead, index);
            }
        }
        AwsOwned { entries, leads, unanchored }
    }

    /// AWS's templates plus the configured bucket patterns (`*` matches any run of characters). Errors name
    /// the bad pattern: empty, or with a character no bucket name has.
    pub fn with_configured(patterns: &[String]) -> Result<AwsOwned, String> {
        let mut entries = AwsOwned::builtin().entries;
        for pattern in patterns {
            let bad = pattern.chars().find(|c| !(is_bucket_char(*c) || *c == '*'));
            if pattern.trim_matches('*').is_empty() || bad.is_some() {
                return Err(format!(
                    "aws_owned_buckets: {pattern:?} is not a bucket name pattern (lower-case letters, digits, '.', '-' and '*', not only '*')"
                ));
            }
            entries.push(Entry::new(parse_star_pattern(pattern), CONFIGURED, false, pattern));
        }
        Ok(AwsOwned::indexed(entries))
    }

    /// The service that owns `bucket` (or [`CONFIGURED`]), if the catalogue knows it.
    pub fn bucket(&self, bucket: &str) -> Option<&'static str> {
        if bucket.is_empty() || bucket.len() > MAX_BUCKET {
            return None;
        }
        let name = bucket.as_bytes();
        // The first matching entry in catalogue order, among the candidates.
        let mut first: Option<usize> = None;
        let mut consider = |index: usize| {
            if first.is_none_or(|f| index < f) && self.entries[index].matches(name) {
                first = Some(index);
            }
        };
        self.leads.prefixes_of(name, &mut consider);
        for &index in &self.unanchored {
            consider(index);
        }
        first.map(|index| self.entries[index].service)
    }

    /// The standard AWS-owned buckets of a region, with their service, sorted by name: templates whose only
    /// placeholders are regions (a `{id}` or `{acct}` cannot be filled in).
    pub fn buckets_for_region(&self, region: &str) -> Vec<(String, &'static str)> {
        let compact = region.replace('-', "");
        let mut buckets: Vec<(String, &'static str)> = self
            .entries
            .iter()
            .filter(|e| e.standard)
            .map(|e| (e.pattern.replace("{rc}", &compact).replace("{r}", region), e.service))
            .collect();
        buckets.sort();
        buckets.dedup();
        buckets
    }
}

/// The service that owns `bucket`, if it is in AWS's catalogue (no configured patterns).
pub fn aws_owned_bucket(bucket: &str) -> Option<&'static str> {
    static BUILTIN: std::sync::LazyLock<AwsOwned> = std::sync::LazyLock::new(AwsOwned::builtin);
    BUILTIN.bucket(bucket)
}

/// The bucket name of an S3 ARN (`arn:aws:s3:::bucket/key` → `bucket`).
pub fn s3_bucket_of(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (_, rest) = rest.split_once(':')?; // partition
    let rest = rest.strip_prefix("s3:::")?;
    let bucket = rest.split('/').next()?;
    (!bucket.is_empty()).then_some(bucket)
}

/// The standard AWS-owned buckets for a region, with their service, sorted by name.
pub fn aws_owned_buckets_for_region(region: &str) -> Vec<(String, &'static str)> {
    AwsOwned::builtin().buckets_for_region(region)
}

fn is_bucket_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'
}

/// Splits a catalogue template at its `{...}` placeholders (unknown braces stay literal).
fn parse_template(pattern: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        let placeholder = [("{rc}", Piece::CompactRegion), ("{r}", Piece::Region), ("{acct}", Piece::Account)]
            .into_iter()
            .chain([("{id}", Piece::Id)])
            .find(|(name, _)| rest.starts_with(name));
        match placeholder {
            Some((name, piece)) => {
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(piece);
                rest = &rest[name.len()..];
            }
            None => {
                let c = rest.chars().next().unwrap_or_default();
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    pieces
}

/// Splits a configured pattern at its `*`s (runs of `*` are one).
fn parse_star_pattern(pattern: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (i, part) in pattern.split('*').enumerate() {
        if i > 0 && pieces.last() != Some(&Piece::Star) {
            pieces.push(Piece::Star);
        }
        if !part.is_empty() {
            pieces.push(Piece::Literal(part.to_owned()));
        }
    }
    pieces
}

/// A set of positions in a name of at most 63 bytes: bit `i` is position `i` (0..=63).
type Positions = u64;

/// True when `name` (at most [`MAX_BUCKET`] bytes) is exactly the pieces. Each piece maps the set of positions
/// where it may start to the set where it may end; the name matches when the last set holds its length.
fn matches(pieces: &[Piece], name: &[u8]) -> bool {
    debug_assert!(name.len() <= MAX_BUCKET);
    let n = name.len();
    let mut at: Positions = 1;
    for piece in pieces {
        let mut next: Positions = 0;
        for start in (0..=n).filter(|i| at & (1 << i) != 0) {
            next |= ends(piece, name, start);
        }
        at = next;
        if at == 0 {
            return false;
        }
    }
    at & (1 << n) != 0
}

/// Where `piece` may end when it starts at `start`.
fn ends(piece: &Piece, name: &[u8], start: usize) -> Positions {
    let rest = &name[start..];
    let bit = |len: usize| 1u64 << (start + len);
    match piece {
        Piece::Literal(text) => {
            if rest.starts_with(text.as_bytes()) {
                bit(text.len())
            } else {
                0
            }
        }
        Piece::Star => (start..=name.len()).fold(0, |acc, end| acc | (1 << end)),
        Piece::Account => {
            if rest.len() >= 12 && rest[..12].iter().all(u8::is_ascii_digit) {
                bit(12)
            } else {
                0
            }
        }
        Piece::Id => {
            let run = rest.iter().take_while(|b| is_bucket_char(char::from(**b))).count();
            (1..=run).fold(0, |acc, len| acc | bit(len))
        }
        Piece::Region => region_ends(rest).fold(0, |acc, len| acc | bit(len)),
        Piece::CompactRegion => compact_region_ends(rest).fold(0, |acc, len| acc | bit(len)),
    }
}

/// The lengths of the prefixes of `text` that are a region: `xx-word[-word]-N`, `N` one or two digits
/// (`us-east-1`, `us-gov-west-1`, `ap-southeast-4`, `eu-central-2`).
fn region_ends(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    // Parts: two lower-case letters, one or two words, then the number; checked from the left in one pass.
    let mut found: [Option<usize>; 4] = [None; 4];
    let mut count = 0;
    let letters = |from: usize| text[from..].iter().take_while(|b| b.is_ascii_lowercase()).count();
    if text.len() >= 2 && letters(0) == 2 && text.get(2) == Some(&b'-') {
        let mut pos = 3;
        for _word in 0..2 {
            let word = letters(pos);
            if word == 0 || text.get(pos + word) != Some(&b'-') {
                break;
            }
            pos += word + 1;
            let digits = text[pos..].iter().take_while(|b| b.is_ascii_digit()).count();
            for len in 1..=digits.min(2) {
                found[count] = Some(pos + len);
                count += 1;
            }
        }
    }
    found.into_iter().flatten()
}

/// The lengths of the prefixes of `text` that are a region without dashes (`useast1`): at least five
/// lower-case letters, then one or two digits.
fn compact_region_ends(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let letters = text.iter().take_while(|b| b.is_ascii_lowercase()).count();
    let digits = text[letters..].iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=digits.min(2)).filter(move |_| letters >= 5).map(move |d| letters + d)
}

#[cfg(test)]
mod tests;
