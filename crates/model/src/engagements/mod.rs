//! Engagements: checkpoints and ambushes on the corridors, raids on posts, attacks on
//! villages, and the army's strikes on the cells it detects (with the civilian harm that
//! force brings with probability 1 - discipline). Every engagement is logged.

pub mod combat;

use crate::domains::army::{
    ArmyCommand, ArmyParams, ArmyUnit, Escorting, Posture, Report, Sighting,
};
use crate::domains::insurgency::{Cell, InsurgencyParams, Task, hiding_place};
use crate::domains::logistics::{Convoy, ConvoyState, CrossingQueues, LogisticsTally};
use crate::domains::society::{Society, Violence};
use crate::engagements::combat::{CombatParams, Fight, binomial, resolve, truck_kill_probability};
use crate::engine::calendar::{Clock, Season};
use crate::engine::observation::{Actor, Event, EventKind, EventLog};
use crate::engine::rng::{RngExt, SimRng};
use crate::world::actors::{ActorId, Position, Route, plan_route};
use crate::world::geo::Tile;
use crate::world::pathfinding::Pathfinder;
use crate::world::sensing::SpatialIndex;
use crate::world::settlement::{RoadNetwork, Settlement};
use crate::world::terrain::{Mobility, TerrainGrid};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// What every engagement system reads.
#[derive(SystemParam)]
pub struct Env<'w> {
    pub clock: Res<'w, Clock>,
    pub season: Res<'w, Season>,
    pub grid: Res<'w, TerrainGrid>,
    pub index: Res<'w, SpatialIndex>,
    pub combat: Res<'w, CombatParams>,
    pub params: Res<'w, InsurgencyParams>,
}

/// What every engagement system writes: the log, the tallies, the violence layer, the
/// army's reports, and the shared random stream and path finder.
#[derive(SystemParam)]
pub struct Record<'w> {
    pub log: ResMut<'w, EventLog>,
    pub tally: ResMut<'w, EngagementTally>,
    pub violence: ResMut<'w, Violence>,
    pub army_cmd: ResMut<'w, ArmyCommand>,
    pub rng: ResMut<'w, SimRng>,
    pub pathfinder: ResMut<'w, Pathfinder>,
}

/// Running totals of the engagements.
#[derive(Resource, Clone, Debug, Default)]
pub struct EngagementTally {
    pub ambushes: u64,
    pub successful_ambushes: u64,
    pub checkpoint_stops: u64,
    pub raids: u64,
    pub posts_overrun: u64,
    pub attacks_on_civilians: u64,
    pub attacks_on_civilians_by_insurgents: u64,
    pub attacks_on_civilians_by_army: u64,
    pub civilians_killed: u64,
    pub civilians_killed_by_insurgents: u64,
    pub civilians_killed_by_army: u64,
    pub strikes: u64,
    pub soldiers_killed: f64,
    pub fighters_killed: f64,
    pub today: DailyEngagements,
}

/// Today's counts, reset after recording.
#[derive(Clone, Debug, Default)]
pub struct DailyEngagements {
    pub ambushes: u32,
    pub checkpoint_stops: u32,
    pub raids: u32,
    pub attacks_on_civilians: u32,
    pub civilians_killed: u32,
    pub strikes: u32,
    pub events: u32,
    pub trucks_destroyed: u32,
    pub tankers_destroyed: u32,
}

/// An army unit as the corridor fights see it.
type EscortItem<'a> = (
    &'a ActorId,
    &'a mut ArmyUnit,
    Option<&'a Escorting>,
    &'a Route,
);

/// Does a convoy's move this tick pass within `radius` tiles of `t`?
fn passed(route: &Route, pos: &Position, t: Tile, radius: f64) -> bool {
    if route.tiles.is_empty() {
        return pos.tile.distance(t) <= radius;
    }
    let from = route.prev_at.min(route.at);
    route.tiles[from..=route.at.min(route.tiles.len() - 1)]
        .iter()
        .any(|k| k.distance(t) <= radius)
}

