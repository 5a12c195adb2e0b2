//! The scenario schema: what a RON file in `assets/scenarios/` may say.
//!
//! Every optional field has a documented default (`#[serde(default)]`), and unknown fields
//! are refused, so that a typo is an error rather than a silently ignored setting.

use crate::civil_violence::CivilViolenceScenario;
use asymwar_model::army::{ArmyParams, UnitKind};
use asymwar_model::combat::CombatParams;
use asymwar_model::geo::{GeoBounds, LatLon};
use asymwar_model::grievance::ActivationParams;
use asymwar_model::insurgency::InsurgencyParams;
use asymwar_model::logistics::{InitialStock, LogisticsParams};
use asymwar_model::militia::MilitiaParams;
use asymwar_model::society::SocietyParams;
use asymwar_model::terrain::{MobilityParams, RoadClass};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A scenario file: one of the models the project runs.
// Loaded once per run, so the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ScenarioFile {
    /// The conflict model (the Mali blockade, the tutorial).
    Conflict(Scenario),
    /// Epstein's civil violence model (verification, classroom).
    CivilViolence(CivilViolenceScenario),
}

impl ScenarioFile {
    /// The model's name as the file writes it (`Conflict`, `CivilViolence`).
    pub fn model(&self) -> &'static str {
        match self {
            ScenarioFile::Conflict(_) => "Conflict",
            ScenarioFile::CivilViolence(_) => "CivilViolence",
        }
    }

    pub fn name(&self) -> &str {
        match self {
            ScenarioFile::Conflict(s) => &s.name,
            ScenarioFile::CivilViolence(s) => &s.name,
        }
    }

    pub fn description(&self) -> &str {
        match self {
            ScenarioFile::Conflict(s) => &s.description,
            ScenarioFile::CivilViolence(s) => &s.description,
        }
    }

    /// Edge of a map tile in km, for models on a map.
    pub fn tile_km(&self) -> Option<f64> {
        match self {
            ScenarioFile::Conflict(s) => Some(s.map.tile_km),
            ScenarioFile::CivilViolence(_) => None,
        }
    }

    pub fn seed(&self) -> u64 {
        match self {
            ScenarioFile::Conflict(s) => s.seed,
            ScenarioFile::CivilViolence(s) => s.seed,
        }
    }

    pub fn set_seed(&mut self, seed: u64) {
        match self {
            ScenarioFile::Conflict(s) => s.seed = seed,
            ScenarioFile::CivilViolence(s) => s.seed = seed,
        }
    }

    /// Length of a run in ticks, from the scenario's own calendar.
    pub fn ticks(&self) -> u64 {
        match self {
            ScenarioFile::Conflict(s) => {
                u64::from(s.calendar.days) * u64::from(24 / s.calendar.hours_per_tick.max(1))
            }
            ScenarioFile::CivilViolence(s) => s.ticks,
        }
    }

    /// Ticks in one day (1 for models without a calendar).
    pub fn ticks_per_day(&self) -> u64 {
        match self {
            ScenarioFile::Conflict(s) => u64::from(24 / s.calendar.hours_per_tick.max(1)),
            ScenarioFile::CivilViolence(_) => 1,
        }
    }
}

/// A conflict scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Seed of the run's random generator (the command line may override it).
    #[serde(default)]
    pub seed: u64,
    pub calendar: CalendarSpec,
    pub map: MapSpec,
    #[serde(default)]
    pub settlements: Vec<SettlementSpec>,
    #[serde(default)]
    pub corridors: Vec<CorridorSpec>,
    #[serde(default)]
    pub crossings: Vec<CrossingSpec>,
    /// The capital: the settlement whose stocks the `capital_*` metrics report and where
    /// escorted convoys go; its country is the home country, whose settlements are the
    /// destinations of supply (towns abroad on the corridors are passed through). Default:
    /// the largest settlement.
    #[serde(default)]
    pub capital: Option<String>,
    /// Inland sources of supply (refineries, strategic reserves): convoys leave them as
    /// they leave border crossings. Default none.
    #[serde(default)]
    pub depots: Vec<DepotSpec>,
    /// Air bridges flying fuel and food to chosen towns. Default none.
    #[serde(default)]
    pub airlifts: Vec<AirliftSpec>,
    #[serde(default)]
    pub forces: ForcesSpec,
    #[serde(default)]
    pub params: Params,
}

