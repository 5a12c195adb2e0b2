//! The militia's abuses: once a day each post, with a chance that grows with its members
//! and falls with its militia's discipline, attacks a village it suspects of siding with
//! the insurgents (the Dozo against Fulani herders in central Mali, VDP and the army in
//! northern Burkina Faso). Society hears of it as harm by the state's side: the dead are
//! taken from the village's cohorts, their kin's grievance rises (abuse memory), the
//! state's legitimacy there falls. (Its defence against reprisals is in [`super::towns`].)

use super::{Env, Record, pareto};
use crate::domains::militia::data::{MilitiaParams, MilitiaPost, Militias};
use crate::domains::society::data::CivilianNews;
use crate::engine::geo::Tile;
use crate::engine::observation::{Actor, Event, EventKind};
use crate::engine::rng::RngExt;
use crate::world::actors::ActorId;
use crate::world::settlement::Settlement;
use bevy_ecs::prelude::*;

/// The most civilians one abuse kills (a bound on the Pareto draw, as for the insurgents).
const MAX_KILLED: f64 = 500.0;

/// Engagements set, day end: each post's abuse, if any (see the module's description).
#[allow(clippy::too_many_arguments)]
pub fn militia_abuses(
    env: Env,
    mut record: Record,
    params: Res<MilitiaParams>,
    militias: Res<Militias>,
    posts: Query<(Entity, &ActorId, &MilitiaPost)>,
    towns: Query<(Entity, &ActorId, &Settlement)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut suspects: Local<Vec<(ActorId, Entity, Tile)>>,
    mut held: Local<Vec<(u16, Entity)>>,
) {
    if !env.clock.is_day_end() || militias.0.is_empty() {
        return;
    }
    let patrol = env.scale.tiles(params.patrol_km);
    order.clear();
    order.extend(posts.iter().map(|(e, id, _)| (*id, e)));
    order.sort();
    // The settlements each militia holds, to look up (not scan) whether a town is its own.
    held.clear();
    held.extend(posts.iter().map(|(_, _, p)| (p.militia, p.town)));
    held.sort();
    for &(post_id, pe) in order.iter() {
        let Ok((_, _, post)) = posts.get(pe) else {
            continue;
        };
        let Some(militia) = militias.0.get(usize::from(post.militia)) else {
            continue;
        };
        let chance = params.abuses_per_100_per_day * f64::from(post.members) / 100.0
            * (1.0 - militia.discipline);
        if chance <= 0.0 || record.rng.0.random::<f64>() >= chance {
            continue;
        }
        // Its suspects: the named ones wherever they are (the scenario says whom it hunts),
        // or else every settlement within patrol reach that is not one of its own.
        suspects.clear();
        for (e, id, s) in towns.iter() {
            let suspect = if militia.suspects.is_empty() {
                s.tile.distance(post.tile) <= patrol
                    && held.binary_search(&(post.militia, e)).is_err()
            } else {
                militia.suspects.contains(&e)
            };
            if suspect {
                suspects.push((*id, e, s.tile));
            }
        }
        if suspects.is_empty() {
            continue;
        }
        suspects.sort_by_key(|s| s.0);
        let pick = record.rng.0.random_range(0..suspects.len());
        let (town_id, town, site) = suspects[pick];
        let x = pareto(&mut record.rng.0, env.params.attack_size_exponent);
        let killed = (params.abuse_size_scale * x).floor().min(MAX_KILLED) as u32;
        let mut event = Event::new(
            env.clock.tick,
            EventKind::MilitiaAbuse,
            site,
            Actor::Militia(post_id.0),
            Actor::Settlement(town_id.0),
        );
        event.civilians_killed = killed;
        let t = &mut *record.tally;
        t.militia_abuses.one();
        t.civilians_killed_by_militia += u64::from(killed);
        // The state's side did it: society weighs it as the army's harm and abuse.
        record.civilian_news.post(CivilianNews::Killed {
            town,
            killed,
            by_army: true,
        });
        record.civilian_news.post(CivilianNews::Abuse { town });
        record.violence(site, 1.0 + killed as f32);
        record.log(event);
    }
}