/// Engagements set, part 1: cells in position at checkpoints and ambush sites take on the
/// convoys (and, from an ambush, the army columns) that pass them this tick.
#[allow(clippy::too_many_arguments)]
pub fn corridor_attacks(
    env: Env,
    record: Record,
    net: Res<RoadNetwork>,
    mut ltally: ResMut<LogisticsTally>,
    mut queues: ResMut<CrossingQueues>,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position, &mut Route), Without<Convoy>>,
    mut convoys: Query<(Entity, &ActorId, &mut Convoy, &Position, &mut Route), Without<Cell>>,
    mut units: Query<EscortItem, (Without<Cell>, Without<Convoy>)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut hits: Local<Vec<(ActorId, Entity)>>,
) {
    let Env {
        clock,
        season,
        grid,
        index,
        combat,
        params,
    } = env;
    let Record {
        mut log,
        mut tally,
        mut violence,
        mut army_cmd,
        mut rng,
        mut pathfinder,
    } = record;
    let tick = clock.tick;
    let disperse = (params.disperse_hours / f64::from(clock.hours_per_tick)) as u64;
    order.clear();
    order.extend(
        cells
            .iter()
            .filter(|(_, _, c, pos, _)| match c.task {
                Task::Checkpoint(t) | Task::Ambush(t) => pos.tile == t && c.fighters >= 1.0,
                _ => false,
            })
            .map(|(e, id, ..)| (*id, e)),
    );
    order.sort();
    for &(cell_id, ce) in order.iter() {
        let Ok((_, _, cell, pos, _)) = cells.get(ce) else {
            continue;
        };
        let (site, is_checkpoint) = match cell.task {
            Task::Checkpoint(t) => (t, true),
            Task::Ambush(t) => (t, false),
            _ => continue,
        };
        if cell.last_fight == tick {
            continue;
        }
        let at = pos.tile;
        // Convoys that passed the site this tick (a convoy covers up to a few tiles an hour).
        hits.clear();
        index.within(&index.convoys, at, 8.0, |e| hits.push((e.id, e.entity)));
        hits.sort();
        let mut target = None;
        for &(_, ve) in hits.iter() {
            if let Ok((_, _, c, vpos, vroute)) = convoys.get(ve)
                && c.state == ConvoyState::Moving
                && c.taxed_by != Some(ce)
                && c.tankers + c.goods > 0
                && passed(vroute, vpos, site, 1.5)
            {
                target = Some(ve);
                break;
            }
        }
        let Some(ve) = target else {
            continue;
        };
        // Allies lying in wait nearby join in.
        let mut fighters = 0.0f32;
        let mut party: smallvec_party::Party = smallvec_party::Party::default();
        index.within(&index.cells, at, 2.0, |e| party.push(e.entity));
        for &e in party.iter() {
            if let Ok((_, _, c, p, _)) = cells.get(e)
                && c.task.is_attack()
                && matches!(c.task, Task::Checkpoint(_) | Task::Ambush(_))
                && p.tile.distance(at) <= 2.0
                && c.last_fight != tick
            {
                fighters += c.fighters;
            }
        }
        let Ok((_, convoy_id, mut convoy, vpos, mut vroute)) = convoys.get_mut(ve) else {
            continue;
        };
        let escort = convoy.escort.and_then(|u| {
            units
                .get(u)
                .ok()
                .map(|(id, unit, ..)| (u, *id, unit.soldiers * unit.kind.firepower()))
        });
        let trucks = convoy.tankers + convoy.goods;
        // Too strong an escort for the cells here: a checkpoint melts away before it, an
        // ambush lets it pass. A convoy too small to be worth an ambush passes too.
        let too_strong = escort.is_some_and(|(_, _, strength)| {
            f64::from(fighters)
                < params.ambush_min_ratio * f64::from(strength) / combat.escort_weight
        });
        if too_strong || (!is_checkpoint && trucks < params.ambush_min_trucks) {
            if is_checkpoint && too_strong {
                for &e in party.iter() {
                    if let Ok((_, _, mut c, _, _)) = cells.get_mut(e)
                        && matches!(c.task, Task::Checkpoint(_))
                    {
                        c.task = Task::Hide;
                        c.task_until = tick;
                    }
                }
            }
            continue;
        }
        let cover = f64::from(grid.cover[grid.index(site)]);
        let mut event = Event {
            tick,
            kind: EventKind::Ambush,
            tile: site,
            attacker: Actor::Cell(cell_id.0),
            defender: Actor::Convoy(convoy_id.0),
            attacker_losses: 0.0,
            defender_losses: 0.0,
            trucks_destroyed: 0,
            civilians_killed: 0,
        };
        let mut fought = false;
        match escort {
            Some((unit_e, unit_id, strength)) => {
                // An escorted convoy: the escort fights; trucks burn in the confusion.
                let r = resolve(
                    &combat,
                    Fight {
                        soldiers: f64::from(strength),
                        fighters: f64::from(fighters),
                        cover,
                        surprise: true,
                    },
                );
                let p = truck_kill_probability(
                    &combat,
                    f64::from(fighters) - r.fighters_lost,
                    f64::from(strength) - r.soldiers_lost,
                );
                let (t, g) = (
                    binomial(&mut rng.0, convoy.tankers, p),
                    binomial(&mut rng.0, convoy.goods, p * 0.6),
                );
                apply_truck_losses(
                    &mut convoy,
                    t,
                    g,
                    &mut ltally,
                    &mut queues,
                    &mut tally,
                    clock.day(),
                );
                if let Ok((_, mut unit, ..)) = units.get_mut(unit_e) {
                    let lost = (r.soldiers_lost as f32 / unit.kind.firepower()).min(unit.soldiers);
                    unit.soldiers -= lost;
                    event.defender_losses = f64::from(lost);
                }
                event.defender = Actor::Army(unit_id.0);
                event.attacker_losses = r.fighters_lost;
                event.trucks_destroyed = t + g;
                distribute_losses(
                    &mut cells,
                    &party,
                    at,
                    tick,
                    r.fighters_lost as f32,
                    &params,
                );
                tally.ambushes += 1;
                tally.today.ambushes += 1;
                if t + g > 0 {
                    tally.successful_ambushes += 1;
                }
                tally.soldiers_killed += event.defender_losses;
                tally.fighters_killed += r.fighters_lost;
                fought = true;
            }
            None if is_checkpoint => {
                // An unescorted convoy stopped at a checkpoint: burned, turned back or taxed.
                event.kind = EventKind::Checkpoint;
                let u = rng.0.random::<f64>();
                tally.checkpoint_stops += 1;
                tally.today.checkpoint_stops += 1;
                if u < params.checkpoint_burn {
                    let p = truck_kill_probability(&combat, f64::from(fighters), 0.0)
                        .max(0.9 * combat.truck_kill_max);
                    let (t, g) = (
                        binomial(&mut rng.0, convoy.tankers, p.max(0.9)),
                        binomial(&mut rng.0, convoy.goods, p * 0.5),
                    );
                    apply_truck_losses(
                        &mut convoy,
                        t,
                        g,
                        &mut ltally,
                        &mut queues,
                        &mut tally,
                        clock.day(),
                    );
                    event.trucks_destroyed = t + g;
                } else if u < params.checkpoint_burn + params.checkpoint_turn_back {
                    convoy.state = ConvoyState::Returning;
                    ltally.trucks_turned_back += u64::from(trucks);
                    ltally.today.trucks_turned_back += trucks;
                    let home = net.crossings[usize::from(convoy.crossing)].tile;
                    if !plan_route(
                        &mut pathfinder,
                        &grid,
                        *season,
                        Mobility::Wheeled,
                        vpos.tile,
                        home,
                        true,
                        &mut vroute,
                    ) {
                        vroute.clear();
                    }
                } else {
                    convoy.taxed_by = Some(ce);
                    ltally.trucks_taxed += u64::from(trucks);
                    if let Ok((_, _, mut c, _, _)) = cells.get_mut(ce) {
                        c.supply_days +=
                            params.tax_supply_days as f32 * trucks as f32 / c.fighters.max(1.0);
                    }
                }
            }
            None => {
                // An ambush on an unescorted convoy: drivers flee, trucks burn.
                let p = truck_kill_probability(&combat, f64::from(fighters), 0.0);
                let (t, g) = (
                    binomial(&mut rng.0, convoy.tankers, p),
                    binomial(&mut rng.0, convoy.goods, p * 0.6),
                );
                apply_truck_losses(
                    &mut convoy,
                    t,
                    g,
                    &mut ltally,
                    &mut queues,
                    &mut tally,
                    clock.day(),
                );
                event.trucks_destroyed = t + g;
                tally.ambushes += 1;
                tally.today.ambushes += 1;
                if t + g > 0 {
                    tally.successful_ambushes += 1;
                }
                fought = true;
            }
        }
        let attack = fought || event.trucks_destroyed > 0;
        if attack {
            violence.add(&grid, site, 1.0 + event.trucks_destroyed as f32 * 0.1);
            army_cmd.reports.push(Report {
                tick,
                tile: site,
                answered: false,
            });
        }
        tally.today.events += 1;
        log.events.push(event);
        // After a fight the party scatters (hit and run); a checkpoint that only taxed or
        // turned a convoy back stays.
        if attack {
            for &e in party.iter() {
                if let Ok((_, _, mut c, p, mut route)) = cells.get_mut(e)
                    && matches!(c.task, Task::Checkpoint(_) | Task::Ambush(_))
                    && p.tile.distance(at) <= 2.0
                {
                    let shock = params.cohesion_loss_per_fight as f32;
                    let scatter = Scatter {
                        tick,
                        disperse,
                        shock,
                        season: *season,
                    };
                    scatter.apply(&mut c, p.tile, &mut route, &grid, &mut pathfinder);
                }
            }
        }
    }
}