/// The calendar of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// First day, as "YYYY-MM-DD".
    #[serde(deserialize_with = "start_date")]
    pub start: NaiveDate,
    /// Days to simulate.
    pub days: u32,
    /// Hours per tick (default 1); must divide 24.
    #[serde(default = "one_hour")]
    pub hours_per_tick: u32,
}

/// A date read from its text, so that a bad one is named with its value and the field (the
/// plain `NaiveDate` reader says only "input is out of range").
fn start_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(|e| {
        serde::de::Error::custom(format!(
            "calendar.start: '{}' is not a date YYYY-MM-DD ({e})",
            crate::limits::clip(&text)
        ))
    })
}

fn one_hour() -> u32 {
    1
}

/// The map: geographic bounds, or a size in tiles for procedural maps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSpec {
    /// Geographic bounds (for maps of real places). Exactly one of `bounds` and `size`.
    #[serde(default)]
    pub bounds: Option<GeoBounds>,
    /// Width and height in tiles (for procedural maps, placed at `origin`).
    #[serde(default)]
    pub size: Option<(u32, u32)>,
    /// North-west corner of a procedural map (default 15 N, 10 W: the Sahel).
    #[serde(default)]
    pub origin: Option<LatLon>,
    /// Tile edge in km (default 5).
    #[serde(default = "five_km")]
    pub tile_km: f64,
    #[serde(default)]
    pub terrain: TerrainSpec,
}

fn five_km() -> f64 {
    5.0
}

/// Where something is: by coordinates or by tile.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Location {
    LatLon(f64, f64),
    Tile(u32, u32),
}

/// The terrain generator and the features drawn from coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TerrainSpec {
    /// Humidity (0 = desert, 1 = wet forest) at the northern and southern edges; linear in
    /// between: the Sahel's north-south aridity gradient.
    pub humidity_north: f64,
    pub humidity_south: f64,
    /// Amplitude of the fBm noise added to humidity.
    pub humidity_noise: f64,
    /// Noise features per 100 km at the base octave.
    pub noise_frequency: f64,
    pub noise_octaves: u32,
    /// Mean elevation and the amplitude of the elevation noise, in metres.
    pub elevation_m: f64,
    pub elevation_noise_m: f64,
    /// Humidity thresholds between desert | steppe | savanna | (wet savanna, forest).
    pub desert_below: f64,
    pub steppe_below: f64,
    pub savanna_below: f64,
    /// Tiles higher than this are hills.
    pub hills_above_m: f64,
    /// Settlements at least this large get urban tiles around them (radius grows with size).
    pub urban_min_population: f64,
    pub rivers: Vec<RiverSpec>,
    /// Wetlands (the inner Niger delta, irrigated plains).
    pub wetlands: Vec<ZoneSpec>,
    /// Forests (classified forests, wooded savanna refuges).
    pub forests: Vec<ZoneSpec>,
    /// Plateaux and hills.
    pub hills: Vec<ZoneSpec>,
    /// Countries, tested in order; a tile inside none belongs to `default_country`.
    pub countries: Vec<CountrySpec>,
    pub default_country: String,
    /// Seed of the terrain noise. Unset: the run's seed, so each seed paints its own
    /// detail. Set: every run of the scenario, whatever its seed, plays on the same map,
    /// as it does on a real place's map; a sweep then builds each map's paths once, and
    /// can still vary this seed as a factor of its own (`map.terrain.seed`).
    pub seed: Option<u64>,
}

