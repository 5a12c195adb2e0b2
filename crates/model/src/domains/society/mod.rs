//! Society (daily): civilian cohorts feel hardship from scarcity and violence, judge the
//! state's legitimacy, and by Epstein's rule (the one implementation in
//! [`crate::domains::society::grievance`]) turn active; active people join cells nearby or found new ones;
//! the state arrests and jails; people flee the violence.
//!
//! A cohort stands for `cohort_size` people of one settlement and its countryside. People
//! are conserved: every person is in a cohort (quiet, sympathiser, displaced, jailed),
//! has joined a cell, or was killed; [`PeopleLedger`] checks it.

pub mod grievance;

use crate::domains::army::ArmyUnit;
use crate::domains::insurgency::{
    Cell, InsurgencyParams, InsurgentCommand, PostTarget, RecruitRequests, Targets, VillageTarget,
    new_cell,
};
use crate::domains::logistics::{LogisticsParams, Supplies};
use crate::domains::society::grievance::{
    ActivationParams, arrest_probability, grievance, is_active,
};
use crate::engine::calendar::Clock;
use crate::engine::check::{Checker, Validate};
use crate::engine::rng::{Purpose, RngExt, SimRng, stream};
use crate::world::actors::{ActorId, IdCounter, Mover, Position, Route};
use crate::world::geo::Tile;
use crate::world::sensing::{IndexedCell, SpatialIndex};
use crate::world::settlement::Settlement;
use crate::world::terrain::{Mobility, TerrainGrid};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// What the daily society pass reads.
#[derive(SystemParam)]
pub struct SocietyInputs<'w> {
    pub clock: Res<'w, Clock>,
    pub params: Res<'w, SocietyParams>,
    pub activation: Res<'w, ActivationParams>,
    pub logistics: Res<'w, LogisticsParams>,
    pub iparams: Res<'w, InsurgencyParams>,
    pub army_params: Res<'w, crate::domains::army::ArmyParams>,
    pub grid: Res<'w, TerrainGrid>,
    pub index: Res<'w, SpatialIndex>,
    pub seed: Res<'w, crate::engine::rng::Seed>,
}

/// What the daily society pass writes besides the cohorts.
#[derive(SystemParam)]
pub struct SocietyOutputs<'w> {
    pub society: ResMut<'w, Society>,
    pub violence: ResMut<'w, Violence>,
    pub ledger: ResMut<'w, PeopleLedger>,
    pub requests: ResMut<'w, RecruitRequests>,
    pub targets: ResMut<'w, Targets>,
    pub ids: ResMut<'w, IdCounter>,
    pub rng: ResMut<'w, SimRng>,
}
use serde::{Deserialize, Serialize};

/// Society parameters (`params.society`).
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SocietyParams {
    /// People a cohort stands for.
    pub cohort_size: u32,
    /// People in the countryside of each settlement per person in the town: the towns of
    /// the scenario hold about 6 million of the south's ~15 million (INSTAT 2022 estimate).
    pub rural_ratio: f64,
    /// Baseline hardship H0 ~ U(h0_min, h0_max) per cohort.
    pub h0_min: f64,
    pub h0_max: f64,
    /// Weight of scarcity and of exposure to violence on hardship.
    pub w_scarcity: f64,
    pub w_violence: f64,
    /// Violence (events, weighted by deaths) within `exposure_km` that counts as full exposure.
    pub exposure_reference: f64,
    pub exposure_km: f64,
    /// Daily decay of the violence layer.
    pub violence_decay: f64,
    /// Legitimacy the state's governance pulls towards, and how fast (per day).
    pub base_legitimacy: f64,
    pub governance_rate: f64,
    /// Legitimacy lost per abuse (civilian harm, arbitrary arrest), per attack the state
    /// failed to answer, and per day with services cut; gained per attack answered.
    pub abuse_weight: f64,
    /// A strike that harms civilians weighs as this many arbitrary arrests.
    pub harm_abuses: f64,
    pub unanswered_weight: f64,
    pub services_weight: f64,
    pub protection_weight: f64,
    /// Personal abuse memory added to a harmed cohort, and its daily decay.
    pub abuse_memory: f64,
    pub abuse_memory_decay: f64,
    /// How many cohorts a cohort "sees" when it weighs its arrest risk: C and A are the
    /// state forces and actives among that many neighbours (Epstein's vision, in cohorts).
    pub vision_cohorts: f64,
    /// Soldiers that make one "cop" of Epstein's rule, and police per 1,000 people.
    pub soldiers_per_cop: f64,
    pub police_per_1000: f64,
    /// State forces within this distance police a settlement, km.
    pub policing_km: f64,
    /// Cohorts arrested per cop per day among the actives, and jail terms U(0, J) days.
    pub arrests_per_cop_per_day: f64,
    pub jail_max_days: f64,
    /// People taken when a cohort is arrested (the rest of the cohort is cowed until
    /// their release).
    pub arrested_per_cohort: f64,
    /// Share of the people of a newly active cohort who take up arms.
    pub recruit_share: f64,
    /// A cell within this distance takes in the recruits of a settlement, km.
    pub recruit_km: f64,
    /// A cell takes in at most this share of its fighters in recruits a day (arms,
    /// motorbikes, money and trust are scarce); the rest wait.
    pub absorb_per_day: f64,
    /// Recruits waiting without a cell found a new one when this many gather (with
    /// probability equal to the insurgents' autonomy: local initiative).
    pub found_cell_recruits: f64,
    /// Daily chance (times autonomy) that such a gathering founds its cell.
    pub found_cell_per_day: f64,
    /// Cohorts flee when exposure and hardship pass these levels, with this daily chance.
    pub displace_exposure: f64,
    pub displace_hardship: f64,
    pub displace_per_day: f64,
    /// Hardship added by displacement.
    pub displaced_hardship: f64,
    /// A quiet cohort informs when its legitimacy exceeds its grievance by this margin.
    pub informant_margin: f64,
}

