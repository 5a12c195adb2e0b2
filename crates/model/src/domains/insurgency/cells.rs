//! Cells: each decides at its own cadence (a local plan or its commander's order); daily,
//! cells eat, regain cohesion, take in recruits, split and merge; new cells are founded
//! where recruits wait.

use super::data::*;
use super::planning::{Picture, PlannerInputs};
use crate::domains::society::data::Society;
use crate::engine::calendar::{Clock, Season};
use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::rng::{RngExt, SimRng};
use crate::world::actors::{ActorId, IdCounter, Position, Route, plan_route};
use crate::world::pathfinding::Pathfinder;
use crate::world::scale::Scale;
use crate::world::settlement::Settlement;
use crate::world::terrain::{Mobility, TerrainGrid};
use bevy_ecs::prelude::*;

/// A cell trusts its own sighting of a convoy for this many hours.
const OWN_SIGHTING_FRESH_HOURS: f64 = 6.0;

/// Each cell, at its cadence: with probability `autonomy` a local plan from its own
/// sightings; otherwise its last valid order, or hiding when it has none.
#[allow(clippy::too_many_arguments)]
pub fn cells_decide(
    clock: Res<Clock>,
    season: Res<Season>,
    inputs: PlannerInputs,
    mut pathfinder: ResMut<Pathfinder>,
    mut rng: ResMut<SimRng>,
    mut tally: ResMut<InsurgencyTally>,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position, &mut Route)>,
    towns: Query<&Settlement>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut taken: Local<Vec<Tile>>,
) {
    let tick = clock.tick;
    let (params, scale, grid) = (&*inputs.params, *inputs.scale, &*inputs.grid);
    let decide = scale.period(params.decide_every_hours);
    let valid = scale.ticks(params.order_valid_hours);
    let hold = scale.ticks(params.hold_hours);
    let fresh = scale.ticks(OWN_SIGHTING_FRESH_HOURS);
    let planner = inputs.planner();
    order.clear();
    order.extend(
        cells
            .iter()
            .filter(|(_, _, c, ..)| c.next_decision <= tick)
            .map(|(e, id, ..)| (*id, e)),
    );
    if order.is_empty() {
        return;
    }
    order.sort();
    taken.clear();
    taken.extend(cells.iter().filter_map(|(_, _, c, ..)| match c.task {
        Task::Checkpoint(t) => Some(t),
        _ => None,
    }));
    for &(_, e) in order.iter() {
        let Ok((_, _, mut cell, pos, mut route)) = cells.get_mut(e) else {
            continue;
        };
        cell.next_decision = tick + decide;
        // A task in progress runs to its end (a held checkpoint, an ambush being laid).
        if tick < cell.task_until && cell.task != Task::Hide {
            continue;
        }
        let back_to_ring = match ring_duty(&cell, &towns, params, tick) {
            RingDuty::Hold => {
                cell.task_until = tick + hold;
                continue;
            }
            RingDuty::Return(t) => Some(t),
            RingDuty::None => None,
        };
        let local = rng.0.random::<f64>() < f64::from(cell.autonomy);
        let task = if let Some(t) = back_to_ring {
            t
        } else if local {
            tally.local_decisions += 1;
            // A cell still rearming after its last ambush sees no convoy worth one.
            let convoys: &[Seen] = match &cell.seen_convoy {
                Some(s) if s.tick + fresh > tick && tick >= cell.rearmed_at => {
                    std::slice::from_ref(s)
                }
                _ => &[],
            };
            taken.retain(|t| match cell.task {
                Task::Checkpoint(own) => *t != own,
                _ => true,
            });
            let picture = Picture {
                convoys,
                massed: 0.0,
                taken: &taken,
            };
            match hunt(&cell, params, tick, fresh, &mut rng.0) {
                Some(t) => Task::Hunt(t),
                None => planner.plan(&picture, pos.tile, cell.fighters, cell.cohesion, &mut rng.0),
            }
        } else {
            match cell.order {
                Some(o) if o.issued + valid > tick => {
                    tally.orders_followed += 1;
                    o.task
                }
                _ => Task::Hide,
            }
        };
        let (task, destination) = destination(task, &towns, grid, &scale, cell.home);
        if let Task::Checkpoint(t) = task {
            taken.push(t);
        }
        let same = task == cell.task && route.destination() == Some(destination);
        if let Task::Besiege(town, post) = task {
            cell.ring = Some((town, post));
        }
        cell.task = task;
        cell.task_until = tick + if task == Task::Hide { decide } else { hold };
        if !same && pos.tile != destination {
            let shared = matches!(task, Task::Raid(_) | Task::Punish(_) | Task::Recruit(_));
            if !plan_route(
                &mut pathfinder,
                grid,
                *season,
                Mobility::Motorbike,
                pos.tile,
                destination,
                shared,
                &mut route,
            ) {
                cell.task = Task::Hide;
                route.clear();
            }
        } else if pos.tile == destination {
            route.clear();
        }
    }
}

