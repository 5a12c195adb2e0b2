//! The terrain grid: dense per-tile layers stored as flat vectors (struct of arrays), and the
//! cost of crossing a tile for each mobility class and season.

use crate::engine::calendar::Season;
use crate::engine::check::{Checker, Validate};
use crate::engine::geo::{Projection, Tile};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// Land cover classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[repr(u8)]
pub enum Terrain {
    Desert = 0,
    #[default]
    SahelSteppe = 1,
    Savanna = 2,
    Forest = 3,
    /// Wetland and the inner Niger delta: flooded much of the year.
    Wetland = 4,
    /// Open water of a river channel.
    River = 5,
    /// Plateaux and hills (Mandingue plateau, Bandiagara).
    Hills = 6,
    Urban = 7,
}

impl Terrain {
    pub const ALL: [Terrain; 8] = [
        Terrain::Desert,
        Terrain::SahelSteppe,
        Terrain::Savanna,
        Terrain::Forest,
        Terrain::Wetland,
        Terrain::River,
        Terrain::Hills,
        Terrain::Urban,
    ];
    pub const COUNT: usize = 8;

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Terrain::Desert => "desert",
            Terrain::SahelSteppe => "sahel steppe",
            Terrain::Savanna => "savanna",
            Terrain::Forest => "forest",
            Terrain::Wetland => "wetland",
            Terrain::River => "river",
            Terrain::Hills => "hills",
            Terrain::Urban => "urban",
        }
    }
}

/// Road on a tile.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[repr(u8)]
// Written `paved`, like every choice in a scenario; the older capitalised names still read.
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    #[default]
    #[serde(alias = "None")]
    None = 0,
    #[serde(alias = "Track")]
    Track = 1,
    #[serde(alias = "Paved")]
    Paved = 2,
}

/// How a river tile can be crossed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[repr(u8)]
pub enum Crossing {
    /// Not a river tile, or a river with no crossing here.
    #[default]
    None = 0,
    /// A road bridge: every mobility class crosses, in every season.
    Bridge = 1,
    /// A seasonal ford: foot and motorbike cross in the dry season; floods in the rains.
    Ford = 2,
}

/// How an actor moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Mobility {
    Foot = 0,
    Motorbike = 1,
    /// Trucks, tankers, pick-ups.
    Wheeled = 2,
    /// Armoured and tracked columns.
    Mechanised = 3,
}

impl Mobility {
    pub const ALL: [Mobility; 4] = [
        Mobility::Foot,
        Mobility::Motorbike,
        Mobility::Wheeled,
        Mobility::Mechanised,
    ];
    pub const COUNT: usize = 4;

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Mobility::Foot => "foot",
            Mobility::Motorbike => "motorbike",
            Mobility::Wheeled => "wheeled",
            Mobility::Mechanised => "mechanised",
        }
    }
}

/// Speeds of one mobility class, in km/h.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobilitySpeeds {
    /// Off-road speed by terrain, in the order desert, sahel steppe, savanna, forest, wetland,
    /// river, hills, urban. 0 means impassable.
    pub off_road: [f64; Terrain::COUNT],
    pub track: f64,
    pub paved: f64,
    /// Whether the class can use a ford (in the dry season).
    pub fords: bool,
}

/// Movement parameters: speeds by class, terrain and road, and the rainy season's effect.
///
/// Defaults: paved-road speeds are average convoy speeds including halts (an escorted
/// tanker convoy made about 67 km/day, africanews 2025-11); off-road figures are planning
/// values for Sahelian terrain. Mechanised columns are nearly road-bound; motorbikes are
/// fast off-road and use fords.
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MobilityParams {
    pub foot: MobilitySpeeds,
    pub motorbike: MobilitySpeeds,
    pub wheeled: MobilitySpeeds,
    pub mechanised: MobilitySpeeds,
    /// Multiplier on off-road speed in the rainy season, by terrain (roads are unaffected).
    pub rainy_off_road_factor: [f64; Terrain::COUNT],
    /// Multiplier on track speed in the rainy season (laterite tracks turn to mud).
    pub rainy_track_factor: f64,
}