impl Default for SocietyParams {
    fn default() -> Self {
        Self {
            cohort_size: 100,
            rural_ratio: 1.5,
            h0_min: 0.0,
            h0_max: 0.6,
            w_scarcity: 0.2,
            w_violence: 0.2,
            exposure_reference: 30.0,
            exposure_km: 30.0,
            violence_decay: 0.93,
            base_legitimacy: 0.7,
            governance_rate: 0.02,
            abuse_weight: 0.02,
            harm_abuses: 5.0,
            unanswered_weight: 0.01,
            services_weight: 0.002,
            protection_weight: 0.005,
            abuse_memory: 0.3,
            abuse_memory_decay: 0.98,
            vision_cohorts: 100.0,
            soldiers_per_cop: 4.0,
            police_per_1000: 2.0,
            policing_km: 30.0,
            arrests_per_cop_per_day: 0.005,
            jail_max_days: 90.0,
            arrested_per_cohort: 5.0,
            recruit_share: 0.005,
            recruit_km: 40.0,
            absorb_per_day: 0.02,
            found_cell_recruits: 12.0,
            found_cell_per_day: 0.1,
            displace_exposure: 0.7,
            displace_hardship: 0.7,
            displace_per_day: 0.0005,
            displaced_hardship: 0.2,
            informant_margin: 0.3,
        }
    }
}

impl Validate for SocietyParams {
    fn validate(&self, c: &mut Checker) {
        if self.cohort_size == 0 || self.cohort_size > u32::from(u16::MAX) {
            c.fail("cohort_size", "must be between 1 and 65535 people");
        }
        c.within("rural_ratio", self.rural_ratio, 0.0, 100.0);
        c.probability("h0_min", self.h0_min);
        c.probability("h0_max", self.h0_max);
        if self.h0_min > self.h0_max {
            c.fail("h0_min", "must not exceed h0_max");
        }
        c.non_negative("w_scarcity", self.w_scarcity);
        c.non_negative("w_violence", self.w_violence);
        c.positive("exposure_reference", self.exposure_reference);
        c.non_negative("exposure_km", self.exposure_km);
        c.probability("violence_decay", self.violence_decay);
        c.probability("base_legitimacy", self.base_legitimacy);
        c.probability("governance_rate", self.governance_rate);
        c.probability("abuse_weight", self.abuse_weight);
        c.non_negative("harm_abuses", self.harm_abuses);
        c.probability("unanswered_weight", self.unanswered_weight);
        c.probability("services_weight", self.services_weight);
        c.probability("protection_weight", self.protection_weight);
        c.probability("abuse_memory", self.abuse_memory);
        c.probability("abuse_memory_decay", self.abuse_memory_decay);
        c.within("vision_cohorts", self.vision_cohorts, 1.0, 1e6);
        c.positive("soldiers_per_cop", self.soldiers_per_cop);
        c.non_negative("police_per_1000", self.police_per_1000);
        c.non_negative("policing_km", self.policing_km);
        c.non_negative("arrests_per_cop_per_day", self.arrests_per_cop_per_day);
        c.non_negative("jail_max_days", self.jail_max_days);
        c.within(
            "arrested_per_cohort",
            self.arrested_per_cohort,
            0.0,
            65535.0,
        );
        c.probability("recruit_share", self.recruit_share);
        c.non_negative("recruit_km", self.recruit_km);
        c.probability("absorb_per_day", self.absorb_per_day);
        c.positive("found_cell_recruits", self.found_cell_recruits);
        c.probability("found_cell_per_day", self.found_cell_per_day);
        c.non_negative("displace_exposure", self.displace_exposure);
        c.probability("displace_hardship", self.displace_hardship);
        c.probability("displace_per_day", self.displace_per_day);
        c.probability("displaced_hardship", self.displaced_hardship);
        c.non_negative("informant_margin", self.informant_margin);
    }
}

