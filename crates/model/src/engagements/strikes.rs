//! Strikes: army units detect cells around them (less in cover and in hiding, more where
//! people inform) and strike those within reach; the strike harms civilians nearby with
//! probability 1 - discipline. Every detection is intelligence for the army command.

use super::{Env, Record, Scatter, pareto};
use crate::domains::army::data::{ArmyNews, ArmyParams, ArmyUnit, Escorting, Posture, Sighting};
use crate::domains::insurgency::data::{Cell, Task};
use crate::domains::society::data::{CivilianNews, Society};
use crate::engine::geo::Tile;
use crate::engine::observation::{Actor, Event, EventKind};
use crate::engine::rng::RngExt;
use crate::world::actors::{ActorId, Position, Route};
use crate::world::combat::{Fight, resolve};
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;

/// A unit on a sweep, response or patrol strikes cells it detects within this distance;
/// otherwise only those on its doorstep (`GUARD_KM`).
const STRIKE_KM: f64 = 10.0;
const GUARD_KM: f64 = 5.0;

/// Engagements set, last: detections and strikes (see the module's description).
#[allow(clippy::too_many_arguments)]
pub fn army_strikes(
    env: Env,
    mut record: Record,
    params: Res<ArmyParams>,
    society: Res<Society>,
    mut units: Query<(Entity, &ActorId, &mut ArmyUnit, &Position), Without<Escorting>>,
    mut cells: Query<(&ActorId, &mut Cell, &Position, &mut Route)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut seen: Local<Vec<(ActorId, Entity, Tile)>>,
) {
    let (tick, scale, grid) = (env.clock.tick, *env.scale, &*env.grid);
    let radius = scale.tiles(params.detection_km) as f32;
    let detection = scale.per_tick(params.detection_per_hour);
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
        let discipline = f64::from(unit.discipline);
        let striking = matches!(
            unit.posture,
            Posture::Sweep | Posture::Respond | Posture::Patrol
        );
        let reach = scale.tiles(if striking { STRIKE_KM } else { GUARD_KM });
        seen.clear();
        env.index.within(&env.index.cells, at, radius, |e| {
            seen.push((e.id, e.entity, e.tile))
        });
        seen.sort_by_key(|s| s.0);
        for &(cell_id, ce, ctile) in seen.iter() {
            let Ok((_, cell, _, _)) = cells.get(ce) else {
                continue;
            };
            if cell.fighters < 1.0 {
                continue;
            }
            let cover = f64::from(grid.cover[grid.index(ctile)]);
            let p = detection_chance(detection, cover, &params, &society, grid, ctile, cell);
            if record.rng.0.random::<f64>() >= p {
                continue;
            }
            let news = &mut record.army_news;
            news.post(ArmyNews::Sighting(Sighting {
                cell: ce,
                tile: ctile,
                tick,
            }));
            news.post(ArmyNews::Intel {
                command: cell.commander,
                amount: 1.0,
            });
            if ctile.distance(at) > reach || cell.last_fight == tick || tick < cell.dispersed_until
            {
                continue;
            }
            // Guerrillas choose their fights: lookouts and motorbikes let most cells slip
            // away from a unit closing in. The cell disperses to its hiding place and stays
            // out of reach while dispersed.
            if record.rng.0.random::<f64>() < env.params.break_contact {
                if let Ok((_, mut cell, cpos, mut croute)) = cells.get_mut(ce) {
                    slip_away(&env, &mut record, &mut cell, cpos.tile, &mut croute);
                }
                // The unit reaches the cell's ground and finds the villagers instead: the
                // executions HRW documents in Mali came in operations after the fighters had
                // gone (HRW 2024), so the harm of force does not wait for a fight.
                let arrival = Event::new(
                    tick,
                    EventKind::Sweep,
                    ctile,
                    Actor::Army(unit_id.0),
                    Actor::Cell(cell_id.0),
                );
                harm_civilians(&env, &mut record, &params, &society, discipline, arrival);
                continue;
            }
            let Ok((_, _, mut unit, _)) = units.get_mut(ue) else {
                continue;
            };
            let Ok((cid, mut cell, cpos, mut croute)) = cells.get_mut(ce) else {
                continue;
            };
            let event = strike(
                &env,
                &mut record,
                &mut unit,
                unit_id,
                &mut cell,
                *cid,
                ctile,
                cover,
                cpos.tile,
                &mut croute,
            );
            record.count_strike(&event);
            harm_civilians(
                &env,
                &mut record,
                &params,
                &society,
                f64::from(unit.discipline),
                event,
            );
            break;
        }
    }
}