impl Default for MobilityParams {
    fn default() -> Self {
        Self {
            //                 desert steppe savanna forest wetland river hills urban
            foot: MobilitySpeeds {
                off_road: [3.0, 4.0, 4.0, 3.0, 1.5, 0.0, 2.5, 4.0],
                track: 4.5,
                paved: 5.0,
                fords: true,
            },
            motorbike: MobilitySpeeds {
                off_road: [30.0, 35.0, 30.0, 15.0, 6.0, 0.0, 12.0, 20.0],
                track: 45.0,
                paved: 60.0,
                fords: true,
            },
            wheeled: MobilitySpeeds {
                off_road: [8.0, 10.0, 8.0, 2.0, 0.8, 0.0, 2.0, 15.0],
                track: 25.0,
                paved: 45.0,
                fords: false,
            },
            mechanised: MobilitySpeeds {
                off_road: [1.5, 1.5, 1.2, 0.4, 0.2, 0.0, 0.3, 8.0],
                track: 12.0,
                paved: 25.0,
                fords: false,
            },
            rainy_off_road_factor: [1.0, 0.8, 0.6, 0.6, 0.4, 1.0, 0.8, 1.0],
            rainy_track_factor: 0.6,
        }
    }
}

impl MobilityParams {
    pub fn speeds(&self, m: Mobility) -> &MobilitySpeeds {
        match m {
            Mobility::Foot => &self.foot,
            Mobility::Motorbike => &self.motorbike,
            Mobility::Wheeled => &self.wheeled,
            Mobility::Mechanised => &self.mechanised,
        }
    }
}

impl Validate for MobilityParams {
    fn validate(&self, c: &mut Checker) {
        for m in Mobility::ALL {
            let s = self.speeds(m);
            c.scope(m.name(), |c| {
                for (i, v) in s.off_road.iter().enumerate() {
                    c.non_negative(&format!("off_road[{i}] ({})", Terrain::ALL[i].name()), *v);
                }
                c.positive("track", s.track);
                c.positive("paved", s.paved);
            });
        }
        for (i, v) in self.rainy_off_road_factor.iter().enumerate() {
            c.within(&format!("rainy_off_road_factor[{i}]"), *v, 0.0, 1.0);
        }
        c.within("rainy_track_factor", self.rainy_track_factor, 0.01, 1.0);
    }
}

/// Seconds to cross one tile; `IMPASSABLE` where the class cannot enter.
pub type TileCost = u32;
pub const IMPASSABLE: TileCost = u32::MAX;

/// The dense grid of the map. Every per-tile layer is a flat `Vec` indexed by
/// `y * width + x`.
#[derive(Resource, Clone, Debug)]
pub struct TerrainGrid {
    pub width: u16,
    pub height: u16,
    pub projection: Projection,
    pub terrain: Vec<Terrain>,
    /// Metres above sea level.
    pub elevation: Vec<f32>,
    /// Concealment, 0 (open) to 1 (dense forest): lowers detection and the attacker's losses.
    pub cover: Vec<f32>,
    pub road: Vec<RoadClass>,
    /// True where a river flows through the tile (its channel may still be bridged or forded).
    pub river: Vec<bool>,
    pub crossing: Vec<Crossing>,
    /// Index into `countries`.
    pub country: Vec<u8>,
    pub countries: Vec<String>,
    /// Seconds to cross each tile, by season and mobility class: `cost[season][mobility][tile]`.
    pub cost: [[Vec<TileCost>; Mobility::COUNT]; 2],
    /// Dynamic layer: presence of state forces (decays daily, raised by posts and patrols).
    pub state_presence: Vec<f32>,
    /// Dynamic layer: insurgent influence (taxation, checkpoints, recruitment).
    pub insurgent_influence: Vec<f32>,
    /// Dynamic layer: recent violence (decays daily, raised by engagements).
    pub recent_violence: Vec<f32>,
    /// [`TerrainGrid::best_cover_near`] for every tile, worked out on its first use (for
    /// one radius): cells ask it of their home at nearly every decision. Clones of a grid
    /// share it (a sweep's runs on one map work it out once): it reads only the cover and
    /// the costs, which nothing changes once the scenario crate has painted the grid.
    pub best_cover: std::sync::Arc<std::sync::OnceLock<(i32, Vec<Tile>)>>,
    /// The road tiles of each row, built on first use ([`TerrainGrid::roads_in_row`]) and
    /// shared by clones like `best_cover`.
    pub road_rows: std::sync::Arc<std::sync::OnceLock<RoadRows>>,
}

