//! Society (daily): civilian cohorts feel hardship from scarcity and violence, judge the
//! state's legitimacy, and by Epstein's rule (the one implementation in [`grievance`]) turn
//! active; active people join cells nearby or found new ones; the state arrests and jails;
//! people flee the violence.
//!
//! A cohort stands for `cohort_size` people of one settlement and its countryside. People
//! are conserved: every person is in a cohort (quiet, sympathiser, displaced, jailed),
//! has joined a cell or a militia, or was killed; [`PeopleLedger`] checks it.
//!
//! - [`data`]: parameters, cohorts, settlements, violence, the ledger, messages;
//! - [`grievance`]: Epstein's rule (shared with the civil violence model);
//! - [`daily`]: the daily pass;
//! - [`levy`]: the militias' call-up, answered from the cohorts;
//! - [`rivalry`]: rival commands' share of a settlement's recruits;
//! - [`report`]: its metrics.

pub mod daily;
pub mod data;
pub mod grievance;
pub mod levy;
mod pass;
pub mod report;
pub mod rivalry;

pub use data::*;
pub use report::people_accounted;

use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::observation::Reporters;
use crate::engine::rng::{Purpose, RngExt, Seed, stream};
use crate::engine::sim::{DayEnd, TickSet};
use crate::world::actors::ActorId;
use crate::world::settlement::Settlement;
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;
use grievance::ActivationParams;

/// Society's steps; the model orders them among the other domains'.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocietyStep {
    /// News from the other domains, then the daily pass.
    Daily,
    /// Day end: today's counters roll.
    RollDay,
}

/// Adds society: the cohorts of every settlement, its resources, systems and reporters.
pub fn install(world: &mut World, schedule: &mut Schedule) {
    world.init_resource::<SocietyParams>();
    world.init_resource::<ActivationParams>();
    world.init_resource::<RecruitRequests>();
    world.init_resource::<crate::domains::insurgency::data::Factions>();
    world.init_resource::<Inbox<CivilianNews>>();
    setup(world);
    schedule.configure_sets((
        SocietyStep::Daily.in_set(TickSet::Society),
        SocietyStep::RollDay.in_set(DayEnd::Roll),
    ));
    schedule.add_systems((
        (daily::take_news, levy::militia_levy, daily::society_daily)
            .chain()
            .in_set(SocietyStep::Daily),
        roll_day.in_set(SocietyStep::RollDay),
    ));
    report::reporters(&mut world.resource_mut::<Reporters>());
}

/// Day end, after recording: today's counts start again.
fn roll_day(clock: Res<crate::engine::calendar::Clock>, mut ledger: ResMut<PeopleLedger>) {
    if clock.is_day_end() {
        ledger.recruits.roll_day();
        ledger.cells_founded.roll_day();
        ledger.militia_recruits.roll_day();
    }
}

/// Spawns the cohorts of every settlement and the society resources.
pub fn setup(world: &mut World) {
    let p = world.resource::<SocietyParams>().clone();
    let seed = world.resource::<Seed>().0;
    let grid = world.resource::<TerrainGrid>();
    let (width, height) = (grid.width, grid.height);
    let tile_km = grid.projection.tile_km as f32;
    let mut towns: Vec<(ActorId, Entity, Tile, u32)> = world
        .query::<(&ActorId, Entity, &Settlement)>()
        .iter(world)
        .map(|(id, e, s)| (*id, e, s.tile, s.population))
        .collect();
    towns.sort();
    let mut society = Society::default();
    for &(_, e, tile, _) in &towns {
        society.towns.push(Community {
            entity: Some(e),
            tile,
            legitimacy: p.base_legitimacy,
            ..Default::default()
        });
    }
    // Nearest settlement of every tile (30 towns x 26,000 tiles: once, at setup).
    let n = usize::from(width) * usize::from(height);
    society.nearest = vec![u16::MAX; n];
    society.nearest_km = vec![f32::INFINITY; n];
    society.grid_width = usize::from(width);
    for y in 0..height {
        for x in 0..width {
            let t = Tile::new(x, y);
            let i = usize::from(y) * usize::from(width) + usize::from(x);
            for (k, c) in society.towns.iter().enumerate() {
                let d = c.tile.distance(t) as f32 * tile_km;
                if d < society.nearest_km[i] {
                    society.nearest_km[i] = d;
                    society.nearest[i] = k as u16;
                }
            }
        }
    }
    let mut rng = stream(seed, Purpose::Society, 0, 0);
    let mut cohorts = Cohorts::default();
    let mut total = 0u64;
    for (k, &(_, _, _, pop)) in towns.iter().enumerate() {
        let people = (f64::from(pop) * (1.0 + p.rural_ratio)).round() as u64;
        total += people;
        let full = people / u64::from(p.cohort_size);
        let rest = people % u64::from(p.cohort_size);
        for j in 0..full + u64::from(rest > 0) {
            let size = if j < full { p.cohort_size } else { rest as u32 } as u16;
            // Not armed: set on the first daily pass for those already active (their
            // recruits are in the initial cells).
            let h0 = rng.random_range(p.h0_min as f32..=p.h0_max as f32);
            cohorts.push(Cohort::new(k as u16, size, h0, rng.random::<f32>()));
        }
    }
    for c in cohorts.iter() {
        let t = &mut society.towns[usize::from(c.home)];
        t.cohorts += 1;
        t.people += u64::from(c.size);
    }
    world.insert_resource(cohorts);
    world.insert_resource(society);
    world.insert_resource(Violence {
        level: vec![0.0; n],
        width,
    });
    world.insert_resource(PeopleLedger {
        initial: total,
        ..Default::default()
    });
}

#[cfg(test)]
mod tests;
