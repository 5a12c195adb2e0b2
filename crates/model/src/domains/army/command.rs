//! The army command: every few hours it tasks its units (escorts to crossings where
//! trucks wait, responses to reported attacks after its delay, sweeps towards detected
//! cells, patrols under route security) and sends idle units home. It learns from the
//! engagements through [`ArmyNews`].

use super::data::*;
use crate::domains::insurgency::data::Sieges;
use crate::domains::logistics::data::{CrossingQueues, LogisticsParams, LogisticsTally};
use crate::domains::society::data::CivilianNews;
use crate::engine::calendar::{Clock, Season};
use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::world::actors::{ActorId, Position, Route, plan_route};
use crate::world::pathfinding::Pathfinder;
use crate::world::scale::Scale;
use crate::world::settlement::{RoadNetwork, Settlement};
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;

/// Route security: the stretches of a corridor the patrols take in turn.
const PATROL_STRETCHES: usize = 4;
/// Reports nobody could answer within this many hours count against the state.
const STALE_REPORT_HOURS: f64 = 72.0;
/// Sightings older than this many hours are no longer worth a sweep.
const SIGHTING_HOURS: f64 = 48.0;
/// Sweeps launched per tasking, towards the most recent sightings.
const SWEEPS_PER_TASKING: usize = 4;
/// Pace at which the command plans a column's travel (halts and checks included): a
/// response or sweep lasts its task plus twice the travel at this pace.
const PLANNED_KM_PER_HOUR: f64 = 2.5;

/// Decisions: the command tasks its units (see the module's description).
#[allow(clippy::too_many_arguments)]
pub fn army_command(
    clock: Res<Clock>,
    scale: Res<Scale>,
    season: Res<Season>,
    grid: Res<TerrainGrid>,
    params: Res<ArmyParams>,
    logistics: Res<LogisticsParams>,
    net: Res<RoadNetwork>,
    queues: Res<CrossingQueues>,
    supply: Res<LogisticsTally>,
    mut command: ResMut<ArmyCommand>,
    mut roster: ResMut<EscortRoster>,
    mut pathfinder: ResMut<Pathfinder>,
    mut civilian_news: ResMut<Inbox<CivilianNews>>,
    mut units: Taskable,
    towns: Query<&Settlement>,
    sieges: Res<Sieges>,
) {
    let tick = clock.tick;
    if tick < command.next_tasking {
        return;
    }
    let every = scale.period(params.command_every_hours);
    command.next_tasking = tick + every;

    let mut order: Vec<(ActorId, Entity)> = units.iter().map(|(e, id, ..)| (*id, e)).collect();
    order.sort();
    let mut go = Dispatch {
        season: *season,
        grid: &grid,
        pathfinder: &mut pathfinder,
        order: &order,
    };
    go.recall_idle(&mut units, &roster, &towns, tick);
    if params.escort_doctrine == EscortDoctrine::EscortedConvoys {
        // Escorts come first once the capital has gone short long enough.
        let escorts_first = f64::from(supply.capital_shortage_days) >= params.escort_priority_days;
        go.escort_waiting_trucks(
            &mut units,
            &net,
            &queues,
            &logistics,
            &mut roster,
            escorts_first,
        );
    }
    let task_ticks = scale.ticks(params.task_hours);
    let travel_and_task = |tiles: usize| {
        Some(tick + task_ticks + scale.ticks(scale.km(tiles as f64) / PLANNED_KM_PER_HOUR))
    };
    let answers = go.answer_reports(
        &mut units,
        &mut command,
        scale.ticks(params.response_delay_hours),
        scale.ticks(STALE_REPORT_HOURS),
        tick,
        &travel_and_task,
    );
    for (tile, answered) in answers {
        civilian_news.post(CivilianNews::Answered { tile, answered });
    }
    go.sweep_sightings(
        &mut units,
        &mut command,
        scale.ticks(SIGHTING_HOURS),
        tick,
        &travel_and_task,
    );
    if params.relieve_min_ratio > 0.0 {
        go.relieve_sieges(
            &mut units,
            &sieges,
            params.relieve_min_ratio,
            &travel_and_task,
        );
    }
    if params.escort_doctrine == EscortDoctrine::RouteSecurity {
        go.patrol_corridors(&mut units, &net, tick, every, task_ticks);
    }
}