/// The columns of the road tiles of each row of a grid, rows one after another: the
/// planners' scans for a road to hold visit the roads of a window instead of all its tiles.
#[derive(Debug, Default)]
pub struct RoadRows {
    /// Where row y's columns start in `xs`; row y + 1's start ends them.
    starts: Vec<u32>,
    /// Columns of road tiles, rising within a row.
    xs: Vec<u16>,
}

impl TerrainGrid {
    /// A blank grid of sahel steppe with no roads or rivers; the scenario crate paints it.
    pub fn blank(width: u16, height: u16, projection: Projection) -> Self {
        let n = usize::from(width) * usize::from(height);
        Self {
            width,
            height,
            projection,
            terrain: vec![Terrain::SahelSteppe; n],
            elevation: vec![300.0; n],
            cover: vec![0.2; n],
            road: vec![RoadClass::None; n],
            river: vec![false; n],
            crossing: vec![Crossing::None; n],
            country: vec![0; n],
            countries: vec!["ML".to_string()],
            cost: Default::default(),
            state_presence: vec![0.0; n],
            insurgent_influence: vec![0.0; n],
            recent_violence: vec![0.0; n],
            best_cover: Default::default(),
            road_rows: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.terrain.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terrain.is_empty()
    }

    #[inline]
    pub fn index(&self, t: Tile) -> usize {
        usize::from(t.y) * usize::from(self.width) + usize::from(t.x)
    }

    #[inline]
    pub fn tile(&self, index: usize) -> Tile {
        let w = usize::from(self.width);
        Tile::new((index % w) as u16, (index / w) as u16)
    }

    /// The best-covered tile a motorbike can enter in the dry season within `r` tiles
    /// (a square) of `home`, the first in row order among equals; `home` if none beats
    /// its own cover. Read from a table the first call fills (for its `r`; another `r` is
    /// worked out each time): the grid's cover and costs do not change during a run.
    pub fn best_cover_near(&self, home: Tile, r: i32) -> Tile {
        let (table_r, table) = self
            .best_cover
            .get_or_init(|| (r, self.best_cover_table(r)));
        if *table_r == r {
            table[self.index(home)]
        } else {
            self.best_cover_scan(home, r)
        }
    }

    /// [`TerrainGrid::best_cover_scan`] of every tile, in two passes of a window over the
    /// map instead of a square around each tile (49 reads a tile at the default radius;
    /// 12 ms of a run's start): along each row, the best cover within `r` columns and the
    /// first column that has it; then down each column of those, the best within `r` rows
    /// and the first row. The first tile in row order among the best of the square is the
    /// first row's first column; `home` is kept unless that tile's cover beats its own.
    /// Tiles a motorbike cannot enter, and covers that compare with nothing (NaN), never
    /// count, as in the scan.
    fn best_cover_table(&self, r: i32) -> Vec<Tile> {
        let (w, h) = (usize::from(self.width), usize::from(self.height));
        if r < 0 {
            return (0..self.len()).map(|i| self.tile(i)).collect();
        }
        let r = r as usize;
        let costs = self.costs(Season::Dry, Mobility::Motorbike);
        // (cover, column) of each row's best within the window; `NONE` where none counts.
        const NONE: u16 = u16::MAX;
        let mut rows = vec![(0.0f32, NONE); self.len()];
        for y in 0..h {
            for x in 0..w {
                let mut best = (0.0f32, NONE);
                for xx in x.saturating_sub(r)..=(x + r).min(w - 1) {
                    let i = y * w + xx;
                    let c = self.cover[i];
                    if costs[i] != IMPASSABLE && !c.is_nan() && (best.1 == NONE || c > best.0) {
                        best = (c, xx as u16);
                    }
                }
                rows[y * w + x] = best;
            }
        }
        let mut table = Vec::with_capacity(self.len());
        for y in 0..h {
            for x in 0..w {
                let mut best = (0.0f32, NONE, 0usize);
                for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
                    let (c, col) = rows[yy * w + x];
                    if col != NONE && (best.1 == NONE || c > best.0) {
                        best = (c, col, yy);
                    }
                }
                let home = y * w + x;
                table.push(if best.1 != NONE && best.0 > self.cover[home] {
                    Tile::new(best.1, best.2 as u16)
                } else {
                    self.tile(home)
                });
            }
        }
        table
    }

