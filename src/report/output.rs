//! Where report data goes: stdout, or `--output FILE`. A file is written through a temporary file in the same
//! folder and renamed into place by [`Output::finish`]: a run that fails or is interrupted never leaves half a
//! report (the previous file, if any, stays as it was), and a symlink at the destination is replaced, never
//! followed (the file it points to is not touched). A destination that is a stream (a pipe, `/dev/stdout`, a
//! terminal, `/dev/null`) is written directly: there is no file to leave half-written, and renaming over it
//! would replace the device node or the link. Other devices are refused.

use std::fs::File;
use std::io::{self, BufWriter, StdoutLock, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// An open report destination. Write to it, then call [`Output::finish`]; dropped unfinished, a file
/// destination is left as it was.
pub enum Output {
    Stdout(BufWriter<StdoutLock<'static>>),
    File { file: BufWriter<NamedTempFile>, path: PathBuf },
    Stream(BufWriter<File>),
}

impl Output {
    /// Opens `path` (through a temporary file beside it), or stdout.
    #[allow(clippy::disallowed_methods)] // the chokepoint for report data on stdout
    pub fn open(path: Option<&Path>) -> io::Result<Output> {
        let Some(path) = path else {
            return Ok(Output::Stdout(BufWriter::new(io::stdout().lock())));
        };
        if let Some(stream) = open_stream(path) {
            return Ok(Output::Stream(BufWriter::new(stream.map_err(|e| context(path, e))?)));
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            // What File::create gives (0666 less the umask), not the temporary file's 0600.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let file = builder.tempfile_in(dir).map_err(|e| context(path, e))?;
        Ok(Output::File { file: BufWriter::new(file), path: path.to_path_buf() })
    }

    /// Flushes, and renames a file destination into place.
    pub fn finish(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush(),
            Output::Stream(mut out) => out.flush(),
            Output::File { file, path } => {
                let file = file.into_inner().map_err(|e| context(&path, e.into_error()))?;
                file.persist(&path).map_err(|e| context(&path, e.error))?;
                Ok(())
            }
        }
    }
}

/// `Some` when the destination exists and is not a regular file: a pipe, socket, terminal or `/dev/null`
/// opened for writing, or the refusal of any other device. `None` for a regular file (also behind a symlink) or
/// a new name.
fn open_stream(path: &Path) -> Option<io::Result<File>> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() || meta.is_dir() {
        return None; // a folder fails on rename with the OS reason
    }
    let open = || std::fs::OpenOptions::new().write(true).open(path);
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() || kind.is_socket() {
            return Some(open());
        }
        if kind.is_char_device() {
            let null = std::fs::canonicalize(path).is_ok_and(|p| p == Path::new("/dev/null"));
            return Some(open().and_then(|file| {
                if null || io::IsTerminal::is_terminal(&file) {
                    Ok(file)
                } else {
                    Err(io::Error::other("a device: refusing to write a report to it"))
                }
            }));
        }
    }
    let _ = open;
    Some(Err(io::Error::other("not a regular file: refusing to write a report to it")))
}

fn context(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { file, .. } => file.write(buf),
            Output::Stream(out) => out.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.write_all(buf),
            Output::File { file, .. } => file.write_all(buf),
            Output::Stream(out) => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { file, .. } => file.flush(),
            Output::Stream(out) => out.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn unfinished_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        let mut out = Output::open(Some(&path)).unwrap();
        out.write_all(b"half a rep").unwrap();
        out.flush().unwrap();
        assert!(!path.exists(), "nothing at the destination before finish");
        drop(out);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn an_existing_report_survives_an_unfinished_run_and_is_replaced_by_a_finished_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        let mut out = Output::open(Some(&path)).unwrap();
        out.write_all(b"new, unfinished").unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let mut out = Output::open(Some(&path)).unwrap();
        out.write_all(b"new").unwrap();
        out.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(names(dir.path()), ["report.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_destination_is_replaced_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("report.txt");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let mut out = Output::open(Some(&path)).unwrap();
        out.write_all(b"report").unwrap();
        out.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "report");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o600, 0o600, "readable and writable by the owner: {mode:o}");
    }

    #[test]
    fn a_missing_folder_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/report.json");
        let error = Output::open(Some(&path)).err().expect("no folder, no report");
        assert!(error.to_string().contains("missing/report.json"), "{error}");
    }

    /// `-o /dev/null` and `-o` into a pipe write into them; another device is refused and left as it was.
    #[cfg(unix)]
    #[test]
    fn streams_are_written_directly_and_other_devices_refused() {
        use std::os::unix::fs::FileTypeExt;
        let mut out = Output::open(Some(Path::new("/dev/null"))).unwrap();
        out.write_all(b"discarded").unwrap();
        out.finish().unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
            };
            let mut out = Output::open(Some(&fifo)).unwrap();
            out.write_all(b"through the pipe").unwrap();
            out.finish().unwrap();
            assert_eq!(reader.join().unwrap(), "through the pipe");
            assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        }
        let error = Output::open(Some(Path::new("/dev/zero"))).err().expect("refused");
        assert!(error.to_string().contains("refusing"), "{error}");
        assert!(std::fs::metadata("/dev/zero").unwrap().file_type().is_char_device());
        assert!(
            !std::fs::read_dir("/dev").unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with(".zero."))
        );
    }
}