/// Engagements set, last: the attacks, sightings and intelligence of the day's fights
/// reach the command, in the order they happened.
pub fn take_intelligence(mut news: ResMut<Inbox<ArmyNews>>, mut command: ResMut<ArmyCommand>) {
    for n in news.drain() {
        match n {
            ArmyNews::Attack { tick, tile } => command.reports.push(Report {
                tick,
                tile,
                answered: false,
            }),
            ArmyNews::Sighting(s) => command.sightings.push(s),
            ArmyNews::Intel {
                command: on,
                amount,
            } => command.add_intel(on, amount),
        }
    }
}

/// Organisation set, after succession: the command forgets what it knew of a command that
/// has a new leader.
pub fn forget_successors(
    mut replaced: ResMut<Inbox<CommandReplaced>>,
    mut command: ResMut<ArmyCommand>,
) {
    for m in replaced.drain() {
        command.intel_on.retain(|(c, _)| *c != m.command);
    }
}

/// A unit the command can task: in reserve, not a garrison, with fuel for the road.
fn available(u: &ArmyUnit) -> bool {
    u.posture == Posture::Reserve
        && u.kind != UnitKind::Garrison
        && u.fuel_l > 0.2 * u.fuel_capacity_l
}

/// A unit that can be taken off a response, sweep or patrol to escort fuel.
fn can_escort(u: &ArmyUnit) -> bool {
    matches!(
        u.posture,
        Posture::Reserve | Posture::Respond | Posture::Sweep | Posture::Patrol
    ) && u.kind != UnitKind::Garrison
        && u.fuel_l > 0.2 * u.fuel_capacity_l
}

fn not_special_forces(k: UnitKind) -> bool {
    k != UnitKind::SpecialForces
}

/// The army's units that the command can task (escorts move with their convoys).
type Taskable<'w, 's> = Query<
    'w,
    's,
    (
        Entity,
        &'static ActorId,
        &'static mut ArmyUnit,
        &'static Position,
        &'static mut Route,
    ),
    Without<Escorting>,
>;

/// Sends units on tasks: plans the route, then sets posture, target and when the task
/// lapses (from the route's length). A unit with no path keeps what it was doing.
struct Dispatch<'a> {
    season: Season,
    grid: &'a TerrainGrid,
    pathfinder: &'a mut Pathfinder,
    /// The units in id order: every choice among them is made in this order.
    order: &'a [(ActorId, Entity)],
}