    fn best_cover_scan(&self, home: Tile, r: i32) -> Tile {
        let mut best = (self.cover[self.index(home)], home);
        let costs = self.costs(Season::Dry, Mobility::Motorbike);
        for dy in -r..=r {
            for dx in -r..=r {
                let (x, y) = (i32::from(home.x) + dx, i32::from(home.y) + dy);
                if !self.contains(x, y) {
                    continue;
                }
                let t = Tile::new(x as u16, y as u16);
                let i = self.index(t);
                if costs[i] != IMPASSABLE && self.cover[i] > best.0 {
                    best = (self.cover[i], t);
                }
            }
        }
        best.1
    }

    /// The columns of row `y`'s road tiles from `x0` to `x1` (inclusive), rising.
    pub fn roads_in_row(&self, y: u16, x0: i32, x1: i32) -> &[u16] {
        let rows = self.road_rows.get_or_init(|| {
            let mut rows = RoadRows::default();
            rows.starts.push(0);
            for i in 0..self.len() {
                if self.road[i] != RoadClass::None {
                    rows.xs.push(self.tile(i).x);
                }
                if (i + 1) % usize::from(self.width) == 0 {
                    rows.starts.push(rows.xs.len() as u32);
                }
            }
            rows
        });
        let y = usize::from(y);
        let Some(&end) = rows.starts.get(y + 1) else {
            return &[];
        };
        let row = &rows.xs[rows.starts[y] as usize..end as usize];
        let from = row.partition_point(|&x| i32::from(x) < x0);
        let to = row.partition_point(|&x| i32::from(x) <= x1);
        &row[from..to.max(from)]
    }

    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= 0 && y >= 0 && x < i32::from(self.width) && y < i32::from(self.height)
    }

    pub fn country_of(&self, t: Tile) -> &str {
        &self.countries[usize::from(self.country[self.index(t)])]
    }

    /// Recomputes the crossing cost of every tile for each season and mobility class.
    /// Called once after the terrain is painted (and again if a scenario edits terrain).
    pub fn compute_costs(&mut self, params: &MobilityParams) {
        let tile_km = self.projection.tile_km;
        for season in [Season::Dry, Season::Rainy] {
            for m in Mobility::ALL {
                let speeds = params.speeds(m);
                let costs: Vec<TileCost> = (0..self.len())
                    .map(|i| {
                        let kmh = tile_speed(
                            speeds,
                            params,
                            season,
                            self.terrain[i],
                            self.road[i],
                            self.river[i],
                            self.crossing[i],
                        );
                        if kmh <= 0.0 {
                            IMPASSABLE
                        } else {
                            // At least one second, so that every step has a positive cost.
                            ((tile_km / kmh * 3600.0).round() as u64)
                                .clamp(1, u64::from(IMPASSABLE - 1))
                                as TileCost
                        }
                    })
                    .collect();
                self.cost[season.index()][m.index()] = costs;
            }
        }
    }

    #[inline]
    pub fn costs(&self, season: Season, m: Mobility) -> &[TileCost] {
        &self.cost[season.index()][m.index()]
    }
}