/// What a cohort is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CohortState {
    Quiet,
    /// Active by Epstein's rule: supports the insurgency, and some of it takes up arms.
    Sympathiser,
    Displaced,
    Jailed,
}

/// A cohort of civilians.
#[derive(Component, Clone, Copy, Debug)]
pub struct Cohort {
    /// Index of its settlement in [`Society::towns`] (where it lives now).
    pub home: u16,
    pub size: u16,
    pub h0: f32,
    pub risk: f32,
    /// Personal memory of abuse, subtracted from the settlement's legitimacy.
    pub abuse: f32,
    pub state: CohortState,
    /// Whether the state before jail or flight was active.
    pub active: bool,
    /// Day the jail term of its arrested members ends (the cohort stays cowed, inactive,
    /// until then).
    pub jail_until: u32,
    /// Members in jail (part of `size`).
    pub jailed: u16,
    /// Whether its recruits already left (a cohort gives recruits once: those willing to
    /// fight are gone).
    pub armed: bool,
    pub grievance: f32,
    pub legitimacy: f32,
}

/// A settlement as society sees it.
#[derive(Clone, Debug, Default)]
pub struct Community {
    pub entity: Option<Entity>,
    pub tile: Tile,
    pub legitimacy: f64,
    /// Share of its people who inform on the insurgency.
    pub informants: f64,
    pub sympathisers: f64,
    /// Cohorts active yesterday.
    pub actives: u32,
    pub cohorts: u32,
    pub people: u64,
    /// Exposure to violence (0-1).
    pub exposure: f64,
    /// State forces policing it, in cops.
    pub cops: f64,
    pub soldiers_near: f64,
    /// Arbitrary arrests of the last daily pass.
    pub abuses_today: u32,
    /// Force against cells that harmed civilians here since the last daily pass.
    pub harm_events_today: u32,
    pub attacks_today: u32,
    pub unanswered_today: u32,
    pub answered_today: u32,
    /// Civilians to be killed (by the insurgents, by the army) at the next daily pass.
    pub pending_killed: (u32, u32),
    pub mean_grievance: f64,
    /// Recruits waiting without a cell.
    pub waiting_recruits: f64,
    pub arrests_today: u32,
    pub scarcity: f64,
    pub services_cut: bool,
}

/// The society domain's per-settlement state, in a dense vector.
#[derive(Resource, Clone, Debug, Default)]
pub struct Society {
    pub towns: Vec<Community>,
    /// Nearest settlement of every tile (index into `towns`), for informants and harm.
    nearest: Vec<u16>,
    nearest_km: Vec<f32>,
    grid_width: usize,
    pub mean_grievance: f64,
    pub mean_legitimacy: f64,
    pub active_share: f64,
    pub jailed: u64,
    pub displaced: u64,
    pub informant_share: f64,
}

impl Society {
    fn index_of(&self, e: Entity) -> Option<usize> {
        self.towns.iter().position(|t| t.entity == Some(e))
    }

    /// Civilians killed at a settlement: taken from its cohorts at the next daily pass.
    pub fn harm(&mut self, town: Entity, killed: u32, by_army: bool) {
        if let Some(i) = self.index_of(town) {
            let p = &mut self.towns[i].pending_killed;
            if by_army {
                p.1 += killed
            } else {
                p.0 += killed
            }
        }
    }

    /// An abuse by the state at a settlement.
    pub fn abuse(&mut self, town: Entity) {
        if let Some(i) = self.index_of(town) {
            self.towns[i].harm_events_today += 1;
        }
    }

    /// An insurgent attack at a settlement.
    pub fn attacked(&mut self, town: Entity) {
        if let Some(i) = self.index_of(town) {
            self.towns[i].attacks_today += 1;
        }
    }

    /// An attack near `tile` that the army answered, or failed to.
    pub fn answer(&mut self, tile: Tile, answered: bool) {
        if let Some(i) = self.nearest_index(tile) {
            if answered {
                self.towns[i].answered_today += 1;
            } else {
                self.towns[i].unanswered_today += 1;
            }
        }
    }

    /// The settlement nearest a tile and its distance, km.
    fn nearest_with_km(&self, tile: Tile) -> Option<(usize, f64)> {
        let i = usize::from(tile.y) * self.width() + usize::from(tile.x);
        match (self.nearest.get(i), self.nearest_km.get(i)) {
            (Some(&k), Some(&km)) if usize::from(k) < self.towns.len() => {
                Some((usize::from(k), f64::from(km)))
            }
            _ => None,
        }
    }

    fn nearest_index(&self, tile: Tile) -> Option<usize> {
        self.nearest_with_km(tile).map(|(k, _)| k)
    }

    fn width(&self) -> usize {
        self.grid_width.max(1)
    }

