//! Decapitation: when intelligence on an insurgent command passes the threshold, the army
//! strikes it. The strike is the army's; what it does to the command is the insurgency's to
//! apply (a [`CommandStruck`] message).

use super::data::*;
use crate::domains::insurgency::data::{CommandStruck, InsurgentCommand};
use crate::engine::calendar::Clock;
use crate::engine::inbox::Inbox;
use crate::engine::observation::{Actor, Event, EventKind, EventLog};
use crate::engine::rng::{RngExt, SimRng};
use crate::world::actors::{ActorId, Position};
use bevy_ecs::prelude::*;

/// Decisions: when intelligence on an insurgent command passes the threshold, the army
/// strikes it (if the doctrine allows); a fallen sub-command gives away part of what it
/// knew of the top. Intelligence fades when not renewed.
#[allow(clippy::too_many_arguments)]
pub fn strike_commands(
    clock: Res<Clock>,
    params: Res<ArmyParams>,
    mut command: ResMut<ArmyCommand>,
    mut rng: ResMut<SimRng>,
    mut struck: ResMut<Inbox<CommandStruck>>,
    mut log: ResMut<EventLog>,
    targets: Query<(Entity, &ActorId, &InsurgentCommand, &Position)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
) {
    let tick = clock.tick;
    if clock.is_day_end() {
        for (_, v) in command.intel_on.iter_mut() {
            *v *= 0.97;
        }
    }
    if !params.decapitation {
        return;
    }
    order.clear();
    order.extend(targets.iter().map(|(e, id, ..)| (*id, e)));
    order.sort();
    for &(id, e) in order.iter() {
        let Ok((_, _, cmd, pos)) = targets.get(e) else {
            continue;
        };
        let needed = if cmd.parent.is_none() {
            params.intel_to_locate_top
        } else {
            params.intel_to_locate_command
        };
        if !cmd.alive || command.intel(e) < needed {
            continue;
        }
        command.strikes_on_command += 1;
        let success = rng.0.random::<f64>() < params.decapitation_success;
        for (on, v) in command.intel_on.iter_mut() {
            if *on == e {
                *v = if success { 0.0 } else { *v * 0.5 };
            }
        }
        if !success {
            continue;
        }
        struck.post(CommandStruck { command: e });
        // A fallen sub-command gives away part of what it knew of the top.
        if let Some(top) = cmd.parent {
            command.add_intel(top, 0.5 * params.intel_to_locate_command);
        }
        log.events.push(Event {
            tick,
            kind: EventKind::Decapitation,
            tile: pos.tile,
            attacker: Actor::None,
            defender: Actor::Command(id.0),
            attacker_losses: 0.0,
            defender_losses: 1.0,
            trucks_destroyed: 0,
            civilians_killed: 0,
        });
    }
}
