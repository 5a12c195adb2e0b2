//! The tick: named system sets in the order of ODD.md section 3, and the [`Simulation`]
//! that owns a world and its schedule.

use crate::engine::calendar::{self, Clock, Season};
use crate::engine::observation::{self, EventLog, MarkerSources, Reporters, TimeSeries};
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, SingleThreadedExecutor};

/// The stages of one tick, run in this order. Systems that touch the same data never run in
/// an undefined order: the schedule refuses to build if they could (ambiguity detection).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TickSet {
    /// Calendar and season.
    Environment,
    /// Convoys spawn, move and deliver; settlements consume; prices follow stocks.
    Logistics,
    /// Who sees whom.
    Sensing,
    /// Insurgent command and cells, army command.
    Decisions,
    /// Least-cost movement.
    Movement,
    /// Ambushes, raids, sweeps, checkpoints, civilian harm.
    Engagements,
    /// Daily: hardship, legitimacy, grievance, recruitment, arrests, displacement.
    Society,
    /// Recruits join cells; cells split and merge; succession; the dead are removed.
    Organisation,
    /// Metrics and events are recorded.
    Observation,
}

impl TickSet {
    pub const ORDER: [TickSet; 9] = [
        TickSet::Environment,
        TickSet::Logistics,
        TickSet::Sensing,
        TickSet::Decisions,
        TickSet::Movement,
        TickSet::Engagements,
        TickSet::Society,
        TickSet::Organisation,
        TickSet::Observation,
    ];
}

/// The end of a day, within [`TickSet::Observation`]: the reporters record, then the
/// domains roll their daily counters, then the clock moves on.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayEnd {
    Record,
    Roll,
    Advance,
}

/// A domain adds its systems to the schedule and its resources and reporters to the world.
pub type Installer = fn(&mut World, &mut Schedule);

/// A world and the schedule that steps it.
pub struct Simulation {
    pub world: World,
    schedule: Schedule,
}

/// The empty tick: the sets in order, the clock, the season and the recorder.
fn core_schedule(world: &mut World) -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    for pair in TickSet::ORDER.windows(2) {
        schedule.configure_sets(pair[0].before(pair[1]));
    }
    schedule.add_systems(calendar::season_system.in_set(TickSet::Environment));
    schedule.configure_sets(
        (DayEnd::Record, DayEnd::Roll, DayEnd::Advance)
            .chain()
            .in_set(TickSet::Observation),
    );
    schedule.add_systems((
        observation::record_day.in_set(DayEnd::Record),
        calendar::advance_clock.in_set(DayEnd::Advance),
    ));
    world.init_resource::<Season>();
    world.init_resource::<Reporters>();
    world.init_resource::<MarkerSources>();
    world.init_resource::<TimeSeries>();
    world.init_resource::<EventLog>();
    world.init_resource::<observation::Collection>();
    let season = Season::of(world.resource::<Clock>().date());
    *world.resource_mut::<Season>() = season;
    schedule
}

impl Simulation {
    /// Builds the schedule from the core and the given domain installers, in order. The
    /// world must already hold a [`Clock`] (the scenario crate builds it).
    pub fn new(mut world: World, installers: &[Installer]) -> Self {
        let mut schedule = core_schedule(&mut world);
        for install in installers {
            install(&mut world, &mut schedule);
        }
        schedule
            .initialize(&mut world)
            .expect("the schedule has no ambiguous or cyclic system order");
        Self { world, schedule }
    }

    /// Steps one tick.
    pub fn step(&mut self) {
        self.schedule.run(&mut self.world);
    }

    pub fn run_ticks(&mut self, ticks: u64) {
        for _ in 0..ticks {
            self.step();
        }
    }

    pub fn run_days(&mut self, days: u32) {
        let ticks = u64::from(days) * self.clock().ticks_per_day();
        self.run_ticks(ticks);
    }

    pub fn clock(&self) -> &Clock {
        self.world.resource::<Clock>()
    }

    pub fn time_series(&self) -> &TimeSeries {
        self.world.resource::<TimeSeries>()
    }

    /// The per-settlement panel (empty for models without settlements).
    pub fn panel(&self) -> Option<&observation::Panel> {
        self.world.get_resource::<observation::Panel>()
    }

    pub fn events(&self) -> &EventLog {
        self.world.resource::<EventLog>()
    }

    pub fn summary(&mut self) -> Vec<(&'static str, Option<f64>)> {
        observation::summarise(&mut self.world)
    }
}
