//! Corridor fights: cells in position at checkpoints and ambush sites take on the convoys
//! that pass them this tick.
//!
//! - An escorted convoy: the escort fights (mixed Lanchester law, the cells with surprise
//!   and the site's cover) and trucks burn in the confusion; an escort too strong for the
//!   cells present is let pass (and a checkpoint melts away before it).
//! - An unescorted convoy at a checkpoint: burned, turned back or taxed (goods trucks alone
//!   are taxed and pass: extortion, not blockade).
//! - An unescorted convoy in an ambush: drivers flee, trucks burn. Tankers are attacked
//!   whatever their number; goods trucks only in a convoy worth the risk.
//!
//! After a fight the party scatters (hit and run); a checkpoint that only taxed or turned a
//! convoy back stays.

use super::{Env, Record, Scatter};
use crate::domains::army::data::{ArmyParams, ArmyUnit, Escorting};
use crate::domains::insurgency::data::{Cell, Task};
use crate::domains::logistics::data::{Convoy, ConvoyState, CorridorNews};
use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::observation::{Actor, Event, EventKind};
use crate::engine::rng::RngExt;
use crate::world::actors::{ActorId, Position, Route, plan_route};
use crate::world::combat::{Fight, binomial, resolve, truck_kill_probability};
use crate::world::pathfinding::Pathfinder;
use crate::world::settlement::RoadNetwork;
use crate::world::terrain::Mobility;
use bevy_ecs::prelude::*;

/// How far a convoy can drive in an hour, at most: convoys within this reach of a site
/// (per hour of the tick) may have passed it during the tick.
const CONVOY_KM_PER_HOUR: f64 = 40.0;
/// A convoy passing within this distance of a site is seen and stopped.
const SITE_KM: f64 = 7.5;
/// Cells lying in wait within this distance join a fight.
const PARTY_KM: f64 = 10.0;

type CellItem<'a> = (
    Entity,
    &'a ActorId,
    &'a mut Cell,
    &'a Position,
    &'a mut Route,
);
type Cells<'w, 's> = Query<'w, 's, CellItem<'static>, Without<Convoy>>;
type ConvoyItem<'a> = (
    Entity,
    &'a ActorId,
    &'a mut Convoy,
    &'a Position,
    &'a mut Route,
);
/// An army unit as the corridor fights see it.
type EscortItem<'a> = (
    &'a ActorId,
    &'a mut ArmyUnit,
    Option<&'a Escorting>,
    &'a Route,
);

/// A small inline list of the cells taking part in one engagement.
#[derive(Default)]
struct Party {
    items: [Option<Entity>; 16],
    len: usize,
}

