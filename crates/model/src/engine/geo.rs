//! Geography: an equirectangular projection centred on the map, and tile coordinates.
//!
//! Row 0 is the northern edge, column 0 the western edge. Over a span of six degrees of
//! latitude the equirectangular projection distorts east-west distances by under 5%,
//! small against the 5 km tile.

use serde::{Deserialize, Serialize};

/// Kilometres per degree of latitude (mean).
pub const KM_PER_DEG_LAT: f64 = 110.574;
/// Kilometres per degree of longitude at the equator.
pub const KM_PER_DEG_LON_EQUATOR: f64 = 111.320;

/// A point on the globe in decimal degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// Geographic bounds of a map.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoBounds {
    pub lat_min: f64,
    pub lat_max: f64,
    pub lon_min: f64,
    pub lon_max: f64,
}

impl GeoBounds {
    pub fn contains(&self, p: LatLon) -> bool {
        p.lat >= self.lat_min
            && p.lat <= self.lat_max
            && p.lon >= self.lon_min
            && p.lon <= self.lon_max
    }
}

/// The projection between degrees and tiles of one map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    pub bounds: GeoBounds,
    pub tile_km: f64,
    km_per_deg_lon: f64,
}

impl Projection {
    pub fn new(bounds: GeoBounds, tile_km: f64) -> Self {
        let lat0 = 0.5 * (bounds.lat_min + bounds.lat_max);
        let km_per_deg_lon = KM_PER_DEG_LON_EQUATOR * lat0.to_radians().cos();
        Self {
            bounds,
            tile_km,
            km_per_deg_lon,
        }
    }

    /// Width and height of the grid in whole tiles (possibly 0).
    pub fn grid_size(&self) -> (f64, f64) {
        let w = (self.bounds.lon_max - self.bounds.lon_min) * self.km_per_deg_lon / self.tile_km;
        let h = (self.bounds.lat_max - self.bounds.lat_min) * KM_PER_DEG_LAT / self.tile_km;
        // Only whole tiles: a tile larger than the map leaves an empty grid.
        (w.floor(), h.floor())
    }

    /// Continuous tile coordinates (x east, y south) of a point; tile (i, j) spans
    /// [i, i+1) x [j, j+1).
    pub fn to_xy(&self, p: LatLon) -> (f64, f64) {
        let x = (p.lon - self.bounds.lon_min) * self.km_per_deg_lon / self.tile_km;
        let y = (self.bounds.lat_max - p.lat) * KM_PER_DEG_LAT / self.tile_km;
        (x, y)
    }

    /// Centre of tile (x, y) in degrees.
    pub fn to_latlon(&self, x: f64, y: f64) -> LatLon {
        LatLon {
            lon: self.bounds.lon_min + x * self.tile_km / self.km_per_deg_lon,
            lat: self.bounds.lat_max - y * self.tile_km / KM_PER_DEG_LAT,
        }
    }

    pub fn tile_centre(&self, t: Tile) -> LatLon {
        self.to_latlon(f64::from(t.x) + 0.5, f64::from(t.y) + 0.5)
    }
}

/// A tile of the grid.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct Tile {
    pub x: u16,
    pub y: u16,
}

impl Tile {
    pub const fn new(x: u16, y: u16) -> Self {
        Self { x, y }
    }

    /// Distance in tiles (Euclidean).
    pub fn distance(self, other: Tile) -> f64 {
        let dx = f64::from(self.x) - f64::from(other.x);
        let dy = f64::from(self.y) - f64::from(other.y);
        (dx * dx + dy * dy).sqrt()
    }

    /// The squared Euclidean distance in tiles: an integer, exact. It orders pairs as
    /// [`Tile::distance`] does, ties included (the square root is strictly increasing on
    /// the integers of any map, far below 2^51).
    pub fn distance_squared(self, other: Tile) -> u64 {
        let dx = u64::from(self.x.abs_diff(other.x));
        let dy = u64::from(self.y.abs_diff(other.y));
        dx * dx + dy * dy
    }

    /// The least squared distance whose [`Tile::distance`] is `d` or more: `a.distance(b)
    /// < d` exactly when `a.distance_squared(b) < Tile::squared_at_least(d)` (the square
    /// root is monotone on the integers), without a square root for each pair.
    pub fn squared_at_least(d: f64) -> u64 {
        if d.is_nan() || d <= 0.0 {
            return 0;
        }
        if d * d >= 2f64.powi(52) {
            return u64::MAX;
        }
        let mut n = ((d * d).floor() as u64).saturating_sub(2);
        while (n as f64).sqrt() < d {
            n += 1;
        }
        n
    }

    /// Chebyshev distance in tiles.
    pub fn chebyshev(self, other: Tile) -> u16 {
        self.x.abs_diff(other.x).max(self.y.abs_diff(other.y))
    }
}

#[cfg(test)]
mod tests {
    use super::Tile;

    /// `distance < d` and `distance_squared < squared_at_least(d)` agree for every offset
    /// up to 60 tiles and thresholds that are whole, square roots of whole numbers, just
    /// either side of them, irrational, zero, negative, NaN and infinite.
    #[test]
    fn a_squared_threshold_agrees_with_the_distance() {
        let mut thresholds = vec![
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            0.5,
            1.0,
            4.0,
            std::f64::consts::PI,
            20.0 / 3.0,
            59.9,
        ];
        for n in [2.0f64, 3.0, 50.0, 1000.0, 2025.0] {
            let r = n.sqrt();
            thresholds.extend([r, r.next_up(), r.next_down()]);
        }
        let a = Tile::new(100, 100);
        for d in thresholds {
            let n = Tile::squared_at_least(d);
            for dx in 0..=60u16 {
                for dy in 0..=60u16 {
                    let b = Tile::new(100 + dx, 100 - dy);
                    assert_eq!(
                        a.distance(b) < d,
                        a.distance_squared(b) < n,
                        "d = {d}, offset ({dx}, {dy})"
                    );
                }
            }
        }
    }

    /// Squared distances order pairs as distances do: the square root grows strictly from
    /// one whole number to the next, checked up to a million and around the largest squared
    /// distance of a map of 65,535 tiles a side.
    #[test]
    fn squared_distances_order_as_distances() {
        let top = 2 * 65_535u64 * 65_535;
        for n in (0..1_000_000u64).chain(top - 1_000_000..top) {
            assert!((n as f64).sqrt() < ((n + 1) as f64).sqrt(), "{n}");
        }
        let (a, b, c) = (Tile::new(0, 0), Tile::new(3, 4), Tile::new(5, 0));
        assert_eq!(a.distance_squared(b), 25);
        assert_eq!(a.distance_squared(b), a.distance_squared(c));
        assert_eq!(a.distance(b), a.distance(c));
    }
}
