//! Transcript files are created new, never over an existing file and never through a symlink,
//! readable by their owner only (0600), in a directory created 0700.

use super::TranscriptError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A transcript file that has been created (empty) and waits for its content. Creating it before
/// the journey runs means a refused path costs nothing.
#[derive(Debug)]
pub struct TranscriptFile {
    path: PathBuf,
    file: Option<File>,
}

impl TranscriptFile {
    /// Creates `path`: refused when anything (a file, a directory, a symlink, even a dangling
    /// one) is already there. A missing parent directory is created 0700.
    pub fn create(path: &Path) -> Result<TranscriptFile, TranscriptError> {
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(TranscriptError::Symlink(path.to_path_buf()));
            }
            Ok(_) => return Err(TranscriptError::Exists(path.to_path_buf())),
            Err(_) => {}
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        let mut o = OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        let file = o.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => TranscriptError::Exists(path.to_path_buf()),
            _ if e.raw_os_error() == Some(libc::ELOOP) => {
                TranscriptError::Symlink(path.to_path_buf())
            }
            _ => TranscriptError::Io {
                path: path.to_path_buf(),
                error: e.to_string(),
            },
        })?;
        Ok(TranscriptFile {
            path: path.to_path_buf(),
            file: Some(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `bytes` and closes the file. On failure the partial file is removed.
    pub fn write(mut self, bytes: &[u8]) -> Result<PathBuf, TranscriptError> {
        let mut file = self.file.take().expect("a TranscriptFile is written once");
        let result = file.write_all(bytes).and_then(|_| file.sync_all());
        drop(file);
        match result {
            Ok(()) => Ok(self.path.clone()),
            Err(e) => {
                let _ = std::fs::remove_file(&self.path);
                Err(TranscriptError::Io {
                    path: self.path.clone(),
                    error: e.to_string(),
                })
            }
        }
    }
}

/// A file created but never written (the command failed before) is removed.
impl Drop for TranscriptFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Creates `dir` (and its missing parents) with mode 0700. An existing directory is left as is.
pub fn create_private_dir(dir: &Path) -> Result<(), TranscriptError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| TranscriptError::Io {
        path: dir.to_path_buf(),
        error: format!("cannot create the directory: {e}"),
    })
}

/// A file name that says what the journey was: `paxos-approved-20240102-030405-j1-1a2b3c4d.har`.
pub fn file_name(provider: &str, scenario: Option<&str>, at_ms: i64, journey_id: &str) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let stamp = time::OffsetDateTime::from_unix_timestamp_nanos(at_ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year][month][day]-[hour][minute][second]"
            ))
            .ok()
        })
        .unwrap_or_else(|| "unknown-time".into());
    format!(
        "{}-{}-{stamp}-{}.har",
        safe(provider),
        safe(scenario.unwrap_or("live")),
        safe(journey_id)
    )
}

/// Creates a new file called `name` in `dir`, adding `-2`, `-3`, ... before the extension
/// while the name is taken.
pub fn create_in_dir(dir: &Path, name: &str) -> Result<TranscriptFile, TranscriptError> {
    create_private_dir(dir)?;
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), format!(".{e}")),
        None => (name.to_string(), String::new()),
    };
    for n in 1..1000 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem}-{n}{ext}"))
        };
        match TranscriptFile::create(&candidate) {
            Err(TranscriptError::Exists(_)) | Err(TranscriptError::Symlink(_)) => continue,
            other => return other,
        }
    }
    Err(TranscriptError::Io {
        path: dir.join(name),
        error: "too many transcripts with this name".into(),
    })
}