    /// The settlement nearest a tile.
    pub fn nearest_town(&self, _grid: &TerrainGrid, tile: Tile) -> Option<Entity> {
        self.nearest_index(tile).and_then(|i| self.towns[i].entity)
    }

    /// The settlement nearest a tile, if within `reach_km`, and how many of its sympathisers
    /// can feed fighters there: all of them on the settlement's own tile, fading linearly
    /// with distance.
    pub fn sympathisers_near(&self, tile: Tile, reach_km: f64) -> Option<(usize, f64)> {
        let (k, km) = self
            .nearest_with_km(tile)
            .filter(|&(_, km)| km < reach_km)?;
        let town = &self.towns[k];
        Some((
            k,
            town.sympathisers * town.people as f64 * (1.0 - km / reach_km),
        ))
    }

    /// The settlement nearest a tile if it lies within `km`.
    pub fn town_within(&self, tile: Tile, km: f64) -> Option<Entity> {
        let (k, _) = self.nearest_with_km(tile).filter(|&(_, d)| d <= km)?;
        self.towns[k].entity
    }

    /// Informant share of the settlement nearest a tile, fading with distance (50 km).
    pub fn informants_near(&self, _grid: &TerrainGrid, tile: Tile) -> f64 {
        match self.nearest_with_km(tile) {
            Some((k, km)) => self.towns[k].informants * (1.0 - km / 50.0).max(0.0),
            None => 0.0,
        }
    }
}

/// Recent violence on every tile (events weighted by deaths), decaying daily: the exposure
/// that enters hardship.
#[derive(Resource, Clone, Debug, Default)]
pub struct Violence {
    pub level: Vec<f32>,
    width: u16,
}

impl Violence {
    pub fn add(&mut self, grid: &TerrainGrid, tile: Tile, amount: f32) {
        if self.level.len() != grid.len() {
            self.level = vec![0.0; grid.len()];
            self.width = grid.width;
        }
        self.level[grid.index(tile)] += amount;
    }
}

/// People by state, checked against the initial total (people are conserved).
#[derive(Resource, Clone, Debug, Default)]
pub struct PeopleLedger {
    pub initial: u64,
    pub recruited: u64,
    pub killed: u64,
    pub recruits_today: u64,
    pub cells_founded_today: u32,
    pub cells_founded: u64,
}

/// Spawns the cohorts of every settlement and the society resources.
pub fn setup(world: &mut World) {
    let p = world.resource::<SocietyParams>().clone();
    let seed = world.resource::<crate::engine::rng::Seed>().0;
    let grid = world.resource::<TerrainGrid>();
    let (width, height) = (grid.width, grid.height);
    let tile_km = grid.projection.tile_km as f32;
    let mut towns: Vec<(ActorId, Entity, Tile, u32)> = world
        .query::<(&ActorId, Entity, &Settlement)>()
        .iter(world)
        .map(|(id, e, s)| (*id, e, s.tile, s.population))
        .collect();
    towns.sort();
    let mut society = Society::default();
    for &(_, e, tile, _) in &towns {
        society.towns.push(Community {
            entity: Some(e),
            tile,
            legitimacy: p.base_legitimacy,
            ..Default::default()
        });
    }
    // Nearest settlement of every tile (30 towns x 26,000 tiles: once, at setup).
    let n = usize::from(width) * usize::from(height);
    society.nearest = vec![u16::MAX; n];
    society.nearest_km = vec![f32::INFINITY; n];
    society.grid_width = usize::from(width);
    for y in 0..height {
        for x in 0..width {
            let t = Tile::new(x, y);
            let i = usize::from(y) * usize::from(width) + usize::from(x);
            for (k, c) in society.towns.iter().enumerate() {
                let d = c.tile.distance(t) as f32 * tile_km;
                if d < society.nearest_km[i] {
                    society.nearest_km[i] = d;
                    society.nearest[i] = k as u16;
                }
            }
        }
    }
    let mut rng = stream(seed, Purpose::Society, 0, 0);
    let mut batch = Vec::new();
    let mut total = 0u64;
    for (k, &(_, _, _, pop)) in towns.iter().enumerate() {
        let people = (f64::from(pop) * (1.0 + p.rural_ratio)).round() as u64;
        total += people;
        let full = people / u64::from(p.cohort_size);
        let rest = people % u64::from(p.cohort_size);
        for j in 0..full + u64::from(rest > 0) {
            let size = if j < full { p.cohort_size } else { rest as u32 } as u16;
            batch.push(Cohort {
                home: k as u16,
                size,
                h0: rng.random_range(p.h0_min as f32..=p.h0_max as f32),
                risk: rng.random::<f32>(),
                abuse: 0.0,
                state: CohortState::Quiet,
                active: false,
                jail_until: 0,
                jailed: 0,
                // Set on the first daily pass for those already active: their recruits are
                // in the initial cells.
                armed: false,
                grievance: 0.0,
                legitimacy: p.base_legitimacy as f32,
            });
        }
    }
    for c in &batch {
        let t = &mut society.towns[usize::from(c.home)];
        t.cohorts += 1;
        t.people += u64::from(c.size);
    }
    world.spawn_batch(batch);
    world.insert_resource(society);
    world.insert_resource(Violence {
        level: vec![0.0; n],
        width,
    });
    world.insert_resource(PeopleLedger {
        initial: total,
        ..Default::default()
    });
}

