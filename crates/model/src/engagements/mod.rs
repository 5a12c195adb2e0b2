//! Engagements: fights between the domains' actors, by kind.
//!
//! - [`corridor`]: checkpoints and ambushes on the roads;
//! - [`towns`]: raids on posts and attacks on villages;
//! - [`strikes`]: the army's detections and strikes on cells, and the civilian harm that
//!   force brings with probability 1 - discipline;
//! - [`rivals`]: clashes between cells of rival insurgent commands;
//! - [`militia`]: the pro-government militia's attacks on the villages it suspects;
//! - [`sieges`]: relief columns fighting the rings around besieged towns;
//! - [`report`]: their metrics.
//!
//! An engagement changes the actors that fight (cells, units, convoys) and tells the
//! domains that own the rest what happened: the army hears of attacks and sightings
//! ([`ArmyNews`]), society of harm and violence ([`CivilianNews`]), logistics of trucks
//! lost ([`crate::domains::logistics::data::CorridorNews`]). Every engagement is logged.

pub mod corridor;
pub mod militia;
pub mod report;
pub mod rivals;
pub mod sieges;
pub mod strikes;
pub mod towns;

use crate::domains::army::data::ArmyNews;
use crate::domains::insurgency::data::{Cell, InsurgencyParams, Task, hiding_place};
use crate::domains::society::data::CivilianNews;
use crate::engine::calendar::{Clock, Season};
use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::observation::{Event, EventLog, Reporters};
use crate::engine::rng::{ModelRng, RngExt, SimRng};
use crate::engine::sim::{DayEnd, TickSet};
use crate::engine::tally::Count;
use crate::world::actors::{Route, plan_route};
use crate::world::combat::CombatParams;
use crate::world::pathfinding::Pathfinder;
use crate::world::scale::Scale;
use crate::world::sensing::{self, SpatialIndex};
use crate::world::terrain::{Mobility, TerrainGrid};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// Adds the engagements: the spatial index rebuilt after the moves, then the three kinds of
/// fight in a fixed order, their tally and reporters.
pub fn install(world: &mut World, schedule: &mut Schedule) {
    world.init_resource::<CombatParams>();
    world.init_resource::<EngagementTally>();
    schedule.add_systems(
        (
            sensing::rebuild_index,
            corridor::corridor_attacks,
            towns::town_attacks,
            strikes::army_strikes,
            rivals::rival_clashes,
            militia::militia_abuses,
            sieges::relieve_sieges,
        )
            .chain()
            .in_set(EngagementStep::Fight),
    );
    schedule.configure_sets(EngagementStep::Fight.in_set(TickSet::Engagements));
    schedule.add_systems(roll_day.in_set(DayEnd::Roll));
    report::reporters(&mut world.resource_mut::<Reporters>());
}

/// The engagements' steps; the model orders the domains' news-taking after them.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngagementStep {
    Fight,
}

/// What every engagement system reads.
#[derive(SystemParam)]
pub struct Env<'w> {
    pub clock: Res<'w, Clock>,
    pub scale: Res<'w, Scale>,
    pub season: Res<'w, Season>,
    pub grid: Res<'w, TerrainGrid>,
    pub index: Res<'w, SpatialIndex>,
    pub combat: Res<'w, CombatParams>,
    pub params: Res<'w, InsurgencyParams>,
}

/// What every engagement system writes: the log and tally, the news for the army and for
/// society, and the shared random stream and path finder.
#[derive(SystemParam)]
pub struct Record<'w> {
    pub log: ResMut<'w, EventLog>,
    pub tally: ResMut<'w, EngagementTally>,
    pub army_news: ResMut<'w, Inbox<ArmyNews>>,
    pub civilian_news: ResMut<'w, Inbox<CivilianNews>>,
    pub rng: ResMut<'w, SimRng>,
    pub pathfinder: ResMut<'w, Pathfinder>,
}

impl Record<'_> {
    /// An engagement happened: it is logged and counted.
    fn log(&mut self, event: Event) {
        self.tally.events.one();
        self.log.events.push(event);
    }

    /// An attack the army hears of, to answer after its response delay.
    fn report_attack(&mut self, tick: u64, tile: Tile) {
        self.army_news.post(ArmyNews::Attack { tick, tile });
    }

    /// Violence on a tile, weighing on the exposure of the people near it.
    fn violence(&mut self, tile: Tile, amount: f32) {
        self.civilian_news
            .post(CivilianNews::Violence { tile, amount });
    }

    /// An army strike on a cell: counted with its losses, logged, and violence where it
    /// happened.
    fn count_strike(&mut self, event: &Event) {
        let t = &mut *self.tally;
        t.strikes.one();
        t.soldiers_killed += event.attacker_losses;
        t.fighters_killed += event.defender_losses;
        self.violence(event.tile, 1.0);
        self.log(event.clone());
    }

    /// Civilians killed at a settlement, by either side: counted, and told to society.
    fn civilians_killed(&mut self, town: Entity, killed: u32, by_army: bool) {
        let t = &mut *self.tally;
        t.attacks_on_civilians.one();
        t.civilians_killed.add(killed);
        if by_army {
            t.attacks_on_civilians_by_army += 1;
            t.civilians_killed_by_army += u64::from(killed);
        } else {
            t.attacks_on_civilians_by_insurgents += 1;
            t.civilians_killed_by_insurgents += u64::from(killed);
        }
        self.civilian_news.post(CivilianNews::Killed {
            town,
            killed,
            by_army,
        });
    }
}