impl Default for TerrainSpec {
    fn default() -> Self {
        Self {
            humidity_north: 0.1,
            humidity_south: 0.9,
            humidity_noise: 0.18,
            noise_frequency: 1.2,
            noise_octaves: 4,
            elevation_m: 320.0,
            elevation_noise_m: 160.0,
            desert_below: 0.15,
            steppe_below: 0.42,
            savanna_below: 0.82,
            hills_above_m: 440.0,
            urban_min_population: 40_000.0,
            rivers: Vec::new(),
            wetlands: Vec::new(),
            forests: Vec::new(),
            hills: Vec::new(),
            countries: Vec::new(),
            default_country: "ML".to_string(),
            seed: None,
        }
    }
}

/// A river as a polyline, drawn four-connected so that nothing slips across diagonally.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiverSpec {
    pub name: String,
    pub points: Vec<Location>,
    /// A seasonal ford every this many km along the river (0 = none).
    #[serde(default)]
    pub ford_every_km: f64,
}

/// An elliptical zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneSpec {
    pub name: String,
    pub centre: Location,
    /// Semi-axes east-west and north-south, in km.
    pub radius_km: (f64, f64),
}

/// A country as a polygon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountrySpec {
    /// ISO 3166 alpha-2 code (two capital letters: `ML`, `BF`).
    pub code: String,
    /// Vertices in order, written like every other place: `LatLon(lat, lon)` or
    /// `Tile(x, y)`. A bare `(lat, lon)` pair, the older spelling, is still read.
    pub polygon: Vec<Vertex>,
}

/// A vertex of a country's polygon: a [`Location`], or a bare `(lat, lon)` pair as files
/// written before locations were spelled one way still have.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Vertex {
    At(Location),
    LatLonPair(f64, f64),
}

impl Vertex {
    /// The vertex as a location.
    pub fn location(self) -> Location {
        match self {
            Vertex::At(l) => l,
            Vertex::LatLonPair(lat, lon) => Location::LatLon(lat, lon),
        }
    }
}

/// A settlement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementSpec {
    pub name: String,
    pub at: Location,
    /// People (a number so that a negative value is reported as such, not as a parse error).
    pub population: f64,
    /// ISO 3166 alpha-2 code; default: the country of the tile.
    #[serde(default)]
    pub country: Option<String>,
    /// Fuel and food held at the start, e.g. `stock: (fuel_days: Some(3.0), food_tonnes:
    /// Some(900.0))`: fuel in days of the town's need (`fuel_days`) or in litres
    /// (`fuel_litres`); food in days of the share of need it does not grow (`food_days`) or
    /// in tonnes of cereal equivalent (`food_tonnes`); at most one of each pair, none
    /// negative. What is not given (default: all) is `params.logistics.initial_stock_days`
    /// of fuel and `initial_food_days` of food.
    #[serde(default)]
    pub stock: InitialStock,
}

/// A road corridor through settlements, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorridorSpec {
    pub name: String,
    pub towns: Vec<String>,
    #[serde(default = "paved")]
    pub road: RoadClass,
}

fn paved() -> RoadClass {
    RoadClass::Paved
}

/// A border crossing where imports enter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossingSpec {
    /// The settlement at the crossing.
    pub town: String,
    /// The corridor the imports take from there.
    pub corridor: String,
    /// The neighbouring country the imports come from.
    pub from_country: String,
    /// Normal daily flows.
    pub tankers_per_day: f64,
    #[serde(default)]
    pub goods_trucks_per_day: f64,
    /// The settlements its trucks deliver to, drawn by need among them. Default (empty):
    /// every settlement of the home country. Importers deliver to the inland depots and
    /// the regions are served from there: list the towns a border road actually feeds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serves: Vec<String>,
}