/// Society set (daily): legitimacy, the cohorts' grievance and activation, harm, arrests,
/// recruitment, displacement; then the targets the insurgent planners weigh.
#[allow(clippy::too_many_arguments)]
pub fn society_daily(
    mut commands: Commands,
    inputs: SocietyInputs,
    outputs: SocietyOutputs,
    mut cohorts: Query<&mut Cohort>,
    supplies: Query<&Supplies>,
    units: Query<(&ArmyUnit, &Position)>,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position)>,
    command_q: Query<(Entity, &ActorId, &InsurgentCommand, &Position)>,
) {
    let SocietyInputs {
        clock,
        params,
        activation,
        logistics,
        iparams,
        army_params,
        grid,
        index,
        seed,
    } = inputs;
    let SocietyOutputs {
        mut society,
        mut violence,
        mut ledger,
        mut requests,
        mut targets,
        mut ids,
        mut rng,
    } = outputs;
    if !clock.is_day_end() {
        return;
    }
    let day = clock.day();
    let p = &*params;
    let tile_km = grid.projection.tile_km;
    let s = &mut *society;
    let nt = s.towns.len();

    // 1. Settlement conditions: scarcity, services, exposure, state forces, legitimacy.
    let exposure_r = (p.exposure_km / tile_km).ceil() as i32;
    let policing = (p.policing_km / tile_km) as f32;
    for c in s.towns.iter_mut() {
        let e = c.entity.expect("towns have entities");
        if let Ok(sup) = supplies.get(e) {
            c.scarcity = sup.scarcity(logistics.price_reference_days);
            c.services_cut = !sup.electricity || !sup.schools;
        }
        let mut v = 0.0f64;
        let (tx, ty) = (i32::from(c.tile.x), i32::from(c.tile.y));
        for dy in -exposure_r..=exposure_r {
            for dx in -exposure_r..=exposure_r {
                if grid.contains(tx + dx, ty + dy) {
                    v += f64::from(
                        violence.level[grid.index(Tile::new((tx + dx) as u16, (ty + dy) as u16))],
                    );
                }
            }
        }
        c.exposure = (v / p.exposure_reference).min(1.0);
        let mut soldiers = 0.0;
        index.within(&index.army, c.tile, policing, |en| {
            if let Ok((u, _)) = units.get(en.entity) {
                soldiers += f64::from(u.soldiers);
            }
        });
        c.soldiers_near = soldiers;
        c.cops = soldiers / p.soldiers_per_cop + c.people as f64 / 1000.0 * p.police_per_1000;
        let cut = if c.services_cut { 1.0 } else { 0.0 };
        // Abuses weigh by how much of the settlement they touch: per 100 cohorts
        // (10,000 people); a strike that kills civilians counts `harm_abuses` times.
        let per_100 = 100.0 / f64::from(c.cohorts.max(1));
        let abuses = f64::from(c.abuses_today) + p.harm_abuses * f64::from(c.harm_events_today);
        c.legitimacy = (c.legitimacy + p.governance_rate * (p.base_legitimacy - c.legitimacy)
            - p.abuse_weight * abuses * per_100.min(1.0)
            - p.unanswered_weight * f64::from(c.unanswered_today)
            - p.services_weight * cut
            + p.protection_weight * f64::from(c.answered_today))
        .clamp(0.0, 1.0);
    }
    for v in violence.level.iter_mut() {
        *v *= p.violence_decay as f32;
    }

    // Nearest cell to each settlement within recruit_km: where its recruits go.
    let recruit_r = (p.recruit_km / tile_km) as f32;
    let mut recruit_cell: Vec<Option<Entity>> = vec![None; nt];
    for (k, c) in s.towns.iter().enumerate() {
        let mut best: Option<(f64, ActorId, Entity)> = None;
        index.within(&index.cells, c.tile, recruit_r, |en| {
            let d = en.tile.distance(c.tile);
            if best.is_none_or(|b| (d, en.id) < (b.0, b.1)) {
                best = Some((d, en.id, en.entity));
            }
        });
        recruit_cell[k] = best.map(|b| b.2);
    }
    // What each of those cells can still absorb today.
    let mut capacity: Vec<(Entity, f32)> = Vec::new();
    for e in recruit_cell.iter().flatten() {
        if !capacity.iter().any(|(c, _)| c == e)
            && let Ok((_, _, cell, _)) = cells.get(*e)
        {
            capacity.push((*e, cell.fighters * p.absorb_per_day as f32));
        }
    }

    // 2. Cohorts: one pass in entity order. Selection sampling (Knuth's algorithm S) spreads
    // deaths and arrests over a settlement's cohorts without listing them: it needs the
    // number of cohorts (and of actives) each settlement had at the start of the pass,
    // which the previous pass counted.
    let mut tallies = vec![DayTally::default(); nt];
    let mut left: Vec<u32> = s.towns.iter().map(|c| c.cohorts).collect();
    let mut act_left: Vec<u32> = s.towns.iter().map(|c| c.actives).collect();
    let mut arrests_left: Vec<u32> = s
        .towns
        .iter()
        .map(|c| ((c.cops * p.arrests_per_cop_per_day).floor() as u32).min(c.actives))
        .collect();
    let arbitrary = p_arbitrary(&army_params);
    let safe = safest_town(s);
    let mut day_rng = stream(seed.0, Purpose::Society, 1, u64::from(day));
    let mut recruits_total = 0u64;
    let mut killed_total = 0u64;
    for mut co in &mut cohorts {
        let k = usize::from(co.home);
        if k >= nt || co.size == 0 {
            continue;
        }
        let town = &mut s.towns[k];
        // Killings.
        let pending = town.pending_killed.0 + town.pending_killed.1;
        if pending > 0 {
            let slots = left[k].max(1);
            // Each remaining cohort takes pending/slots deaths on average.
            let mean = f64::from(pending) / f64::from(slots);
            let take = (mean.floor() as u32 + u32::from(day_rng.random::<f64>() < mean.fract()))
                .min(u32::from(co.size))
                .min(pending);
            if take > 0 {
                let army = take.min(town.pending_killed.1);
                let insurgents = (take - army).min(town.pending_killed.0);
                town.pending_killed.1 -= army;
                town.pending_killed.0 -= insurgents;
                let take = army + insurgents;
                co.size -= take as u16;
                killed_total += u64::from(take);
                if army > 0 {
                    co.abuse = (co.abuse + p.abuse_memory as f32).min(1.0);
                }
            }
        }
        left[k] = left[k].saturating_sub(1);
        let was_active = co.active;
        if was_active {
            act_left[k] = act_left[k].saturating_sub(1);
        }
        let t = &mut tallies[k];
        if co.size == 0 {
            continue;
        }
        co.abuse *= p.abuse_memory_decay as f32;
        if co.state == CohortState::Jailed {
            if day >= co.jail_until {
                co.state = CohortState::Quiet;
                co.jailed = 0;
            } else {
                t.jailed += u64::from(co.jailed);
                t.cohorts += 1;
                continue;
            }
        }
        // Arrests: among yesterday's actives, some arrests arbitrary (a quiet cohort is
        // taken instead: an abuse that weighs on legitimacy).
        if was_active
            && arrests_left[k] > 0
            && day_rng.random::<f64>() * f64::from(act_left[k] + 1) < f64::from(arrests_left[k])
        {
            arrests_left[k] -= 1;
            if day_rng.random::<f64>() >= arbitrary {
                jail(&mut co, day, p, &mut day_rng);
                t.arrested += 1;
                t.jailed += u64::from(co.jailed);
                t.cohorts += 1;
                continue;
            }
            t.arbitrary_pending += 1;
        } else if !was_active && t.arbitrary_pending > 0 {
            t.arbitrary_pending -= 1;
            co.abuse = (co.abuse + p.abuse_memory as f32).min(1.0);
            jail(&mut co, day, p, &mut day_rng);
            t.arrested += 1;
            t.abuses += 1;
            t.jailed += u64::from(co.jailed);
            t.cohorts += 1;
            continue;
        }
        // Epstein's rule, with the settlement's state forces and actives scaled to the
        // cohort's neighbourhood of `vision_cohorts` cohorts.
        let displaced = co.state == CohortState::Displaced;
        let hardship = (f64::from(co.h0)
            + p.w_scarcity * town.scarcity
            + p.w_violence * town.exposure
            + if displaced { p.displaced_hardship } else { 0.0 })
        .clamp(0.0, 1.0);
        let legitimacy = (town.legitimacy - f64::from(co.abuse)).clamp(0.0, 1.0);
        let g = grievance(hardship, legitimacy);
        let share = (p.vision_cohorts / f64::from(town.cohorts.max(1))).min(1.0);
        let cops = (town.cops * share).round() as u32;
        let actives = (f64::from(town.actives) * share).round() as u32 + 1;
        let pr = arrest_probability(activation.k, cops, actives, activation.arrest_rule);
        let active = is_active(g, f64::from(co.risk), pr, activation.threshold);
        co.grievance = g as f32;
        co.legitimacy = legitimacy as f32;
        co.active = active;
        // Flight from violence and hardship.
        if !displaced
            && town.exposure > p.displace_exposure
            && hardship > p.displace_hardship
            && let Some(to) = safe
            && to != k
            && day_rng.random::<f64>() < p.displace_per_day
        {
            co.home = to as u16;
            co.state = CohortState::Displaced;
            let t = &mut tallies[to];
            t.cohorts += 1;
            t.displaced += u64::from(co.size);
            t.actives += u32::from(active);
            continue;
        }
        t.cohorts += 1;
        t.grievance += g * f64::from(co.size);
        t.legitimacy += legitimacy * f64::from(co.size);
        t.people += u64::from(co.size);
        if displaced {
            t.displaced += u64::from(co.size);
        }
        if active {
            t.actives += 1;
            t.sympathisers += u64::from(co.size);
            if !displaced {
                co.state = CohortState::Sympathiser;
            }
            if day == 0 {
                co.armed = true;
            }
            if !co.armed {
                let r = f64::from(co.size) * p.recruit_share;
                let r = (r.floor() as u16 + u16::from(day_rng.random::<f64>() < r.fract()))
                    .min(co.size);
                let room = recruit_cell[k].and_then(|e| capacity.iter_mut().find(|(c, _)| *c == e));
                if let Some((_, room)) = room
                    && *room > 0.0
                {
                    *room -= f32::from(r);
                    co.size -= r;
                    t.recruits += u64::from(r);
                    recruits_total += u64::from(r);
                    co.armed = true;
                } else {
                    t.waiting += f64::from(r);
                }
            }
        } else if !displaced {
            co.state = CohortState::Quiet;
            if legitimacy - g > p.informant_margin {
                t.informants += u64::from(co.size);
            }
        }
    }

    // 3. Founding cells where recruits wait with no cell near (decentralised growth), or
    // asking the command for one (central growth); the recruits of cohorts that founded a
    // cell leave them in a second, cheap pass.
    requests.waiting.clear();
    let mut founded: Vec<bool> = vec![false; nt];
    for k in 0..nt {
        let t = &tallies[k];
        if t.waiting >= p.found_cell_recruits {
            if rng.0.random::<f64>() < iparams.autonomy * p.found_cell_per_day {
                founded[k] = true;
            } else {
                requests.waiting.push((
                    s.towns[k].entity.expect("entity"),
                    s.towns[k].tile,
                    t.waiting as f32,
                ));
            }
        }
    }
    if founded.iter().any(|f| *f) {
        // A new cell starts with about `found_cell_recruits` fighters; the others keep
        // waiting.
        let mut joined = vec![0u64; nt];
        for mut co in &mut cohorts {
            let k = usize::from(co.home);
            if k < nt
                && founded[k]
                && (joined[k] as f64) < p.found_cell_recruits
                && co.active
                && !co.armed
                && co.state != CohortState::Jailed
                && co.size > 0
            {
                let r = ((f64::from(co.size) * p.recruit_share).ceil() as u16).min(co.size);
                co.size -= r;
                co.armed = true;
                joined[k] += u64::from(r);
            }
        }
        for k in 0..nt {
            if joined[k] == 0 {
                continue;
            }
            let tile = s.towns[k].tile;
            // The new cell answers to the nearest live command.
            let mut best: Option<(f64, ActorId, Entity)> = None;
            for (e, id, cmd, pos) in &command_q {
                let lowest = cmd.parent.is_some()
                    || iparams.network == crate::domains::insurgency::NetworkShape::Star;
                if lowest {
                    let d = pos.tile.distance(tile);
                    if best.is_none_or(|b| (d, *id) < (b.0, b.1)) {
                        best = Some((d, *id, e));
                    }
                }
            }
            let Some((_, _, commander)) = best else {
                continue;
            };
            let first = rng
                .0
                .random_range(0..iparams.decide_every_hours.max(1.0) as u64);
            let cell = new_cell(
                &iparams,
                commander,
                tile,
                joined[k] as f32,
                clock.tick + first,
            );
            let id = ids.next();
            commands.spawn((
                id,
                cell,
                Position::at(tile),
                Route::default(),
                Mover::new(Mobility::Motorbike, iparams.speed_factor as f32),
                IndexedCell,
            ));
            tallies[k].recruits += joined[k];
            recruits_total += joined[k];
            ledger.cells_founded_today += 1;
            ledger.cells_founded += 1;
        }
    }
    // Recruits reach their cells.
    for k in 0..nt {
        let r = tallies[k].recruits;
        if r == 0 || founded[k] {
            continue;
        }
        if let Some(ce) = recruit_cell[k]
            && let Ok((_, _, mut cell, _)) = cells.get_mut(ce)
        {
            cell.recruits += r as f32;
        }
    }

    // 4. Settlement aggregates for tomorrow, and the society-wide means.
    let (mut g, mut l, mut people, mut act_people, mut jailed, mut displaced, mut informants) =
        (0.0, 0.0, 0u64, 0u64, 0u64, 0u64, 0u64);
    for (t, c) in tallies.iter().zip(s.towns.iter_mut()) {
        c.actives = t.actives;
        c.cohorts = t.cohorts;
        c.people = t.people;
        c.mean_grievance = if t.people > 0 {
            t.grievance / t.people as f64
        } else {
            0.0
        };
        c.informants = if t.people > 0 {
            t.informants as f64 / t.people as f64
        } else {
            0.0
        };
        c.sympathisers = if t.people > 0 {
            t.sympathisers as f64 / t.people as f64
        } else {
            0.0
        };
        c.abuses_today = t.abuses;
        c.arrests_today = t.arrested;
        c.waiting_recruits = t.waiting;
        g += t.grievance;
        l += t.legitimacy;
        people += t.people;
        act_people += t.sympathisers;
        jailed += t.jailed;
        displaced += t.displaced;
        informants += t.informants;
    }
    // Abuses by arbitrary arrest weigh on legitimacy tomorrow; today's other counters reset.
    for c in s.towns.iter_mut() {
        c.harm_events_today = 0;
        c.attacks_today = 0;
        c.unanswered_today = 0;
        c.answered_today = 0;
    }
    s.mean_grievance = if people > 0 { g / people as f64 } else { 0.0 };
    s.mean_legitimacy = if people > 0 { l / people as f64 } else { 0.0 };
    s.active_share = if people > 0 {
        act_people as f64 / people as f64
    } else {
        0.0
    };
    s.jailed = jailed;
    s.displaced = displaced;
    s.informant_share = if people > 0 {
        informants as f64 / people as f64
    } else {
        0.0
    };
    // Pending deaths that found no one (an emptied settlement) are dropped, not counted.
    for c in s.towns.iter_mut() {
        c.pending_killed = (0, 0);
    }
    ledger.recruited += recruits_total;
    ledger.killed += killed_total;
    ledger.recruits_today = recruits_total;

    // 5. What the insurgent planners weigh tomorrow.
    targets.villages.clear();
    targets.posts.clear();
    for c in s.towns.iter() {
        let e = c.entity.expect("entity");
        targets.villages.push(VillageTarget {
            town: e,
            tile: c.tile,
            informants: c.informants as f32,
            garrisoned: c.soldiers_near >= 50.0,
        });
        let mut soldiers = 0.0f32;
        index.within(&index.army, c.tile, 0.5, |en| {
            if let Ok((u, _)) = units.get(en.entity) {
                soldiers += u.soldiers * u.kind.firepower();
            }
        });
        if soldiers > 0.0 {
            targets.posts.push(PostTarget {
                town: e,
                tile: c.tile,
                soldiers,
            });
        }
    }
}