/// A strike on a cell that stood: a fight without surprise, from which the cell scatters;
/// captured and wounded fighters talk. Returns the engagement for the log and the tally.
#[allow(clippy::too_many_arguments)]
fn strike(
    env: &Env,
    record: &mut Record,
    unit: &mut ArmyUnit,
    unit_id: ActorId,
    cell: &mut Cell,
    cell_id: ActorId,
    ctile: Tile,
    cover: f64,
    at: Tile,
    route: &mut Route,
) -> Event {
    let tick = env.clock.tick;
    let r = resolve(
        &env.combat,
        Fight {
            soldiers: f64::from(unit.soldiers * unit.kind.firepower()),
            fighters: f64::from(cell.fighters),
            cover,
            surprise: false,
        },
    );
    let lost = (r.soldiers_lost as f32 / unit.kind.firepower()).min(unit.soldiers);
    unit.soldiers -= lost;
    cell.fighters = (cell.fighters - r.fighters_lost as f32).max(0.0);
    let commander = cell.commander;
    let scatter = Scatter::new(env, env.params.cohesion_loss_per_fight);
    scatter.apply(cell, at, route, &env.grid, &mut record.pathfinder);
    // Captured and wounded fighters talk.
    record.army_news.post(ArmyNews::Intel {
        command: commander,
        amount: 2.0 * r.fighters_lost,
    });
    Event {
        attacker_losses: f64::from(lost),
        defender_losses: r.fighters_lost,
        ..Event::new(
            tick,
            if unit.posture == Posture::Sweep {
                EventKind::Sweep
            } else {
                EventKind::Strike
            },
            ctile,
            Actor::Army(unit_id.0),
            Actor::Cell(cell_id.0),
        )
    }
}

/// The cell slips away from a unit closing in: it disperses to its hiding place and stays
/// out of reach while dispersed.
fn slip_away(env: &Env, record: &mut Record, cell: &mut Cell, at: Tile, route: &mut Route) {
    let scatter = Scatter::new(env, 0.0);
    scatter.apply(cell, at, route, &env.grid, &mut record.pathfinder);
    cell.dispersed_until = scatter.until();
    record.tally.contacts_broken += 1;
}

/// The chance that a unit detects a cell this tick: less in cover and in hiding, more
/// where people inform.
fn detection_chance(
    per_tick: f64,
    cover: f64,
    params: &ArmyParams,
    society: &Society,
    grid: &TerrainGrid,
    tile: Tile,
    cell: &Cell,
) -> f64 {
    let informants = society.informants_near(grid, tile);
    let hidden = if cell.task == Task::Hide { 0.5 } else { 1.0 };
    (per_tick * (1.0 - cover) * (1.0 + params.informant_weight * informants) * hidden).min(1.0)
}

/// Force harms civilians near the strike with probability 1 - discipline, if a settlement
/// lies within `harm_radius_km` (its villages and fields).
fn harm_civilians(
    env: &Env,
    record: &mut Record,
    params: &ArmyParams,
    society: &Society,
    discipline: f64,
    mut event: Event,
) {
    if record.rng.0.random::<f64>() >= 1.0 - discipline {
        return;
    }
    let Some(town) = society.town_within(event.tile, params.harm_radius_km) else {
        return;
    };
    let x = pareto(&mut record.rng.0, env.params.attack_size_exponent);
    let killed = (params.harm_size_scale * x).floor().min(500.0) as u32;
    event.kind = EventKind::CivilianHarm;
    event.defender = Actor::Civilians;
    event.attacker_losses = 0.0;
    event.defender_losses = f64::from(killed);
    event.civilians_killed = killed;
    record.civilians_killed(town, killed, true);
    record.civilian_news.post(CivilianNews::Abuse { town });
    record.violence(event.tile, f64::from(killed) as f32);
    record.log(event);
}
