//! Where bytes come from: local files and folders (walked recursively, sorted for determinism), stdin, and
//! (feature `aws`) `s3://bucket/prefix` and the CloudTrail LookupEvents API (`cloudtrail:lookup`).
//! Archives and compression are the decoder's business; this module only finds and names the inputs.

#[cfg(feature = "aws")]
pub(crate) mod delivery;
#[cfg(feature = "aws")]
pub mod integrity;
pub mod listing;
#[cfg(feature = "aws")]
pub mod lookup;
pub mod remote;
#[cfg(feature = "aws")]
pub mod runner;
pub mod s3;

use std::path::{Path, PathBuf};

/// The source name that reads the CloudTrail LookupEvents API.
pub const LOOKUP_SOURCE: &str = "cloudtrail:lookup";

/// One input to decode, in the order the user gave them (folders expanded in sorted order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File {
        path: PathBuf,
        name: String,
    },
    Stdin,
    /// A path that could not be listed or opened (missing, unreadable, a symlink loop).
    Failed {
        name: String,
        error: String,
    },
    /// A file skipped on purpose while walking a folder (documentation and config next to the logs).
    Skipped {
        name: String,
        reason: String,
    },
    /// Every object under an S3 prefix (listed and fetched by [`remote`]); `name` is the source as given.
    S3 {
        bucket: String,
        prefix: String,
        name: String,
    },
    /// The CloudTrail LookupEvents API.
    Lookup,
}

impl Input {
    pub fn name(&self) -> &str {
        match self {
            Input::File { name, .. }
            | Input::Failed { name, .. }
            | Input::Skipped { name, .. }
            | Input::S3 { name, .. } => name,
            Input::Stdin => "-",
            Input::Lookup => LOOKUP_SOURCE,
        }
    }
}

/// Extensions of files that sit next to logs but are never logs; skipped (and counted) in folder walks. `.sig`
/// is the signature sidecar of a digest copy (`verify` reads it beside its digest).
/// Explicitly named files are always read.
const NON_LOG_EXTENSIONS: &[&str] = &["md", "toml", "yaml", "yml", "sh", "py", "rs", "tf", "hcl", "sql", "sig"];

/// Why a symlink met while walking a folder was not read.
pub const SYMLINK_NOT_FOLLOWED: &str = "symlink not followed (-L/--follow reads it)";

/// Expands the command-line sources into inputs. `-` is stdin; folders are walked recursively in file-name
/// order, skipping hidden entries as ripgrep and fd do, and skipping (with a reason) anything in a folder that
/// is not a regular file: FIFOs, sockets, devices, and symlinks unless `follow` (`-L/--follow`) is given, as
/// in ripgrep and fd: a folder is a tree, and a link in it may point anywhere on the disk. Followed, loops are
/// reported. A symlink named on the command line is always read.
pub fn expand(sources: &[String], follow: bool) -> Vec<Input> {
    let mut inputs = Vec::new();
    for source in sources {
        if source == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        if source == LOOKUP_SOURCE {
            inputs.push(Input::Lookup);
            continue;
        }
        if let Some(rest) = source.strip_prefix("s3://") {
            inputs.push(match rest.split_once('/').unwrap_or((rest, "")) {
                ("", _) => Input::Failed { name: source.clone(), error: "no bucket name in the s3:// URL".to_owned() },
                (bucket, prefix) => {
                    Input::S3 { bucket: bucket.to_owned(), prefix: prefix.to_owned(), name: source.clone() }
                }
            });
            continue;
        }
        let path = Path::new(source);
        match std::fs::metadata(path) {
            Err(e) => inputs.push(Input::Failed { name: source.clone(), error: e.to_string() }),
            Ok(meta) if meta.is_dir() => walk(path, follow, &mut inputs),
            Ok(_) => inputs.push(Input::File { path: path.to_path_buf(), name: source.clone() }),
        }
    }
    inputs
}

fn walk(root: &Path, follow: bool, inputs: &mut Vec<Input>) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(follow)
        .follow_root_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        match entry {
            Err(e) => {
                let name = e.path().map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                let error = if e.loop_ancestor().is_some() {
                    "symlink loop".to_owned()
                } else {
                    e.io_error().map_or_else(|| e.to_string(), ToString::to_string)
                };
                inputs.push(Input::Failed { name, error });
            }
            // The root is a folder (or a link to one, named on the command line: always read).
            Ok(entry) if entry.depth() == 0 || entry.file_type().is_dir() => {}
            Ok(entry) if entry.path_is_symlink() && !follow => {
                let name = entry.path().display().to_string();
                inputs.push(Input::Skipped { name, reason: SYMLINK_NOT_FOLLOWED.to_owned() });
            }
            Ok(entry) if !entry.file_type().is_file() => {
                // A FIFO would block the worker forever and a device never ends: only regular files are read
                // from folders (name one explicitly, e.g. `<(zcat x.gz)`, to read a pipe).
                let reason = format!("not a regular file ({})", special_kind(&entry.file_type()));
                inputs.push(Input::Skipped { name: entry.path().display().to_string(), reason });
            }
            Ok(entry) => {
                let path = entry.into_path();
                let name = path.display().to_string();
                match skip_reason(&path) {
                    Some(reason) => inputs.push(Input::Skipped { name, reason }),
                    None => inputs.push(Input::File { path, name }),
                }
            }
        }
    }
}

/// Names a file type that is neither a regular file nor a folder.
fn special_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "a special file"
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

fn skip_reason(path: &Path) -> Option<String> {
    skip_reason_for_name(path.file_name()?.to_str()?)
}

