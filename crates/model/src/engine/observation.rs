//! Observation: metrics declared by the domains, recorded daily; run totals; the event log.
//!
//! Collection is declared, not hand-written per run (as in Mesa's DataCollector): each
//! domain registers [`Reporter`]s for the daily time series and [`SummaryReporter`]s for the
//! end-of-run totals when it is installed; the recorder calls them in registration order.

use crate::engine::calendar::Clock;
use crate::engine::geo::Tile;
use bevy_ecs::prelude::*;
use chrono::NaiveDate;

/// What a daily metric measures, which says how to aggregate it over several days: counts
/// add up, stocks and rates are averaged (or sampled at the end of the period).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// Events of the day (ambushes, recruits, trucks delivered).
    Count,
    /// A quantity at the end of the day (fuel in stock, fighters, people in jail).
    Stock,
    /// A level, share, price or flag (grievance, price index, electricity on).
    Rate,
}

impl MetricKind {
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Count => "count",
            MetricKind::Stock => "stock",
            MetricKind::Rate => "rate",
        }
    }
}

/// A daily metric.
#[derive(Clone, Copy)]
pub struct Reporter {
    pub name: &'static str,
    pub unit: &'static str,
    pub about: &'static str,
    pub kind: MetricKind,
    pub measure: fn(&mut World) -> f64,
}

/// An end-of-run total; `None` is written as null (e.g. a day that never came).
#[derive(Clone, Copy)]
pub struct SummaryReporter {
    pub name: &'static str,
    pub unit: &'static str,
    pub about: &'static str,
    pub measure: fn(&mut World) -> Option<f64>,
}

/// A daily metric of one place (a settlement): a column of the per-settlement panel.
#[derive(Clone, Copy)]
pub struct PlaceReporter {
    pub name: &'static str,
    pub unit: &'static str,
    pub about: &'static str,
    pub measure: fn(&World, Entity) -> f64,
}

/// The declared metrics of the installed domains.
#[derive(Resource, Default, Clone)]
pub struct Reporters {
    pub daily: Vec<Reporter>,
    pub summary: Vec<SummaryReporter>,
    /// Columns of the per-settlement panel ([`Panel`]).
    pub place: Vec<PlaceReporter>,
}

impl Reporters {
    pub fn daily(
        &mut self,
        name: &'static str,
        unit: &'static str,
        kind: MetricKind,
        about: &'static str,
        measure: fn(&mut World) -> f64,
    ) {
        debug_assert!(
            self.daily.iter().all(|r| r.name != name),
            "duplicate reporter {name}"
        );
        self.daily.push(Reporter {
            name,
            unit,
            about,
            kind,
            measure,
        });
    }

    /// A daily count of events.
    pub fn count(
        &mut self,
        name: &'static str,
        unit: &'static str,
        about: &'static str,
        measure: fn(&mut World) -> f64,
    ) {
        self.daily(name, unit, MetricKind::Count, about, measure);
    }

    /// A stock at the end of each day.
    pub fn stock(
        &mut self,
        name: &'static str,
        unit: &'static str,
        about: &'static str,
        measure: fn(&mut World) -> f64,
    ) {
        self.daily(name, unit, MetricKind::Stock, about, measure);
    }

    /// A level, share, price or flag at the end of each day.
    pub fn rate(
        &mut self,
        name: &'static str,
        unit: &'static str,
        about: &'static str,
        measure: fn(&mut World) -> f64,
    ) {
        self.daily(name, unit, MetricKind::Rate, about, measure);
    }

    pub fn summary(
        &mut self,
        name: &'static str,
        unit: &'static str,
        about: &'static str,
        measure: fn(&mut World) -> Option<f64>,
    ) {
        debug_assert!(
            self.summary.iter().all(|r| r.name != name),
            "duplicate summary {name}"
        );
        self.summary.push(SummaryReporter {
            name,
            unit,
            about,
            measure,
        });
    }
}

