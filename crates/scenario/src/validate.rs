//! Semantic rules of a scenario: everything serde cannot check.

use crate::schema::{Location, MapSpec, Scenario, ScenarioFile};
use asymwar_model::check::{Checker, Validate, Violation};
use asymwar_model::geo::{GeoBounds, LatLon, Projection};
use std::collections::HashSet;

/// Largest grid edge accepted, in tiles.
pub const MAX_GRID_EDGE: f64 = 4000.0;

/// Every broken rule of the scenario (empty when it is valid).
pub fn validate(file: &ScenarioFile) -> Vec<Violation> {
    let mut c = Checker::new();
    match file {
        ScenarioFile::Conflict(s) => validate_conflict(s, &mut c),
        ScenarioFile::CivilViolence(s) => {
            if s.name.trim().is_empty() {
                c.fail("name", "must not be empty");
            }
            if s.ticks == 0 {
                c.fail("ticks", "must be at least 1");
            }
            c.scope("params", |c| s.params.validate(c));
        }
    }
    c.violations
}

impl MapSpec {
    /// The geographic bounds of the map (for a procedural map, placed at its origin).
    pub fn geo_bounds(&self) -> Option<GeoBounds> {
        if let Some(b) = self.bounds {
            return Some(b);
        }
        let (w, h) = self.size?;
        let origin = self.origin.unwrap_or(LatLon {
            lat: 15.0,
            lon: -10.0,
        });
        let lat_span = f64::from(h) * self.tile_km / asymwar_model::geo::KM_PER_DEG_LAT;
        let lat0 = origin.lat - 0.5 * lat_span;
        let km_per_deg_lon = asymwar_model::geo::KM_PER_DEG_LON_EQUATOR * lat0.to_radians().cos();
        let lon_span = f64::from(w) * self.tile_km / km_per_deg_lon;
        Some(GeoBounds {
            lat_min: origin.lat - lat_span,
            lat_max: origin.lat,
            lon_min: origin.lon,
            lon_max: origin.lon + lon_span,
        })
    }

    /// The projection and grid size, or why there is none.
    pub fn projection(&self) -> Result<(Projection, u16, u16), String> {
        if !(self.tile_km > 0.0 && self.tile_km.is_finite()) {
            return Err(format!(
                "tile_km must be a finite number > 0, got {}",
                self.tile_km
            ));
        }
        let b = self
            .geo_bounds()
            .ok_or("one of `bounds` or `size` is required")?;
        let (w, h) = match self.size {
            Some((w, h)) if self.bounds.is_none() => (f64::from(w), f64::from(h)),
            _ => Projection::new(b, self.tile_km).grid_size(),
        };
        if w < 1.0 || h < 1.0 {
            return Err(format!(
                "the grid is empty ({w} x {h} tiles): make tile_km smaller or the map larger"
            ));
        }
        if w > MAX_GRID_EDGE || h > MAX_GRID_EDGE {
            return Err(format!(
                "the grid is {w} x {h} tiles, over the limit of {MAX_GRID_EDGE} x {MAX_GRID_EDGE}: make tile_km larger"
            ));
        }
        Ok((Projection::new(b, self.tile_km), w as u16, h as u16))
    }
}

/// Continuous tile coordinates of a location.
pub fn location_xy(loc: Location, projection: &Projection) -> (f64, f64) {
    match loc {
        Location::LatLon(lat, lon) => projection.to_xy(LatLon { lat, lon }),
        Location::Tile(x, y) => (f64::from(x) + 0.5, f64::from(y) + 0.5),
    }
}

fn check_location(
    c: &mut Checker,
    field: &str,
    loc: Location,
    grid: Option<&(Projection, u16, u16)>,
) {
    if let Location::LatLon(lat, lon) = loc
        && (!(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon))
    {
        c.fail(
            field,
            format!(
                "LatLon({lat}, {lon}) is not a point on the globe (latitude first, then longitude)"
            ),
        );
        return;
    }
    if let Some((p, w, h)) = grid {
        let (x, y) = location_xy(loc, p);
        if x < 0.0 || y < 0.0 || x >= f64::from(*w) || y >= f64::from(*h) {
            let where_ = match loc {
                Location::LatLon(lat, lon) => format!("LatLon({lat}, {lon})"),
                Location::Tile(x, y) => format!("Tile({x}, {y})"),
            };
            c.fail(
                field,
                format!(
                    "{where_} lies outside the map (lat {:.2}..{:.2}, lon {:.2}..{:.2}; {w} x {h} tiles)",
                    p.bounds.lat_min, p.bounds.lat_max, p.bounds.lon_min, p.bounds.lon_max
                ),
            );
        }
    }
}

