//! Where a problem is and what it is: `Location`, `Problem`, `ConfigError`, and the byte-offset to
//! line/column conversion every other part of the loader uses.

use crate::redact::ident;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A place in a file, 1-based. `line == 0` means the whole file (no particular line), which is
/// what a provider gets when config.toml has no `[providers.x]` table for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize) -> Location {
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    /// The file as a whole, no particular line.
    pub fn file_only(file: impl Into<PathBuf>) -> Location {
        Location::new(file, 0, 0)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The operator's file name (`profiles/duncan.toml`), marked so redaction never masks
        // it as the KYC value it may spell.
        f.write_str(&ident(self.file.display()))?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// One thing wrong with a config or profile file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub location: Option<Location>,
    /// Dotted path of the offending key (`profiles.billy.address.country`); empty for a problem
    /// with the file as a whole (a TOML syntax error, a file that cannot be read).
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(
        location: Option<Location>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            location,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        // A key path names profiles too (`profiles.duncan.email`): marked as the file is.
        if !self.field.is_empty() {
            write!(f, "{}: ", ident(&self.field))?;
        }
        f.write_str(&self.message)
    }
}

/// Everything wrong with a config or profile file: one line per problem when displayed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.problems))]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl ConfigError {
    pub fn single(problem: Problem) -> ConfigError {
        ConfigError {
            problems: vec![problem],
        }
    }

    /// A problem with a file as a whole (it cannot be read, say).
    pub fn file(file: &Path, message: impl Into<String>) -> ConfigError {
        ConfigError::single(Problem::new(Some(Location::file_only(file)), "", message))
    }

    /// Problems sorted by file and line (problems without a location first), so the operator reads
    /// them top to bottom.
    pub(crate) fn sorted(mut problems: Vec<Problem>) -> ConfigError {
        problems.sort_by(|a, b| a.location.cmp(&b.location));
        ConfigError { problems }
    }
}

/// A file's text with its line starts, to turn the parser's byte offsets into locations.
pub(crate) struct Source<'a> {
    pub file: &'a Path,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Source<'a> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            file,
            text,
            line_starts,
        }
    }

    /// The location of byte `offset` (clamped to the text).
    pub fn location_at(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        Location::new(self.file, line.max(1), column + 1)
    }

    pub fn location(&self, span: Option<&Range<usize>>) -> Option<Location> {
        span.map(|s| self.location_at(s.start))
    }

    /// The location of the start of the file.
    pub fn start(&self) -> Location {
        Location::new(self.file, 1, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As printed: redaction shows the marked file and key as written.
    fn shown(e: &impl fmt::Display) -> String {
        crate::redact::Redactor::new().redact_str(&e.to_string())
    }

    #[test]
    fn offsets_become_one_based_lines_and_columns() {
        let src = Source::new(Path::new("c.toml"), "a = 1\nbé = 2\n\nc = 3");
        assert_eq!(shown(&src.location_at(0)), "c.toml:1:1");
        assert_eq!(shown(&src.location_at(4)), "c.toml:1:5");
        assert_eq!(shown(&src.location_at(6)), "c.toml:2:1");
        // columns count characters, not bytes
        assert_eq!(shown(&src.location_at(10)), "c.toml:2:4");
        assert_eq!(shown(&src.location_at(15)), "c.toml:4:1");
        assert_eq!(src.location_at(999).line, 4);
    }

    #[test]
    fn errors_display_one_line_per_problem() {
        let e = ConfigError {
            problems: vec![
                Problem::new(
                    Some(Location::new("config.toml", 42, 1)),
                    "profiles.billy.date_of_birth",
                    "\"1960-02-30\" is not a valid date (expected YYYY-MM-DD)",
                ),
                Problem::new(Some(Location::file_only("p.toml")), "", "cannot be read"),
            ],
        };
        assert_eq!(
            shown(&e),
            "config.toml:42:1: profiles.billy.date_of_birth: \"1960-02-30\" is not a valid date (expected YYYY-MM-DD)\np.toml: cannot be read"
        );
    }
}
