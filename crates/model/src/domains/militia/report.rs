//! What the militia reports: its members and recruits (its fights and abuses are reported
//! with the engagements).

use super::data::*;
use crate::engine::observation::Reporters;
use bevy_ecs::prelude::*;

/// Members of every post (0, not -0, without posts).
pub fn members(world: &mut World) -> f64 {
    world
        .query::<&MilitiaPost>()
        .iter(world)
        .fold(0.0, |sum, p| sum + f64::from(p.members))
}

fn tally(w: &World) -> &MilitiaTally {
    w.resource::<MilitiaTally>()
}

pub fn reporters(r: &mut Reporters) {
    r.stock(
        "militia_members",
        "people",
        "members of the pro-government militias",
        members,
    );
    r.count(
        "militia_recruits",
        "people/day",
        "people who left their cohorts to join a militia today",
        |w| f64::from(tally(w).recruits.today),
    );
    r.summary(
        "militia_members_end",
        "people",
        "members of the militias at the end",
        |w| Some(members(w)),
    );
    r.summary(
        "militia_recruits",
        "people",
        "people who joined the militias from their cohorts",
        |w| Some(tally(w).recruits.total as f64),
    );
}
