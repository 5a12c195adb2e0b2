//! Terrain generation: noise fields shaped by a north-south aridity gradient, with rivers,
//! wetlands, forests, hills, countries, towns and roads drawn from coordinates.
//!
//! The noise gives the detail between known features. It is seeded from the terrain's own
//! seed (`map.terrain.seed`) where the scenario sets one, so every run of a real place plays
//! on one map; else from the run's seed, so a new seed gives new detail. Towns, rivers and
//! roads stay where the data puts them either way.

use crate::schema::{CorridorSpec, Location, MapSpec, Scenario, SettlementSpec, ZoneSpec};
use crate::validate::location_xy;
use asymwar_model::geo::{LatLon, Projection, Tile};
use asymwar_model::rng::{Purpose, mix};
use asymwar_model::terrain::{Crossing, MobilityParams, RoadClass, Terrain, TerrainGrid};
use noise::{Fbm, MultiFractal, NoiseFn, Perlin};
use std::sync::{Arc, Mutex};

/// Base cover (concealment) of each terrain class; noise adds +-0.1.
const COVER: [f32; Terrain::COUNT] = [
    0.05, // desert: open dunes and regs
    0.15, // sahel steppe: sparse thorn scrub
    0.35, // savanna: tall grass, scattered trees
    0.80, // forest: classified forests, gallery forest
    0.55, // wetland: reeds, bourgou grass, channels
    0.05, // river: open water
    0.50, // hills: broken ground, caves, escarpments
    0.30, // urban: buildings, but many eyes
];

fn noise_seed(seed: u64, k: u64) -> u32 {
    (mix(mix(seed, Purpose::Terrain as u64), k) >> 32) as u32
}

/// Everything a map is painted from: two scenarios that agree on it get the same grid.
#[derive(PartialEq)]
struct MapKey {
    map: MapSpec,
    settlements: Vec<SettlementSpec>,
    corridors: Vec<CorridorSpec>,
    mobility: MobilityParams,
    /// The noise's seed: the terrain's own, else the run's.
    seed: u64,
    size: (u16, u16),
}

/// A painted map: the grid and the road tiles of each corridor.
type Painted = (TerrainGrid, Vec<Vec<Tile>>);

/// Maps painted lately in this process, newest last. A sweep's runs and a class's
/// sessions on one map paint it once (noise over every tile is a few per cent of a short
/// run) and share its lazily built tables (`TerrainGrid::best_cover`).
static MAPS: Mutex<Vec<(MapKey, Arc<Painted>)>> = Mutex::new(Vec::new());

/// Maps kept: a sweep that gives every run its own terrain seed paints every run's map
/// anyway, and keeps no more than this many.
const MAPS_KEPT: usize = 4;

/// The finished terrain grid of a scenario for a run of seed `run_seed` ([`generate`] and
/// [`finish`]), from the maps already painted in this process when one matches: a copy of
/// the same grid, so a run cannot tell the difference.
pub fn painted(
    s: &Scenario,
    projection: Projection,
    width: u16,
    height: u16,
    run_seed: u64,
) -> Painted {
    let key = MapKey {
        map: s.map.clone(),
        settlements: s.settlements.clone(),
        corridors: s.corridors.clone(),
        mobility: s.params.mobility.clone(),
        seed: s.map.terrain.seed.unwrap_or(run_seed),
        size: (width, height),
    };
    let maps = || MAPS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, map)) = maps().iter().find(|(k, _)| *k == key) {
        return map.as_ref().clone();
    }
    let (mut grid, corridor_tiles) = generate(s, projection, width, height, run_seed);
    finish(&mut grid, &s.params.mobility);
    let map = Arc::new((grid, corridor_tiles));
    let mut kept = maps();
    if !kept.iter().any(|(k, _)| *k == key) {
        if kept.len() >= MAPS_KEPT {
            kept.remove(0);
        }
        kept.push((key, map.clone()));
    }
    map.as_ref().clone()
}

