//! Semantic rules of a scenario: everything serde cannot check.

use crate::limits::{
    MAX_COHORTS, MAX_CV_CELLS, MAX_CV_TICKS, MAX_DAYS, MAX_FEATURE_POINTS, MAX_FORCE_UNITS,
    MAX_MAP_TILES, MAX_PER_UNIT, MAX_SETTLEMENT_POPULATION, MAX_SETTLEMENTS, MAX_TILE_TOWN_PAIRS,
    START_YEARS, clip,
};
use crate::schema::{Location, MapSpec, Scenario, ScenarioFile};
use asymwar_model::check::{Checker, Validate, Violation};
use asymwar_model::geo::{GeoBounds, LatLon, Projection};
use chrono::Datelike;
use std::collections::HashSet;

/// Largest grid edge accepted, in tiles.
pub const MAX_GRID_EDGE: f64 = 4000.0;

/// What a valid scenario does that its author probably did not mean: convoys that never
/// leave or have nowhere to go. A run still works (an insurgency without supply to cut is
/// a legitimate experiment), so these are warnings, printed by `validate`, not errors.
pub fn warnings(file: &ScenarioFile) -> Vec<String> {
    let ScenarioFile::Conflict(s) = file else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if s.crossings.is_empty() && s.depots.is_empty() && s.airlifts.is_empty() {
        out.push(
            "crossings: none, so no convoy ever enters and the blockade has nothing to cut \
             (add a crossing with a daily flow)"
                .to_string(),
        );
    } else if s
        .crossings
        .iter()
        .map(|c| (c.tankers_per_day, c.goods_trucks_per_day))
        .chain(
            s.depots
                .iter()
                .map(|d| (d.tankers_per_day, d.goods_trucks_per_day)),
        )
        .all(|(t, g)| t <= 0.0 && g <= 0.0)
        && s.airlifts.is_empty()
    {
        out.push(
            "crossings: every tankers_per_day and goods_trucks_per_day is 0, so no convoy \
             ever leaves"
                .to_string(),
        );
    }
    if let Some(w) = unreachable_home(s) {
        out.push(w);
    }
    for (i, c) in s.crossings.iter().enumerate() {
        let Some(corridor) = s.corridors.iter().find(|k| k.name == c.corridor) else {
            continue; // an error that validate() reports
        };
        if corridor.towns.iter().all(|t| *t == c.town) {
            out.push(format!(
                "crossings[{i}] ({}): its corridor \"{}\" holds no other settlement, so its \
                 convoys have nowhere to go",
                c.town, c.corridor
            ));
        }
    }
    out
}

/// The warning when no crossing's road network reaches a settlement of the home country
/// (the capital's), so that every convoy would have nowhere to deliver.
fn unreachable_home(s: &Scenario) -> Option<String> {
    let (projection, _, _) = s.map.projection().ok()?;
    let polygons = crate::terrain_gen::country_polygons(&s.map.terrain, &projection);
    let country_of = |i: usize| -> String {
        let t = &s.settlements[i];
        if let Some(code) = &t.country {
            return code.clone();
        }
        let (x, y) = location_xy(t.at, &projection);
        let ll = projection.to_latlon(x, y);
        s.map
            .terrain
            .countries
            .iter()
            .zip(&polygons)
            .find(|(_, poly)| crate::terrain_gen::point_in_polygon(ll, poly))
            .map(|(k, _)| k.code.clone())
            .unwrap_or_else(|| s.map.terrain.default_country.clone())
    };
    let index = |name: &str| s.settlements.iter().position(|t| t.name == name);
    let capital = match &s.capital {
        Some(name) => index(name)?,
        None => (0..s.settlements.len()).max_by(|&a, &b| {
            s.settlements[a]
                .population
                .total_cmp(&s.settlements[b].population)
                .then(b.cmp(&a))
        })?,
    };
    let home = country_of(capital);
    // Settlements joined by corridors, walked from every crossing's town.
    let mut seen = vec![false; s.settlements.len()];
    let mut stack: Vec<usize> = s.crossings.iter().filter_map(|x| index(&x.town)).collect();
    if stack.is_empty() {
        return None; // "no crossing" is its own warning
    }
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let name = &s.settlements[i].name;
        for k in s.corridors.iter().filter(|k| k.towns.contains(name)) {
            stack.extend(k.towns.iter().filter_map(|t| index(t)));
        }
    }
    let reached_home = (0..seen.len()).any(|i| seen[i] && country_of(i) == home);
    (!reached_home).then(|| {
        format!(
            "corridors: no settlement of the home country {home} (the capital {}'s) can be \
             reached by road from any crossing, so no convoy can ever deliver (join a \
             crossing's corridor to a {home} settlement, or name another `capital`)",
            s.settlements[capital].name
        )
    })
}

