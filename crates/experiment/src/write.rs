//! Writing a run's outputs: `timeseries.csv`, `summary.json`, `events.csv`, `scenario.ron`.
//!
//! A run's files are written into a temporary folder that replaces the output folder only
//! when all are written (a single file: to a temporary name, then renamed), so a crash or
//! a full disk never leaves a half-written file, or a mix of two runs, where a run was.
//! The command line's run writes its event log and panel into that folder as the run goes
//! ([`run_into`]); a run killed midway leaves the hidden folder, which the next run into
//! the same place clears. Nothing here depends on the clock or the machine: the same run
//! gives byte-identical files.

use crate::run::{RunOptions, RunOutput, run_observed};
use anyhow::{Context, Result, bail};
use asymwar_model::Simulation;
use asymwar_model::calendar::Clock;
use asymwar_model::geo::Projection;
use asymwar_model::observation::{Event, Panel};
use asymwar_scenario::ScenarioFile;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// Writes a file whole or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.partial",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    // A failed write (a full disk) removes what it wrote: no `*.partial` is left behind.
    if let Err(e) = std::fs::write(&tmp, bytes) {
        std::fs::remove_file(&tmp).ok();
        return Err(e).with_context(|| format!("{}: cannot write", tmp.display()));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        std::fs::remove_file(&tmp).ok();
        anyhow::Error::new(e).context(format!("{}: cannot move into place", path.display()))
    })
}

