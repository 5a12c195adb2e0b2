//! Reading scenario files, with errors that say where and what.

use crate::schema::ScenarioFile;
use crate::validate::validate;
use asymwar_model::check::Violation;
use ron::extensions::Extensions;
use ron::ser::PrettyConfig;
use std::fmt;
use std::path::{Path, PathBuf};

/// Scenarios built into the binary, so that a run works from any directory.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "mali_blockade",
        include_str!("../../../assets/scenarios/mali_blockade.ron"),
    ),
    (
        "tutorial",
        include_str!("../../../assets/scenarios/tutorial.ron"),
    ),
    (
        "epstein_run1",
        include_str!("../../../assets/scenarios/epstein_run1.ron"),
    ),
    (
        "epstein_run2",
        include_str!("../../../assets/scenarios/epstein_run2.ron"),
    ),
    (
        "epstein_run3",
        include_str!("../../../assets/scenarios/epstein_run3.ron"),
    ),
    (
        "epstein_run4",
        include_str!("../../../assets/scenarios/epstein_run4.ron"),
    ),
    (
        "epstein_run5",
        include_str!("../../../assets/scenarios/epstein_run5.ron"),
    ),
];

/// What went wrong with a scenario file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    /// The text is not valid RON for the schema.
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        file: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    /// The file parses but breaks rules of the model.
    #[error("{file}: {}", Problems(.problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Violation>,
    },
    #[error(
        "unknown scenario '{name}': not a file, and not one of the built-in scenarios ({known})"
    )]
    Unknown { name: String, known: String },
}

struct Problems<'a>(&'a [Violation]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{}", if n == 1 { "" } else { "s" })?;
        for v in self.0 {
            write!(f, "\n  {}: {}", v.path, v.rule)?;
        }
        Ok(())
    }
}

impl ScenarioError {
    /// The broken rules, for an invalid scenario.
    pub fn problems(&self) -> &[Violation] {
        match self {
            ScenarioError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

fn options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::UNWRAP_VARIANT_NEWTYPES | Extensions::IMPLICIT_SOME)
}

/// Parses and validates scenario text; `file` names it in errors.
pub fn parse_str(text: &str, file: &Path) -> Result<ScenarioFile, ScenarioError> {
    let scenario: ScenarioFile = options()
        .from_str(text)
        .map_err(|e| ScenarioError::Syntax {
            file: file.to_path_buf(),
            line: e.span.start.line,
            col: e.span.start.col,
            message: e.code.to_string(),
        })?;
    let problems = validate(&scenario);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioError::Invalid {
            file: file.to_path_buf(),
            problems,
        })
    }
}

/// Reads, parses and validates a scenario file.
pub fn load_file(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    parse_str(&text, path)
}

/// A built-in scenario by name (`mali_blockade`, `tutorial`, `epstein_run1` ...).
pub fn builtin(name: &str) -> Option<Result<ScenarioFile, ScenarioError>> {
    let (n, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
    Some(parse_str(text, Path::new(&format!("<built-in {n}>"))))
}

/// A scenario given on the command line: a file if one exists at that path, else a built-in.
pub fn resolve(arg: &str) -> Result<ScenarioFile, ScenarioError> {
    let path = Path::new(arg);
    if path.exists() {
        return load_file(path);
    }
    // A bare name (no directory, no extension) may be a built-in scenario.
    let bare = path.components().count() == 1 && path.extension().is_none();
    match (bare, builtin(arg)) {
        (true, Some(found)) => found,
        (true, None) => Err(ScenarioError::Unknown {
            name: arg.to_string(),
            known: BUILTIN
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        }),
        (false, _) => Err(ScenarioError::Io {
            file: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        }),
    }
}

/// The scenario as RON text that [`parse_str`] reads back to the same value.
pub fn to_ron(scenario: &ScenarioFile) -> String {
    let config = PrettyConfig::new()
        .struct_names(false)
        .extensions(Extensions::UNWRAP_VARIANT_NEWTYPES | Extensions::IMPLICIT_SOME);
    ron::ser::to_string_pretty(scenario, config).expect("a scenario always serialises")
}