/// After a fight a cell scatters (hit and run): it hides near home for `disperse` ticks,
/// its cohesion shaken by `shock`.
struct Scatter {
    tick: u64,
    disperse: u64,
    shock: f32,
    season: Season,
}

impl Scatter {
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
        let hide = hiding_place(grid, cell.home);
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

/// A small inline list of the cells taking part in one engagement.
mod smallvec_party {
    use bevy_ecs::prelude::Entity;

    #[derive(Default)]
    pub struct Party {
        items: [Option<Entity>; 16],
        len: usize,
    }

    impl Party {
        pub fn push(&mut self, e: Entity) {
            if self.len < self.items.len() {
                self.items[self.len] = Some(e);
                self.len += 1;
            }
        }

        pub fn iter(&self) -> impl Iterator<Item = &Entity> {
            self.items[..self.len].iter().flatten()
        }
    }
}

fn apply_truck_losses(
    convoy: &mut Convoy,
    tankers: u32,
    goods: u32,
    ltally: &mut LogisticsTally,
    queues: &mut CrossingQueues,
    tally: &mut EngagementTally,
    day: u32,
) {
    convoy.tankers -= tankers.min(convoy.tankers);
    convoy.goods -= goods.min(convoy.goods);
    ltally.tankers_destroyed += u64::from(tankers);
    ltally.goods_destroyed += u64::from(goods);
    ltally.today.trucks_destroyed += tankers + goods;
    tally.today.trucks_destroyed += tankers + goods;
    tally.today.tankers_destroyed += tankers;
    if let Some(ring) = queues.burned_by_day.get_mut(usize::from(convoy.crossing)) {
        ring[day as usize % crate::domains::logistics::BURN_MEMORY_DAYS] += tankers + goods;
    }
}

/// Shares fighter losses among the party in proportion to their fighters.
fn distribute_losses(
    cells: &mut Query<(Entity, &ActorId, &mut Cell, &Position, &mut Route), Without<Convoy>>,
    party: &smallvec_party::Party,
    at: Tile,
    tick: u64,
    lost: f32,
    _params: &InsurgencyParams,
) {
    let mut total = 0.0;
    for &e in party.iter() {
        if let Ok((_, _, c, p, _)) = cells.get(e)
            && p.tile.distance(at) <= 2.0
            && c.last_fight != tick
        {
            total += c.fighters;
        }
    }
    if total <= 0.0 {
        return;
    }
    for &e in party.iter() {
        if let Ok((_, _, mut c, p, _)) = cells.get_mut(e)
            && p.tile.distance(at) <= 2.0
            && c.last_fight != tick
        {
            let share = c.fighters / total;
            c.fighters = (c.fighters - lost * share).max(0.0);
        }
    }
}

/// Engagements set, part 2: cells that reached a town raid its post or attack its people.
#[allow(clippy::too_many_arguments)]
pub fn town_attacks(
    env: Env,
    record: Record,
    mut society: ResMut<Society>,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position, &mut Route)>,
    mut units: Query<(&ActorId, &mut ArmyUnit), Without<Cell>>,
    towns: Query<(&ActorId, &Settlement)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
) {
    let Env {
        clock,
        season,
        grid,
        index,
        combat,
        params,
    } = env;
    let Record {
        mut log,
        mut tally,
        mut violence,
        mut army_cmd,
        mut rng,
        mut pathfinder,
    } = record;
    let tick = clock.tick;
    let disperse = (params.disperse_hours / f64::from(clock.hours_per_tick)) as u64;
    order.clear();
    order.extend(
        cells
            .iter()
            .filter(|(_, _, c, _, route)| {
                matches!(c.task, Task::Raid(_) | Task::Punish(_))
                    && route.is_done()
                    && c.fighters >= 1.0
            })
            .map(|(e, id, ..)| (*id, e)),
    );
    order.sort();
    for &(cell_id, ce) in order.iter() {
        let Ok((_, _, mut cell, pos, mut route)) = cells.get_mut(ce) else {
            continue;
        };
        let (town, raid) = match cell.task {
            Task::Raid(t) => (t, true),
            Task::Punish(t) => (t, false),
            _ => continue,
        };
        let Ok((town_id, settlement)) = towns.get(town) else {
            continue;
        };
        if pos.tile.distance(settlement.tile) > 1.5 {
            // Could not get there: give up.
            cell.task = Task::Hide;
            continue;
        }
        let site = settlement.tile;
        let mut event = Event {
            tick,
            kind: if raid {
                EventKind::Raid
            } else {
                EventKind::AttackOnCivilians
            },
            tile: site,
            attacker: Actor::Cell(cell_id.0),
            defender: Actor::Settlement(town_id.0),
            attacker_losses: 0.0,
            defender_losses: 0.0,
            trucks_destroyed: 0,
            civilians_killed: 0,
        };
        // The post: army units standing in the town.
        let mut soldiers = 0.0f32;
        let mut post: [Option<Entity>; 8] = [None; 8];
        let mut n = 0;
        index.within(&index.army, site, 0.5, |e| {
            if n < post.len() {
                post[n] = Some(e.entity);
                n += 1;
            }
        });
        for e in post.iter().flatten() {
            if let Ok((_, u)) = units.get(*e) {
                soldiers += u.soldiers * u.kind.firepower();
            }
        }
        if raid && soldiers > 0.0 {
            let r = resolve(
                &combat,
                Fight {
                    soldiers: f64::from(soldiers),
                    fighters: f64::from(cell.fighters),
                    cover: f64::from(grid.cover[grid.index(site)]),
                    surprise: true,
                },
            );
            let share = (r.soldiers_lost / f64::from(soldiers)) as f32;
            let mut lost_men = 0.0;
            for e in post.iter().flatten() {
                if let Ok((id, mut u)) = units.get_mut(*e) {
                    let l = u.soldiers * share;
                    u.soldiers -= l;
                    lost_men += l;
                    event.defender = Actor::Army(id.0);
                }
            }
            cell.fighters = (cell.fighters - r.fighters_lost as f32).max(0.0);
            event.attacker_losses = r.fighters_lost;
            event.defender_losses = f64::from(lost_men);
            if r.army_broke_off {
                // The post is overrun: weapons and stores change hands.
                tally.posts_overrun += 1;
                cell.weapons = (cell.weapons + 0.2).min(2.0);
                cell.supply_days += 5.0;
            }
            tally.raids += 1;
            tally.today.raids += 1;
            tally.soldiers_killed += f64::from(lost_men);
            tally.fighters_killed += r.fighters_lost;
        } else if raid {
            // No post: the town's stores are looted.
            cell.supply_days += 3.0;
            tally.raids += 1;
            tally.today.raids += 1;
        } else {
            // An attack on the village's people: small and frequent, occasionally large.
            let x = pareto(&mut rng.0, params.attack_size_exponent);
            let killed = (params.attack_size_scale * x).floor().min(500.0) as u32;
            event.civilians_killed = killed;
            tally.attacks_on_civilians += 1;
            tally.attacks_on_civilians_by_insurgents += 1;
            tally.today.attacks_on_civilians += 1;
            tally.civilians_killed += u64::from(killed);
            tally.civilians_killed_by_insurgents += u64::from(killed);
            tally.today.civilians_killed += killed;
            society.harm(town, killed, false);
        }
        violence.add(&grid, site, 1.0 + event.civilians_killed as f32);
        army_cmd.reports.push(Report {
            tick,
            tile: site,
            answered: false,
        });
        society.attacked(town);
        tally.today.events += 1;
        log.events.push(event);
        let shock = 0.5 * params.cohesion_loss_per_fight as f32;
        let scatter = Scatter {
            tick,
            disperse,
            shock,
            season: *season,
        };
        scatter.apply(&mut cell, pos.tile, &mut route, &grid, &mut pathfinder);
    }
}