/// What a cell's ring asks of it.
enum RingDuty {
    /// Hold it: a fit cell on its ring stays (a siege is a standing commitment, not a raid).
    Hold,
    /// Go back to it: a fit cell scattered off it, once regrouped.
    Return(Task),
    /// Nothing: no ring, or the cell is too weak and plans anew.
    None,
}

fn ring_duty(cell: &Cell, towns: &Query<&Settlement>, p: &InsurgencyParams, tick: u64) -> RingDuty {
    let fit = f64::from(cell.fighters) >= p.min_fighters
        && f64::from(cell.cohesion) >= p.hide_below_cohesion;
    match (cell.task, cell.ring) {
        (Task::Besiege(town, _), _) if fit && towns.get(town).is_ok() => RingDuty::Hold,
        (_, Some((town, post)))
            if fit && tick >= cell.dispersed_until && towns.get(town).is_ok() =>
        {
            RingDuty::Return(Task::Besiege(town, post))
        }
        _ => RingDuty::None,
    }
}

/// Where a task takes a cell; a town that is gone leaves it hiding.
fn destination(
    task: Task,
    towns: &Query<&Settlement>,
    grid: &TerrainGrid,
    scale: &Scale,
    home: Tile,
) -> (Task, Tile) {
    match task {
        Task::Hide => (task, hiding_place(grid, scale, home)),
        Task::Checkpoint(t) | Task::Ambush(t) | Task::Hunt(t) | Task::Besiege(_, t) => (task, t),
        Task::Raid(town) | Task::Punish(town) | Task::Recruit(town) => match towns.get(town) {
            Ok(s) => (task, s.tile),
            Err(_) => (Task::Hide, hiding_place(grid, scale, home)),
        },
    }
}

/// Where a cell goes after a rival cell it saw lately and outnumbers (`rival_hunt_chance`),
/// if it does: only cells that saw one draw at all, so a single command draws nothing.
fn hunt(
    cell: &Cell,
    p: &InsurgencyParams,
    tick: u64,
    fresh: u64,
    rng: &mut crate::engine::rng::ModelRng,
) -> Option<Tile> {
    let seen = cell.seen_rival?;
    let strong =
        f64::from(cell.fighters * cell.weapons) >= p.ambush_min_ratio * f64::from(seen.strength);
    (seen.tick + fresh > tick && strong && rng.random::<f64>() < p.rival_hunt_chance)
        .then_some(seen.tile)
}

/// Organisation set (daily): cells eat their supplies (desertion when out), regain cohesion
/// in hiding and fold in their recruits; large cells split, weak ones merge, empty ones are
/// removed.
#[allow(clippy::too_many_arguments)]
pub fn organise_cells(
    mut commands: Commands,
    clock: Res<Clock>,
    scale: Res<Scale>,
    params: Res<InsurgencyParams>,
    mut ids: ResMut<IdCounter>,
    mut tally: ResMut<InsurgencyTally>,
    mut rng: ResMut<SimRng>,
    society: Res<Society>,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut fed: Local<Vec<f32>>,
) {
    if !clock.is_day_end() {
        return;
    }
    let p = &*params;
    let decide = scale.period(p.decide_every_hours);
    order.clear();
    order.extend(cells.iter().map(|(e, id, ..)| (*id, e)));
    order.sort();
    // Fighters each settlement's sympathisers must feed: the cells it is nearest to share it.
    fed.clear();
    fed.resize(society.towns.len(), 0.0);
    for (_, _, c, pos) in cells.iter() {
        if let Some((k, _)) = society.sympathisers_near(pos.tile, p.support_km) {
            fed[k] += c.fighters;
        }
    }
    let mut removed: Vec<Entity> = Vec::new();
    for &(_, e) in order.iter() {
        let Ok((_, _, mut c, pos)) = cells.get_mut(e) else {
            continue;
        };
        let income = match society.sympathisers_near(pos.tile, p.support_km) {
            Some((k, sympathisers)) => p.supply_income(sympathisers, f64::from(fed[k])),
            None => p.supply_income(0.0, 0.0),
        };
        upkeep(&mut c, p, income as f32, &mut tally);
        if c.fighters < 1.0 {
            removed.push(e);
            continue;
        }
        if f64::from(c.fighters) > p.split_above {
            let child = split(&mut c, p, pos.tile, rng.0.random_range(0..decide.max(1)));
            commands.spawn(cell_bundle(ids.next(), child, pos.tile, p));
            tally.splits += 1;
        }
    }
    merge_weak_cells(
        &mut cells,
        &order,
        &mut removed,
        scale.tiles(p.merge_km),
        p,
        &mut tally,
    );
    for e in removed {
        commands.entity(e).despawn();
        tally.cells_destroyed += 1;
    }
}