fn number(v: f64) -> Value {
    serde_json::Number::from_f64(v)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// The time series as CSV text.
pub fn timeseries_csv(out: &RunOutput) -> Result<Vec<u8>> {
    let ts = &out.series;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![ts.index_name.to_string()];
    if ts.dated {
        header.push("date".into());
    }
    header.extend(ts.columns.iter().map(|c| c.to_string()));
    w.write_record(&header)?;
    let mut record = Vec::with_capacity(header.len());
    for r in 0..ts.len() {
        record.clear();
        record.push(ts.days[r].to_string());
        if ts.dated {
            record.push(ts.dates[r].to_string());
        }
        record.extend(ts.row(r).iter().map(|v| v.to_string()));
        w.write_record(&record)?;
    }
    Ok(w.into_inner()?)
}

/// The summary as pretty JSON.
pub fn summary_json(out: &RunOutput) -> Result<Vec<u8>> {
    let mut metrics = Map::new();
    for (name, v) in &out.summary {
        metrics.insert((*name).to_string(), v.map(number).unwrap_or(Value::Null));
    }
    let doc = json!({
        "scenario": out.scenario.name(),
        "seed": out.seed,
        "ticks": out.ticks,
        "hours_per_tick": out.hours_per_tick,
        "start": out.start.to_string(),
        "metrics": metrics,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The event log's columns.
const EVENT_COLUMNS: [&str; 13] = [
    "tick",
    "date",
    "kind",
    "tile_x",
    "tile_y",
    "lat",
    "lon",
    "attacker",
    "defender",
    "attacker_losses",
    "defender_losses",
    "trucks_destroyed",
    "civilians_killed",
];

/// The event log's CSV rows, made as the events come: the whole log at once
/// ([`events_csv`]) or a run's events day by day ([`run_into`]), the same bytes.
pub struct EventRows {
    clock: Clock,
    projection: Option<Projection>,
    /// A tile's latitude and longitude as text, made once per tile: events come back to
    /// the same tiles again and again, and formatting a float to 4 places is the dearest
    /// part of a row. Looked up, never iterated.
    places: HashMap<(u16, u16), (String, String)>,
}

impl EventRows {
    pub fn new(
        start: chrono::NaiveDate,
        hours_per_tick: u32,
        projection: Option<Projection>,
    ) -> Self {
        Self {
            clock: Clock::new(start, hours_per_tick),
            projection,
            places: HashMap::new(),
        }
    }

    /// Writes the rows of `events`.
    pub fn write<W: Write>(&mut self, w: &mut csv::Writer<W>, events: &[Event]) -> Result<()> {
        for e in events {
            let date = Clock {
                tick: e.tick,
                ..self.clock.clone()
            }
            .date();
            let (lat, lon) = match self.projection {
                Some(p) => self
                    .places
                    .entry((e.tile.x, e.tile.y))
                    .or_insert_with(|| {
                        let ll = p.tile_centre(e.tile);
                        (format!("{:.4}", ll.lat), format!("{:.4}", ll.lon))
                    })
                    .clone(),
                None => Default::default(),
            };
            w.write_record([
                e.tick.to_string(),
                date.to_string(),
                e.kind.name().to_string(),
                e.tile.x.to_string(),
                e.tile.y.to_string(),
                lat,
                lon,
                e.attacker.to_string(),
                e.defender.to_string(),
                e.attacker_losses.to_string(),
                e.defender_losses.to_string(),
                e.trucks_destroyed.to_string(),
                e.civilians_killed.to_string(),
            ])?;
        }
        Ok(())
    }
}

/// The event log as CSV text.
pub fn events_csv(out: &RunOutput) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(EVENT_COLUMNS)?;
    EventRows::new(out.start, out.hours_per_tick, out.projection).write(&mut w, &out.events)?;
    Ok(w.into_inner()?)
}

/// The per-settlement panel as CSV text (long format: one row per day and settlement).
pub fn settlements_csv(panel: &Panel) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    panel_header(&mut w, panel)?;
    panel_rows(&mut w, panel)?;
    Ok(w.into_inner()?)
}

fn panel_header<W: Write>(w: &mut csv::Writer<W>, panel: &Panel) -> Result<()> {
    let mut header = vec!["day".to_string(), "date".into(), "settlement".into()];
    header.extend(panel.columns.iter().map(|c| c.to_string()));
    w.write_record(&header)?;
    Ok(())
}

fn panel_rows<W: Write>(w: &mut csv::Writer<W>, panel: &Panel) -> Result<()> {
    let mut record = Vec::with_capacity(panel.columns.len() + 3);
    for r in 0..panel.len() {
        record.clear();
        record.push(panel.days[r].to_string());
        record.push(panel.dates[r].to_string());
        record.push(panel.names[panel.places[r] as usize].clone());
        record.extend(panel.row(r).iter().map(|v| v.to_string()));
        w.write_record(&record)?;
    }
    Ok(())
}

/// The files of a run's output folder.
pub const RUN_FILES: [&str; 5] = [
    "timeseries.csv",
    "summary.json",
    "events.csv",
    "scenario.ron",
    "settlements.csv",
];

/// Writes the output files into `dir` as a set (`settlements.csv` when the model has
/// settlements): all of them replace an earlier run's,
/// or none does (see [`replace_dir`]).
pub fn write_outputs(dir: &Path, out: &RunOutput) -> Result<()> {
    // Every file is made before the folder is touched: a failure here changes nothing.
    // The two large files (the event log and the panel, most of a year's 6 MB) are made
    // on two threads, and the files are written and flushed to the disk at once: the end
    // of a run waits for the slowest file rather than for the sum of them.
    let ((timeseries, summary), (events, panel)) = rayon::join(
        || (timeseries_csv(out), summary_json(out)),
        || {
            rayon::join(
                || events_csv(out),
                || out.panel.as_ref().map(settlements_csv).transpose(),
            )
        },
    );
    let files = [
        timeseries?,
        summary?,
        events?,
        asymwar_scenario::to_ron(&out.scenario).into_bytes(),
    ];
    let panel = panel?;
    replace_dir(dir, &RUN_FILES, |tmp| {
        let named = RUN_FILES.iter().zip(files.iter().chain(&panel));
        std::thread::scope(|s| {
            let writing: Vec<_> = named
                .map(|(name, bytes)| s.spawn(move || write_synced(&tmp.join(name), bytes)))
                .collect();
            // Every file's outcome, the first failure reported (a panic is passed on).
            writing
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect::<Result<Vec<()>>>()
        })?;
        Ok(())
    })
}

/// What a run has added to its event log and panel since the last look.
struct Chunk {
    events: Vec<Event>,
    /// The panel's new rows (with its columns and names), if it has any.
    panel: Option<Panel>,
}

/// How far a run's log and panel have been handed to the writer.
#[derive(Default)]
struct Handed {
    events: usize,
    rows: usize,
}

impl Handed {
    /// The log's and the panel's rows added since the last call.
    fn take(&mut self, sim: &Simulation) -> Chunk {
        let log = &sim.events().events;
        let events = log[self.events.min(log.len())..].to_vec();
        self.events = log.len();
        let panel = sim.panel().filter(|p| p.len() > self.rows).map(|p| {
            let (from, n) = (self.rows, p.columns.len());
            self.rows = p.len();
            Panel {
                columns: p.columns.clone(),
                names: p.names.clone(),
                days: p.days[from..].to_vec(),
                dates: p.dates[from..].to_vec(),
                places: p.places[from..].to_vec(),
                values: p.values[from * n..].to_vec(),
            }
        });
        Chunk { events, panel }
    }
}

/// Runs `scenario` into the output folder `dir`, writing the event log and the panel (most
/// of a year's 6 MB) as the run makes them, on a thread of their own: the run's end then
/// waits only for the last day's rows, the small files and the flush to the disk, not for
/// the whole of them. The files are the bytes [`write_outputs`] writes, and replace an
/// earlier run's as a set in the same way ([`replace_dir`]: a folder that holds anything
/// else is refused before the run starts). Returns the outputs but the log and the panel.
pub fn run_into(
    dir: &Path,
    scenario: &ScenarioFile,
    opts: &RunOptions,
    progress: impl FnMut(u64, u64),
) -> Result<RunOutput> {
    let mut finished = None;
    replace_dir(dir, &RUN_FILES, |tmp| {
        finished = Some(stream_run(tmp, scenario, opts, progress)?);
        Ok(())
    })?;
    Ok(finished.expect("filled when replace_dir succeeds"))
}

/// The run, its log and panel streamed into `tmp`, then its other files.
fn stream_run(
    tmp: &Path,
    scenario: &ScenarioFile,
    opts: &RunOptions,
    progress: impl FnMut(u64, u64),
) -> Result<RunOutput> {
    std::thread::scope(|s| {
        // A bounded queue: a writer slower than the run (a slow disk) holds it back rather
        // than let the rows pile up in memory.
        let (tx, rx) = mpsc::sync_channel::<Chunk>(64);
        let (mut rx, mut writer) = (Some(rx), None);
        let mut handed = Handed::default();
        let mut look = |sim: &Simulation| {
            // The writer starts at the first look: the event rows need the run's clock and
            // map.
            if let Some(rx) = rx.take() {
                let clock = sim.clock();
                let rows = EventRows::new(
                    clock.start,
                    clock.hours_per_tick,
                    crate::run::projection(sim),
                );
                writer = Some(s.spawn(move || write_stream(tmp, rows, rx)));
            }
            // A writer that stopped (a full disk) has its error reported at the join.
            let _ = tx.send(handed.take(sim));
        };
        let mut done = run_observed(scenario, opts, progress, &mut look);
        // The end once more (the last tick's look sent it; a run of no ticks had none).
        look(&done.sim);
        // The writer ends with the queue; the small files are written meanwhile.
        drop(tx);
        let out = done.output_without_log();
        let files = [
            ("timeseries.csv", timeseries_csv(&out)?),
            ("summary.json", summary_json(&out)?),
            (
                "scenario.ron",
                asymwar_scenario::to_ron(&out.scenario).into_bytes(),
            ),
        ];
        let written = files
            .iter()
            .try_for_each(|(name, bytes)| write_synced(&tmp.join(name), bytes));
        let streamed = writer
            .expect("started at the first look")
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        written.and(streamed)?;
        Ok(out)
    })
}

/// The writer's side: `events.csv` from the first chunk on, `settlements.csv` from the
/// first panel rows on (a model without settlements has none), each flushed to the disk at
/// the end.
fn write_stream(tmp: &Path, mut rows: EventRows, chunks: mpsc::Receiver<Chunk>) -> Result<()> {
    let events_path = tmp.join("events.csv");
    let mut events = csv_file(&events_path)?;
    events
        .write_record(EVENT_COLUMNS)
        .with_context(|| format!("{}: cannot write", events_path.display()))?;
    let panel_path = tmp.join("settlements.csv");
    let mut panel: Option<csv::Writer<File>> = None;
    for (n, chunk) in chunks.into_iter().enumerate() {
        // What is written goes to the disk along the way (every 32 looks, about a month):
        // the flush at the end, which the run waits for, then has little left to do.
        if n % 32 == 31 {
            sync_along(&mut events, &events_path)?;
            if let Some(w) = &mut panel {
                sync_along(w, &panel_path)?;
            }
        }
        rows.write(&mut events, &chunk.events)
            .with_context(|| format!("{}: cannot write", events_path.display()))?;
        if let Some(p) = chunk.panel {
            let w = match &mut panel {
                Some(w) => w,
                None => {
                    let mut w = csv_file(&panel_path)?;
                    panel_header(&mut w, &p)
                        .with_context(|| format!("{}: cannot write", panel_path.display()))?;
                    panel.insert(w)
                }
            };
            panel_rows(w, &p).with_context(|| format!("{}: cannot write", panel_path.display()))?;
        }
    }
    close_synced(events, &events_path)?;
    if let Some(w) = panel {
        close_synced(w, &panel_path)?;
    }
    Ok(())
}

/// A CSV writer into a new file.
fn csv_file(path: &Path) -> Result<csv::Writer<File>> {
    let f = File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
    Ok(csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(f))
}

/// Flushes a CSV file's rows so far to the disk.
fn sync_along(w: &mut csv::Writer<File>, path: &Path) -> Result<()> {
    w.flush()
        .and_then(|()| w.get_ref().sync_data())
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// Flushes a CSV file's last rows and the file to the disk.
fn close_synced(w: csv::Writer<File>, path: &Path) -> Result<()> {
    let f = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {}", path.display(), e.error()))?;
    f.sync_all()
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// Writes a file and flushes it to the disk, so that the rename that publishes it cannot
/// overtake its contents after a power cut.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = std::fs::File::create(path)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// Fills a new folder with `fill`, then puts it in the place of `dir`: a temporary folder
/// beside `dir` is filled, then renamed into place only when `fill` succeeded, so an earlier
/// run in `dir` survives any failure (a full disk, a kill) whole, and no half-written file
/// or temporary folder is left behind by an error. `dir` may hold only `owned` files (an
/// earlier run's): a folder with anything else is refused rather than replaced, since the
/// replacement would delete it.
pub fn replace_dir(
    dir: &Path,
    owned: &[&str],
    fill: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let name = dir
        .file_name()
        .with_context(|| format!("{}: the output must name a folder", dir.display()))?
        .to_string_lossy()
        .into_owned();
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("{}: cannot create the folder", parent.display()))?;
    if dir.exists() {
        check_replaceable(dir, owned)?;
    }
    // Hidden names beside `dir`, unique to this process: two runs into one folder at once
    // do not share a temporary folder (the last to finish wins whole).
    clear_leftovers(&parent, &name, dir)?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    std::fs::create_dir(&tmp)
        .with_context(|| format!("{}: cannot create the folder", tmp.display()))?;
    if let Err(e) = fill(&tmp) {
        std::fs::remove_dir_all(&tmp).ok();
        return Err(e.context(format!(
            "{}: nothing was changed (the run was written to {} first)",
            dir.display(),
            tmp.display()
        )));
    }
    // The earlier run steps aside, the new one takes its place, then the earlier one goes.
    let had_old = dir.exists();
    if had_old {
        std::fs::rename(dir, &old).with_context(|| {
            std::fs::remove_dir_all(&tmp).ok();
            format!("{}: cannot move the earlier run aside", dir.display())
        })?;
    }
    if let Err(e) = std::fs::rename(&tmp, dir) {
        if had_old {
            std::fs::rename(&old, dir).ok();
        }
        std::fs::remove_dir_all(&tmp).ok();
        return Err(e).with_context(|| format!("{}: cannot move into place", dir.display()));
    }
    if had_old {
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("{}: cannot remove the earlier run", old.display()))?;
    }
    Ok(())
}

/// Clears what a killed writer left beside `dir`: its temporary folder (half a run), and
/// an earlier run it had moved aside, which goes back in place if nothing replaced it (a
/// kill between the two renames). Only leftovers of processes no longer running are
/// touched, so two runs into one folder at once do not disturb each other.
fn clear_leftovers(parent: &Path, name: &str, dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let (kind, pid) = match rest.split_once('-') {
            Some((kind @ ("tmp" | "old"), pid)) => match pid.parse::<u32>() {
                Ok(pid) => (kind, pid),
                Err(_) => continue,
            },
            _ => continue,
        };
        if process_alive(pid) {
            continue;
        }
        let path = entry.path();
        if kind == "old" && !dir.exists() {
            std::fs::rename(&path, dir)
                .with_context(|| format!("{}: cannot put the earlier run back", path.display()))?;
        } else {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("{}: cannot remove", path.display()))?;
        }
    }
    Ok(())
}