impl Reporters {
    /// A column of the per-settlement panel, measured for each place every day.
    pub fn place(
        &mut self,
        name: &'static str,
        unit: &'static str,
        about: &'static str,
        measure: fn(&World, Entity) -> f64,
    ) {
        debug_assert!(
            self.place.iter().all(|r| r.name != name),
            "duplicate place reporter {name}"
        );
        self.place.push(PlaceReporter {
            name,
            unit,
            about,
            measure,
        });
    }
}

impl Reporters {
    /// The metric catalogue as Markdown: every daily metric (name, kind, unit, meaning) and
    /// every run total, in the order they are written. docs/metrics.md is this text for the
    /// default scenario (`asymwar metrics`), checked fresh by the tests.
    pub fn catalogue(&self) -> String {
        let mut out = String::from("| daily metric | kind | unit | meaning |\n|---|---|---|---|\n");
        for r in &self.daily {
            out += &format!(
                "| `{}` | {} | {} | {} |\n",
                r.name,
                r.kind.name(),
                r.unit,
                r.about
            );
        }
        out += "\n| run total (summary.json) | unit | meaning |\n|---|---|---|\n";
        for r in &self.summary {
            out += &format!("| `{}` | {} | {} |\n", r.name, r.unit, r.about);
        }
        if !self.place.is_empty() {
            out +=
                "\n| per-settlement column (settlements.csv) | unit | meaning |\n|---|---|---|\n";
            for r in &self.place {
                out += &format!("| `{}` | {} | {} |\n", r.name, r.unit, r.about);
            }
        }
        out
    }
}

/// How often the daily reporters are recorded (every `every_days` days; 0 = never).
#[derive(Resource, Clone, Copy, Debug)]
pub struct Collection {
    pub every_days: u32,
}

impl Default for Collection {
    fn default() -> Self {
        Self { every_days: 1 }
    }
}

/// The recorded time series: one row per recorded step, one column per daily reporter.
#[derive(Resource, Clone, Debug)]
pub struct TimeSeries {
    /// Name of the index column: "day" for calendar models, "tick" for abstract ones.
    pub index_name: &'static str,
    /// Whether rows carry a calendar date (written as a `date` column).
    pub dated: bool,
    pub columns: Vec<&'static str>,
    /// The index of each row (day or tick number).
    pub days: Vec<u32>,
    /// The date of each row, when `dated`.
    pub dates: Vec<NaiveDate>,
    /// Row-major values: `values[row * columns.len() + column]`.
    pub values: Vec<f64>,
}

impl Default for TimeSeries {
    fn default() -> Self {
        Self {
            index_name: "day",
            dated: true,
            columns: Vec::new(),
            days: Vec::new(),
            dates: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl TimeSeries {
    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    pub fn row(&self, i: usize) -> &[f64] {
        let w = self.columns.len();
        &self.values[i * w..(i + 1) * w]
    }

    pub fn column(&self, name: &str) -> Option<impl Iterator<Item = f64> + '_> {
        let c = self.columns.iter().position(|n| *n == name)?;
        let w = self.columns.len();
        Some((0..self.len()).map(move |r| self.values[r * w + c]))
    }

    pub fn last(&self, name: &str) -> Option<f64> {
        self.column(name)?.last()
    }
}

/// Kinds of logged events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    Ambush,
    Raid,
    Sweep,
    Strike,
    Checkpoint,
    AttackOnCivilians,
    CivilianHarm,
    Arrest,
    Decapitation,
    Succession,
    /// Cells of rival insurgent commands fight each other.
    RivalClash,
    /// A pro-government militia attacks a village it suspects.
    MilitiaAbuse,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Ambush => "ambush",
            EventKind::Raid => "raid",
            EventKind::Sweep => "sweep",
            EventKind::Strike => "strike",
            EventKind::Checkpoint => "checkpoint",
            EventKind::AttackOnCivilians => "attack_on_civilians",
            EventKind::CivilianHarm => "civilian_harm",
            EventKind::Arrest => "arrest",
            EventKind::Decapitation => "decapitation",
            EventKind::Succession => "succession",
            EventKind::RivalClash => "rival_clash",
            EventKind::MilitiaAbuse => "militia_abuse",
        }
    }
}

