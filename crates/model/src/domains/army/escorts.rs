//! Escorts: a unit joins the convoy that leaves its crossing, moves with it, and is free
//! again when the convoy arrives or is gone.

use super::data::*;
use crate::domains::logistics::data::Convoy;
use crate::engine::inbox::Inbox;
use crate::world::actors::{Odometer, Position};
use bevy_ecs::prelude::*;

/// Logistics set, after the departures: escorts whose convoy left join it.
pub fn escorts_join(
    mut left: ResMut<Inbox<EscortLeft>>,
    mut roster: ResMut<EscortRoster>,
    mut commands: Commands,
) {
    for m in left.drain() {
        roster.0[m.crossing] = None;
        commands
            .entity(m.unit)
            .insert(Escorting { convoy: m.convoy });
    }
}

/// Logistics set, after the deliveries: escorts of convoys that arrived are released.
pub fn escorts_released(mut freed: ResMut<Inbox<EscortFreed>>, mut commands: Commands) {
    for m in freed.drain() {
        if let Ok(mut unit) = commands.get_entity(m.unit) {
            unit.remove::<Escorting>();
        }
    }
}

/// Escorts move with their convoys.
pub fn escorts_follow(
    mut units: Query<
        (
            Entity,
            &Escorting,
            &mut Position,
            &mut Odometer,
            &mut ArmyUnit,
        ),
        Without<Convoy>,
    >,
    convoys: Query<(&Position, &Odometer), With<Convoy>>,
    mut commands: Commands,
) {
    for (e, esc, mut pos, mut odo, mut unit) in &mut units {
        match convoys.get(esc.convoy) {
            Ok((cpos, codo)) => {
                *pos = *cpos;
                odo.km_this_tick = codo.km_this_tick;
                odo.km_total += codo.km_this_tick;
            }
            Err(_) => {
                // The convoy arrived or was destroyed: back to reserve where it stands.
                commands.entity(e).remove::<Escorting>();
                unit.posture = Posture::Reserve;
            }
        }
    }
}