fn jail(co: &mut Cohort, day: u32, p: &SocietyParams, rng: &mut crate::engine::rng::ModelRng) {
    co.state = CohortState::Jailed;
    co.active = false;
    co.jailed = (p.arrested_per_cohort.round() as u16).min(co.size);
    co.jail_until = day + 1 + (rng.random::<f64>() * p.jail_max_days).floor() as u32;
}

/// Share of arrests that take a quiet cohort instead of an active one.
fn p_arbitrary(army: &crate::domains::army::ArmyParams) -> f64 {
    (army.abuse_tolerance * (1.0 - army.discipline)).clamp(0.0, 1.0)
}

/// Where the displaced go: the settlement with the least exposure among the three most
/// populous (the capital, usually).
fn safest_town(s: &Society) -> Option<usize> {
    let mut by_size: Vec<(u64, usize)> = s
        .towns
        .iter()
        .enumerate()
        .map(|(k, c)| (c.people, k))
        .collect();
    by_size.sort_by(|a, b| b.cmp(a));
    by_size
        .iter()
        .take(3)
        .min_by(|a, b| {
            s.towns[a.1]
                .exposure
                .total_cmp(&s.towns[b.1].exposure)
                .then(a.1.cmp(&b.1))
        })
        .map(|x| x.1)
}

#[derive(Clone, Debug, Default)]
struct DayTally {
    grievance: f64,
    legitimacy: f64,
    people: u64,
    cohorts: u32,
    actives: u32,
    sympathisers: u64,
    informants: u64,
    jailed: u64,
    displaced: u64,
    arrested: u32,
    abuses: u32,
    arbitrary_pending: u32,
    recruits: u64,
    waiting: f64,
}

/// People in cohorts, by state, plus recruited and killed: equals the initial total.
pub fn people_accounted(world: &mut World) -> (u64, u64) {
    let in_cohorts: u64 = world
        .query::<&Cohort>()
        .iter(world)
        .map(|c| u64::from(c.size))
        .sum();
    let l = world.resource::<PeopleLedger>();
    (in_cohorts + l.recruited + l.killed, l.initial)
}
