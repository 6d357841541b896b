//! `trail-vpce ls`: the inputs a run would read, after the same expansion and pruning, without reading them.
//! Local folders are walked as the pipeline walks them; `s3://` prefixes are listed (pruned by `--since`,
//! `--until`, `--account` and `--region` as a run prunes them) and nothing is fetched. A distributed job
//! (contrib/spark/) lists its batches this way, so its pruning is this crate's, not a copy of it.

use super::Input;
use super::remote::{RemoteConfig, RemoteError, RemoteItem, RemotePlan};

/// One input as listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Listed {
    /// An input the run would read, with its size in bytes (`None` for stdin and the LookupEvents API).
    Input { source: String, bytes: Option<u64> },
    /// Skipped on purpose, as the run would skip it (documentation next to the logs, a symlink not followed).
    Skipped { source: String, reason: String },
    /// Cannot be listed or opened.
    Failed { source: String, error: String },
}

/// Lists every source, calling `on_listed` once per input in the order the pipeline meets them (local
/// inputs first, then remote ones as they are listed). Memory does not grow with the number of objects.
pub fn list(
    inputs: Vec<Input>,
    remote: &RemoteConfig,
    plan: RemotePlan,
    on_listed: &mut dyn FnMut(Listed),
) -> Result<(), RemoteError> {
    let (remote_inputs, local): (Vec<Input>, Vec<Input>) =
        inputs.into_iter().partition(|i| matches!(i, Input::S3 { .. }));
    for input in local {
        on_listed(local_entry(input));
    }
    if remote_inputs.is_empty() {
        return Ok(());
    }
    // In listing order: the same flags list the same objects in the same order (the Spark job batches them).
    let plan = RemotePlan { list_only: true, in_order: true, ..plan };
    #[cfg(feature = "aws")]
    let mut stream = super::runner::start(&remote_inputs, remote, &plan)?;
    #[cfg(not(feature = "aws"))]
    let mut stream = super::remote::start(&remote_inputs, remote, &plan)?;
    for item in stream.take_items() {
        on_listed(match item {
            RemoteItem::Listed { name, bytes } => Listed::Input { source: name, bytes: Some(bytes) },
            RemoteItem::Skipped { name, reason } => Listed::Skipped { source: name, reason },
            RemoteItem::Failed { name, error } => Listed::Failed { source: name, error },
            RemoteItem::Object { name, .. }
            | RemoteItem::LookupPage { name, .. }
            | RemoteItem::LookupDone { name, .. } => {
                Listed::Failed { source: name, error: "fetched while listing only".to_owned() }
            }
        });
    }
    stream.finish()
}

fn local_entry(input: Input) -> Listed {
    match input {
        Input::File { path, name } => match std::fs::metadata(&path) {
            Ok(meta) => Listed::Input { source: name, bytes: Some(meta.len()) },
            Err(e) => Listed::Failed { source: name, error: e.to_string() },
        },
        Input::Stdin | Input::Lookup | Input::S3 { .. } => {
            Listed::Input { source: input.name().to_owned(), bytes: None }
        }
        Input::Failed { name, error } => Listed::Failed { source: name, error },
        Input::Skipped { name, reason } => Listed::Skipped { source: name, reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(sources: &[&str]) -> Vec<Listed> {
        let sources: Vec<String> = sources.iter().map(|s| (*s).to_owned()).collect();
        let mut got = Vec::new();
        list(super::super::expand(&sources, false), &RemoteConfig::default(), RemotePlan::default(), &mut |l| {
            got.push(l)
        })
        .unwrap();
        got
    }

    #[test]
    fn local_inputs_are_listed_with_their_sizes_and_skips() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("README.md"), b"# notes").unwrap();
        std::fs::create_dir(dir.path().join(".hidden")).unwrap();
        std::fs::write(dir.path().join(".hidden/b.json"), b"{}").unwrap();
        let root = dir.path().display().to_string();
        let missing = format!("{root}/missing.json");
        let got = listed(&[&root, &missing, "-"]);
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0], Listed::Skipped { source: format!("{root}/README.md"), reason: got_reason(&got[0]) });
        assert_eq!(got[1], Listed::Input { source: format!("{root}/a.json"), bytes: Some(2) });
        assert!(matches!(&got[2], Listed::Failed { source, .. } if *source == missing), "{got:?}");
        assert_eq!(got[3], Listed::Input { source: "-".to_owned(), bytes: None });
    }

    fn got_reason(listed: &Listed) -> String {
        match listed {
            Listed::Skipped { reason, .. } => reason.clone(),
            other => panic!("{other:?}"),
        }
    }
}
