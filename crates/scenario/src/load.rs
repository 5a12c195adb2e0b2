//! Reading scenario files, with errors that say where and what.

pub use crate::error::ScenarioError;
use crate::error::{FileError, RON_EXTENSIONS, parse_ron, read_text};
use crate::schema::ScenarioFile;
use crate::validate::validate;
use ron::ser::PrettyConfig;
use std::path::Path;

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
        "burkina_djibo",
        include_str!("../../../assets/scenarios/burkina_djibo.ron"),
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

/// Parses and validates scenario text; `file` names it in errors.
pub fn parse_str(text: &str, file: &Path) -> Result<ScenarioFile, ScenarioError> {
    let scenario: ScenarioFile = parse_ron(text, file)?;
    FileError::check(file, validate(&scenario))?;
    Ok(scenario)
}

/// Reads, parses and validates a scenario file.
pub fn load_file(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    parse_str(&read_text(path)?, path)
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
        (true, None) => Err(FileError::Unknown {
            name: arg.to_string(),
            known: BUILTIN
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        }),
        (false, _) => Err(FileError::Io {
            file: path.to_path_buf(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        }),
    }
}

/// The scenario as RON text that [`parse_str`] reads back to the same value.
pub fn to_ron(scenario: &ScenarioFile) -> String {
    let config = PrettyConfig::new()
        .struct_names(false)
        .extensions(RON_EXTENSIONS);
    ron::ser::to_string_pretty(scenario, config).expect("a scenario always serialises")
}