/// Paints the terrain grid of a scenario for a run of seed `run_seed` (which seeds the noise
/// only where the scenario gives the terrain no seed of its own). Road tiles along each
/// corridor are returned in order, one list per corridor.
pub fn generate(
    s: &Scenario,
    projection: Projection,
    width: u16,
    height: u16,
    run_seed: u64,
) -> (TerrainGrid, Vec<Vec<Tile>>) {
    let spec = &s.map.terrain;
    let seed = spec.seed.unwrap_or(run_seed);
    let mut g = TerrainGrid::blank(width, height, projection);
    let tile_km = projection.tile_km;
    let humidity_noise =
        Fbm::<Perlin>::new(noise_seed(seed, 1)).set_octaves(spec.noise_octaves as usize);
    let elevation_noise =
        Fbm::<Perlin>::new(noise_seed(seed, 2)).set_octaves(spec.noise_octaves as usize);
    let detail = Perlin::new(noise_seed(seed, 3));
    let f = spec.noise_frequency / 100.0;

    // Countries: the first polygon that holds the tile centre, else the default.
    let mut codes: Vec<String> = vec![spec.default_country.clone()];
    for k in &spec.countries {
        if !codes.contains(&k.code) {
            codes.push(k.code.clone());
        }
    }
    g.countries = codes.clone();
    let polygons = country_polygons(spec, &projection);

    let (wf, hf) = (f64::from(width), f64::from(height));
    for y in 0..height {
        for x in 0..width {
            let i = usize::from(y) * usize::from(width) + usize::from(x);
            let (xkm, ykm) = (
                (f64::from(x) + 0.5) * tile_km,
                (f64::from(y) + 0.5) * tile_km,
            );
            let p = [xkm * f, ykm * f];
            let gradient = spec.humidity_north
                + (spec.humidity_south - spec.humidity_north) * (f64::from(y) + 0.5) / hf;
            let humidity = gradient + spec.humidity_noise * humidity_noise.get(p);
            let elevation = spec.elevation_m
                + spec.elevation_noise_m * elevation_noise.get([p[0] + 17.3, p[1] - 4.1]);
            let terrain = if elevation > spec.hills_above_m {
                Terrain::Hills
            } else if humidity < spec.desert_below {
                Terrain::Desert
            } else if humidity < spec.steppe_below {
                Terrain::SahelSteppe
            } else if humidity < spec.savanna_below {
                Terrain::Savanna
            } else {
                Terrain::Forest
            };
            g.terrain[i] = terrain;
            g.elevation[i] = elevation as f32;
            let ll = projection.to_latlon(f64::from(x) + 0.5, f64::from(y) + 0.5);
            g.country[i] = spec
                .countries
                .iter()
                .zip(&polygons)
                .find(|(_, poly)| point_in_polygon(ll, poly))
                .map(|(k, _)| codes.iter().position(|c| *c == k.code).unwrap_or(0) as u8)
                .unwrap_or(0);
        }
    }
    let _ = wf;

    // Zones drawn from coordinates, with edges roughened by the detail noise.
    paint_zones(&mut g, &spec.hills, Terrain::Hills, &detail, &projection);
    paint_zones(&mut g, &spec.forests, Terrain::Forest, &detail, &projection);
    paint_zones(
        &mut g,
        &spec.wetlands,
        Terrain::Wetland,
        &detail,
        &projection,
    );

    // Towns: urban tiles around the larger ones.
    for t in &s.settlements {
        let (cx, cy) = location_xy(t.at, &projection);
        if t.population >= spec.urban_min_population {
            // Built-up radius grows with the square root of population (Bamako: ~10 km).
            let r_tiles = (1.5 * (t.population / 100_000.0).sqrt() / tile_km).floor() as i32;
            // Only the part of the disc on the map: with tiny tiles the radius may be long.
            let (cxi, cyi) = (cx as i32, cy as i32);
            let (w, h) = (i32::from(width), i32::from(height));
            for dy in (-r_tiles).max(-cyi)..=r_tiles.min(h - 1 - cyi) {
                for dx in (-r_tiles).max(-cxi)..=r_tiles.min(w - 1 - cxi) {
                    let (dx64, dy64, r64) = (i64::from(dx), i64::from(dy), i64::from(r_tiles));
                    if dx64 * dx64 + dy64 * dy64 <= r64 * r64 {
                        set_terrain(&mut g, cxi + dx, cyi + dy, Terrain::Urban);
                    }
                }
            }
        }
    }

    // Rivers, four-connected so that no diagonal step slips across.
    for r in &spec.rivers {
        let pts: Vec<(f64, f64)> = r
            .points
            .iter()
            .map(|p| location_xy(*p, &projection))
            .collect();
        let mut along_km = 0.0;
        let mut next_ford = if r.ford_every_km > 0.0 {
            0.5 * r.ford_every_km
        } else {
            f64::INFINITY
        };
        let mut prev: Option<(i32, i32)> = None;
        for w in pts.windows(2) {
            for (x, y) in supercover(w[0], w[1]) {
                if prev == Some((x, y)) {
                    continue;
                }
                if prev.is_some() {
                    along_km += tile_km;
                }
                prev = Some((x, y));
                if !g.contains(x, y) {
                    continue;
                }
                let i = usize::from(y as u16) * usize::from(width) + x as usize;
                g.river[i] = true;
                g.terrain[i] = Terrain::River;
                if along_km >= next_ford {
                    g.crossing[i] = Crossing::Ford;
                    next_ford += r.ford_every_km;
                }
            }
        }
    }

    // Roads, town to town, eight-connected; a road over a river is a bridge.
    let mut corridor_tiles = Vec::with_capacity(s.corridors.len());
    for k in &s.corridors {
        let mut tiles: Vec<Tile> = Vec::new();
        let towns: Vec<(f64, f64)> = k
            .towns
            .iter()
            .filter_map(|n| s.settlements.iter().find(|t| &t.name == n))
            .map(|t| location_xy(t.at, &projection))
            .collect();
        for w in towns.windows(2) {
            for (x, y) in line8(w[0], w[1]) {
                if !g.contains(x, y) {
                    continue;
                }
                let t = Tile::new(x as u16, y as u16);
                if tiles.last() != Some(&t) {
                    tiles.push(t);
                }
                let i = g.index(t);
                g.road[i] = g.road[i].max(k.road);
            }
        }
        corridor_tiles.push(tiles);
    }
    // Every town is reachable by truck, and a town on a river has its bridge.
    for t in &s.settlements {
        let (x, y) = location_xy(t.at, &projection);
        if g.contains(x as i32, y as i32) {
            let i = g.index(Tile::new(x as u16, y as u16));
            g.road[i] = g.road[i].max(RoadClass::Track);
        }
    }
    for i in 0..g.len() {
        if g.river[i] && g.road[i] != RoadClass::None {
            g.crossing[i] = Crossing::Bridge;
        }
        let t = g.terrain[i];
        let jitter = 0.1
            * detail.get([
                (i % usize::from(width)) as f64 * 0.37,
                (i / usize::from(width)) as f64 * 0.37,
            ]) as f32;
        g.cover[i] =
            (COVER[t.index()] + if t == Terrain::River { 0.0 } else { jitter }).clamp(0.0, 1.0);
    }
    (g, corridor_tiles)
}