/// Who took part in an event (entity indices are stable within a run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Actor {
    #[default]
    None,
    Cell(u32),
    Command(u32),
    Army(u32),
    Convoy(u32),
    Settlement(u32),
    Civilians,
    Militia(u32),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::None => Ok(()),
            Actor::Cell(i) => write!(f, "cell:{i}"),
            Actor::Command(i) => write!(f, "command:{i}"),
            Actor::Army(i) => write!(f, "army:{i}"),
            Actor::Convoy(i) => write!(f, "convoy:{i}"),
            Actor::Settlement(i) => write!(f, "settlement:{i}"),
            Actor::Civilians => write!(f, "civilians"),
            Actor::Militia(i) => write!(f, "militia:{i}"),
        }
    }
}

/// One engagement or other notable event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub tick: u64,
    pub kind: EventKind,
    pub tile: Tile,
    pub attacker: Actor,
    pub defender: Actor,
    pub attacker_losses: f64,
    pub defender_losses: f64,
    pub trucks_destroyed: u32,
    pub civilians_killed: u32,
}

impl Event {
    /// An event with no losses yet (the engagement fills them in).
    pub fn new(tick: u64, kind: EventKind, tile: Tile, attacker: Actor, defender: Actor) -> Self {
        Self {
            tick,
            kind,
            tile,
            attacker,
            defender,
            attacker_losses: 0.0,
            defender_losses: 0.0,
            trucks_destroyed: 0,
            civilians_killed: 0,
        }
    }
}

/// Every event of the run, in the order they happened.
#[derive(Resource, Default, Clone, Debug)]
pub struct EventLog {
    pub events: Vec<Event>,
}

/// The places of the per-settlement panel, in the order of its rows within a day.
#[derive(Resource, Default, Clone, Debug)]
pub struct PanelPlaces {
    pub entities: Vec<Entity>,
    pub names: Vec<String>,
}

/// The per-settlement daily panel (long format): one row per recorded day and place, one
/// column per [`PlaceReporter`]. Recorded on the same days as the time series, each value
/// the day's own (not an interval mean): the panel is for diffusion and sieges town by
/// town, where the day matters.
#[derive(Resource, Default, Clone, Debug)]
pub struct Panel {
    pub columns: Vec<&'static str>,
    pub names: Vec<String>,
    /// Day of each row and the index of its place in `names`.
    pub days: Vec<u32>,
    pub dates: Vec<NaiveDate>,
    pub places: Vec<u32>,
    /// Row-major values: `values[row * columns.len() + column]`.
    pub values: Vec<f64>,
}

impl Panel {
    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    pub fn row(&self, r: usize) -> &[f64] {
        let n = self.columns.len();
        &self.values[r * n..(r + 1) * n]
    }
}

/// Records one panel row per place for the day (called by [`record_day`] on recorded days).
fn record_panel(world: &mut World, reporters: &Reporters, day: u32, date: NaiveDate) {
    if reporters.place.is_empty() {
        return;
    }
    let Some(places) = world.get_resource::<PanelPlaces>().cloned() else {
        return;
    };
    let mut values = Vec::with_capacity(places.entities.len() * reporters.place.len());
    for &e in &places.entities {
        for r in &reporters.place {
            values.push((r.measure)(world, e));
        }
    }
    let mut panel = world.get_resource_or_insert_with(Panel::default);
    if panel.columns.is_empty() {
        panel.columns = reporters.place.iter().map(|r| r.name).collect();
        panel.names = places.names.clone();
    }
    for k in 0..places.entities.len() {
        panel.days.push(day);
        panel.dates.push(date);
        panel.places.push(k as u32);
    }
    panel.values.extend(values);
}