/// Speed in km/h through one tile: the road if there is one, else the terrain; rivers only at
/// bridges, and at fords for the classes that use them in the dry season.
fn tile_speed(
    s: &MobilitySpeeds,
    p: &MobilityParams,
    season: Season,
    terrain: Terrain,
    road: RoadClass,
    river: bool,
    crossing: Crossing,
) -> f64 {
    if river {
        match crossing {
            Crossing::Bridge => {}
            Crossing::Ford if s.fords && season == Season::Dry => {
                // Wading or pushing a motorbike across: slow but possible.
                return s.off_road[Terrain::Wetland.index()].max(1.0);
            }
            _ => return 0.0,
        }
    }
    let rainy = season == Season::Rainy;
    match road {
        RoadClass::Paved => s.paved,
        RoadClass::Track => s.track * if rainy { p.rainy_track_factor } else { 1.0 },
        RoadClass::None => {
            let base = s.off_road[terrain.index()];
            if rainy {
                base * p.rainy_off_road_factor[terrain.index()]
            } else {
                base
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::geo::GeoBounds;

    /// A blank grid of 5 km tiles near Bamako.
    fn small_grid(width: u16, height: u16) -> TerrainGrid {
        let bounds = GeoBounds {
            lat_min: 12.0,
            lat_max: 12.5,
            lon_min: -8.0,
            lon_max: -6.16,
        };
        TerrainGrid::blank(width, height, Projection::new(bounds, 5.0))
    }

    /// A row's road tiles in a window are exactly the road tiles a scan of the window
    /// meets, in the scan's order, at the edges of the map too.
    #[test]
    fn roads_in_row_are_the_road_tiles_of_the_window() {
        let mut grid = small_grid(23, 9);
        for i in 0..grid.len() {
            if (i * 7919) % 5 < 2 {
                grid.road[i] = RoadClass::Track;
            }
        }
        for y in 0..grid.height {
            for (x0, x1) in [(-3, 4), (0, 22), (5, 5), (20, 30), (-9, -1), (7, 6)] {
                let scan: Vec<u16> = (x0..=x1)
                    .filter(|&x| grid.contains(x, i32::from(y)))
                    .map(|x| x as u16)
                    .filter(|&x| grid.road[grid.index(Tile::new(x, y))] != RoadClass::None)
                    .collect();
                assert_eq!(grid.roads_in_row(y, x0, x1), scan, "row {y}, {x0}..={x1}");
            }
        }
        assert!(grid.roads_in_row(9, 0, 22).is_empty());
    }

    /// The table of best-covered tiles is the scan of every tile's square: with ties (a
    /// few cover levels), impassable tiles, a NaN cover, at the map's edges, for radii from
    /// none to wider than the map.
    #[test]
    fn the_best_cover_table_is_the_scan_of_every_square() {
        let mut grid = small_grid(23, 17);
        grid.compute_costs(&MobilityParams::default());
        for i in 0..grid.len() {
            grid.cover[i] = ((i * 7919) % 4) as f32 * 0.25;
            if (i * 104_729) % 9 == 0 {
                grid.cost[0][Mobility::Motorbike.index()][i] = IMPASSABLE;
            }
        }
        grid.cover[40] = f32::NAN;
        for r in [-1, 0, 1, 2, 3, 5, 30] {
            let table = grid.best_cover_table(r);
            for (i, &best) in table.iter().enumerate() {
                let home = grid.tile(i);
                assert_eq!(best, grid.best_cover_scan(home, r), "{home:?}, r {r}");
            }
        }
        let table = grid.best_cover_table(3);
        let moved = (0..grid.len())
            .filter(|&i| table[i] != grid.tile(i))
            .count();
        assert!(
            moved > grid.len() / 2,
            "most tiles have a better cover near"
        );
    }
}