/// An inland depot: a settlement that is a source of supply (a refinery, a strategic
/// reserve), from which trucks leave along a corridor as they leave a border crossing (the
/// same queues, escorts and convoys), to any destination of supply but its own town.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepotSpec {
    /// The settlement of the depot; it must be on `corridor`.
    pub town: String,
    /// The corridor its trucks take.
    pub corridor: String,
    /// Daily outflow, trucks a day (tankers of `params.logistics.litres_per_tanker`, and
    /// goods trucks of `people_days_per_goods_truck`).
    pub tankers_per_day: f64,
    #[serde(default)]
    pub goods_trucks_per_day: f64,
    /// What the reserve holds, in tankers' and goods trucks' worth; it sends nothing once
    /// empty. Default (None): no limit, as a refinery producing all along. A depot with no
    /// limit on fuel counts in the country's normal supply (the need of the settlements is
    /// set from the normal inflow); a reserve does not.
    #[serde(default)]
    pub stock_tankers: Option<f64>,
    #[serde(default)]
    pub stock_goods_trucks: Option<f64>,
    /// The settlements its trucks deliver to (as for a crossing). Default: every
    /// settlement of the home country but its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serves: Vec<String>,
}

/// An air bridge: a fleet based at `base` flying fuel and food to the towns in `serves`.
/// Each day, aircraft x sorties_per_day sorties (whole ones; the fraction carries over) go
/// one at a time to the served town furthest below `params.logistics.air_target_days` of
/// its need, each loaded with food first (as far as that town lacks it), fuel with the
/// room left. A
/// sortie to a town with insurgent cells within `air_threat_km` may be hit and the aircraft
/// lost (`air_hit_per_sortie`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AirliftSpec {
    pub name: String,
    /// The settlement the aircraft fly from.
    pub base: String,
    /// Aircraft in the fleet at the start (a whole number).
    pub aircraft: u32,
    /// Tonnes carried per sortie (a CASA C-295 about 9 t, a C-130 about 19 t, a Mi-17
    /// helicopter about 4 t).
    pub tonnes_per_sortie: f64,
    /// Sorties a day per aircraft (a round trip of a few hundred km: 1-3).
    pub sorties_per_day: f64,
    /// Cost of one sortie, in any unit the scenario chooses (reported as `air_cost`).
    #[serde(default)]
    pub cost_per_sortie: f64,
    /// The settlements it serves.
    pub serves: Vec<String>,
}

/// A siege laid at the start: `cells` insurgent cells of `fighters_per_cell` on posts
/// around `town`, at `params.insurgency.siege_ring_km`, holding its roads (convoys stopped
/// at the posts), its fields (local food production cut by
/// `params.logistics.siege_fields_denied`) and its exits (`params.society.siege_trapped`).
/// The siege lasts while the ring holds at least `siege_min_fighters` fighters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiegeSpec {
    pub town: String,
    pub cells: u32,
    pub fighters_per_cell: u32,
    /// The insurgent command whose cells hold the ring (a `command` of `forces.insurgents`).
    /// Default: the first command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// Initial forces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ForcesSpec {
    pub army: Vec<ArmyGroupSpec>,
    pub insurgents: Vec<InsurgentGroupSpec>,
    /// Pro-government militias (none by default).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub militias: Vec<MilitiaSpec>,
    /// Towns besieged at the start. Default none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sieges: Vec<SiegeSpec>,
}

/// Army units based at a town.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmyGroupSpec {
    /// What the units are, a bare name like every choice in a scenario: `mechanised`,
    /// `motorised`, `garrison`, `special_forces`, `partner`.
    pub kind: UnitKind,
    pub base: String,
    pub units: u32,
    pub soldiers_per_unit: u32,
}

/// Insurgent cells placed around a point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsurgentGroupSpec {
    pub name: String,
    pub area: Location,
    pub radius_km: f64,
    pub cells: u32,
    pub fighters_per_cell: u32,
    /// The insurgent command the group answers to, for rival commands: groups with the
    /// same label share one top command and its tree; groups of different labels are
    /// rivals that compete for recruits and ground and fight when their cells meet (JNIM
    /// and the Islamic State in the Sahel: `command: "JNIM"`, `command: "ISSP"`). Default:
    /// none, and every group without a label answers to one command together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// A pro-government militia (Burkina Faso's VDP, Mali's Dozo hunters): a post in each of
