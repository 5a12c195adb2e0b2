//! `asymwar report`: regenerate the findings blocks of a document (docs/experiments.md)
//! from finished sweeps, so the reported numbers are always the model's.

use anyhow::{Context, Result};
use asymwar_experiment::analyze::analyze;
use asymwar_experiment::report::{findings_markdown, replace_block};
use asymwar_experiment::sweep::open_dir;
use asymwar_experiment::write::write_atomic;
use std::path::{Path, PathBuf};

/// What `asymwar report` was asked.
pub struct ReportArgs {
    pub dirs: Vec<PathBuf>,
    pub doc: PathBuf,
    pub bootstrap: usize,
    pub confidence: f64,
}

/// Analyses every sweep, then rewrites the document once: on any error (a sweep that does
/// not analyse, a missing block) the document is left as it was.
pub fn report(args: &ReportArgs) -> Result<Vec<String>> {
    let mut doc = std::fs::read_to_string(&args.doc)
        .with_context(|| format!("{}: cannot read the document", args.doc.display()))?;
    let mut done = Vec::new();
    for dir in &args.dirs {
        let (plan, _) = open_dir(dir)?;
        let analysis = analyze(dir, args.bootstrap, args.confidence)?;
        let block = findings_markdown(&plan, &analysis, &display(dir), &[])?;
        doc = replace_block(&doc, &plan.spec.name, &block, &args.doc)?;
        done.push(plan.spec.name.clone());
    }
    write_atomic(&args.doc, doc.as_bytes())?;
    Ok(done)
}

/// A directory as the document should name it: relative paths as given, with `/`.
fn display(dir: &Path) -> String {
    dir.to_string_lossy().replace('\\', "/")
}
