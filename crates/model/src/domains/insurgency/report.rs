//! What the insurgency reports: its fighters and cells, its command's fate, and cells and
//! commands on the map.

use super::data::*;
use crate::engine::observation::{Marker, MarkerKind, Reporters};
use crate::world::actors::Position;
use bevy_ecs::prelude::*;

/// Total fighters in all cells.
pub fn fighters(world: &mut World) -> f64 {
    world
        .query::<&Cell>()
        .iter(world)
        .map(|c| f64::from(c.fighters))
        .sum()
}

/// Number of cells.
pub fn cell_count(world: &mut World) -> f64 {
    world.query::<&Cell>().iter(world).count() as f64
}

fn top_alive(w: &mut World) -> Option<bool> {
    let top = w.get_resource::<TopCommand>()?.0;
    w.get::<InsurgentCommand>(top).map(|c| c.alive)
}

fn tally(w: &World) -> &InsurgencyTally {
    w.resource::<InsurgencyTally>()
}

fn sieges(w: &World) -> &Sieges {
    w.resource::<Sieges>()
}

/// Sieges: towns besieged each day, the record over the run, and the panel's column.
fn siege_reporters(r: &mut Reporters) {
    r.stock(
        "besieged_towns",
        "towns",
        "towns whose ring holds at least siege_min_fighters fighters",
        |w| sieges(w).active.len() as f64,
    );
    r.summary(
        "town_days_besieged",
        "town-days",
        "days under siege, summed over towns",
        |w| Some(sieges(w).town_days as f64),
    );
    r.summary("sieges_laid", "count", "sieges laid (rings formed)", |w| {
        Some(sieges(w).laid as f64)
    });
    r.summary(
        "sieges_broken",
        "count",
        "sieges lifted with an army relief column at the town",
        |w| Some(sieges(w).broken as f64),
    );
    r.summary(
        "sieges_lapsed",
        "count",
        "sieges lifted without a relief column (the cells left or were too few)",
        |w| Some(sieges(w).lapsed as f64),
    );
    r.place("besieged", "0/1", "1 while the town is besieged", |w, e| {
        f64::from(u8::from(sieges(w).of(e).is_some()))
    });
}

pub fn reporters(r: &mut Reporters) {
    siege_reporters(r);
    r.stock(
        "insurgent_fighters",
        "fighters",
        "fighters in all cells",
        fighters,
    );
    r.stock("cells", "count", "insurgent cells", cell_count);
    r.rate(
        "command_alive",
        "0/1",
        "1 while the insurgents' top command lives",
        |w| top_alive(w).map_or(f64::NAN, f64::from),
    );
    r.summary(
        "fighters_deserted",
        "fighters",
        "fighters who left cells that ran out of supplies",
        |w| Some(tally(w).desertions),
    );
    r.summary(
        "insurgent_fighters_end",
        "fighters",
        "fighters at the end",
        |w| Some(fighters(w)),
    );
    r.summary("cells_end", "count", "cells at the end", |w| {
        Some(cell_count(w))
    });
    r.summary(
        "command_decapitated_day",
        "day",
        "day the top command was first destroyed (null if never)",
        |w| tally(w).top_decapitated_day.map(f64::from),
    );
    r.summary(
        "decapitations",
        "count",
        "commands destroyed (top and regional)",
        |w| Some(tally(w).decapitations as f64),
    );
    r.summary(
        "top_decapitations",
        "count",
        "times the top command was destroyed",
        |w| Some(tally(w).top_decapitations as f64),
    );
}

/// Cells on the map (sized by fighters, valued by cohesion) and the living commands.
pub fn cell_markers(world: &mut World, out: &mut Vec<Marker>) {
    for (c, p) in world.query::<(&Cell, &Position)>().iter(world) {
        out.push(Marker {
            kind: MarkerKind::Cell,
            x: f32::from(p.tile.x) + 0.5,
            y: f32::from(p.tile.y) + 0.5,
            size: c.fighters,
            value: c.cohesion,
        });
    }
    for (c, p) in world.query::<(&InsurgentCommand, &Position)>().iter(world) {
        if c.alive {
            out.push(Marker {
                kind: MarkerKind::Command,
                x: f32::from(p.tile.x) + 0.5,
                y: f32::from(p.tile.y) + 0.5,
                size: 1.0,
                value: if c.parent.is_none() { 1.0 } else { 0.5 },
            });
        }
    }
}
