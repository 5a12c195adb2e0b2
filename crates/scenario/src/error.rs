//! What went wrong with a file the project reads, a scenario or a sweep spec: the file, and
//! for broken rules every place in it and what was expected there.

use crate::limits::{MAX_ECHO_CHARS, clip_to};
use asymwar_model::check::Violation;
use ron::extensions::Extensions;
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong with a scenario file or a sweep spec. Each message is whole: the cause
/// is part of it rather than a `source()` (which `{:#}` would print a second time).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{file}: cannot read: {error}")]
    Io {
        file: PathBuf,
        error: std::io::Error,
    },
    /// The text is not valid RON for the schema.
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        file: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    /// The file parses but breaks rules: every broken rule, each with its place.
    #[error("{file}: {}", Problems(.problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Violation>,
    },
    #[error(
        "unknown scenario '{name}': not a file, and not one of the built-in scenarios ({known})"
    )]
    Unknown { name: String, known: String },
    /// The scenario a file names (a sweep spec's base scenario) could not be loaded.
    #[error("{file}: base scenario '{scenario}': {error}")]
    Scenario {
        file: PathBuf,
        scenario: String,
        error: Box<FileError>,
    },
}

/// What went wrong with a scenario file.
pub type ScenarioError = FileError;

impl FileError {
    /// The broken rules, for an invalid file.
    pub fn problems(&self) -> &[Violation] {
        match self {
            FileError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }

    /// `Ok` when there are no problems, else every one of them in `file`.
    pub fn check(file: &Path, problems: Vec<Violation>) -> Result<(), FileError> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(FileError::Invalid {
                file: file.to_path_buf(),
                problems,
            })
        }
    }
}

struct Problems<'a>(&'a [Violation]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{}", if n == 1 { "" } else { "s" })?;
        for v in self.0 {
            // A safety net for values echoed whole by a rule (the rules clip their own).
            write!(
                f,
                "\n  {}: {}",
                clip_to(&v.path, 4 * MAX_ECHO_CHARS),
                clip_to(&v.rule, 4 * MAX_ECHO_CHARS)
            )?;
        }
        Ok(())
    }
}

/// The RON extensions of the project's files: newtype variants unwrapped, `Some` implicit.
pub const RON_EXTENSIONS: Extensions =
    Extensions::UNWRAP_VARIANT_NEWTYPES.union(Extensions::IMPLICIT_SOME);

/// The text of a file.
pub fn read_text(file: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(file).map_err(|error| FileError::Io {
        file: file.to_path_buf(),
        error,
    })
}

/// Parses RON text (no checks beyond the syntax and the schema); `file` names it in errors.
pub fn parse_ron<T: DeserializeOwned>(text: &str, file: &Path) -> Result<T, FileError> {
    ron::Options::default()
        .with_default_extension(RON_EXTENSIONS)
        .from_str(text)
        .map_err(|e| FileError::Syntax {
            file: file.to_path_buf(),
            line: e.span.start.line,
            col: e.span.start.col,
            // The parser echoes what it read (a field name, a string): cut it.
            message: clip_to(&e.code.to_string(), 2 * MAX_ECHO_CHARS).into_owned()
                + quoted_choice_hint(text, &e),
        })
}

/// A choice written in quotes (`kind: "garrison"`, the older spelling of unit kinds) where
/// the schema wants a bare name: say how to write it, since RON's own message ("expected
/// an identifier") does not.
fn quoted_choice_hint(text: &str, e: &ron::error::SpannedError) -> &'static str {
    let at_quote = text
        .lines()
        .nth(e.span.start.line.saturating_sub(1))
        .and_then(|l| {
            l.chars()
                .skip(e.span.start.col.saturating_sub(1))
                .find(|c| !c.is_whitespace())
        })
        == Some('"');
    if matches!(e.code, ron::Error::ExpectedIdentifier) && at_quote {
        " (a choice is written as a bare name, without quotes: kind: garrison, road: paved)"
    } else {
        ""
    }
}
