//! Writing a run's outputs: `timeseries.csv`, `summary.json`, `events.csv`, `scenario.ron`.
//!
//! Each file is written to a temporary name and renamed into place, so a crash or a full
//! disk never leaves a half-written file where a whole one was. Nothing here depends on
//! the clock or the machine: the same run gives byte-identical files.

use crate::run::RunOutput;
use anyhow::{Context, Result};
use asymwar_model::calendar::Clock;
use asymwar_model::observation::Panel;
use serde_json::{Map, Value, json};
use std::path::Path;

/// Writes a file whole or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.partial",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("{}: cannot move into place", path.display()))
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

/// The event log as CSV text.
pub fn events_csv(out: &RunOutput) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
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
    ])?;
    let clock = Clock::new(out.start, out.hours_per_tick);
    for e in &out.events {
        let date = Clock {
            tick: e.tick,
            ..clock.clone()
        }
        .date();
        let (lat, lon) = out
            .projection
            .map(|p| {
                let ll = p.tile_centre(e.tile);
                (format!("{:.4}", ll.lat), format!("{:.4}", ll.lon))
            })
            .unwrap_or_default();
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
    Ok(w.into_inner()?)
}

/// The per-settlement panel as CSV text (long format: one row per day and settlement).
pub fn settlements_csv(panel: &Panel) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["day".to_string(), "date".into(), "settlement".into()];
    header.extend(panel.columns.iter().map(|c| c.to_string()));
    w.write_record(&header)?;
    let mut record = Vec::with_capacity(header.len());
    for r in 0..panel.len() {
        record.clear();
        record.push(panel.days[r].to_string());
        record.push(panel.dates[r].to_string());
        record.push(panel.names[panel.places[r] as usize].clone());
        record.extend(panel.row(r).iter().map(|v| v.to_string()));
        w.write_record(&record)?;
    }
    Ok(w.into_inner()?)
}

/// Writes the output files into `dir` (created if missing).
pub fn write_outputs(dir: &Path, out: &RunOutput) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the output directory", dir.display()))?;
    write_atomic(&dir.join("timeseries.csv"), &timeseries_csv(out)?)?;
    write_atomic(&dir.join("summary.json"), &summary_json(out)?)?;
    write_atomic(&dir.join("events.csv"), &events_csv(out)?)?;
    if let Some(panel) = &out.panel {
        write_atomic(&dir.join("settlements.csv"), &settlements_csv(panel)?)?;
    }
    write_atomic(
        &dir.join("scenario.ron"),
        asymwar_scenario::to_ron(&out.scenario).as_bytes(),
    )?;
    Ok(())
}