/// The days of the current recording interval, summed reporter by reporter.
#[derive(Resource, Default, Clone, Debug)]
pub struct IntervalSums {
    sums: Vec<f64>,
    days: u32,
}

/// Observation set: at the end of every day, calls each daily reporter; at the end of every
/// `every_days`-th day it records one row for the interval: a count is the interval's sum,
/// a stock or a rate the mean of its days (so a weekly row holds the week's ambushes, not
/// the last day's). With `every_days` 1 a row is the day itself.
pub fn record_day(world: &mut World) {
    let clock = world.resource::<Clock>();
    if !clock.is_day_end() {
        return;
    }
    let (day, date) = (clock.day(), clock.date());
    let every = world
        .get_resource::<Collection>()
        .copied()
        .unwrap_or_default()
        .every_days;
    if every == 0 {
        return;
    }
    world.resource_scope(|world, reporters: Mut<Reporters>| {
        let mut interval = world.remove_resource::<IntervalSums>().unwrap_or_default();
        if interval.sums.len() != reporters.daily.len() {
            interval.sums = vec![0.0; reporters.daily.len()];
        }
        for (sum, r) in interval.sums.iter_mut().zip(&reporters.daily) {
            *sum += (r.measure)(world);
        }
        interval.days += 1;
        if (day + 1) % every == 0 {
            let n = f64::from(interval.days);
            let mut ts = world.resource_mut::<TimeSeries>();
            if ts.columns.is_empty() {
                ts.columns = reporters.daily.iter().map(|r| r.name).collect();
            }
            ts.days.push(day);
            ts.dates.push(date);
            for (sum, r) in interval.sums.iter_mut().zip(&reporters.daily) {
                ts.values.push(match r.kind {
                    MetricKind::Count => *sum,
                    MetricKind::Stock | MetricKind::Rate => *sum / n,
                });
                *sum = 0.0;
            }
            interval.days = 0;
            record_panel(world, &reporters, day, date);
        }
        world.insert_resource(interval);
    });
}

/// Computes the end-of-run totals, in registration order.
pub fn summarise(world: &mut World) -> Vec<(&'static str, Option<f64>)> {
    world.resource_scope(|world, reporters: Mut<Reporters>| {
        reporters
            .summary
            .iter()
            .map(|r| (r.name, (r.measure)(world)))
            .collect()
    })
}

/// What a map marker shows. Views (the web page, rendered pictures) draw markers without
/// knowing the domain types behind them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    Settlement,
    Convoy,
    Cell,
    Command,
    ArmyUnit,
    /// Civil violence model: citizens by state, and cops.
    Quiet,
    Active,
    Cop,
}

impl MarkerKind {
    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Settlement => "settlement",
            MarkerKind::Convoy => "convoy",
            MarkerKind::Cell => "cell",
            MarkerKind::Command => "command",
            MarkerKind::ArmyUnit => "army",
            MarkerKind::Quiet => "quiet",
            MarkerKind::Active => "active",
            MarkerKind::Cop => "cop",
        }
    }
}

/// One thing on the map, at continuous tile coordinates (x east, y south).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    pub kind: MarkerKind,
    pub x: f32,
    pub y: f32,
    /// Size in the domain's unit (people, fighters, soldiers, trucks).
    pub size: f32,
    /// A 0-1 state to colour by (a settlement's fuel stock in days of need / 10, a cell's
    /// cohesion ...), or NaN when there is none.
    pub value: f32,
}

/// Functions that list a domain's markers; each domain registers its own when installed.
#[derive(Resource, Default, Clone)]
pub struct MarkerSources(pub Vec<fn(&mut World, &mut Vec<Marker>)>);

/// Every marker of the installed domains, in registration order.
pub fn markers(world: &mut World, out: &mut Vec<Marker>) {
    out.clear();
    let sources = world
        .get_resource::<MarkerSources>()
        .cloned()
        .unwrap_or_default();
    for source in sources.0 {
        source(world, out);
    }
}