/// Why a file met in a folder (or under an S3 prefix) is not read: documentation and config beside the logs.
pub fn skip_reason_for_name(name: &str) -> Option<String> {
    let (stem, extension) = name.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    let extension = extension.to_ascii_lowercase();
    NON_LOG_EXTENSIONS.contains(&extension.as_str()).then(|| format!("not a log (.{extension} file found in a folder)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_skips_hidden_and_docs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for file in ["b/c/2.json.gz", "b/1.json", "a.log", "README.md", ".hidden", ".git/config", "cfg.toml"] {
            std::fs::write(root.join(file), b"x").unwrap();
        }
        let inputs = expand(
            &[
                root.display().to_string(),
                "-".to_owned(),
                "/definitely/missing".to_owned(),
                "s3://bucket/AWSLogs/".to_owned(),
                "s3://only-bucket".to_owned(),
                "s3:///key".to_owned(),
                "cloudtrail:lookup".to_owned(),
            ],
            false,
        );
        let described: Vec<String> = inputs
            .iter()
            .map(|input| {
                let name = input.name().strip_prefix(&format!("{}/", root.display())).unwrap_or(input.name());
                match input {
                    Input::File { .. } => format!("file {name}"),
                    Input::Stdin => "stdin".to_owned(),
                    Input::Failed { .. } => format!("failed {name}"),
                    Input::Skipped { .. } => format!("skipped {name}"),
                    Input::S3 { .. } | Input::Lookup => format!("remote {name}"),
                }
            })
            .collect();
        assert_eq!(
            described,
            vec![
                "skipped README.md",
                "file a.log",
                "file b/1.json",
                "file b/c/2.json.gz",
                "skipped cfg.toml",
                "stdin",
                "failed /definitely/missing",
                "remote s3://bucket/AWSLogs/",
                "remote s3://only-bucket",
                "failed s3:///key",
                "remote cloudtrail:lookup",
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_when_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("d/loop")).unwrap();
        std::fs::write(dir.path().join("d/x.json"), b"{}").unwrap();
        let inputs = expand(&[dir.path().display().to_string()], true);
        assert!(inputs.iter().any(|i| matches!(i, Input::Failed { error, .. } if error == "symlink loop")));
        assert!(inputs.iter().any(|i| matches!(i, Input::File { name, .. } if name.ends_with("d/x.json"))));
    }

    #[cfg(unix)]
    #[test]
    fn special_files_in_folders_are_skipped_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/null", dir.path().join("null.json")).unwrap();
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        // Followed, the link to /dev/null is a device in the folder.
        let inputs = expand(&[dir.path().display().to_string()], true);
        let skipped: Vec<(&str, &str)> = inputs
            .iter()
            .filter_map(|i| match i {
                Input::Skipped { name, reason } => Some((name.rsplit('/').next().unwrap(), reason.as_str())),
                _ => None,
            })
            .collect();
        let mut expected = vec![("null.json", "not a regular file (a device)")];
        if made {
            expected.push(("pipe.json", "not a regular file (a FIFO)"));
        } else {
            eprintln!("NOTICE: mkfifo unavailable; FIFO case not checked");
        }
        assert_eq!(skipped, expected);
        assert_eq!(inputs.len(), expected.len());
    }

    /// Not followed: links to a file, to a folder, dangling, a loop; each skipped with the reason, none read.
    /// Named on the command line, a link (to a file or to a folder) is read.
    #[cfg(unix)]
    #[test]
    fn symlinks_in_folders_are_skipped_unless_followed() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(outside.path().join("etc")).unwrap();
        std::fs::write(outside.path().join("etc/passwd"), b"root:x:0:0").unwrap();
        std::fs::write(outside.path().join("credentials"), b"aws_access_key_id = AKIA").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.json"), b"{}").unwrap();
        symlink(outside.path().join("credentials"), root.join("b-file.json")).unwrap();
        symlink(outside.path().join("etc"), root.join("c-dir")).unwrap();
        symlink(root.join("missing"), root.join("d-dangling.json")).unwrap();
        symlink(root, root.join("e-loop")).unwrap();
        let short = |input: &Input| {
            let name = input.name().rsplit('/').next().unwrap().to_owned();
            match input {
                Input::File { .. } => format!("file {name}"),
                Input::Skipped { reason, .. } => format!("skipped {name}: {reason}"),
                Input::Failed { error, .. } => format!("failed {name}: {error}"),
                _ => format!("other {name}"),
            }
        };
        let source = root.display().to_string();
        let walked: Vec<String> = expand(std::slice::from_ref(&source), false).iter().map(short).collect();
        let not = SYMLINK_NOT_FOLLOWED;
        assert_eq!(
            walked,
            [
                "file a.json".to_owned(),
                format!("skipped b-file.json: {not}"),
                format!("skipped c-dir: {not}"),
                format!("skipped d-dangling.json: {not}"),
                format!("skipped e-loop: {not}"),
            ]
        );
        let followed: Vec<String> = expand(std::slice::from_ref(&source), true).iter().map(short).collect();
        assert!(followed.contains(&"file b-file.json".to_owned()), "{followed:?}");
        assert!(followed.contains(&"file passwd".to_owned()), "{followed:?}");
        // Named on the command line: read, whether not following or following.
        let named = [root.join("b-file.json").display().to_string(), root.join("c-dir").display().to_string()];
        let read: Vec<String> = expand(&named, false).iter().map(short).collect();
        assert_eq!(read, ["file b-file.json", "file passwd"]);
    }
}
