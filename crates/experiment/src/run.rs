//! One run: a scenario, a seed and a length in, a time series, a summary and events out.

use asymwar_model::Simulation;
use asymwar_model::geo::Projection;
use asymwar_model::observation::{Collection, Event, Panel, TimeSeries};
use asymwar_model::terrain::TerrainGrid;
use asymwar_scenario::limits::{MAX_CV_TICKS, MAX_DAYS};
use asymwar_scenario::{ScenarioFile, build_simulation};

/// What to change from the scenario's own settings.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Length in days (calendar models only).
    pub days: Option<u32>,
    /// Length in ticks (any model); wins over `days`.
    pub ticks: Option<u64>,
    /// Record the time series every this many days (default 1; 0 records nothing).
    pub collect_every_days: Option<u32>,
}

/// Everything a run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The scenario as run: seed and length resolved, so that it repeats the run exactly.
    pub scenario: ScenarioFile,
    pub seed: u64,
    pub ticks: u64,
    pub series: TimeSeries,
    pub summary: Vec<(&'static str, Option<f64>)>,
    pub events: Vec<Event>,
    /// The per-settlement daily panel (none for models without settlements).
    pub panel: Option<Panel>,
    /// The map projection, for placing events (none for abstract models).
    pub projection: Option<Projection>,
    pub hours_per_tick: u32,
    pub start: chrono::NaiveDate,
}

impl RunOutput {
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.summary
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| *v)
    }
}

/// Whether the length the options ask for lies within the limits that scenario files have
/// ([`MAX_DAYS`] days; [`MAX_CV_TICKS`] ticks for models without a calendar), so that the
/// command line cannot ask for what a file may not.
pub fn check_length(scenario: &ScenarioFile, opts: &RunOptions) -> Result<(), String> {
    let tpd = scenario.ticks_per_day().max(1);
    let max_ticks = match scenario {
        ScenarioFile::Conflict(_) => u64::from(MAX_DAYS) * tpd,
        ScenarioFile::CivilViolence(_) => MAX_CV_TICKS,
    };
    let why = "a century of days; time and the time series grow with the length";
    if let Some(t) = opts.ticks {
        if t > max_ticks {
            return Err(format!(
                "--ticks {t}: over the limit of {max_ticks} ticks for this scenario ({why})"
            ));
        }
    } else if let Some(d) = opts.days
        && u64::from(d) * tpd > max_ticks
    {
        return Err(format!(
            "--days {d}: over the limit of {} days ({why})",
            max_ticks / tpd
        ));
    }
    Ok(())
}

/// The scenario with the options applied, and the number of ticks to run.
pub fn resolve(scenario: &ScenarioFile, opts: &RunOptions) -> (ScenarioFile, u64) {
    let mut s = scenario.clone();
    if let Some(seed) = opts.seed {
        s.set_seed(seed);
    }
    let tpd = s.ticks_per_day();
    let ticks = match (opts.ticks, opts.days) {
        (Some(t), _) => t,
        (None, Some(d)) => u64::from(d) * tpd,
        (None, None) => s.ticks(),
    };
    match &mut s {
        ScenarioFile::Conflict(c) => c.calendar.days = ticks.div_ceil(tpd).max(1) as u32,
        ScenarioFile::CivilViolence(c) => c.ticks = ticks,
    }
    (s, ticks)
}

/// Runs a scenario; `progress(done, total)` is called every simulated day or so.
pub fn run(
    scenario: &ScenarioFile,
    opts: &RunOptions,
    progress: impl FnMut(u64, u64),
) -> RunOutput {
    let mut done = run_observed(scenario, opts, progress, |_| {});
    let mut out = done.output_without_log();
    out.events = done.sim.events().events.clone();
    out.panel = done.sim.panel().filter(|p| !p.is_empty()).cloned();
    out
}

/// A run stepped to its end, its simulation kept for the caller to read.
pub struct Finished {
    /// The scenario as run (seed and length resolved).
    pub scenario: ScenarioFile,
    pub seed: u64,
    pub ticks: u64,
    pub sim: Simulation,
}

impl Finished {
    /// The outputs but the event log and the panel (left empty: a run written as it goes
    /// has written them already).
    pub fn output_without_log(&mut self) -> RunOutput {
        let clock = self.sim.clock().clone();
        // The summary first, as it always came (it may close the series' last interval).
        let summary = self.sim.summary();
        RunOutput {
            scenario: self.scenario.clone(),
            seed: self.seed,
            ticks: self.ticks,
            series: self.sim.time_series().clone(),
            summary,
            events: Vec::new(),
            panel: None,
            projection: projection(&self.sim),
            hours_per_tick: clock.hours_per_tick,
            start: clock.start,
        }
    }
}

/// The map projection of a run, for placing events (none for abstract models).
pub fn projection(sim: &Simulation) -> Option<Projection> {
    sim.world
        .get_resource::<TerrainGrid>()
        .map(|g| g.projection)
}

/// Steps a run to its end, calling `progress(done, total)` and `observe(&sim)` about once
/// a simulated day (at most 500 times a run) and after the last tick.
pub fn run_observed(
    scenario: &ScenarioFile,
    opts: &RunOptions,
    mut progress: impl FnMut(u64, u64),
    mut observe: impl FnMut(&Simulation),
) -> Finished {
    let (resolved, ticks) = resolve(scenario, opts);
    let seed = resolved.seed();
    let mut sim = build_simulation(&resolved, seed);
    if let Some(every) = opts.collect_every_days {
        sim.world.insert_resource(Collection { every_days: every });
    }
    let report_every = sim.clock().ticks_per_day().max(1).max(ticks / 500);
    for t in 0..ticks {
        sim.step();
        if (t + 1) % report_every == 0 || t + 1 == ticks {
            progress(t + 1, ticks);
            observe(&sim);
        }
    }
    Finished {
        scenario: resolved,
        seed,
        ticks,
        sim,
    }
}
