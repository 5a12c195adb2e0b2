//! Sight: cells see convoys and army units within vision and report convoys to their
//! commander; with rival commands, they also see the nearest rival cell.

use super::data::*;
use crate::domains::army::data::ArmyUnit;
use crate::domains::logistics::data::Convoy;
use crate::engine::calendar::Clock;
use crate::engine::geo::Tile;
use crate::world::actors::{Position, Route};
use crate::world::scale::Scale;
use crate::world::sensing::SpatialIndex;
use bevy_ecs::prelude::*;

/// Sensing: cells see convoys and army units within vision, remember the nearest of each,
/// and report them to their commander (the report arrives after one hop's delay).
#[allow(clippy::too_many_arguments)]
pub fn cells_sense(
    clock: Res<Clock>,
    scale: Res<Scale>,
    params: Res<InsurgencyParams>,
    index: Res<SpatialIndex>,
    mut cells: Query<(&mut Cell, &Position)>,
    convoys: Query<(&Convoy, &Route)>,
    army: Query<(&ArmyUnit, &Route)>,
    mut commands_q: Query<&mut InsurgentCommand>,
    factions: Res<Factions>,
    mut sightings: Local<Sightings>,
) {
    let tick = clock.tick;
    let vision = scale.tiles(params.vision_km) as f32;
    let delay = scale.ticks_rounded(params.comm_delay_hours);
    // What a cell would see of each convoy, army unit and (with rival commands) other
    // cell, by place in the index's layers: one lookup an actor, not one a sighting (about
    // four million sightings a year); the loop below holds the cells mutably.
    let Sightings {
        convoys: convoy_seen,
        army: army_seen,
        cells: rivals,
    } = &mut *sightings;
    rivals.clear();
    if factions.rivals() {
        rivals.extend(index.cells.entries().iter().map(|en| {
            let (c, _) = cells.get(en.entity).ok()?;
            Some((c.faction, c.fighters * c.weapons))
        }));
    }
    let any_rival = rivals.iter().any(Option::is_some);
    convoy_seen.clear();
    convoy_seen.extend(index.convoys.entries().iter().map(|e| {
        convoys
            .get(e.entity)
            .ok()
            .map(|(c, route)| (c.tankers, c.tankers + c.goods, route.destination()))
    }));
    army_seen.clear();
    army_seen.extend(index.army.entries().iter().map(|e| {
        army.get(e.entity)
            .ok()
            .map(|(u, route)| (u.soldiers * u.kind.firepower(), route.destination()))
    }));
    for (mut cell, pos) in &mut cells {
        if any_rival {
            cell.seen_rival = nearest_rival(&index, rivals, pos.tile, vision, cell.faction, tick);
        }
        // The convoy that draws the eye: the nearest with tankers (the blockade's target),
        // else the nearest. (Nearness in squared tiles, whole numbers: the order of the
        // distances, without a square root for each sighting.)
        let mut best_convoy: Option<((bool, u64), Seen)> = None;
        index.within_at(&index.convoys, pos.tile, vision, |k, e| {
            if let Some((tankers, trucks, heading)) = convoy_seen[k] {
                let key = (tankers == 0, e.tile.distance_squared(pos.tile));
                if best_convoy.is_none_or(|b| key < b.0) {
                    let strength = 0.0; // filled below from the escort, if any
                    best_convoy = Some((
                        key,
                        Seen {
                            tile: e.tile,
                            tick,
                            strength,
                            trucks,
                            tankers,
                            heading,
                        },
                    ));
                }
            }
        });
        let mut best_army: Option<(u64, Seen)> = None;
        index.within_at(&index.army, pos.tile, vision, |k, e| {
            if let Some((strength, heading)) = army_seen[k] {
                let d = e.tile.distance_squared(pos.tile);
                if best_army.is_none_or(|b| d < b.0) {
                    best_army = Some((
                        d,
                        Seen {
                            tile: e.tile,
                            tick,
                            strength,
                            trucks: 0,
                            tankers: 0,
                            heading,
                        },
                    ));
                }
            }
        });
        if let Some((_, mut s)) = best_convoy {
            // An escort travels on the convoy's tile.
            index.within_at(&index.army, s.tile, 0.5, |k, _| {
                if let Some((strength, _)) = army_seen[k] {
                    s.strength += strength;
                }
            });
            cell.seen_convoy = Some(s);
            if let Ok(mut cmd) = commands_q.get_mut(cell.commander)
                && cmd.alive
            {
                cmd.inbox.push((tick + delay, s));
            }
        }
        if let Some((_, s)) = best_army {
            cell.seen_army = Some(s);
        }
    }
}

/// What the cells can see of the convoys (tankers, trucks, heading), army units
/// (strength, heading) and, with rival commands, other cells (faction, strength) this
/// tick, in the order of the index's layers.
#[derive(Default)]
pub struct Sightings {
    convoys: Vec<Option<(u32, u32, Option<Tile>)>>,
    army: Vec<Option<(f32, Option<Tile>)>>,
    cells: Vec<Option<(u8, f32)>>,
}

/// The nearest cell of another faction within `vision` tiles (ties to the lower id), as a
/// sighting with its strength.
fn nearest_rival(
    index: &SpatialIndex,
    rivals: &[Option<(u8, f32)>],
    at: Tile,
    vision: f32,
    faction: u8,
    tick: u64,
) -> Option<Seen> {
    let mut best: Option<(u64, crate::world::actors::ActorId, Seen)> = None;
    index.within_at(&index.cells, at, vision, |k, en| {
        let Some((f, strength)) = rivals[k] else {
            return;
        };
        let d = en.tile.distance_squared(at);
        if f != faction && best.is_none_or(|b| (d, en.id) < (b.0, b.1)) {
            let seen = Seen {
                tile: en.tile,
                tick,
                strength,
                trucks: 0,
                tankers: 0,
                heading: None,
            };
            best = Some((d, en.id, seen));
        }
    });
    best.map(|b| b.2)
}
