//! Sieges: cells holding posts on a ring around a town deny its roads (convoys passing a
//! post are stopped, as at a checkpoint, goods trucks too), its fields and water (logistics
//! cuts the town's own food production) and its exits (society traps most of those who
//! would flee). The insurgency surveys its rings daily: a town is besieged while the
//! fighters on its ring number at least `siege_min_fighters`; a siege lifted while an army
//! column stands at the town was broken, otherwise it lapsed.

use super::data::*;
use super::network::spawn_cell;
use crate::domains::army::data::{ArmyUnit, Posture};
use crate::engine::calendar::{Clock, Season};
use crate::engine::geo::Tile;
use crate::engine::rng::{Purpose, stream};
use crate::world::actors::{ActorId, Position};
use crate::world::scale::Scale;
use crate::world::sensing::SpatialIndex;
use crate::world::settlement::Settlement;
use crate::world::terrain::{IMPASSABLE, Mobility, RoadClass, TerrainGrid};
use bevy_ecs::prelude::*;

/// Cells this much further out than the ring still count as holding it (a post a tile off,
/// a cell coming back from a fight).
const RING_SLACK: f64 = 1.5;

/// The post on the ring of `ring` tiles around `town` that a cell coming from `from` takes:
/// the road tile nearest the ring's radius on the side facing `from` (roads are what the
/// ring must hold), else the passable ring tile in the direction of `from`.
pub fn siege_post(grid: &TerrainGrid, town: Tile, from: Tile, ring: f64) -> Tile {
    let r = ring.ceil() as i32 + 1;
    let (tx, ty) = (i32::from(town.x), i32::from(town.y));
    let costs = grid.costs(Season::Dry, Mobility::Motorbike);
    let mut best: Option<(f64, Tile)> = None;
    for dy in -r..=r {
        for dx in -r..=r {
            let (x, y) = (tx + dx, ty + dy);
            if !grid.contains(x, y) {
                continue;
            }
            let t = Tile::new(x as u16, y as u16);
            let i = grid.index(t);
            if costs[i] == IMPASSABLE {
                continue;
            }
            let off_ring = (t.distance(town) - ring).abs();
            if off_ring > 1.0 {
                continue;
            }
            // Roads first; then the side facing the cell; then nearest the radius.
            let road = if grid.road[i] == RoadClass::None {
                1000.0
            } else {
                0.0
            };
            let score = road + t.distance(from) + off_ring;
            if best.is_none_or(|b| score < b.0) {
                best = Some((score, t));
            }
        }
    }
    best.map_or(town, |b| b.1)
}

/// Lays the scenario's sieges at the start: each siege's cells on posts around its town,
/// under their command's top (the first command's by default), holding the ring from the first day.
pub fn spawn_sieges(world: &mut World, sieges: &[SiegePlacement]) {
    if sieges.is_empty() {
        return;
    }
    let p = world.resource::<InsurgencyParams>().clone();
    let seed = world.resource::<crate::engine::rng::Seed>().0;
    let mut rng = stream(seed, Purpose::Placement, 0x5e, 0);
    let Some(first) = world.get_resource::<TopCommand>().map(|t| t.0) else {
        return;
    };
    let factions = world.resource::<Factions>().clone();
    let ring = Scale::of(world).tiles(p.siege_ring_km);
    for s in sieges {
        let Some(town) = world.get::<Settlement>(s.town).map(|t| t.tile) else {
            continue;
        };
        // The ring's command: its faction's top, else the first command's.
        let faction = s
            .command
            .as_ref()
            .and_then(|c| factions.names.iter().position(|n| n == c))
            .unwrap_or(0);
        let top = factions.tops.get(faction).copied().unwrap_or(first);
        let faction = u8::try_from(faction).unwrap_or(0);
        for k in 0..s.cells {
            // Cells spread round the ring: each faces its own direction.
            let a = std::f64::consts::TAU * f64::from(k) / f64::from(s.cells.max(1));
            let from = Tile::new(
                (f64::from(town.x) + 4.0 * ring * a.cos()).max(0.0).round() as u16,
                (f64::from(town.y) + 4.0 * ring * a.sin()).max(0.0).round() as u16,
            );
            let post = siege_post(world.resource::<TerrainGrid>(), town, from, ring);
            let e = spawn_cell(
                world,
                &p,
                (top, faction),
                post,
                s.fighters_per_cell as f32,
                &mut rng,
            );
            if let Some(mut c) = world.get_mut::<Cell>(e) {
                c.task = Task::Besiege(s.town, post);
                c.ring = Some((s.town, post));
                c.home = post;
            }
        }
    }
}

/// Organisation set, daily: which towns are besieged now (the fighters on each ring), and
/// the record of sieges laid, broken and lapsed.
#[allow(clippy::too_many_arguments)]
pub fn survey_sieges(
    clock: Res<Clock>,
    scale: Res<Scale>,
    params: Res<InsurgencyParams>,
    index: Res<SpatialIndex>,
    mut sieges: ResMut<Sieges>,
    cells: Query<(&ActorId, &Cell, &Position)>,
    towns: Query<(&ActorId, &Settlement)>,
    units: Query<&ArmyUnit>,
    mut rings: Local<Vec<(ActorId, Entity, Tile, f32)>>,
) {
    if !clock.is_day_end() {
        return;
    }
    let ring = scale.tiles(params.siege_ring_km) * RING_SLACK;
    rings.clear();
    let mut besiegers: Vec<(ActorId, Entity, Tile, f32)> = cells
        .iter()
        .filter_map(|(id, c, pos)| match c.task {
            Task::Besiege(town, _) => Some((*id, town, pos.tile, c.fighters)),
            _ => None,
        })
        .collect();
    besiegers.sort_by_key(|b| b.0);
    for (_, town, at, fighters) in besiegers {
        let Ok((tid, t)) = towns.get(town) else {
            continue;
        };
        if at.distance(t.tile) > ring {
            continue;
        }
        match rings.iter_mut().find(|r| r.1 == town) {
            Some(r) => r.3 += fighters,
            None => rings.push((*tid, town, t.tile, fighters)),
        }
    }
    rings.sort_by_key(|r| r.0);
    let today = clock.day();
    let before = std::mem::take(&mut sieges.active);
    for &(_, town, tile, fighters) in rings.iter() {
        if f64::from(fighters) < params.siege_min_fighters {
            continue;
        }
        let since = before.iter().find(|s| s.town == town).map(|s| s.since);
        if since.is_none() {
            sieges.laid += 1;
        }
        sieges.active.push(Siege {
            town,
            tile,
            fighters,
            since: since.unwrap_or(today),
        });
    }
    for s in &before {
        if sieges.of(s.town).is_none() {
            let mut soldiers = 0.0f32;
            index.within(&index.army, s.tile, ring as f32, |en| {
                // A relief column (the garrison alone does not break a ring it lived with).
                if let Ok(u) = units.get(en.entity)
                    && u.posture == Posture::Sweep
                {
                    soldiers += u.soldiers;
                }
            });
            if soldiers > 0.0 {
                sieges.broken += 1;
            } else {
                sieges.lapsed += 1;
            }
        }
    }
    sieges.town_days += sieges.active.len() as u64;
}