/// Computes movement costs once painting is done.
pub fn finish(g: &mut TerrainGrid, mobility: &MobilityParams) {
    g.compute_costs(mobility);
}

fn set_terrain(g: &mut TerrainGrid, x: i32, y: i32, t: Terrain) {
    if g.contains(x, y) {
        let i = g.index(Tile::new(x as u16, y as u16));
        g.terrain[i] = t;
    }
}

fn paint_zones(
    g: &mut TerrainGrid,
    zones: &[ZoneSpec],
    terrain: Terrain,
    detail: &Perlin,
    p: &Projection,
) {
    let tile_km = p.tile_km;
    for z in zones {
        let (cx, cy) = location_xy(z.centre, p);
        let (rx, ry) = (z.radius_km.0 / tile_km, z.radius_km.1 / tile_km);
        let (x0, x1) = (
            (cx - rx * 1.3).floor() as i32,
            (cx + rx * 1.3).ceil() as i32,
        );
        let (y0, y1) = (
            (cy - ry * 1.3).floor() as i32,
            (cy + ry * 1.3).ceil() as i32,
        );
        // Only the part of the box on the map (validation bounds the radius, this the loop).
        let (x0, x1) = (x0.max(0), x1.min(i32::from(g.width) - 1));
        let (y0, y1) = (y0.max(0), y1.min(i32::from(g.height) - 1));
        for y in y0..=y1 {
            for x in x0..=x1 {
                if !g.contains(x, y) {
                    continue;
                }
                let (dx, dy) = (
                    (f64::from(x) + 0.5 - cx) / rx,
                    (f64::from(y) + 0.5 - cy) / ry,
                );
                let edge = 1.0 + 0.25 * detail.get([f64::from(x) * 0.21, f64::from(y) * 0.21]);
                if dx * dx + dy * dy <= edge * edge {
                    let i = g.index(Tile::new(x as u16, y as u16));
                    g.terrain[i] = terrain;
                }
            }
        }
    }
}