fn validate_conflict(s: &Scenario, c: &mut Checker) {
    if s.name.trim().is_empty() {
        c.fail("name", "must not be empty");
    }
    c.scope("calendar", |c| {
        let h = s.calendar.hours_per_tick;
        if h == 0 || 24 % h != 0 {
            c.fail(
                "hours_per_tick",
                format!("must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24), got {h}"),
            );
        }
        if s.calendar.days == 0 || s.calendar.days > 36_500 {
            c.fail(
                "days",
                format!("must lie in 1..=36500, got {}", s.calendar.days),
            );
        }
    });

    let grid = match (&s.map.bounds, &s.map.size) {
        (Some(_), Some(_)) => {
            c.fail("map", "give either `bounds` or `size`, not both");
            None
        }
        _ => {
            if let Some(b) = s.map.bounds
                && (b.lat_min >= b.lat_max || b.lon_min >= b.lon_max)
            {
                c.fail(
                    "map.bounds",
                    "needs lat_min < lat_max and lon_min < lon_max",
                );
            }
            match s.map.projection() {
                Ok(g) => Some(g),
                Err(e) => {
                    c.fail("map", e);
                    None
                }
            }
        }
    };
    let grid = grid.as_ref();

    c.scope("map.terrain", |c| {
        let t = &s.map.terrain;
        c.probability("humidity_north", t.humidity_north);
        c.probability("humidity_south", t.humidity_south);
        c.within("humidity_noise", t.humidity_noise, 0.0, 1.0);
        c.positive("noise_frequency", t.noise_frequency);
        if !(1..=12).contains(&t.noise_octaves) {
            c.fail(
                "noise_octaves",
                format!("must lie in 1..=12, got {}", t.noise_octaves),
            );
        }
        if !(t.desert_below <= t.steppe_below && t.steppe_below <= t.savanna_below) {
            c.fail(
                "desert_below",
                "thresholds must rise: desert_below <= steppe_below <= savanna_below",
            );
        }
        for (i, r) in t.rivers.iter().enumerate() {
            c.scope(format!("rivers[{i}] ({})", r.name), |c| {
                if r.points.len() < 2 {
                    c.fail("points", "a river needs at least 2 points");
                }
                for (j, p) in r.points.iter().enumerate() {
                    check_location(c, &format!("points[{j}]"), *p, None);
                }
                c.non_negative("ford_every_km", r.ford_every_km);
            });
        }
        for (kind, zones) in [
            ("wetlands", &t.wetlands),
            ("forests", &t.forests),
            ("hills", &t.hills),
        ] {
            for (i, z) in zones.iter().enumerate() {
                c.scope(format!("{kind}[{i}] ({})", z.name), |c| {
                    check_location(c, "centre", z.centre, None);
                    c.positive("radius_km.0", z.radius_km.0);
                    c.positive("radius_km.1", z.radius_km.1);
                });
            }
        }
        for (i, k) in t.countries.iter().enumerate() {
            if k.polygon.len() < 3 {
                c.fail(
                    &format!("countries[{i}] ({}).polygon", k.code),
                    "a polygon needs at least 3 vertices",
                );
            }
        }
    });

    let mut names = HashSet::new();
    for (i, t) in s.settlements.iter().enumerate() {
        c.scope(format!("settlements[{i}] ({})", t.name), |c| {
            if t.name.trim().is_empty() {
                c.fail("name", "must not be empty");
            }
            if !names.insert(t.name.as_str()) {
                c.fail(
                    "name",
                    format!("'{}' is used by another settlement", t.name),
                );
            }
            if !(t.population >= 0.0 && t.population.is_finite() && t.population <= 4.0e9) {
                c.fail(
                    "population",
                    format!("must be a number of people >= 0, got {}", t.population),
                );
            }
            check_location(c, "at", t.at, grid);
        });
    }

    let known = |town: &str| s.settlements.iter().any(|t| t.name == town);
    let mut corridor_names = HashSet::new();
    for (i, k) in s.corridors.iter().enumerate() {
        c.scope(format!("corridors[{i}] ({})", k.name), |c| {
            if !corridor_names.insert(k.name.as_str()) {
                c.fail("name", format!("'{}' is used by another corridor", k.name));
            }
            if k.towns.len() < 2 {
                c.fail("towns", "a corridor joins at least 2 towns");
            }
            for (j, town) in k.towns.iter().enumerate() {
                if !known(town) {
                    c.fail(
                        &format!("towns[{j}]"),
                        format!("'{town}' is not a settlement of this scenario"),
                    );
                }
            }
            if k.road == asymwar_model::terrain::RoadClass::None {
                c.fail("road", "must be Track or Paved");
            }
        });
    }

    for (i, x) in s.crossings.iter().enumerate() {
        c.scope(format!("crossings[{i}] ({})", x.town), |c| {
            if !known(&x.town) {
                c.fail(
                    "town",
                    format!("'{}' is not a settlement of this scenario", x.town),
                );
            }
            match s.corridors.iter().find(|k| k.name == x.corridor) {
                None => c.fail(
                    "corridor",
                    format!("'{}' is not a corridor of this scenario", x.corridor),
                ),
                Some(k) if !k.towns.contains(&x.town) => c.fail(
                    "corridor",
                    format!("corridor '{}' does not pass through '{}'", k.name, x.town),
                ),
                Some(_) => {}
            }
            c.non_negative("tankers_per_day", x.tankers_per_day);
            c.non_negative("goods_trucks_per_day", x.goods_trucks_per_day);
        });
    }

    for (i, a) in s.forces.army.iter().enumerate() {
        c.scope(format!("forces.army[{i}]"), |c| {
            if !known(&a.base) {
                c.fail(
                    "base",
                    format!("'{}' is not a settlement of this scenario", a.base),
                );
            }
            if let Err(e) = a.unit_kind() {
                c.fail("kind", e);
            }
        });
    }
    for (i, g) in s.forces.insurgents.iter().enumerate() {
        c.scope(format!("forces.insurgents[{i}] ({})", g.name), |c| {
            check_location(c, "area", g.area, grid);
            c.non_negative("radius_km", g.radius_km);
        });
    }

    c.scope("params", |c| {
        c.scope("mobility", |c| s.params.mobility.validate(c));
        c.scope("activation", |c| s.params.activation.validate(c));
        c.scope("logistics", |c| s.params.logistics.validate(c));
        c.scope("army", |c| s.params.army.validate(c));
        c.scope("combat", |c| s.params.combat.validate(c));
        c.scope("insurgency", |c| s.params.insurgency.validate(c));
        c.scope("society", |c| s.params.society.validate(c));
    });
}