/// Every broken rule of the scenario (empty when it is valid).
pub fn validate(file: &ScenarioFile) -> Vec<Violation> {
    let mut c = Checker::new();
    match file {
        ScenarioFile::Conflict(s) => validate_conflict(s, &mut c),
        ScenarioFile::CivilViolence(s) => {
            if s.name.trim().is_empty() {
                c.fail("name", "must not be empty");
            }
            if s.ticks == 0 || s.ticks > MAX_CV_TICKS {
                c.fail(
                    "ticks",
                    format!(
                        "must lie in 1..={MAX_CV_TICKS} (a century of daily ticks; the time series grows with them), got {}",
                        s.ticks
                    ),
                );
            }
            let cells = u64::from(s.params.width) * u64::from(s.params.height);
            if cells > MAX_CV_CELLS {
                c.fail(
                    "params.width",
                    format!(
                        "the grid is {} x {} = {cells} cells, over the limit of {MAX_CV_CELLS} (each cell holds an agent slot and a tick visits every agent)",
                        s.params.width, s.params.height
                    ),
                );
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
        // NaN or infinite bounds would make an empty (or endless) grid pass the size checks.
        if let Some(b) = self.bounds {
            check_bounds("bounds", &b)?;
        }
        if let Some(o) = self.origin
            && !on_globe(o.lat, o.lon)
        {
            return Err(format!(
                "origin (lat {}, lon {}) is not a point on the globe (lat in [-90, 90], lon in [-180, 180])",
                o.lat, o.lon
            ));
        }
        let b = self
            .geo_bounds()
            .ok_or("one of `bounds` or `size` is required")?;
        let (w, h) = match self.size {
            Some((w, h)) if self.bounds.is_none() => (f64::from(w), f64::from(h)),
            _ => Projection::new(b, self.tile_km).grid_size(),
        };
        if !(w >= 1.0 && h >= 1.0) {
            return Err(format!(
                "the grid is empty ({w} x {h} tiles): make tile_km smaller or the map larger"
            ));
        }
        if w > MAX_GRID_EDGE || h > MAX_GRID_EDGE {
            return Err(format!(
                "the grid is {w} x {h} tiles, over the limit of {MAX_GRID_EDGE} x {MAX_GRID_EDGE} (time and memory grow with the tiles): make tile_km larger"
            ));
        }
        if w * h > MAX_MAP_TILES as f64 {
            return Err(format!(
                "the grid is {w} x {h} = {} tiles, over the limit of {MAX_MAP_TILES} (time and memory grow with the tiles): make tile_km larger",
                w * h
            ));
        }
        if self.bounds.is_none() && !(b.lat_min >= -90.0 && b.lat_max <= 90.0) {
            return Err(format!(
                "the map reaches past a pole (lat {:.2}..{:.2}): make it smaller, tile_km smaller or move the origin",
                b.lat_min, b.lat_max
            ));
        }
        Ok((Projection::new(b, self.tile_km), w as u16, h as u16))
    }
}

fn on_globe(lat: f64, lon: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

/// Finite bounds on the globe, minimum below maximum.
fn check_bounds(field: &str, b: &GeoBounds) -> Result<(), String> {
    if !(on_globe(b.lat_min, b.lon_min) && on_globe(b.lat_max, b.lon_max)) {
        return Err(format!(
            "{field} (lat {}..{}, lon {}..{}) must be finite and on the globe (lat in [-90, 90], lon in [-180, 180])",
            b.lat_min, b.lat_max, b.lon_min, b.lon_max
        ));
    }
    Ok(())
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
            let where_ = describe(loc);
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

/// A feature point (river, zone centre, country vertex) within one map size of the map:
/// the painters walk from it to the map, so a far point means an endless walk.
fn check_near_map(
    c: &mut Checker,
    field: &str,
    loc: Location,
    grid: Option<&(Projection, u16, u16)>,
) {
    let Some((p, w, h)) = grid else { return };
    if let Location::LatLon(lat, lon) = loc
        && !on_globe(lat, lon)
    {
        return; // reported by check_location
    }
    let (x, y) = location_xy(loc, p);
    let (w, h) = (f64::from(*w), f64::from(*h));
    if !(x >= -w && x <= 2.0 * w && y >= -h && y <= 2.0 * h) {
        c.fail(
            field,
            format!(
                "{} lies more than one map size ({w} x {h} tiles) away from the map: drawing it would walk {x:.0}, {y:.0} tiles",
                describe(loc)
            ),
        );
    }
}

/// A radius in km no longer than the map's diagonal: painting visits every tile of the
/// radius's box, so a radius of 1e9 km would take hours (and cover the map anyway).
fn check_radius(c: &mut Checker, field: &str, km: f64, grid: Option<&(Projection, u16, u16)>) {
    let Some((p, w, h)) = grid else { return };
    let diagonal = f64::from(*w).hypot(f64::from(*h)) * p.tile_km;
    if km.is_finite() && km > diagonal {
        c.fail(
            field,
            format!(
                "{km} km is longer than the map's diagonal ({diagonal:.0} km), the limit (painting visits every tile within the radius)"
            ),
        );
    }
}

/// A country is named by its ISO 3166 alpha-2 code, two capital letters, as the map's
/// countries are: a name or a lower-case code would silently match no tile.
fn check_country_code(c: &mut Checker, field: &str, code: &str) {
    if !(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())) {
        c.fail(
            field,
            format!(
                "'{}' is not an ISO 3166 alpha-2 country code (two capital letters, such as ML, SN, BF)",
                clip(code)
            ),
        );
    }
}

fn describe(loc: Location) -> String {
    match loc {
        Location::LatLon(lat, lon) => format!("LatLon({lat}, {lon})"),
        Location::Tile(x, y) => format!("Tile({x}, {y})"),
    }
}

/// The `corridor` of a crossing or depot at `town`: it must exist and pass through it.
fn check_corridor(s: &Scenario, c: &mut Checker, corridor: &str, town: &str) {
    match s.corridors.iter().find(|k| k.name == corridor) {
        None => c.fail(
            "corridor",
            format!("'{}' is not a corridor of this scenario", clip(corridor)),
        ),
        Some(k) if !k.towns.iter().any(|t| t == town) => c.fail(
            "corridor",
            format!(
                "corridor '{}' does not pass through '{}'",
                clip(&k.name),
                clip(town)
            ),
        ),
        Some(_) => {}
    }
}

/// Depots, air bridges and sieges: their towns exist, their numbers are sensible.
fn validate_supply(s: &Scenario, c: &mut Checker) {
    let known = |town: &str| s.settlements.iter().any(|t| t.name == town);
    let unknown = |c: &mut Checker, field: &str, town: &str| {
        if !known(town) {
            c.fail(
                field,
                format!("'{}' is not a settlement of this scenario", clip(town)),
            );
        }
    };
    for (i, d) in s.depots.iter().enumerate() {
        c.scope(format!("depots[{i}] ({})", clip(&d.town)), |c| {
            unknown(c, "town", &d.town);
            for (j, t) in d.serves.iter().enumerate() {
                unknown(c, &format!("serves[{j}]"), t);
            }
            check_corridor(s, c, &d.corridor, &d.town);
            c.non_negative("tankers_per_day", d.tankers_per_day);
            c.non_negative("goods_trucks_per_day", d.goods_trucks_per_day);
            if let Some(v) = d.stock_tankers {
                c.non_negative("stock_tankers", v);
            }
            if let Some(v) = d.stock_goods_trucks {
                c.non_negative("stock_goods_trucks", v);
            }
        });
    }
    for (i, a) in s.airlifts.iter().enumerate() {
        c.scope(format!("airlifts[{i}] ({})", clip(&a.name)), |c| {
            unknown(c, "base", &a.base);
            if a.aircraft > MAX_PER_UNIT {
                c.fail(
                    "aircraft",
                    format!("must be at most {MAX_PER_UNIT}, got {}", a.aircraft),
                );
            }
            c.within("tonnes_per_sortie", a.tonnes_per_sortie, 0.0, 1000.0);
            c.within("sorties_per_day", a.sorties_per_day, 0.0, 48.0);
            c.non_negative("cost_per_sortie", a.cost_per_sortie);
            if a.serves.is_empty() {
                c.fail("serves", "an air bridge serves at least one settlement");
            }
            for (j, town) in a.serves.iter().enumerate() {
                unknown(c, &format!("serves[{j}]"), town);
            }
        });
    }
    let cells: u64 = s.forces.sieges.iter().map(|g| u64::from(g.cells)).sum();
    if cells > MAX_FORCE_UNITS {
        c.fail(
            "forces.sieges",
            format!("{cells} besieging cells in all, over the limit of {MAX_FORCE_UNITS}"),
        );
    }
    for (i, g) in s.forces.sieges.iter().enumerate() {
        c.scope(format!("forces.sieges[{i}] ({})", clip(&g.town)), |c| {
            unknown(c, "town", &g.town);
            if let Some(command) = &g.command
                && !s
                    .forces
                    .insurgents
                    .iter()
                    .any(|i| i.command.as_ref() == Some(command))
            {
                c.fail(
                    "command",
                    format!(
                        "'{}' is the command of no group of forces.insurgents",
                        clip(command)
                    ),
                );
            }
            if g.fighters_per_cell > MAX_PER_UNIT {
                c.fail(
                    "fighters_per_cell",
                    format!(
                        "must be at most {MAX_PER_UNIT} (force totals must stay countable), got {}",
                        g.fighters_per_cell
                    ),
                );
            }
        });
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
        if s.calendar.days == 0 || s.calendar.days > MAX_DAYS {
            c.fail(
                "days",
                format!(
                    "must lie in 1..={MAX_DAYS} (a century; the time series grows with the days), got {}",
                    s.calendar.days
                ),
            );
        }
        let year = s.calendar.start.year();
        if !START_YEARS.contains(&year) {
            c.fail(
                "start",
                format!(
                    "{} lies outside the years {}..={} (the model's data are of the 20th and 21st centuries, and a far date overflows the calendar)",
                    s.calendar.start,
                    START_YEARS.start(),
                    START_YEARS.end()
                ),
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
        let points: usize = t.rivers.iter().map(|r| r.points.len()).sum::<usize>()
            + t.countries.iter().map(|k| k.polygon.len()).sum::<usize>();
        if points > MAX_FEATURE_POINTS {
            c.fail(
                "rivers",
                format!(
                    "rivers and country polygons hold {points} points, over the limit of {MAX_FEATURE_POINTS} (painting the map walks every segment and tests every tile against every vertex)"
                ),
            );
        }
        for (i, r) in t.rivers.iter().enumerate() {
            c.scope(format!("rivers[{i}] ({})", clip(&r.name)), |c| {
                if r.points.len() < 2 {
                    c.fail("points", "a river needs at least 2 points");
                }
                for (j, p) in r.points.iter().enumerate() {
                    check_location(c, &format!("points[{j}]"), *p, None);
                    check_near_map(c, &format!("points[{j}]"), *p, grid);
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
                c.scope(format!("{kind}[{i}] ({})", clip(&z.name)), |c| {
                    check_location(c, "centre", z.centre, None);
                    check_near_map(c, "centre", z.centre, grid);
                    c.positive("radius_km.0", z.radius_km.0);
                    c.positive("radius_km.1", z.radius_km.1);
                    check_radius(c, "radius_km.0", z.radius_km.0, grid);
                    check_radius(c, "radius_km.1", z.radius_km.1, grid);
                });
            }
        }
        check_country_code(c, "default_country", &t.default_country);
        for (i, k) in t.countries.iter().enumerate() {
            c.scope(format!("countries[{i}] ({})", clip(&k.code)), |c| {
                check_country_code(c, "code", &k.code);
                if k.polygon.len() < 3 {
                    c.fail("polygon", "a polygon needs at least 3 vertices");
                }
                for (j, v) in k.polygon.iter().enumerate() {
                    let field = format!("polygon[{j}]");
                    check_location(c, &field, v.location(), None);
                    check_near_map(c, &field, v.location(), grid);
                }
            });
        }
    });

    if s.settlements.len() > MAX_SETTLEMENTS {
        c.fail(
            "settlements",
            format!(
                "{} settlements, over the limit of {MAX_SETTLEMENTS} (each keeps a flow field of the whole map, and the society pass measures every tile against every town)",
                s.settlements.len()
            ),
        );
    }
    if let Some((_, w, h)) = grid {
        let pairs = u64::from(*w) * u64::from(*h) * s.settlements.len() as u64;
        if pairs > MAX_TILE_TOWN_PAIRS {
            c.fail(
                "settlements",
                format!(
                    "{} settlements on {w} x {h} tiles make {pairs} tile-town pairs, over the limit of {MAX_TILE_TOWN_PAIRS} (placing civilians measures every tile against every town)",
                    s.settlements.len()
                ),
            );
        }
    }
    // Cohorts as society cuts them: population and its countryside, cohort_size people each.
    let cohort_size = f64::from(s.params.society.cohort_size.max(1));
    let rural = 1.0 + s.params.society.rural_ratio.clamp(0.0, 100.0);
    let cohorts: f64 = s
        .settlements
        .iter()
        .filter(|t| t.population.is_finite() && t.population >= 0.0)
        .map(|t| (t.population.round() * rural / cohort_size).ceil())
        .sum();
    if cohorts > MAX_COHORTS as f64 {
        c.fail(
            "settlements",
            format!(
                "the population makes {cohorts} cohorts of {cohort_size} people (towns and countryside), over the limit of {MAX_COHORTS} (each is an entity of the daily society pass): make params.society.cohort_size larger or the towns smaller"
            ),
        );
    }
    let mut names = HashSet::new();
    for (i, t) in s.settlements.iter().enumerate() {
        c.scope(format!("settlements[{i}] ({})", clip(&t.name)), |c| {
            if t.name.trim().is_empty() {
                c.fail("name", "must not be empty");
            }
            if !names.insert(t.name.as_str()) {
                c.fail(
                    "name",
                    format!("'{}' is used by another settlement", clip(&t.name)),
                );
            }
            if !(t.population >= 0.0 && t.population.is_finite()) {
                c.fail(
                    "population",
                    format!("must be a number of people >= 0, got {}", t.population),
                );
            } else if t.population.fract() != 0.0 {
                c.fail(
                    "population",
                    format!("must be a whole number of people, got {}", t.population),
                );
            } else if t.population > MAX_SETTLEMENT_POPULATION {
                c.fail(
                    "population",
                    format!(
                        "must be at most {MAX_SETTLEMENT_POPULATION} people (the largest cities hold under 40 million), got {}",
                        t.population
                    ),
                );
            }
            check_location(c, "at", t.at, grid);
            if let Some(code) = &t.country {
                check_country_code(c, "country", code);
            }
            if let Some(problem) = t.stock.problem() {
                c.fail("stock", problem);
            }
        });
    }

    let known = |town: &str| s.settlements.iter().any(|t| t.name == town);
    if let Some(capital) = &s.capital
        && !known(capital)
    {
        c.fail(
            "capital",
            format!("'{}' is not a settlement of this scenario", clip(capital)),
        );
    }
    let mut corridor_names = HashSet::new();
    for (i, k) in s.corridors.iter().enumerate() {
        c.scope(format!("corridors[{i}] ({})", clip(&k.name)), |c| {
            if !corridor_names.insert(k.name.as_str()) {
                c.fail(
                    "name",
                    format!("'{}' is used by another corridor", clip(&k.name)),
                );
            }
            if k.towns.len() < 2 {
                c.fail("towns", "a corridor joins at least 2 towns");
            }
            for (j, town) in k.towns.iter().enumerate() {
                if !known(town) {
                    c.fail(
                        &format!("towns[{j}]"),
                        format!("'{}' is not a settlement of this scenario", clip(town)),
                    );
                }
            }
            if k.road == asymwar_model::terrain::RoadClass::None {
                c.fail("road", "must be track or paved");
            }
        });
    }

    for (i, x) in s.crossings.iter().enumerate() {
        c.scope(format!("crossings[{i}] ({})", clip(&x.town)), |c| {
            if !known(&x.town) {
                c.fail(
                    "town",
                    format!("'{}' is not a settlement of this scenario", clip(&x.town)),
                );
            }
            match s.corridors.iter().find(|k| k.name == x.corridor) {
                None => c.fail(
                    "corridor",
                    format!("'{}' is not a corridor of this scenario", clip(&x.corridor)),
                ),
                Some(k) if !k.towns.contains(&x.town) => c.fail(
                    "corridor",
                    format!(
                        "corridor '{}' does not pass through '{}'",
                        clip(&k.name),
                        clip(&x.town)
                    ),
                ),
                Some(_) => {}
            }
            check_country_code(c, "from_country", &x.from_country);
            for (j, t) in x.serves.iter().enumerate() {
                if !known(t) {
                    c.fail(
                        &format!("serves[{j}]"),
                        format!("'{}' is not a settlement of this scenario", clip(t)),
                    );
                }
            }
            c.non_negative("tankers_per_day", x.tankers_per_day);
            c.non_negative("goods_trucks_per_day", x.goods_trucks_per_day);
        });
    }

    validate_supply(s, c);

    let units: u64 = s.forces.army.iter().map(|a| u64::from(a.units)).sum();
    if units > MAX_FORCE_UNITS {
        c.fail(
            "forces.army",
            format!(
                "{units} army units in all, over the limit of {MAX_FORCE_UNITS} (each is an entity moved every tick)"
            ),
        );
    }
    let cells: u64 = s.forces.insurgents.iter().map(|g| u64::from(g.cells)).sum();
    if cells > MAX_FORCE_UNITS {
        c.fail(
            "forces.insurgents",
            format!(
                "{cells} insurgent cells in all, over the limit of {MAX_FORCE_UNITS} (each is an entity moved every tick)"
            ),
        );
    }
    for (i, a) in s.forces.army.iter().enumerate() {
        c.scope(format!("forces.army[{i}]"), |c| {
            if !known(&a.base) {
                c.fail(
                    "base",
                    format!("'{}' is not a settlement of this scenario", clip(&a.base)),
                );
            }
            if a.soldiers_per_unit > MAX_PER_UNIT {
                c.fail(
                    "soldiers_per_unit",
                    format!(
                        "must be at most {MAX_PER_UNIT} (a unit is a company or a battalion; force totals must stay countable), got {}",
                        a.soldiers_per_unit
                    ),
                );
            }
        });
    }
    for (i, g) in s.forces.insurgents.iter().enumerate() {
        c.scope(format!("forces.insurgents[{i}] ({})", clip(&g.name)), |c| {
            check_location(c, "area", g.area, grid);
            c.non_negative("radius_km", g.radius_km);
            check_radius(c, "radius_km", g.radius_km, grid);
            if g.fighters_per_cell > MAX_PER_UNIT {
                c.fail(
                    "fighters_per_cell",
                    format!(
                        "must be at most {MAX_PER_UNIT} (force totals must stay countable), got {}",
                        g.fighters_per_cell
                    ),
                );
            }
        });
    }

    check_militias(c, s);

    c.scope("params", |c| {
        c.scope("mobility", |c| s.params.mobility.validate(c));
        c.scope("activation", |c| s.params.activation.validate(c));
        c.scope("logistics", |c| s.params.logistics.validate(c));
        c.scope("army", |c| s.params.army.validate(c));
        c.scope("combat", |c| s.params.combat.validate(c));
        c.scope("insurgency", |c| s.params.insurgency.validate(c));
        c.scope("society", |c| s.params.society.validate(c));
        c.scope("militia", |c| s.params.militia.validate(c));
    });
}

/// `forces.militias`: known settlements, each at most once per militia and not among its
/// own suspects; sizes that stay countable; a discipline that is a share; and no label
/// shared by two militias. Insurgent command labels must not be empty.
fn check_militias(c: &mut Checker, s: &Scenario) {
    let known = |town: &str| s.settlements.iter().any(|t| t.name == town);
    for (i, g) in s.forces.insurgents.iter().enumerate() {
        if g.command.as_deref().is_some_and(|l| l.trim().is_empty()) {
            c.fail(
                &format!("forces.insurgents[{i}] ({}).command", clip(&g.name)),
                "must name the command (e.g. \"JNIM\"), or be left out for the one command",
            );
        }
    }
    let mut names = HashSet::new();
    for (i, m) in s.forces.militias.iter().enumerate() {
        c.scope(format!("forces.militias[{i}] ({})", clip(&m.name)), |c| {
            if !names.insert(m.name.as_str()) {
                c.fail("name", "another militia has this name");
            }
            if m.settlements.is_empty() {
                c.fail("settlements", "must name at least one settlement it holds");
            }
            let mut seen = HashSet::new();
            for t in &m.settlements {
                if !known(t) {
                    c.fail(
                        "settlements",
                        format!("'{}' is not a settlement of this scenario", clip(t)),
                    );
                } else if !seen.insert(t.as_str()) {
                    c.fail("settlements", format!("'{}' is named twice", clip(t)));
                }
            }
            for t in &m.suspects {
                if !known(t) {
                    c.fail(
                        "suspects",
                        format!("'{}' is not a settlement of this scenario", clip(t)),
                    );
                } else if m.settlements.contains(t) {
                    c.fail(
                        "suspects",
                        format!("'{}' is one of its own settlements", clip(t)),
                    );
                }
            }
            for (field, n) in [("members", Some(m.members)), ("max_members", m.max_members)] {
                if n.is_some_and(|n| n > MAX_PER_UNIT) {
                    c.fail(
                        field,
                        format!(
                            "must be at most {MAX_PER_UNIT} (force totals must stay countable), got {}",
                            n.unwrap_or(0)
                        ),
                    );
                }
            }
            c.within("recruits_per_day", m.recruits_per_day, 0.0, 1e5);
            if let Some(max) = m.max_members
                && max < m.members
            {
                c.fail(
                    "max_members",
                    format!("must be at least members ({}), got {max}", m.members),
                );
            }
            c.probability("discipline", m.discipline);
        });
    }
}