/// its settlements, manned from their people.
///
/// ```ron
/// militias: [
///     (name: "VDP Djibo", settlements: ["Djibo", "Arbinda"], members: 600,
///      recruits_per_day: 5.0, max_members: 1500, discipline: 0.5),
/// ],
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilitiaSpec {
    pub name: String,
    /// Settlements where it holds posts, and whose people it calls up (at least one).
    pub settlements: Vec<String>,
    /// Members at the start (people), spread over its settlements by population; they are
    /// outside the settlements' people, as the initial insurgent fighters are.
    pub members: u32,
    /// People it calls up a day over all its settlements (split by population), while
    /// below `max_members`; only loyal people answer (quiet, at home, trusting the state
    /// more than they resent it). Default 0. For scale: Burkina Faso's 2022 call-up asked
    /// for 100 VDP per commune (35,000) plus 15,000 national ones, and drew over 90,000
    /// applications in four weeks.
    #[serde(default)]
    pub recruits_per_day: f64,
    /// Ceiling of its strength (people). Default: `members` (no growth).
    #[serde(default)]
    pub max_members: Option<u32>,
    /// 0-1: the share of an undisciplined militia's abuses it does not commit
    /// (`params.militia.abuses_per_100_per_day`). Default 0.5.
    #[serde(default = "half")]
    pub discipline: f64,
    /// Settlements whose people it treats as the insurgents' (pastoral Fulani villages,
    /// for the Dozo and many VDP): the ones it harms. Default: every other settlement
    /// within `params.militia.patrol_km` of one of its posts.
    #[serde(default)]
    pub suspects: Vec<String>,
}

fn half() -> f64 {
    0.5
}

/// Parameters of every submodel, grouped by submodel. Each group has documented defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub mobility: MobilityParams,
    pub activation: ActivationParams,
    pub logistics: LogisticsParams,
    pub army: ArmyParams,
    pub combat: CombatParams,
    pub insurgency: InsurgencyParams,
    pub society: SocietyParams,
    pub militia: MilitiaParams,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_is_named_as_serde_names_it() {
        for (name, _) in crate::load::BUILTIN {
            let file = crate::builtin(name).unwrap().unwrap();
            let v = serde_json::to_value(&file).unwrap();
            assert!(v.get(file.model()).is_some(), "{name}: {v:.80}");
        }
    }

    #[test]
    fn choices_are_bare_snake_case_names_and_old_spellings_still_read() {
        use asymwar_model::terrain::RoadClass;
        let k: CorridorSpec = ron::from_str("(name: \"r\", towns: [], road: paved)").unwrap();
        assert_eq!(k.road, RoadClass::Paved);
        let k: CorridorSpec = ron::from_str("(name: \"r\", towns: [], road: Track)").unwrap();
        assert_eq!(k.road, RoadClass::Track);
        let a: ArmyGroupSpec =
            ron::from_str("(kind: special_forces, base: \"B\", units: 1, soldiers_per_unit: 1)")
                .unwrap();
        assert_eq!(a.kind, UnitKind::SpecialForces);
        let e = ron::from_str::<ArmyGroupSpec>(
            "(kind: tank, base: \"B\", units: 1, soldiers_per_unit: 1)",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("tank") && e.contains("mechanised"), "{e}");
        let k: CountrySpec =
            ron::from_str("(code: \"ML\", polygon: [LatLon(1.0, 2.0), (3.0, 4.0), Tile(5, 6)])")
                .unwrap();
        assert_eq!(
            k.polygon.iter().map(|v| v.location()).collect::<Vec<_>>(),
            vec![
                Location::LatLon(1.0, 2.0),
                Location::LatLon(3.0, 4.0),
                Location::Tile(5, 6)
            ]
        );
    }
}
