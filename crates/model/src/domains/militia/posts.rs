//! Posts: the militias are placed in their settlements; each day the posts call up people
//! from their settlements (society answers), and those who came join.

use super::data::*;
use crate::engine::calendar::Clock;
use crate::engine::inbox::Inbox;
use crate::world::actors::{ActorId, IdCounter, Position};
use crate::world::settlement::Settlement;
use bevy_ecs::prelude::*;

/// Spawns one post per settlement of each militia; members, daily call-up and ceiling are
/// split over its settlements in proportion to their population. Posts get actor ids after
/// everything spawned before them (so a scenario without militias numbers as before).
pub fn spawn_militias(world: &mut World, militias: &[MilitiaPlacement]) {
    let mut all = Vec::with_capacity(militias.len());
    let mut initial = 0.0;
    for (m, placement) in militias.iter().enumerate() {
        let towns: Vec<(Entity, crate::engine::geo::Tile, f64)> = placement
            .towns
            .iter()
            .filter_map(|&e| {
                world
                    .get::<Settlement>(e)
                    .map(|s| (e, s.tile, f64::from(s.population)))
            })
            .collect();
        let people: f64 = towns.iter().map(|t| t.2).sum::<f64>().max(1.0);
        for &(town, tile, population) in &towns {
            let share = if people > 0.0 {
                population / people
            } else {
                1.0 / towns.len() as f64
            };
            let id = world.resource_mut::<IdCounter>().next();
            let post = MilitiaPost {
                militia: m as u16,
                town,
                tile,
                members: (placement.members * share) as f32,
                call_up_per_day: (placement.recruits_per_day * share) as f32,
                ceiling: (placement.max_members * share) as f32,
                owed: 0.0,
            };
            initial += f64::from(post.members);
            world.spawn((id, post, Position::at(tile)));
        }
        all.push(Militia {
            name: placement.name.clone(),
            discipline: placement.discipline,
            suspects: placement.suspects.clone(),
        });
    }
    world.insert_resource(Militias(all));
    world.resource_mut::<MilitiaTally>().initial_members = initial;
}

/// Society set, day end, before society's pass: each post asks for today's call-up (whole
/// people; the fractions carry over), up to its ceiling.
pub fn call_up(
    clock: Res<Clock>,
    mut call: ResMut<MilitiaCallUp>,
    mut posts: Query<(Entity, &ActorId, &mut MilitiaPost)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
) {
    call.wanted.clear();
    if !clock.is_day_end() {
        return;
    }
    order.clear();
    order.extend(posts.iter().map(|(e, id, _)| (*id, e)));
    order.sort();
    for &(_, e) in order.iter() {
        let Ok((_, _, mut post)) = posts.get_mut(e) else {
            continue;
        };
        let room = (post.ceiling - post.members).max(0.0);
        post.owed = (post.owed + post.call_up_per_day).min(room);
        let wanted = post.owed.floor();
        if wanted >= 1.0 {
            post.owed -= wanted;
            call.wanted.push((e, post.town, wanted as u32));
        }
    }
}

/// After society's pass: the people society sent join their posts.
pub fn members_join(
    mut joined: ResMut<Inbox<MilitiaJoined>>,
    mut tally: ResMut<MilitiaTally>,
    mut posts: Query<&mut MilitiaPost>,
) {
    for m in joined.drain() {
        if let Ok(mut post) = posts.get_mut(m.post) {
            post.members += m.members as f32;
            tally.recruits.add(m.members);
        }
    }
}

/// Day end, after recording: today's counts start again.
pub fn roll_day(clock: Res<Clock>, mut tally: ResMut<MilitiaTally>) {
    if clock.is_day_end() {
        tally.recruits.roll_day();
    }
}
