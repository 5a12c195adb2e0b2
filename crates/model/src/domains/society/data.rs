//! Society's data: parameters, cohorts, settlements as society sees them, the violence
//! layer, the people ledger, the requests for cells it publishes, and the messages it takes.

use crate::engine::check::{Checker, Validate};
use crate::engine::geo::Tile;
use crate::engine::tally::Count;
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;
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
    /// People the state can hold for the conflict in the scenario's area (prisons, camps,
    /// cells of the gendarmerie). An arrest needs a place: the chance that a suspect is
    /// held falls with the share of places taken, and a suspect who cannot be held is
    /// questioned and let go. Mali held about 17,000 detainees in some 60 prisons (2023),
    /// Bamako's central prison 3,750-4,500 for about 400 places (2023-2024), and the state
    /// announced over 1,000 terrorism arrests in 2022 (docs/calibration.md, sources).
    pub detention_places: f64,
    /// People taken when a cohort is arrested (the rest of the cohort is cowed until
    /// their release).
    pub arrested_per_cohort: f64,
    /// Share of the people of a newly active cohort who take up arms.
    pub recruit_share: f64,
    /// Daily chance that a cohort that gave its recruits can give again: a new age group
    /// comes of age (Mali: 47% under 15, 3.3% growth a year, RGPH 2022, so each year
    /// about 3% of the people turn 15). A cohort harmed by the army can give again at once
    /// (new grievance).
    pub renewal_per_day: f64,
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
    /// People who flee per unit of violence near their settlement (an attack on civilians
    /// counts 1 plus its dead, a fight 1). Violence threatens the village or quarter where
    /// it strikes, not a whole city, so a day's flight from a settlement is this many
    /// people per unit of the day's violence around it, whatever its size: each of its
    /// cohorts flees with that number over its people. (Estimate: a few villages' worth
    /// of families per attack, in the order of IOM DTM's counts of displacement after
    /// attacks in the south, e.g. 2,000-3,000 who fled Lere in October-November 2025.)
    pub displaced_per_violence: f64,
    /// Hardship added by displacement.
    pub displaced_hardship: f64,
    /// The displaced go home, with this daily chance, once exposure to violence at home
    /// has fallen below `return_exposure` (IOM DTM Mali counted 855,000 returnees against
    /// about 380,000 displaced in September 2024: most displacement ends in return).
    pub return_exposure: f64,
    pub return_per_day: f64,
    /// A quiet cohort informs when its legitimacy exceeds its grievance by this margin.
    pub informant_margin: f64,
    /// Daily chance that a cohort of a hungry town (less than half its food need met
    /// today) flees. Estimate: hunger adds to the flight that violence drives.
    pub hunger_flight_per_day: f64,
    /// Share of those who would flee a besieged town who cannot get out (the ring holds the
    /// exits; those who try are turned back, taxed or killed). Estimate: most; Djibo's
    /// population grew rather than fell under siege (below).
    pub siege_trapped: f64,
    /// People who flee from within this distance of a besieged town flee into it, the
    /// nearest place with a garrison, rather than to the capital: Djibo, under blockade,
    /// held some 300,000 people of whom 269,000 displaced (government figures, DG ECHO
    /// flash of 25 October 2022; CONASUR, May 2023). Estimate of the distance: the
    /// surrounding communes of the Soum province.
    pub siege_refuge_km: f64,
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
            detention_places: 3000.0,
            arrested_per_cohort: 5.0,
            recruit_share: 0.005,
            renewal_per_day: 1.0 / 365.0,
            recruit_km: 40.0,
            absorb_per_day: 0.02,
            found_cell_recruits: 12.0,
            found_cell_per_day: 0.1,
            displaced_per_violence: 10.0,
            displaced_hardship: 0.2,
            return_exposure: 0.3,
            return_per_day: 0.02,
            informant_margin: 0.3,
            hunger_flight_per_day: 0.01,
            siege_trapped: 0.8,
            siege_refuge_km: 60.0,
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
        c.within("detention_places", self.detention_places, 0.0, 1e8);
        c.within(
            "arrested_per_cohort",
            self.arrested_per_cohort,
            0.0,
            65535.0,
        );
        c.probability("recruit_share", self.recruit_share);
        c.probability("renewal_per_day", self.renewal_per_day);
        c.non_negative("recruit_km", self.recruit_km);
        c.probability("absorb_per_day", self.absorb_per_day);
        c.positive("found_cell_recruits", self.found_cell_recruits);
        c.probability("found_cell_per_day", self.found_cell_per_day);
        c.within(
            "displaced_per_violence",
            self.displaced_per_violence,
            0.0,
            1e6,
        );
        c.probability("displaced_hardship", self.displaced_hardship);
        c.non_negative("return_exposure", self.return_exposure);
        c.probability("return_per_day", self.return_per_day);
        c.non_negative("informant_margin", self.informant_margin);
        c.probability("hunger_flight_per_day", self.hunger_flight_per_day);
        c.probability("siege_trapped", self.siege_trapped);
        c.non_negative("siege_refuge_km", self.siege_refuge_km);
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
#[derive(Clone, Copy, Debug)]
pub struct Cohort {
    /// Index of its settlement in [`Society::towns`] (where it lives now).
    pub home: u16,
    /// Where it lived before it fled (equal to `home` unless displaced).
    pub origin: u16,
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
}

impl Cohort {
    /// A quiet cohort of `size` people at home in settlement `home`, free, with no memory of
    /// abuse, that has not given recruits.
    pub fn new(home: u16, size: u16, h0: f32, risk: f32) -> Self {
        Self {
            home,
            origin: home,
            size,
            h0,
            risk,
            abuse: 0.0,
            state: CohortState::Quiet,
            active: false,
            jail_until: 0,
            jailed: 0,
            armed: false,
        }
    }
}