/// A cell's day: it eats a day of supplies and gains `income`; out of supplies, fighters
/// desert; hiding restores cohesion; recruits join (bringing food for a while and thinning
/// cohesion).
fn upkeep(c: &mut Cell, p: &InsurgencyParams, income: f32, tally: &mut InsurgencyTally) {
    c.supply_days = (c.supply_days - 1.0 + income).clamp(0.0, 60.0);
    if c.supply_days <= 0.0 {
        let gone = c.fighters * p.desertion_per_day as f32;
        c.fighters -= gone;
        tally.desertions += f64::from(gone);
    }
    if c.task == Task::Hide {
        c.cohesion = (c.cohesion + p.cohesion_recovery_per_day as f32).min(1.0);
    }
    if c.recruits > 0.0 {
        let r = c.recruits;
        c.cohesion = (c.cohesion * c.fighters + 0.6 * r) / (c.fighters + r).max(1e-6);
        c.fighters += r;
        c.motorbikes += r * p.motorbikes_per_fighter as f32 * 0.5;
        c.supply_days += 2.0 * r / c.fighters.max(1.0);
        c.recruits = 0.0;
    }
}

/// A large cell splits in two: the new half makes its home where the cell stands, so that
/// cells spread.
fn split(c: &mut Cell, p: &InsurgencyParams, at: Tile, first_decision: u64) -> Cell {
    let half = c.fighters / 2.0;
    c.fighters -= half;
    c.motorbikes /= 2.0;
    let mut child = new_cell(p, c.commander, c.faction, at, half, first_decision);
    child.motorbikes = c.motorbikes;
    child.supply_days = c.supply_days;
    child.cohesion = c.cohesion;
    child.weapons = c.weapons;
    child.home = at;
    child
}

/// Weak cells merge into the nearest strong cell of the same commander within
/// `merge_tiles` (ties to the lower id).
fn merge_weak_cells(
    cells: &mut Query<(Entity, &ActorId, &mut Cell, &Position)>,
    order: &[(ActorId, Entity)],
    removed: &mut Vec<Entity>,
    merge_tiles: f64,
    p: &InsurgencyParams,
    tally: &mut InsurgencyTally,
) {
    for &(_, e) in order {
        if removed.contains(&e) {
            continue;
        }
        let Ok((_, _, c, pos)) = cells.get(e) else {
            continue;
        };
        if f64::from(c.fighters) >= p.merge_below {
            continue;
        }
        let (commander, at) = (c.commander, pos.tile);
        let mut best: Option<(f64, ActorId, Entity)> = None;
        for &(oid, o) in order {
            if o == e || removed.contains(&o) {
                continue;
            }
            let Ok((_, _, oc, opos)) = cells.get(o) else {
                continue;
            };
            let d = opos.tile.distance(at);
            if oc.commander == commander
                && d <= merge_tiles
                && f64::from(oc.fighters) >= p.merge_below
                && best.is_none_or(|b| (d, oid) < (b.0, b.1))
            {
                best = Some((d, oid, o));
            }
        }
        if let Some((_, _, into)) = best {
            let (fighters, bikes, supplies) = (c.fighters, c.motorbikes, c.supply_days);
            if let Ok((_, _, mut big, _)) = cells.get_mut(into) {
                let total = big.fighters + fighters;
                big.supply_days =
                    (big.supply_days * big.fighters + supplies * fighters) / total.max(1e-6);
                big.fighters = total;
                big.motorbikes += bikes;
            }
            removed.push(e);
            tally.merges += 1;
        }
    }
}

/// Society set, after the daily pass: cells founded by people who waited for one; each
/// answers to the nearest live-or-dead lowest command (ties to the lower id).
#[allow(clippy::too_many_arguments)]
pub fn found_cells(
    mut commands: Commands,
    clock: Res<Clock>,
    scale: Res<Scale>,
    params: Res<InsurgencyParams>,
    mut founded: ResMut<Inbox<CellFounded>>,
    mut ids: ResMut<IdCounter>,
    mut rng: ResMut<SimRng>,
    command_q: Query<(Entity, &ActorId, &InsurgentCommand, &Position)>,
) {
    let decide = scale.period(params.decide_every_hours);
    for m in founded.drain() {
        let mut best: Option<(f64, ActorId, Entity, u8)> = None;
        for (e, id, cmd, pos) in &command_q {
            let lowest = cmd.parent.is_some() || params.network == NetworkShape::Star;
            if lowest {
                let d = pos.tile.distance(m.tile);
                if best.is_none_or(|b| (d, *id) < (b.0, b.1)) {
                    best = Some((d, *id, e, cmd.faction));
                }
            }
        }
        // The nearest command takes the new cell in, whichever faction it is: territory.
        let Some((_, _, commander, faction)) = best else {
            continue;
        };
        let first = rng.0.random_range(0..decide);
        let cell = new_cell(
            &params,
            commander,
            faction,
            m.tile,
            m.fighters,
            clock.tick + first,
        );
        commands.spawn(cell_bundle(ids.next(), cell, m.tile, &params));
    }
}

/// Society set, after the daily pass: recruits reach the cells they joined; the
/// organisation set folds them in.
pub fn recruits_join(mut joined: ResMut<Inbox<RecruitsJoin>>, mut cells: Query<&mut Cell>) {
    for m in joined.drain() {
        if let Ok(mut cell) = cells.get_mut(m.cell) {
            cell.recruits += m.recruits;
        }
    }
}