/// Ray casting on (lat, lon) vertices.
pub(crate) fn point_in_polygon(p: LatLon, poly: &[(f64, f64)]) -> bool {
    let mut inside = false;
    let n = poly.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (yi, xi) = poly[i];
        let (yj, xj) = poly[j];
        if (yi > p.lat) != (yj > p.lat) && p.lon < (xj - xi) * (p.lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// The countries' polygons in degrees (a vertex may be written as a tile).
pub(crate) fn country_polygons(
    spec: &crate::schema::TerrainSpec,
    projection: &Projection,
) -> Vec<Vec<(f64, f64)>> {
    spec.countries
        .iter()
        .map(|k| {
            k.polygon
                .iter()
                .map(|v| match v.location() {
                    Location::LatLon(lat, lon) => (lat, lon),
                    Location::Tile(x, y) => {
                        let ll = projection.to_latlon(f64::from(x) + 0.5, f64::from(y) + 0.5);
                        (ll.lat, ll.lon)
                    }
                })
                .collect()
        })
        .collect()
}

/// Tiles of an eight-connected line between two points (Bresenham on tile indices).
pub fn line8(a: (f64, f64), b: (f64, f64)) -> Vec<(i32, i32)> {
    let (mut x0, mut y0) = (a.0.floor() as i32, a.1.floor() as i32);
    let (x1, y1) = (b.0.floor() as i32, b.1.floor() as i32);
    let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
    let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
    let mut err = dx + dy;
    let mut out = Vec::with_capacity((dx - dy) as usize + 1);
    loop {
        out.push((x0, y0));
        if x0 == x1 && y0 == y1 {
            break;
        }
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x0 += sx;
        }
        if e2 <= dx {
            err += dx;
            y0 += sy;
        }
    }
    out
}

/// Tiles of a four-connected line between two points: every step is orthogonal.
pub fn supercover(a: (f64, f64), b: (f64, f64)) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    for (i, (x, y)) in line8(a, b).into_iter().enumerate() {
        if let Some(&(px, py)) = out.last()
            && i > 0
            && px != x
            && py != y
        {
            // A diagonal step: insert the orthogonal corner so the line stays 4-connected.
            out.push((x, py));
        }
        out.push((x, y));
    }
    out
}

/// The tile of a location (clamped into the grid).
pub fn location_tile(loc: Location, p: &Projection, width: u16, height: u16) -> Tile {
    let (x, y) = location_xy(loc, p);
    Tile::new(
        (x.max(0.0) as u16).min(width - 1),
        (y.max(0.0) as u16).min(height - 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supercover_is_four_connected() {
        let line = supercover((0.5, 0.5), (9.5, 6.5));
        for w in line.windows(2) {
            let (dx, dy) = ((w[1].0 - w[0].0).abs(), (w[1].1 - w[0].1).abs());
            assert_eq!(dx + dy, 1, "{:?}", w);
        }
        assert_eq!(line.first(), Some(&(0, 0)));
        assert_eq!(line.last(), Some(&(9, 6)));
    }

    #[test]
    fn polygon_contains_its_inside_only() {
        let square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)];
        assert!(point_in_polygon(LatLon { lat: 0.5, lon: 0.5 }, &square));
        assert!(!point_in_polygon(LatLon { lat: 1.5, lon: 0.5 }, &square));
    }
}
