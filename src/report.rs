//! `asymwar report`: regenerate the findings blocks of a document (docs/experiments.md)
//! from finished sweeps, so the reported numbers are always the model's.

use crate::figures::{Formats, write_figures};
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
    /// Where the figures go (a folder per sweep), or none.
    pub figures: Option<PathBuf>,
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
        let links = match &args.figures {
            Some(root) => figure_links(dir, &analysis, &root.join(&plan.spec.name), &args.doc)?,
            None => Vec::new(),
        };
        let block = findings_markdown(&plan, &analysis, &display(dir), &links)?;
        doc = replace_block(&doc, &plan.spec.name, &block, &args.doc)?;
        done.push(plan.spec.name.clone());
    }
    write_atomic(&args.doc, doc.as_bytes())?;
    Ok(done)
}

/// Writes the sweep's figures (PNG) into `out`, replacing what an earlier report left
/// there, and returns one line per kind of figure: its title and Markdown links relative
/// to the document.
fn figure_links(
    dir: &Path,
    analysis: &asymwar_experiment::analyze::Analysis,
    out: &Path,
    doc: &Path,
) -> Result<Vec<(String, String)>> {
    if out.exists() {
        for e in std::fs::read_dir(out)? {
            let p = e?.path();
            if p.extension().is_some_and(|x| x == "png") {
                std::fs::remove_file(&p)?;
            }
        }
    }
    let written = write_figures(dir, analysis, out, Formats::PngOnly)?;
    let base = doc.parent().unwrap_or(Path::new(""));
    let mut kinds: Vec<(&str, Vec<String>)> = Vec::new();
    for w in &written {
        let file = &w.files[0];
        let rel = relative(file, base);
        let link = format!("[{}]({rel})", w.title);
        match kinds.iter_mut().find(|(k, _)| *k == w.kind) {
            Some((_, v)) => v.push(link),
            None => kinds.push((w.kind, vec![link])),
        }
    }
    Ok(kinds
        .into_iter()
        .map(|(k, links)| (k.to_string(), links.join(" · ")))
        .collect())
}

/// `path` relative to `base` when it lies under it (both as given, made absolute), else
/// as given; with `/`.
fn relative(path: &Path, base: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (p, b) = (abs(path), abs(base));
    p.strip_prefix(&b)
        .map(Path::to_path_buf)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A directory as the document should name it: relative paths as given, with `/`.
fn display(dir: &Path) -> String {
    dir.to_string_lossy().replace('\\', "/")
}