impl Party {
    fn push(&mut self, e: Entity) {
        if self.len < self.items.len() {
            self.items[self.len] = Some(e);
            self.len += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Entity> {
        self.items[..self.len].iter().flatten()
    }
}

/// Engagements set, first: corridor fights (see the module's description).
#[allow(clippy::too_many_arguments)]
pub fn corridor_attacks(
    env: Env,
    mut record: Record,
    net: Res<RoadNetwork>,
    mut news: ResMut<Inbox<CorridorNews>>,
    mut cells: Cells,
    mut convoys: Query<ConvoyItem, Without<Cell>>,
    mut units: Query<EscortItem, (Without<Cell>, Without<Convoy>)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut hits: Local<Vec<(ActorId, Entity)>>,
    army: Res<ArmyParams>,
) {
    let tick = env.clock.tick;
    let scale = *env.scale;
    let party_r = scale.tiles(PARTY_KM);
    let rearm = tick + scale.ticks(env.params.rearm_days * 24.0);
    in_position(&cells, &mut order);
    // The share of the escorted convoys on the road that a drone watches.
    let air_cover = if order.is_empty() {
        0.0
    } else {
        air_cover(&convoys, &army)
    };
    for &(cell_id, ce) in order.iter() {
        let Ok((_, _, cell, pos, _)) = cells.get(ce) else {
            continue;
        };
        let Some((site, is_checkpoint, siege)) = site_of(cell.task) else {
            continue;
        };
        if cell.last_fight == tick {
            continue;
        }
        let cell_rearmed_at = cell.rearmed_at;
        let at = pos.tile;
        let Some(ve) = convoy_passing(&env, &mut hits, &convoys, ce, at, site) else {
            continue;
        };
        let (party, fighters) = gather_party(&env, &cells, at, party_r, tick);
        let Ok((_, convoy_id, mut convoy, vpos, mut vroute)) = convoys.get_mut(ve) else {
            continue;
        };
        let escort = escort_of(&units, convoy.escort);
        let trucks = convoy.tankers + convoy.goods;
        // A cell still rearming after its last fight lets an escort pass, as one too strong.
        let too_strong = escort.is_some_and(|(.., strength)| {
            tick < cell_rearmed_at || too_strong(&env, fighters, strength)
        });
        if too_strong || (!is_checkpoint && !worth_an_ambush(&env, &convoy)) {
            if is_checkpoint && too_strong {
                melt_away(&mut cells, &party, tick);
            }
            continue;
        }
        // A drone over an escorted convoy sees the cells waiting ahead (an ambush being laid
        // or a checkpoint on the road) and the escort deploys: the cells break off.
        if escort.is_some()
            && air_cover > 0.0
            && record.rng.0.random::<f64>() < air_cover * army.air_spots_ambush
        {
            record.tally.ambushes_foiled += 1;
            let seen = (at, party_r, rearm);
            break_off(&env, &mut record, &mut cells, &party, is_checkpoint, seen);
            continue;
        }
        let mut fight = CorridorFight {
            env: &env,
            record: &mut record,
            news: &mut news,
            event: Event::new(
                tick,
                EventKind::Ambush,
                site,
                Actor::Cell(cell_id.0),
                Actor::Convoy(convoy_id.0),
            ),
            convoy: &mut convoy,
            fighters,
            tankers_burned: 0,
            siege,
        };
        let fought = match escort {
            Some((unit_e, unit_id, strength)) => {
                let lost = fight.against_escort(strength, unit_id);
                if let Ok((_, mut unit, ..)) = units.get_mut(unit_e) {
                    let killed = (lost.soldiers as f32 / unit.kind.firepower()).min(unit.soldiers);
                    unit.soldiers -= killed;
                    fight.event.defender_losses = f64::from(killed);
                }
                fight.record.tally.soldiers_killed += fight.event.defender_losses;
                distribute_losses(&mut cells, &party, at, party_r, tick, lost.fighters as f32);
                true
            }
            None if is_checkpoint => {
                let stop = fight.checkpoint();
                let home = net.crossings[usize::from(fight.convoy.crossing)].tile;
                let route = (vpos.tile, home, &mut *vroute);
                after_stop(&env, &mut fight, &mut cells, ce, stop, route, trucks);
                false
            }
            None => {
                fight.unescorted_ambush();
                true
            }
        };
        let event = fight.event;
        let attack = fought || event.trucks_destroyed > 0;
        if attack {
            record.violence(site, 1.0 + event.trucks_destroyed as f32 * 0.1);
            record.report_attack(tick, site);
        }
        record.log(event);
        if attack {
            // A fight (an escort taken on, an ambush) spends what a cell must replace before
            // the next; burning or taxing at a checkpoint does not.
            let rearm = fought.then_some(rearm);
            scatter_party(&env, &mut record, &mut cells, &party, at, party_r, rearm);
        }
    }
}

/// Where a cell waits for convoys, whether it stops them as a checkpoint, and whether the
/// stop is on a siege's ring (a checkpoint on harsher terms).
fn site_of(task: Task) -> Option<(Tile, bool, bool)> {
    match task {
        Task::Checkpoint(t) => Some((t, true, false)),
        Task::Ambush(t) => Some((t, false, false)),
        Task::Besiege(_, t) => Some((t, true, true)),
        _ => None,
    }
}

/// The escort of a convoy, if any: its entity, id and strength (soldiers x firepower).
fn escort_of(
    units: &Query<EscortItem, (Without<Cell>, Without<Convoy>)>,
    escort: Option<Entity>,
) -> Option<(Entity, ActorId, f32)> {
    escort.and_then(|u| {
        units
            .get(u)
            .ok()
            .map(|(id, unit, ..)| (u, *id, unit.soldiers * unit.kind.firepower()))
    })
}

/// The share of the escorted convoys on the road that a drone watches: a sortie watches one.
fn air_cover(convoys: &Query<ConvoyItem, Without<Cell>>, army: &ArmyParams) -> f64 {
    let escorted = convoys.iter().filter(|c| c.2.escort.is_some()).count();
    (army.air_sorties_per_day / escorted.max(1) as f64).min(1.0)
}

/// Seen from the air, the cells break off: a checkpoint melts away, an ambush party
/// (within `radius` of `at`) scatters and must rearm until `rearm`.
fn break_off(
    env: &Env,
    record: &mut Record,
    cells: &mut Cells,
    party: &Party,
    is_checkpoint: bool,
    (at, radius, rearm): (Tile, f64, u64),
) {
    if is_checkpoint {
        melt_away(cells, party, env.clock.tick);
    } else {
        scatter_party(env, record, cells, party, at, radius, Some(rearm));
    }
}

/// What follows a stop at a checkpoint: a convoy turned back drives home, a taxed one pays
/// the cell in supplies, a burned one is gone.
fn after_stop(
    env: &Env,
    fight: &mut CorridorFight,
    cells: &mut Cells,
    cell: Entity,
    stop: Stop,
    (at, home, route): (Tile, Tile, &mut Route),
    trucks: u32,
) {
    match stop {
        Stop::TurnedBack => turn_back(env, &mut fight.record.pathfinder, at, home, route),
        Stop::Taxed => {
            fight.convoy.taxed_by = Some(cell);
            if let Ok((_, _, mut c, _, _)) = cells.get_mut(cell) {
                c.supply_days +=
                    env.params.tax_supply_days as f32 * trucks as f32 / c.fighters.max(1.0);
            }
        }
        Stop::Burned => {}
    }
}

/// Too strong an escort for the cells here: a checkpoint melts away before it, an ambush
/// lets it pass.
fn too_strong(env: &Env, fighters: f32, escort_strength: f32) -> bool {
    f64::from(fighters)
        < env.params.ambush_min_ratio * f64::from(escort_strength) / env.combat.escort_weight
}

/// Tankers are the blockade's target, whatever their number; a group of goods trucks too
/// small to be worth an ambush passes it.
fn worth_an_ambush(env: &Env, convoy: &Convoy) -> bool {
    convoy.tankers > 0 || convoy.tankers + convoy.goods >= env.params.ambush_min_trucks
}

/// A convoy turned back drives home to its crossing (or stops where it is, with no road).
fn turn_back(env: &Env, pathfinder: &mut Pathfinder, from: Tile, home: Tile, route: &mut Route) {
    if !plan_route(
        pathfinder,
        &env.grid,
        *env.season,
        Mobility::Wheeled,
        from,
        home,
        true,
        route,
    ) {
        route.clear();
    }
}

/// After a fight the party scatters (hit and run).
fn scatter_party(
    env: &Env,
    record: &mut Record,
    cells: &mut Cells,
    party: &Party,
    at: Tile,
    radius: f64,
    rearmed_at: Option<u64>,
) {
    let scatter = Scatter::new(env, env.params.cohesion_loss_per_fight);
    for &e in party.iter() {
        if let Ok((_, _, mut c, p, mut route)) = cells.get_mut(e)
            && matches!(c.task, Task::Checkpoint(_) | Task::Ambush(_))
            && p.tile.distance(at) <= radius
        {
            if let Some(t) = rearmed_at {
                c.rearmed_at = c.rearmed_at.max(t);
            }
            scatter.apply(
                &mut c,
                p.tile,
                &mut route,
                &env.grid,
                &mut record.pathfinder,
            );
        }
    }
}

/// The cells at their checkpoint or ambush site, in id order.
fn in_position(cells: &Cells, order: &mut Vec<(ActorId, Entity)>) {
    order.clear();
    order.extend(
        cells
            .iter()
            .filter(|(_, _, c, pos, _)| match c.task {
                Task::Checkpoint(t) | Task::Ambush(t) | Task::Besiege(_, t) => {
                    pos.tile == t && c.fighters >= 1.0
                }
                _ => false,
            })
            .map(|(e, id, ..)| (*id, e)),
    );
    order.sort();
}

/// The first convoy (by id) still moving with trucks, not already taxed by this cell, whose
/// move this tick passed within `SITE_KM` of the site.
fn convoy_passing(
    env: &Env,
    hits: &mut Vec<(ActorId, Entity)>,
    convoys: &Query<ConvoyItem, Without<Cell>>,
    cell: Entity,
    at: Tile,
    site: Tile,
) -> Option<Entity> {
    let scale = &env.scale;
    let reach = scale.tiles(CONVOY_KM_PER_HOUR * f64::from(scale.hours_per_tick)) as f32;
    let site_r = scale.tiles(SITE_KM);
    hits.clear();
    env.index.within(&env.index.convoys, at, reach, |e| {
        hits.push((e.id, e.entity))
    });
    hits.sort();
    hits.iter().map(|h| h.1).find(|&ve| {
        convoys.get(ve).is_ok_and(|(_, _, c, vpos, vroute)| {
            c.state == ConvoyState::Moving
                && c.taxed_by != Some(cell)
                && c.tankers + c.goods > 0
                && passed(vroute, vpos, site, site_r)
        })
    })
}

/// The cells lying in wait within `radius` tiles (they join the fight), and their fighters.
fn gather_party(env: &Env, cells: &Cells, at: Tile, radius: f64, tick: u64) -> (Party, f32) {
    let mut party = Party::default();
    env.index.within(&env.index.cells, at, radius as f32, |e| {
        party.push(e.entity)
    });
    let fighters = party
        .iter()
        .filter_map(|&e| cells.get(e).ok())
        .filter(|(_, _, c, p, _)| {
            matches!(
                c.task,
                Task::Checkpoint(_) | Task::Ambush(_) | Task::Besiege(..)
            ) && p.tile.distance(at) <= radius
                && c.last_fight != tick
        })
        .map(|(_, _, c, ..)| c.fighters)
        .sum();
    (party, fighters)
}

/// A checkpoint melts away before an escort too strong for it.
fn melt_away(cells: &mut Cells, party: &Party, tick: u64) {
    for &e in party.iter() {
        if let Ok((_, _, mut c, _, _)) = cells.get_mut(e)
            && matches!(c.task, Task::Checkpoint(_))
        {
            c.task = Task::Hide;
            c.task_until = tick;
        }
    }
}

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

/// What an escort fight cost each side.
struct Losses {
    soldiers: f64,
    fighters: f64,
}

/// What a checkpoint did to an unescorted convoy.
enum Stop {
    Burned,
    TurnedBack,
    Taxed,
}

/// One fight between a party of cells and a convoy.
struct CorridorFight<'a, 'e, 'w, 'r> {
    env: &'e Env<'w>,
    record: &'a mut Record<'r>,
    news: &'a mut Inbox<CorridorNews>,
    event: Event,
    convoy: &'a mut Convoy,
    fighters: f32,
    /// Tankers burned in this fight.
    tankers_burned: u32,
    /// The stop is at a post of a siege's ring.
    siege: bool,
}

impl CorridorFight<'_, '_, '_, '_> {
    /// An escorted convoy: the escort fights; trucks burn in the confusion.
    fn against_escort(&mut self, strength: f32, unit: ActorId) -> Losses {
        let (combat, fighters) = (&*self.env.combat, f64::from(self.fighters));
        let cover = f64::from(self.env.grid.cover[self.env.grid.index(self.event.tile)]);
        let r = resolve(
            combat,
            Fight {
                soldiers: f64::from(strength),
                fighters,
                cover,
                surprise: true,
            },
        );
        let p = truck_kill_probability(
            combat,
            fighters - r.fighters_lost,
            f64::from(strength) - r.soldiers_lost,
        );
        self.burn(p, p * 0.6);
        self.event.defender = Actor::Army(unit.0);
        self.event.attacker_losses = r.fighters_lost;
        self.count_ambush();
        self.record.tally.fighters_killed += r.fighters_lost;
        Losses {
            soldiers: r.soldiers_lost,
            fighters: r.fighters_lost,
        }
    }

    /// An unescorted convoy stopped at a checkpoint: burned, turned back or taxed. Goods
    /// trucks alone are never turned back: the traders pay and pass (extortion), unless
    /// burned as an example. A siege's ring stops goods trucks as it stops tankers.
    fn checkpoint(&mut self) -> Stop {
        let params = &*self.env.params;
        self.event.kind = EventKind::Checkpoint;
        let u = self.record.rng.0.random::<f64>();
        self.record.tally.checkpoint_stops.one();
        let trucks = self.convoy.tankers + self.convoy.goods;
        let (burn, turn_back) = if self.siege {
            (params.siege_burn, params.siege_turn_back)
        } else if self.convoy.tankers > 0 {
            (params.checkpoint_burn, params.checkpoint_turn_back)
        } else {
            (params.checkpoint_goods_burn, 0.0)
        };
        if u < burn {
            let combat = &*self.env.combat;
            let p = truck_kill_probability(combat, f64::from(self.fighters), 0.0)
                .max(0.9 * combat.truck_kill_max);
            self.burn(p.max(0.9), p * 0.5);
            Stop::Burned
        } else if u < burn + turn_back {
            self.convoy.state = ConvoyState::Returning;
            self.news.post(CorridorNews::TurnedBack { trucks });
            Stop::TurnedBack
        } else {
            self.news.post(CorridorNews::Taxed { trucks });
            Stop::Taxed
        }
    }

    /// An ambush on an unescorted convoy: drivers flee, trucks burn.
    fn unescorted_ambush(&mut self) {
        let p = truck_kill_probability(&self.env.combat, f64::from(self.fighters), 0.0);
        self.burn(p, p * 0.6);
        self.count_ambush();
    }

    fn count_ambush(&mut self) {
        let t = &mut *self.record.tally;
        t.ambushes.one();
        if self.event.trucks_destroyed > 0 {
            t.successful_ambushes += 1;
            t.tankers_in_ambushes += u64::from(self.tankers_burned);
        }
    }

    /// Each tanker burns with probability `p_tanker`, each goods truck with `p_goods`.
    fn burn(&mut self, p_tanker: f64, p_goods: f64) {
        let rng = &mut self.record.rng.0;
        let (tankers, goods) = (
            binomial(rng, self.convoy.tankers, p_tanker),
            binomial(rng, self.convoy.goods, p_goods),
        );
        self.convoy.tankers -= tankers.min(self.convoy.tankers);
        self.convoy.goods -= goods.min(self.convoy.goods);
        self.event.trucks_destroyed = tankers + goods;
        self.tankers_burned = tankers;
        self.news.post(CorridorNews::Burned {
            crossing: self.convoy.crossing,
            tankers,
            goods,
            day: self.env.clock.day(),
        });
    }
}

/// Shares fighter losses among the party in proportion to their fighters.
fn distribute_losses(
    cells: &mut Cells,
    party: &Party,
    at: Tile,
    radius: f64,
    tick: u64,
    lost: f32,
) {
    let in_fight = |c: &Cell, p: &Position| p.tile.distance(at) <= radius && c.last_fight != tick;
    let total: f32 = party
        .iter()
        .filter_map(|&e| cells.get(e).ok())
        .filter(|(_, _, c, p, _)| in_fight(c, p))
        .map(|(_, _, c, ..)| c.fighters)
        .sum();
    if total <= 0.0 {
        return;
    }
    for &e in party.iter() {
        if let Ok((_, _, mut c, p, _)) = cells.get_mut(e)
            && in_fight(&c, p)
        {
            let share = c.fighters / total;
            c.fighters = (c.fighters - lost * share).max(0.0);
        }
    }
}
