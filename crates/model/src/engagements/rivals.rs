//! Rival commands: cells of different insurgent commands (JNIM and the Islamic State in
//! the Sahel, at war with each other since 2019-2020) that come within `rival_clash_km` of
//! each other have met; each hour they stay that close, the first to notice the other
//! (in actor id order) attacks it with `rival_clash_per_hour`. The clash is fought by the
//! square law of two irregular forces ([`clash`]); both sides then scatter. Cells of one
//! command never fight each other. Nothing here runs with a single command.

use super::{Env, Record, Scatter};
use crate::domains::insurgency::data::{Cell, Factions};
use crate::engine::geo::Tile;
use crate::engine::observation::{Actor, Event, EventKind};
use crate::engine::rng::RngExt;
use crate::world::actors::{ActorId, Position, Route};
use crate::world::combat::{Clash, clash};
use bevy_ecs::prelude::*;

/// Engagements set, after the strikes: clashes between cells of rival commands that met.
pub fn rival_clashes(
    env: Env,
    mut record: Record,
    factions: Res<Factions>,
    mut cells: Query<(&ActorId, &mut Cell, &Position, &mut Route)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
) {
    if !factions.rivals() {
        return;
    }
    let tick = env.clock.tick;
    let reach = env.scale.tiles(env.params.rival_clash_km) as f32;
    let chance = env.scale.per_tick(env.params.rival_clash_per_hour);
    // Every cell, in id order (the index was rebuilt after the moves).
    order.clear();
    order.extend(env.index.cells.entries().iter().map(|e| (e.id, e.entity)));
    order.sort();
    for &(id, e) in order.iter() {
        let Ok((_, cell, pos, _)) = cells.get(e) else {
            continue;
        };
        if cell.fighters < 1.0 || cell.last_fight == tick {
            continue;
        }
        let (faction, at) = (cell.faction, pos.tile);
        let Some((rival_id, rival)) = nearest_rival(&env, &cells, at, reach, faction, tick) else {
            continue;
        };
        // A cell that came hunting attacks what it finds.
        let hunting = matches!(cell.task, crate::domains::insurgency::data::Task::Hunt(_));
        if record.rng.0.random::<f64>() >= if hunting { 1.0 } else { chance } {
            continue;
        }
        fight(&env, &mut record, &mut cells, (id, e), (rival_id, rival));
    }
}

/// The nearest cell of another command within `reach` tiles of `at` that has not fought
/// this tick (ties to the lower id).
fn nearest_rival(
    env: &Env,
    cells: &Query<(&ActorId, &mut Cell, &Position, &mut Route)>,
    at: Tile,
    reach: f32,
    faction: u8,
    tick: u64,
) -> Option<(ActorId, Entity)> {
    let mut best: Option<(f64, ActorId, Entity)> = None;
    env.index.within(&env.index.cells, at, reach, |en| {
        if let Ok((_, other, ..)) = cells.get(en.entity)
            && other.faction != faction
            && other.fighters >= 1.0
            && other.last_fight != tick
        {
            let d = en.tile.distance(at);
            if best.is_none_or(|b| (d, en.id) < (b.0, b.1)) {
                best = Some((d, en.id, en.entity));
            }
        }
    });
    best.map(|b| (b.1, b.2))
}

/// One clash: the attacker opens with surprise on the defender in the defender's cover;
/// both lose fighters and scatter; the clash is logged, counted, and is violence where it
/// happened.
fn fight(
    env: &Env,
    record: &mut Record,
    cells: &mut Query<(&ActorId, &mut Cell, &Position, &mut Route)>,
    (attacker_id, attacker): (ActorId, Entity),
    (defender_id, defender): (ActorId, Entity),
) {
    let Ok([(_, mut a, apos, mut aroute), (_, mut d, dpos, mut droute)]) =
        cells.get_many_mut([attacker, defender])
    else {
        return;
    };
    let site = dpos.tile;
    let r = clash(
        &env.combat,
        Clash {
            attackers: f64::from(a.fighters * a.weapons),
            defenders: f64::from(d.fighters * d.weapons),
            cover: f64::from(env.grid.cover[env.grid.index(site)]),
            defender_break_off: env.combat.guerrilla_break_off,
        },
    );
    let a_lost = (r.attackers_lost / f64::from(a.weapons.max(1e-3))).min(f64::from(a.fighters));
    let d_lost = (r.defenders_lost / f64::from(d.weapons.max(1e-3))).min(f64::from(d.fighters));
    a.fighters -= a_lost as f32;
    d.fighters -= d_lost as f32;
    let scatter = Scatter::new(env, env.params.cohesion_loss_per_fight);
    let (apos, dpos) = (apos.tile, dpos.tile);
    scatter.apply(&mut a, apos, &mut aroute, &env.grid, &mut record.pathfinder);
    scatter.apply(&mut d, dpos, &mut droute, &env.grid, &mut record.pathfinder);
    let mut event = Event::new(
        env.clock.tick,
        EventKind::RivalClash,
        site,
        Actor::Cell(attacker_id.0),
        Actor::Cell(defender_id.0),
    );
    event.attacker_losses = a_lost;
    event.defender_losses = d_lost;
    let t = &mut *record.tally;
    t.rival_clashes.one();
    t.rival_fighters_killed += a_lost + d_lost;
    record.violence(site, 1.0);
    record.log(event);
}
