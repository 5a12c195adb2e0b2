//! Town fights: cells that reached a town raid its post (the army units standing in it)
//! or, when they came to punish it, attack its people: small attacks and frequent, now and
//! then a large one (deaths per attack drawn from a Pareto law). A village a militia holds
//! is defended: the cell must first break its members (a reprisal); if they hold, no one
//! else is harmed and the village counts the attack as answered.

use super::{Env, Record, Scatter, pareto};
use crate::domains::army::data::ArmyUnit;
use crate::domains::insurgency::data::{Cell, Task};
use crate::domains::militia::data::{MilitiaParams, MilitiaPost};
use crate::domains::society::data::CivilianNews;
use crate::engine::observation::{Actor, Event, EventKind};
use crate::world::actors::{ActorId, Position, Route};
use crate::world::combat::{Clash, Fight, clash, resolve};
use crate::world::settlement::Settlement;
use bevy_ecs::prelude::*;

/// A cell within this distance of the town has reached it; farther, it gives up.
const ARRIVED_KM: f64 = 7.5;
/// Units of a post counted in one raid, at most.
const POST_UNITS: usize = 8;

/// Engagements set, second: raids and attacks on villages.
#[allow(clippy::too_many_arguments)]
pub fn town_attacks(
    env: Env,
    mut record: Record,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position, &mut Route)>,
    mut units: Query<(&ActorId, &mut ArmyUnit), Without<Cell>>,
    towns: Query<(&ActorId, &Settlement)>,
    militia: Res<MilitiaParams>,
    mut posts: Query<(&ActorId, &mut MilitiaPost)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
) {
    let tick = env.clock.tick;
    let arrived = env.scale.tiles(ARRIVED_KM);
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
        if pos.tile.distance(settlement.tile) > arrived {
            // Could not get there: give up.
            cell.task = Task::Hide;
            continue;
        }
        let site = settlement.tile;
        let kind = if raid {
            EventKind::Raid
        } else {
            EventKind::AttackOnCivilians
        };
        let attacker = Actor::Cell(cell_id.0);
        let mut event = Event::new(tick, kind, site, attacker, Actor::Settlement(town_id.0));
        if raid {
            raid_post(&env, &mut record, &mut event, &mut cell, &mut units);
        } else if let Some(size_scale) = reprisal(
            &env,
            &mut record,
            &mut event,
            &mut cell,
            &militia,
            &mut posts,
            town,
        ) {
            // The militia broke (or there was none): the people pay.
            let x = pareto(&mut record.rng.0, env.params.attack_size_exponent);
            let killed = (size_scale * x).floor().min(500.0) as u32;
            event.civilians_killed = killed;
            record.civilians_killed(town, killed, false);
        }
        record.violence(site, 1.0 + event.civilians_killed as f32);
        record.report_attack(tick, site);
        record.civilian_news.post(CivilianNews::Attacked { town });
        record.log(event);
        let scatter = Scatter::new(&env, 0.5 * env.params.cohesion_loss_per_fight);
        scatter.apply(
            &mut cell,
            pos.tile,
            &mut route,
            &env.grid,
            &mut record.pathfinder,
        );
    }
}

/// A punished village's militia (its posts in the town) stands against the cell. Returns
/// the scale of the civilian toll that follows (`attack_size_scale` where no militia
/// stands, the larger `reprisal_size_scale` where it broke), or None when it held: then
/// no civilian is harmed and the village counts the attack as answered.
fn reprisal(
    env: &Env,
    record: &mut Record,
    event: &mut Event,
    cell: &mut Cell,
    militia: &MilitiaParams,
    posts: &mut Query<(&ActorId, &mut MilitiaPost)>,
    town: Entity,
) -> Option<f64> {
    // Those of the town's post who stand where the cell strikes.
    let share = militia.defenders_share as f32;
    let members: f32 = posts
        .iter()
        .filter(|(_, p)| p.town == town)
        .map(|(_, p)| p.members * share)
        .sum();
    if members < 1.0 {
        return Some(env.params.attack_size_scale);
    }
    let r = clash(
        &env.combat,
        Clash {
            attackers: f64::from(cell.fighters * cell.weapons),
            defenders: f64::from(members) * militia.firepower,
            cover: f64::from(env.grid.cover[env.grid.index(event.tile)]),
            defender_break_off: militia.break_off,
        },
    );
    let lost_share = (r.defenders_lost / (f64::from(members) * militia.firepower)) as f32;
    let mut lost = 0.0f32;
    for (id, mut p) in posts.iter_mut().filter(|(_, p)| p.town == town) {
        let l = p.members * share * lost_share.min(1.0);
        p.members -= l;
        lost += l;
        event.defender = Actor::Militia(id.0);
    }
    let fighters_lost =
        (r.attackers_lost / f64::from(cell.weapons.max(1e-3))).min(f64::from(cell.fighters));
    cell.fighters -= fighters_lost as f32;
    event.attacker_losses = fighters_lost;
    event.defender_losses = f64::from(lost);
    let t = &mut *record.tally;
    t.reprisals.one();
    t.militia_killed += f64::from(lost);
    t.fighters_killed += fighters_lost;
    if r.defenders_broke_off {
        Some(militia.reprisal_size_scale)
    } else {
        t.reprisals_repelled += 1;
        record.civilian_news.post(CivilianNews::Answered {
            tile: event.tile,
            answered: true,
        });
        None
    }
}

/// A raid: the post's units (those standing on the town's tile) fight with the cell's
/// surprise and the town's cover; an overrun post gives up weapons and stores. A town
/// without a post has its stores looted.
fn raid_post(
    env: &Env,
    record: &mut Record,
    event: &mut Event,
    cell: &mut Cell,
    units: &mut Query<(&ActorId, &mut ArmyUnit), Without<Cell>>,
) {
    let site = event.tile;
    let mut soldiers = 0.0f32;
    let mut post: [Option<Entity>; POST_UNITS] = [None; POST_UNITS];
    let mut n = 0;
    env.index.within(&env.index.army, site, 0.5, |e| {
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
    let tally = &mut *record.tally;
    tally.raids.one();
    if soldiers <= 0.0 {
        cell.supply_days += 3.0;
        return;
    }
    let r = resolve(
        &env.combat,
        Fight {
            soldiers: f64::from(soldiers),
            fighters: f64::from(cell.fighters),
            cover: f64::from(env.grid.cover[env.grid.index(site)]),
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
    tally.soldiers_killed += f64::from(lost_men);
    tally.fighters_killed += r.fighters_lost;
}
