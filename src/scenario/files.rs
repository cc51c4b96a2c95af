//! Reading the text of a scenario file or a CSV file, with the limits that
//! keep hostile input from hanging or exhausting the machine: only regular
//! files (not folders, FIFOs or devices), at most [`MAX_FILE_BYTES`], and
//! UTF-8 text.

use std::io::Read;
use std::path::Path;

/// The largest scenario or CSV file read: 16 MiB. An hourly `per_step`
/// demand over the longest horizon (`time.steps` at most 200,000) takes
/// about 4 MB, so no sensible file comes near it.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file's text could not be had.
#[derive(Debug)]
pub enum FileError {
    /// The operating system refused (missing file, no permission, ...).
    Io(std::io::Error),
    /// The file is there but is not something to read: the message says
    /// what is wrong and what is allowed (without the file's name).
    Refused(String),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Io(e) => write!(f, "{e}"),
            FileError::Refused(m) => f.write_str(m),
        }
    }
}

/// Reads a whole file as UTF-8 text, refusing anything that is not a
/// regular file of at most [`MAX_FILE_BYTES`] bytes. The file is opened
/// without waiting for a writer (so a FIFO never blocks, even one put in
/// the file's place a moment before) and then looked at through its open
/// handle: what is read is what was checked.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let file = open_without_waiting(path).map_err(FileError::Io)?;
    let meta = file.metadata().map_err(FileError::Io)?;
    if meta.is_dir() {
        return Err(FileError::Refused("is a folder, not a file".into()));
    }
    if !meta.is_file() {
        return Err(FileError::Refused(
            "is not a regular file (a FIFO, socket or device); give a file on disk".into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    // The file may have grown since it was looked at.
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = &bytes[..at];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        FileError::Refused(format!(
            "is not UTF-8 text: byte 0x{:02x} at line {line}, column {column}; save the file as UTF-8",
            bytes[at]
        ))
    })
}

/// Opens `path` for reading; on Unix with `O_NONBLOCK`, so that opening a
/// FIFO does not wait for a writer (on a regular file the flag changes
/// nothing).
fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn too_large(len: u64) -> FileError {
    FileError::Refused(format!(
        "is {len} bytes; a scenario or CSV file may be at most {MAX_FILE_BYTES} bytes (16 MiB)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<String, FileError>) -> String {
        match result {
            Err(FileError::Refused(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn folders_fifos_large_and_non_utf8_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(refused(read_text(dir.path())), "is a folder, not a file");
        let big = dir.path().join("big.toml");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(refused(read_text(&big)).contains("at most 16777216 bytes (16 MiB)"));
        f.set_len(MAX_FILE_BYTES).unwrap();
        assert_eq!(read_text(&big).unwrap().len() as u64, MAX_FILE_BYTES);
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, b"a = 1\nb = \"\xc3\xa9\xff\"\n").unwrap();
        assert_eq!(
            refused(read_text(&bad)),
            "is not UTF-8 text: byte 0xff at line 2, column 7; save the file as UTF-8"
        );
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo.toml");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(refused(read_text(&fifo)).starts_with("is not a regular file"));
            }
        }
        assert!(matches!(
            read_text(&dir.path().join("missing.toml")),
            Err(FileError::Io(_))
        ));
    }
}
