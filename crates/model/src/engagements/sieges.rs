//! Relief of a siege: once a day, an army column sent to a besieged town (on a sweep) that
//! stands within the ring fights the cells holding it (the mixed Lanchester law, the cells
//! in the cover of their posts, no surprise on either side). If the ring's fighters fall
//! below what holds a siege, or the column comes out of the fight stronger than the ring,
//! the besiegers scatter and the roads open: the insurgency's daily survey counts the
//! siege as broken.

use super::{Env, Record, Scatter};
use crate::domains::army::data::{ArmyUnit, Posture};
use crate::domains::insurgency::data::{Cell, Sieges, Task};
use crate::engine::observation::{Actor, Event, EventKind};
use crate::world::actors::{ActorId, Position, Route};
use crate::world::combat::{Fight, resolve};
use bevy_ecs::prelude::*;

/// Engagements set, daily after the strikes: relief columns fight the rings they reached.
#[allow(clippy::too_many_arguments)]
pub fn relieve_sieges(
    env: Env,
    mut record: Record,
    sieges: Res<Sieges>,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position, &mut Route), Without<ArmyUnit>>,
    mut units: Query<(&ActorId, &mut ArmyUnit, &Position), Without<Cell>>,
    mut ring: Local<Vec<(ActorId, Entity)>>,
) {
    if !env.clock.is_day_end() || sieges.active.is_empty() {
        return;
    }
    let reach = env.scale.tiles(env.params.siege_ring_km) * 1.5;
    for siege in &sieges.active {
        // The relief column: the strongest unit on a sweep within the ring (ties to id).
        let mut column: Option<(f32, ActorId, Entity)> = None;
        env.index
            .within(&env.index.army, siege.tile, reach as f32, |en| {
                if let Ok((id, u, _)) = units.get(en.entity)
                    && u.posture == Posture::Sweep
                    && u.soldiers > 0.0
                {
                    let s = u.soldiers * u.kind.firepower();
                    if column
                        .is_none_or(|c| (s, std::cmp::Reverse(*id)) > (c.0, std::cmp::Reverse(c.1)))
                    {
                        column = Some((s, *id, en.entity));
                    }
                }
            });
        let Some((strength, unit_id, unit_e)) = column else {
            continue;
        };
        ring.clear();
        ring.extend(
            cells
                .iter()
                .filter(|(_, _, c, p, _)| {
                    matches!(c.task, Task::Besiege(t, _) if t == siege.town)
                        && p.tile.distance(siege.tile) <= reach
                })
                .map(|(e, id, ..)| (*id, e)),
        );
        ring.sort();
        let fighters: f32 = ring
            .iter()
            .filter_map(|&(_, e)| cells.get(e).ok())
            .map(|(_, _, c, ..)| c.fighters)
            .sum();
        if fighters <= 0.0 {
            continue;
        }
        let cover = f64::from(env.grid.cover[env.grid.index(siege.tile)]);
        let r = resolve(
            &env.combat,
            Fight {
                soldiers: f64::from(strength),
                fighters: f64::from(fighters),
                cover,
                surprise: false,
            },
        );
        let mut event = Event::new(
            env.clock.tick,
            EventKind::Sweep,
            siege.tile,
            Actor::Army(unit_id.0),
            Actor::Cell(ring[0].0.0),
        );
        event.attacker_losses = r.soldiers_lost;
        event.defender_losses = r.fighters_lost;
        if let Ok((_, mut u, _)) = units.get_mut(unit_e) {
            let killed = (r.soldiers_lost as f32 / u.kind.firepower()).min(u.soldiers);
            u.soldiers -= killed;
            event.attacker_losses = f64::from(killed);
        }
        let left = fighters - r.fighters_lost as f32;
        let broken = f64::from(left) < env.params.siege_min_fighters
            || strength - r.soldiers_lost as f32 > left;
        let scatter = Scatter::new(&env, env.params.cohesion_loss_per_fight);
        for &(_, e) in ring.iter() {
            if let Ok((_, _, mut c, p, mut route)) = cells.get_mut(e) {
                c.fighters = (c.fighters * left.max(0.0) / fighters).max(0.0);
                c.last_fight = env.clock.tick;
                if broken {
                    let at = p.tile;
                    scatter.apply(&mut c, at, &mut route, &env.grid, &mut record.pathfinder);
                }
            }
        }
        let t = &mut *record.tally;
        t.soldiers_killed += event.attacker_losses;
        t.fighters_killed += event.defender_losses;
        t.relief_fights += 1;
        record.violence(siege.tile, 1.0);
        record.log(event);
    }
}