/// Whether process `pid` runs (where the system says: elsewhere, assume it does, and
/// leave its leftovers alone).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// `dir` is a folder holding only `owned` files (or leftovers of their writing).
fn check_replaceable(dir: &Path, owned: &[&str]) -> Result<()> {
    if !dir.is_dir() {
        bail!("{}: exists and is not a folder", dir.display());
    }
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot read", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("{}: cannot read", dir.display()))?;
        let file = entry.file_name().to_string_lossy().into_owned();
        // Earlier versions wrote each file to `<name>.partial` and renamed it.
        let known = owned
            .iter()
            .any(|o| file == *o || file.strip_suffix(".partial") == Some(o));
        if !known {
            bail!(
                "{}: holds {}, which is not a run's output: choose another --out (replacing the folder would delete it)",
                dir.display(),
                entry.path().display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("asymwar-write-{name}-{}", std::process::id()));
        std::fs::remove_dir_all(&d).ok();
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failure_half_way_leaves_the_earlier_run_whole_and_nothing_else() {
        let root = scratch("fail");
        let dir = root.join("run");
        let files = ["a.csv", "b.json"];
        replace_dir(&dir, &files, |tmp| {
            std::fs::write(tmp.join("a.csv"), "old a")?;
            std::fs::write(tmp.join("b.json"), "old b")?;
            Ok(())
        })
        .unwrap();
        // The new run writes one file, then the disk is "full".
        let e = replace_dir(&dir, &files, |tmp| {
            std::fs::write(tmp.join("a.csv"), "new a")?;
            bail!("{}: No space left on device", tmp.join("b.json").display())
        })
        .unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("No space left") && msg.contains("b.json"),
            "{msg}"
        );
        assert!(msg.contains(&dir.display().to_string()), "{msg}");
        assert_eq!(std::fs::read_to_string(dir.join("a.csv")).unwrap(), "old a");
        assert_eq!(
            std::fs::read_to_string(dir.join("b.json")).unwrap(),
            "old b"
        );
        assert_eq!(listing(&root), ["run"], "a temporary folder was left");
        // A whole new run replaces the old one as a set.
        replace_dir(&dir, &files, |tmp| {
            std::fs::write(tmp.join("a.csv"), "new a")?;
            Ok(())
        })
        .unwrap();
        assert_eq!(listing(&dir), ["a.csv"]);
        assert_eq!(listing(&root), ["run"]);
        std::fs::remove_dir_all(&root).ok();
    }

    /// A real full disk: the temporary file is a link to /dev/full (Linux), which refuses
    /// every write with "No space left on device".
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_names_the_path_and_leaves_the_old_file_and_no_partial() {
        let root = scratch("full");
        let path = root.join("runs.csv");
        std::fs::write(&path, "old").unwrap();
        std::os::unix::fs::symlink("/dev/full", root.join("runs.csv.partial")).unwrap();
        let e = format!("{:#}", write_atomic(&path, b"new").unwrap_err());
        assert!(
            e.contains("No space left on device") && e.contains(&root.display().to_string()),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(listing(&root), ["runs.csv"]);
        std::fs::remove_dir_all(&root).ok();
    }

    /// What a kill leaves (a half-written temporary folder; an earlier run moved aside just
    /// before the kill) is cleared, or put back, by the next write.
    #[cfg(target_os = "linux")]
    #[test]
    fn leftovers_of_a_killed_writer_are_cleared_or_put_back() {
        let root = scratch("killed");
        let dir = root.join("run");
        // No process has this id (above Linux's largest pid).
        let dead = u32::MAX;
        std::fs::create_dir_all(root.join(format!(".run.tmp-{dead}"))).unwrap();
        std::fs::write(root.join(format!(".run.tmp-{dead}/a.csv")), "half").unwrap();
        std::fs::create_dir_all(root.join(format!(".run.old-{dead}"))).unwrap();
        std::fs::write(root.join(format!(".run.old-{dead}/a.csv")), "earlier").unwrap();
        // The earlier run comes back in place, then this write fails: nothing else is left.
        let e = replace_dir(&dir, &["a.csv"], |_| bail!("disk full")).unwrap_err();
        assert!(format!("{e:#}").contains("disk full"));
        assert_eq!(listing(&root), ["run"]);
        assert_eq!(
            std::fs::read_to_string(dir.join("a.csv")).unwrap(),
            "earlier"
        );
        std::fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn a_folder_with_other_files_is_not_replaced() {
        let root = scratch("foreign");
        std::fs::write(root.join("thesis.tex"), "years of work").unwrap();
        let e = replace_dir(&root, &["a.csv"], |_| Ok(())).unwrap_err();
        assert!(format!("{e:#}").contains("thesis.tex"), "{e:#}");
        assert_eq!(
            std::fs::read_to_string(root.join("thesis.tex")).unwrap(),
            "years of work"
        );
        std::fs::remove_dir_all(&root).ok();
    }
}
