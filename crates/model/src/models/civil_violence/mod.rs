//! Epstein's (2002) civil violence model, Model I, on the grievance rules of
//! [`crate::domains::society::grievance`]: the verification model of MODEL.md section 8.
//!
//! Citizens and cops live on a torus, at most one agent per cell. Each tick every agent acts
//! in turn, in a fresh random order, on the state its predecessors left (random sequential
//! update): all citizens then all cops, as in Epstein's own program, or everyone shuffled
//! together, as in NetLogo's Rebellion and Mesa's example ([`UpdateOrder`]). The order
//! decides whether a sudden loss of legitimacy tips (docs/civil_violence.md):
//! - a jailed citizen serves one tick of its term, or, when the term is over, is released
//!   onto the cell of its arrest (or the nearest free one) and acts;
//! - a citizen moves to a random empty cell within vision (if `movement`), then becomes
//!   active when G - R P > T, with G = H (1 - L) and P from
//!   [`crate::domains::society::grievance::arrest_probability`] (C cops and A actives within vision, itself
//!   included in A);
//! - a cop moves to a random empty cell within vision (if `cops_move`), then arrests a random
//!   active citizen within vision, if any, and takes its cell; the term is uniform in
//!   [0, J_max].
//!
//! Use: `populate` a world, then `Simulation::new(world, &[civil_violence::install])`.

mod board;
mod colour;
mod engine;
mod grid;
mod params;
mod rules;

pub use engine::{CivilViolence, Condition, Outbursts};
pub use grid::{Neighbourhood, NeighbourhoodKind, Torus};
pub use params::{CivilViolenceParams, CopSchedule, LegitimacySchedule, Scheduling, UpdateOrder};

use crate::engine::calendar::Clock;
use crate::engine::observation::{Marker, MarkerSources, Reporters, TimeSeries};
use crate::engine::rng::{self, Purpose, Seed, SimRng};
use crate::engine::sim::TickSet;
use bevy_ecs::prelude::*;
use chrono::NaiveDate;

/// Builds a civil violence world: a daily clock (one tick is one day, so the recorder keeps
/// one row per tick), the seed, the generator, the agents and the time series labelled by
/// tick.
pub fn populate(world: &mut World, params: &CivilViolenceParams, seed: u64) {
    let start = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");
    world.insert_resource(Clock::new(start, 24));
    world.insert_resource(Seed(seed));
    world.insert_resource(SimRng::new(seed));
    world.insert_resource(TimeSeries {
        index_name: "tick",
        dated: false,
        ..Default::default()
    });
    let mut placement = rng::stream(seed, Purpose::CivilViolence, 0, 0);
    world.insert_resource(CivilViolence::new(params.clone(), &mut placement));
}

/// Society set: one tick of the civil violence model.
pub fn civil_violence_system(mut cv: ResMut<CivilViolence>, mut rng: ResMut<SimRng>) {
    cv.step(&mut rng.0);
}

/// Adds the tick and the reporters. The world must have been built by [`populate`].
pub fn install(world: &mut World, schedule: &mut Schedule) {
    assert!(
        world.contains_resource::<CivilViolence>(),
        "civil_violence::populate the world before installing"
    );
    schedule.add_systems(civil_violence_system.in_set(TickSet::Society));
    world.resource_mut::<MarkerSources>().0.push(markers);
    let mut r = world.resource_mut::<Reporters>();
    r.stock("active", "citizens", "active citizens on the grid", |w| {
        f64::from(w.resource::<CivilViolence>().actives())
    });
    r.stock("quiet", "citizens", "quiet citizens on the grid", |w| {
        f64::from(w.resource::<CivilViolence>().quiet())
    });
    r.stock("jailed", "citizens", "citizens in jail", |w| {
        f64::from(w.resource::<CivilViolence>().jailed())
    });
    r.stock("cops", "cops", "cops on duty", |w| {
        f64::from(w.resource::<CivilViolence>().cops())
    });
    r.rate("legitimacy", "0-1", "regime legitimacy L", |w| {
        w.resource::<CivilViolence>().legitimacy()
    });
    r.summary("ticks", "ticks", "ticks simulated", |w| {
        Some(w.resource::<CivilViolence>().ticks() as f64)
    });
    r.summary("citizens", "citizens", "citizens in the world", |w| {
        Some(f64::from(w.resource::<CivilViolence>().citizens()))
    });
    r.summary(
        "outbursts",
        "count",
        "maximal runs of ticks with more actives than the threshold (50)",
        |w| Some(f64::from(w.resource::<CivilViolence>().outbursts.count)),
    );
    r.summary(
        "mean_waiting_time",
        "ticks",
        "mean quiet spell between consecutive outbursts",
        |w| w.resource::<CivilViolence>().outbursts.mean_waiting_time(),
    );
    r.summary(
        "mean_interval",
        "ticks",
        "mean time from one outburst's start to the next's",
        |w| w.resource::<CivilViolence>().outbursts.mean_interval(),
    );
    r.summary(
        "ticks_in_outburst",
        "ticks",
        "ticks with more actives than the threshold",
        |w| Some(w.resource::<CivilViolence>().outbursts.ticks_above as f64),
    );
    r.summary(
        "peak_actives",
        "citizens",
        "most actives at the end of a tick",
        |w| {
            Some(f64::from(
                w.resource::<CivilViolence>().outbursts.peak_actives,
            ))
        },
    );
    r.summary(
        "peak_tick",
        "tick",
        "first tick with the most actives",
        |w| {
            w.resource::<CivilViolence>()
                .outbursts
                .peak_tick
                .map(|t| t as f64)
        },
    );
    r.summary(
        "final_jailed",
        "citizens",
        "citizens in jail at the end",
        |w| Some(f64::from(w.resource::<CivilViolence>().jailed())),
    );
    r.summary("arrests", "count", "arrests made", |w| {
        Some(w.resource::<CivilViolence>().arrests() as f64)
    });
}

/// Marker source: citizens on the grid and cops on duty.
fn markers(world: &mut World, out: &mut Vec<Marker>) {
    world.resource::<CivilViolence>().markers(out);
}

#[cfg(test)]
mod tests;