/// Cohorts a block holds at most: the unit of work of the daily pass, with its own random
/// stream, so that the pass gives the same bytes on any number of threads. Small enough
/// that the capital's ~100,000 cohorts spread over the cores, large enough that a block's
/// set-up (its stream, its tallies) costs nothing next to its cohorts.
pub const BLOCK_COHORTS: usize = 4096;

/// Every cohort, in blocks of one settlement each (the settlement where its cohorts live
/// now: a cohort that flees or goes home moves to a block of its new settlement after the
/// pass). Blocks are only ever appended, so a block's index, which keys its random stream,
/// is stable; their order is the order of the pass.
#[derive(Resource, Clone, Debug, Default)]
pub struct Cohorts {
    pub blocks: Vec<CohortBlock>,
}

/// Cohorts living in one settlement.
#[derive(Clone, Debug, Default)]
pub struct CohortBlock {
    /// Index of the settlement in [`Society::towns`].
    pub town: u16,
    pub cohorts: Vec<Cohort>,
}

impl Cohorts {
    /// Every cohort, in the order of the pass.
    pub fn iter(&self) -> impl Iterator<Item = &Cohort> {
        self.blocks.iter().flat_map(|b| b.cohorts.iter())
    }

    /// Every cohort, mutably, in the order of the pass.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Cohort> {
        self.blocks.iter_mut().flat_map(|b| b.cohorts.iter_mut())
    }

    /// People in cohorts.
    pub fn people(&self) -> u64 {
        self.iter().map(|c| u64::from(c.size)).sum()
    }

    /// Adds a cohort to the last block of its settlement (`co.home`), or a new block when
    /// that one is full or missing.
    pub fn push(&mut self, co: Cohort) {
        let town = co.home;
        let b = match self.blocks.iter().rposition(|b| b.town == town) {
            Some(b) if self.blocks[b].cohorts.len() < BLOCK_COHORTS => b,
            _ => {
                self.blocks.push(CohortBlock {
                    town,
                    cohorts: Vec::with_capacity(BLOCK_COHORTS),
                });
                self.blocks.len() - 1
            }
        };
        self.blocks[b].cohorts.push(co);
    }
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
    /// Daily chance that one of its cohorts flees (from the day's violence around it).
    pub flight: f64,
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
    /// People displaced here from elsewhere, and people of this settlement displaced
    /// elsewhere (at the last daily pass).
    pub displaced_in: u64,
    pub displaced_out: u64,
    /// People of this settlement in detention.
    pub jailed: u64,
    pub scarcity: f64,
    pub services_cut: bool,
}

/// The society domain's per-settlement state, in a dense vector.
#[derive(Resource, Clone, Debug, Default)]
pub struct Society {
    pub towns: Vec<Community>,
    /// Nearest settlement of every tile (index into `towns`), for informants and harm.
    pub(super) nearest: Vec<u16>,
    pub(super) nearest_km: Vec<f32>,
    pub(super) grid_width: usize,
    pub mean_grievance: f64,
    pub mean_legitimacy: f64,
    pub active_share: f64,
    pub jailed: u64,
    pub displaced: u64,
    pub informant_share: f64,
}

impl Society {
    pub(super) fn index_of(&self, e: Entity) -> Option<usize> {
        self.towns.iter().position(|t| t.entity == Some(e))
    }

    /// Civilians killed at a settlement: taken from its cohorts at the next daily pass.
    pub(super) fn harm(&mut self, town: Entity, killed: u32, by_army: bool) {
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
    pub(super) fn abuse(&mut self, town: Entity) {
        if let Some(i) = self.index_of(town) {
            self.towns[i].harm_events_today += 1;
        }
    }

    /// An insurgent attack at a settlement.
    pub(super) fn attacked(&mut self, town: Entity) {
        if let Some(i) = self.index_of(town) {
            self.towns[i].attacks_today += 1;
        }
    }

    /// An attack near `tile` that the army answered, or failed to.
    pub(super) fn answer(&mut self, tile: Tile, answered: bool) {
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
    pub(super) width: u16,
}

impl Violence {
    pub(super) fn add(&mut self, grid: &TerrainGrid, tile: Tile, amount: f32) {
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
    /// People who joined cells (today's, and the run's).
    pub recruits: Count,
    pub killed: u64,
    /// Cells founded by local recruits.
    pub cells_founded: Count,
    /// People who left their cohorts to join a pro-government militia.
    pub militia_recruits: Count,
}

/// Requests from settlements where active people wait for a cell (central growth).
#[derive(Resource, Clone, Debug, Default)]
pub struct RecruitRequests {
    /// (settlement, its tile, people waiting)
    pub waiting: Vec<(Entity, Tile, f32)>,
}

/// What other domains tell society: the state's answers to attacks, the harm done.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CivilianNews {
    /// An attack near `tile` that the army answered, or failed to.
    Answered { tile: Tile, answered: bool },
    /// Civilians killed at a settlement (taken from its cohorts at the next daily pass).
    Killed {
        town: Entity,
        killed: u32,
        by_army: bool,
    },
    /// An abuse by the state at a settlement (force that harmed civilians).
    Abuse { town: Entity },
    /// An insurgent attack at a settlement.
    Attacked { town: Entity },
    /// Violence on a tile (events weighted by deaths): exposure for those near.
    Violence { tile: Tile, amount: f32 },
}