/// Running totals of the engagements (and today's counts of the daily metrics).
#[derive(Resource, Clone, Debug, Default)]
pub struct EngagementTally {
    pub ambushes: Count,
    pub successful_ambushes: u64,
    /// Ambushes and checkpoints ahead of escorted convoys that drones saw, so the cells broke off.
    pub ambushes_foiled: u64,
    /// Tankers burned in successful ambushes (P2 counts tankers, not trucks).
    pub tankers_in_ambushes: u64,
    pub checkpoint_stops: Count,
    pub raids: Count,
    pub posts_overrun: u64,
    pub attacks_on_civilians: Count,
    pub attacks_on_civilians_by_insurgents: u64,
    pub attacks_on_civilians_by_army: u64,
    pub civilians_killed: Count,
    pub civilians_killed_by_insurgents: u64,
    pub civilians_killed_by_army: u64,
    pub strikes: Count,
    /// Cells in striking reach that broke contact before the fight (`break_contact`).
    pub contacts_broken: u64,
    pub soldiers_killed: f64,
    pub fighters_killed: f64,
    /// Engagements logged.
    pub events: Count,
    /// Clashes between cells of rival commands, and the fighters both sides lost in them.
    pub rival_clashes: Count,
    pub rival_fighters_killed: f64,
    /// Attacks by militias on villages they suspect, and the civilians they killed (apart
    /// from `attacks_on_civilians` and `civilians_killed`, the insurgents' and the army's,
    /// which the pattern metrics read).
    pub militia_abuses: Count,
    pub civilians_killed_by_militia: u64,
    /// Cells' attacks on villages a militia held, those the militia repelled, and the
    /// militia members killed in them.
    pub reprisals: Count,
    pub reprisals_repelled: u64,
    pub militia_killed: f64,
    /// Fights between a relief column and the ring around a besieged town.
    pub relief_fights: u64,
}

/// Day end, after recording: today's counts start again.
fn roll_day(clock: Res<Clock>, mut tally: ResMut<EngagementTally>) {
    if !clock.is_day_end() {
        return;
    }
    let t = &mut *tally;
    for count in [
        &mut t.ambushes,
        &mut t.checkpoint_stops,
        &mut t.raids,
        &mut t.attacks_on_civilians,
        &mut t.civilians_killed,
        &mut t.strikes,
        &mut t.events,
        &mut t.rival_clashes,
        &mut t.militia_abuses,
        &mut t.reprisals,
    ] {
        count.roll_day();
    }
}

/// After a fight a cell scatters (hit and run): it hides near home for `disperse` ticks,
/// its cohesion shaken by `shock`.
struct Scatter {
    tick: u64,
    disperse: u64,
    shock: f32,
    season: Season,
    scale: Scale,
}

impl Scatter {
    fn new(env: &Env, shock: f64) -> Self {
        Self {
            tick: env.clock.tick,
            disperse: env.scale.ticks(env.params.disperse_hours),
            shock: shock as f32,
            season: *env.season,
            scale: *env.scale,
        }
    }

    /// The tick when the dispersal ends.
    fn until(&self) -> u64 {
        self.tick + self.disperse
    }

    fn apply(
        &self,
        cell: &mut Cell,
        at: Tile,
        route: &mut Route,
        grid: &TerrainGrid,
        pathfinder: &mut Pathfinder,
    ) {
        cell.last_fight = self.tick;
        cell.cohesion = (cell.cohesion - self.shock).max(0.0);
        cell.task = Task::Hide;
        cell.task_until = self.tick + self.disperse;
        let hide = hiding_place(grid, &self.scale, cell.home);
        if !plan_route(
            pathfinder,
            grid,
            self.season,
            Mobility::Motorbike,
            at,
            hide,
            false,
            route,
        ) {
            route.clear();
        }
    }
}

/// A Pareto draw with minimum 1 and density exponent `alpha` (> 1).
pub fn pareto(rng: &mut ModelRng, alpha: f64) -> f64 {
    let u: f64 = rng.random::<f64>().max(1e-12);
    u.powf(-1.0 / (alpha - 1.0))
}

#[cfg(test)]
mod tests;