/// A Pareto draw with minimum 1 and density exponent `alpha` (> 1).
pub fn pareto(rng: &mut crate::engine::rng::ModelRng, alpha: f64) -> f64 {
    let u: f64 = rng.random::<f64>().max(1e-12);
    u.powf(-1.0 / (alpha - 1.0))
}

/// Engagements set, part 3: army units detect cells around them (less in cover, more where
/// people inform) and strike those within reach; the strike harms civilians nearby with
/// probability 1 - discipline.
#[allow(clippy::too_many_arguments)]
pub fn army_strikes(
    env: Env,
    record: Record,
    params: Res<ArmyParams>,
    mut society: ResMut<Society>,
    mut units: Query<(Entity, &ActorId, &mut ArmyUnit, &Position), Without<Escorting>>,
    mut cells: Query<(&ActorId, &mut Cell, &Position, &mut Route)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut seen: Local<Vec<(ActorId, Entity, Tile)>>,
) {
    let Env {
        clock,
        season,
        grid,
        index,
        combat,
        params: iparams,
    } = env;
    let Record {
        mut log,
        mut tally,
        mut violence,
        army_cmd: mut command,
        mut rng,
        mut pathfinder,
    } = record;
    let tick = clock.tick;
    let hpt = f64::from(clock.hours_per_tick);
    let radius = (params.detection_km / grid.projection.tile_km) as f32;
    let disperse = (iparams.disperse_hours / hpt) as u64;
    order.clear();
    order.extend(
        units
            .iter()
            .filter(|(_, _, u, _)| u.soldiers >= 1.0)
            .map(|(e, id, ..)| (*id, e)),
    );
    order.sort();
    for &(unit_id, ue) in order.iter() {
        let Ok((_, _, unit, upos)) = units.get(ue) else {
            continue;
        };
        let at = upos.tile;
        let striking = matches!(
            unit.posture,
            Posture::Sweep | Posture::Respond | Posture::Patrol
        );
        let reach = if striking { 2.0 } else { 1.0 };
        seen.clear();
        index.within(&index.cells, at, radius, |e| {
            seen.push((e.id, e.entity, e.tile))
        });
        seen.sort_by_key(|s| s.0);
        for &(_, ce, ctile) in seen.iter() {
            let Ok((cid, cell, _, _)) = cells.get(ce) else {
                continue;
            };
            if cell.fighters < 1.0 {
                continue;
            }
            let cover = f64::from(grid.cover[grid.index(ctile)]);
            let informants = society.informants_near(&grid, ctile);
            let hidden = if cell.task == Task::Hide { 0.5 } else { 1.0 };
            let p = (params.detection_per_hour
                * hpt
                * (1.0 - cover)
                * (1.0 + params.informant_weight * informants)
                * hidden)
                .min(1.0);
            if rng.0.random::<f64>() >= p {
                continue;
            }
            command.sightings.push(Sighting {
                cell: ce,
                tile: ctile,
                tick,
            });
            command.add_intel(cell.commander, 1.0);
            if ctile.distance(at) > reach || cell.last_fight == tick {
                continue;
            }
            // Strike.
            let cid = *cid;
            let Ok((_, _, mut unit, _)) = units.get_mut(ue) else {
                continue;
            };
            let strength = unit.soldiers * unit.kind.firepower();
            let Ok((_, mut cell, cpos, mut croute)) = cells.get_mut(ce) else {
                continue;
            };
            let r = resolve(
                &combat,
                Fight {
                    soldiers: f64::from(strength),
                    fighters: f64::from(cell.fighters),
                    cover,
                    surprise: false,
                },
            );
            let lost = (r.soldiers_lost as f32 / unit.kind.firepower()).min(unit.soldiers);
            unit.soldiers -= lost;
            cell.fighters = (cell.fighters - r.fighters_lost as f32).max(0.0);
            let commander = cell.commander;
            let shock = iparams.cohesion_loss_per_fight as f32;
            let scatter = Scatter {
                tick,
                disperse,
                shock,
                season: *season,
            };
            scatter.apply(&mut cell, cpos.tile, &mut croute, &grid, &mut pathfinder);
            // Captured and wounded fighters talk.
            command.add_intel(commander, 2.0 * r.fighters_lost);
            let mut event = Event {
                tick,
                kind: if unit.posture == Posture::Sweep {
                    EventKind::Sweep
                } else {
                    EventKind::Strike
                },
                tile: ctile,
                attacker: Actor::Army(unit_id.0),
                defender: Actor::Cell(cid.0),
                attacker_losses: f64::from(lost),
                defender_losses: r.fighters_lost,
                trucks_destroyed: 0,
                civilians_killed: 0,
            };
            tally.strikes += 1;
            tally.today.strikes += 1;
            tally.soldiers_killed += f64::from(lost);
            tally.fighters_killed += r.fighters_lost;
            violence.add(&grid, ctile, 1.0);
            let discipline = f64::from(unit.discipline);
            tally.today.events += 1;
            log.events.push(event.clone());
            // Force harms civilians nearby with probability 1 - discipline.
            if rng.0.random::<f64>() < 1.0 - discipline
                && let Some(town) = society.town_within(ctile, params.harm_radius_km)
            {
                let x = pareto(&mut rng.0, iparams.attack_size_exponent);
                let killed = (params.harm_size_scale * x).floor().min(500.0) as u32;
                event.kind = EventKind::CivilianHarm;
                event.defender = Actor::Civilians;
                event.attacker_losses = 0.0;
                event.defender_losses = f64::from(killed);
                event.civilians_killed = killed;
                tally.attacks_on_civilians += 1;
                tally.attacks_on_civilians_by_army += 1;
                tally.today.attacks_on_civilians += 1;
                tally.civilians_killed += u64::from(killed);
                tally.civilians_killed_by_army += u64::from(killed);
                tally.today.civilians_killed += killed;
                society.harm(town, killed, true);
                society.abuse(town);
                violence.add(&grid, ctile, f64::from(killed) as f32);
                tally.today.events += 1;
                log.events.push(event);
            }
            break;
        }
    }
}