impl Dispatch<'_> {
    /// Units whose sweep, response or patrol ended, and escorts whose crossing no longer
    /// waits for them, go back to base.
    fn recall_idle(
        &mut self,
        units: &mut Taskable,
        roster: &EscortRoster,
        towns: &Query<&Settlement>,
        tick: u64,
    ) {
        for &(_, e) in self.order {
            let Ok((_, _, mut u, pos, mut route)) = units.get_mut(e) else {
                continue;
            };
            let lapsed = matches!(
                u.posture,
                Posture::Sweep | Posture::Respond | Posture::Patrol
            ) && tick >= u.task_until;
            let stranded_escort = u.posture == Posture::Escort && !roster.0.contains(&Some(e));
            if lapsed || stranded_escort {
                u.posture = Posture::Reserve;
                u.target = None;
                if let Ok(base) = towns.get(u.base)
                    && pos.tile != base.tile
                {
                    plan_route(
                        self.pathfinder,
                        self.grid,
                        self.season,
                        u.kind.mobility(),
                        pos.tile,
                        base.tile,
                        true,
                        &mut route,
                    );
                }
            }
        }
    }

    /// An escort for each crossing where a convoy's worth of tankers waits (escorts are
    /// for fuel: goods trucks travel on their own).
    fn escort_waiting_trucks(
        &mut self,
        units: &mut Taskable,
        net: &RoadNetwork,
        queues: &CrossingQueues,
        logistics: &LogisticsParams,
        roster: &mut EscortRoster,
        escorts_first: bool,
    ) {
        for (i, crossing) in net.crossings.iter().enumerate() {
            let waiting = queues.tankers[i];
            if roster.0[i].is_some() || waiting < f64::from(logistics.escort_min_convoy) {
                continue;
            }
            // Once fuel for the capital comes first (the state's answer to the blockade was
            // to reinforce the escorts), a unit on a response, sweep or patrol is taken off
            // it when no unit waits in reserve.
            let unit = self
                .nearest(units, crossing.tile, available, not_special_forces)
                .or_else(|| {
                    escorts_first
                        .then(|| self.nearest(units, crossing.tile, can_escort, not_special_forces))
                        .flatten()
                });
            if let Some(e) = unit
                && self.send(units, e, crossing.tile, true, Posture::Escort, |_| None)
            {
                roster.0[i] = Some(e);
            }
        }
    }

    /// Responses to attacks reported at least `delay` ticks ago; a response lasts the task
    /// plus twice the travel. Returns each report answered or given up on (stale), by tile.
    fn answer_reports(
        &mut self,
        units: &mut Taskable,
        command: &mut ArmyCommand,
        delay: u64,
        stale: u64,
        tick: u64,
        travel_and_task: &dyn Fn(usize) -> Option<u64>,
    ) -> Vec<(Tile, bool)> {
        let mut answers = Vec::new();
        let mut reports = std::mem::take(&mut command.reports);
        for r in reports
            .iter_mut()
            .filter(|r| !r.answered && tick >= r.tick + delay)
        {
            if let Some(e) = self.nearest_available(units, r.tile, not_special_forces)
                && self.send(units, e, r.tile, false, Posture::Respond, travel_and_task)
            {
                r.answered = true;
                command.answered_attacks += 1;
                answers.push((r.tile, true));
            }
        }
        for r in &reports {
            if !r.answered && tick >= r.tick + delay + stale {
                command.unanswered_attacks += 1;
                answers.push((r.tile, false));
            }
        }
        reports.retain(|r| !r.answered && tick < r.tick + delay + stale);
        command.reports = reports;
        answers
    }

    /// Sweeps towards the most recent sightings of cells (those younger than `fresh`).
    fn sweep_sightings(
        &mut self,
        units: &mut Taskable,
        command: &mut ArmyCommand,
        fresh: u64,
        tick: u64,
        travel_and_task: &dyn Fn(usize) -> Option<u64>,
    ) {
        command.sightings.retain(|s| tick < s.tick + fresh);
        let mut sightings = command.sightings.clone();
        sightings.sort_by_key(|s| (std::cmp::Reverse(s.tick), s.tile));
        for s in sightings.iter().take(SWEEPS_PER_TASKING) {
            if let Some(e) = self.nearest_available(units, s.tile, |_| true) {
                self.send(units, e, s.tile, false, Posture::Sweep, travel_and_task);
            }
        }
    }

    /// A column for each besieged town none is on its way to: the nearest available unit
    /// strong enough (`relieve_min_ratio` times the ring's fighters), sent on a sweep to
    /// the town; the engagements fight the ring when it gets there.
    fn relieve_sieges(
        &mut self,
        units: &mut Taskable,
        sieges: &Sieges,
        ratio: f64,
        travel_and_task: &dyn Fn(usize) -> Option<u64>,
    ) {
        for siege in &sieges.active {
            let on_its_way = units
                .iter()
                .any(|(_, _, u, ..)| u.posture == Posture::Sweep && u.target == Some(siege.tile));
            if on_its_way {
                continue;
            }
            let needed = ratio * f64::from(siege.fighters);
            let mut best: Option<(f64, ActorId, Entity)> = None;
            for &(id, e) in self.order {
                let Ok((_, _, u, pos, _)) = units.get(e) else {
                    continue;
                };
                if !available(u) || f64::from(u.soldiers * u.kind.firepower()) < needed {
                    continue;
                }
                let d = pos.tile.distance(siege.tile);
                if best.is_none_or(|b| (d, id) < (b.0, b.1)) {
                    best = Some((d, id, e));
                }
            }
            if let Some((_, _, e)) = best {
                self.send(units, e, siege.tile, true, Posture::Sweep, travel_and_task);
            }
        }
    }

    /// Route security: idle units patrol the corridors, each unit moving in turn to the
    /// middle of one of `PATROL_STRETCHES` stretches of a corridor, so that over the days
    /// the patrols cover every stretch where checkpoints stand (a checkpoint sits on the
    /// road; a patrol strikes the cells it detects within its reach).
    fn patrol_corridors(
        &mut self,
        units: &mut Taskable,
        net: &RoadNetwork,
        tick: u64,
        every: u64,
        task_ticks: u64,
    ) {
        for &(id, e) in self.order {
            if !units.get(e).is_ok_and(|(_, _, u, ..)| available(u)) {
                continue;
            }
            let turn = id.0 as usize + (tick / every) as usize;
            let corridors = net.corridors.len().max(1);
            let k = &net.corridors[turn % corridors];
            let stretch = (turn / corridors) % PATROL_STRETCHES;
            let at = k.tiles.len() * (2 * stretch + 1) / (2 * PATROL_STRETCHES);
            if let Some(&t) = k.tiles.get(at) {
                self.send(units, e, t, true, Posture::Patrol, |_| {
                    Some(tick + 2 * task_ticks)
                });
            }
        }
    }

    fn send(
        &mut self,
        units: &mut Taskable,
        e: Entity,
        to: Tile,
        shared_destination: bool,
        posture: Posture,
        until: impl FnOnce(usize) -> Option<u64>,
    ) -> bool {
        let Ok((_, _, mut u, pos, mut route)) = units.get_mut(e) else {
            return false;
        };
        let mobility = u.kind.mobility();
        if !plan_route(
            self.pathfinder,
            self.grid,
            self.season,
            mobility,
            pos.tile,
            to,
            shared_destination,
            &mut route,
        ) {
            return false;
        }
        u.posture = posture;
        u.target = Some(to);
        if let Some(t) = until(route.tiles.len()) {
            u.task_until = t;
        }
        true
    }

    /// The nearest available unit of an acceptable kind (ties to the lower id).
    fn nearest_available(
        &self,
        units: &Taskable,
        to: Tile,
        kind_ok: impl Fn(UnitKind) -> bool,
    ) -> Option<Entity> {
        self.nearest(units, to, available, kind_ok)
    }

    /// The nearest unit that `free` accepts, of an acceptable kind (ties to the lower id).
    fn nearest(
        &self,
        units: &Taskable,
        to: Tile,
        free: fn(&ArmyUnit) -> bool,
        kind_ok: impl Fn(UnitKind) -> bool,
    ) -> Option<Entity> {
        let mut best: Option<(f64, ActorId, Entity)> = None;
        for &(id, e) in self.order {
            let Ok((_, _, u, pos, _)) = units.get(e) else {
                continue;
            };
            if !free(u) || !kind_ok(u.kind) {
                continue;
            }
            let d = pos.tile.distance(to);
            if best.is_none_or(|b| (d, id) < (b.0, b.1)) {
                best = Some((d, id, e));
            }
        }
        best.map(|b| b.2)
    }
}
