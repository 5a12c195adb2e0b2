//! The militia's data: parameters, the posts it holds in its settlements, the militias of
//! the scenario, its call-up (what it asks of society) and the recruits society sends back.

use crate::engine::check::{Checker, Validate};
use crate::engine::geo::Tile;
use crate::engine::tally::Count;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// Militia parameters (`params.militia`), shared by every militia of the scenario; what
/// differs between militias (their settlements, size, recruitment and discipline) is in
/// the scenario's `forces.militias`.
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MilitiaParams {
    /// Share of a loyal cohort's people who answer one day's call-up (at most; the call-up
    /// is spread over the settlement's cohorts). Burkina Faso's call for 50,000 VDP in
    /// October 2022 drew over 90,000 applications in four weeks (BVDP communiqué, 18
    /// November 2022, reported by AFP and Tchadinfos): volunteers were not the limit, the
    /// quota was. Estimate: 0.02 (two of a cohort of 100).
    pub levy_share: f64,
    /// Fighting weight of a militia member against a soldier (1): hunting guns and a few
    /// assault rifles, 14 days of training for the VDP (AFP, June 2021). Estimate: 0.4.
    pub firepower: f64,
    /// Abuses (an attack on a suspect village) a day per 100 members of an undisciplined
    /// militia (discipline 0); a militia of discipline d commits (1 - d) of them. HRW
    /// documented Dozo attacks on Fulani villages in central Mali (Ogossagou, March 2019,
    /// about 160 killed; Kalala and Boura, January 2024, at least 13) and killings by the
    /// army with VDP in Burkina Faso (hundreds of civilians since 2016, HRW May 2022).
    /// Estimate: 0.007 (about one attack a month per 500 members at discipline 0.5).
    pub abuses_per_100_per_day: f64,
    /// Civilians killed in an abuse: floor(scale * X), X Pareto with the insurgency's
    /// `attack_size_exponent` (mean of X: 3). Estimate: 1.5 (a mean of ~4.5 killed, the
    /// dozen of Kalala and Boura being common and an Ogossagou rare).
    pub abuse_size_scale: f64,
    /// How far members go after suspects, km (default suspects: the other settlements
    /// within this distance). Estimate: a day on foot or motorbike, 40 km.
    pub patrol_km: f64,
    /// Share of a settlement's militia members who stand where a reprisal strikes: a
    /// settlement stands for its countryside's villages too, each with its own post (the
    /// 2022 call-up asked for 100 VDP per commune, a commune having a few dozen villages;
    /// the post at Solhan was one among the commune's). Estimate: 0.1.
    pub defenders_share: f64,
    /// A militia holding its village breaks off after losing this share of its members
    /// there (homes and kin behind them: they stand longer than a cell). Estimate: 0.3.
    pub break_off: f64,
    /// Civilians killed when a reprisal overruns a militia's village: floor(scale * X), X
    /// Pareto as above. Solhan (June 2021): the attackers struck the VDP post, then
    /// executed villagers, about 160 dead. Estimate: 2.0 (a mean of ~6).
    pub reprisal_size_scale: f64,
}

impl Default for MilitiaParams {
    fn default() -> Self {
        Self {
            levy_share: 0.02,
            firepower: 0.4,
            abuses_per_100_per_day: 0.007,
            abuse_size_scale: 1.5,
            patrol_km: 40.0,
            defenders_share: 0.1,
            break_off: 0.3,
            reprisal_size_scale: 2.0,
        }
    }
}

impl Validate for MilitiaParams {
    fn validate(&self, c: &mut Checker) {
        c.probability("levy_share", self.levy_share);
        c.within("firepower", self.firepower, 0.0, 10.0);
        c.within(
            "abuses_per_100_per_day",
            self.abuses_per_100_per_day,
            0.0,
            10.0,
        );
        c.non_negative("abuse_size_scale", self.abuse_size_scale);
        c.non_negative("patrol_km", self.patrol_km);
        c.probability("defenders_share", self.defenders_share);
        c.probability("break_off", self.break_off);
        c.non_negative("reprisal_size_scale", self.reprisal_size_scale);
    }
}

/// One militia of the scenario.
#[derive(Clone, Debug)]
pub struct Militia {
    pub name: String,
    /// 0-1: the share of the abuses of an undisciplined militia it does not commit.
    pub discipline: f64,
    /// Settlements whose people it treats as the enemy's, wherever they are; empty: every
    /// settlement within `patrol_km` of a post that is not one of its own.
    pub suspects: Vec<Entity>,
}

/// The militias of the scenario (index = [`MilitiaPost::militia`]).
#[derive(Resource, Clone, Debug, Default)]
pub struct Militias(pub Vec<Militia>);

/// A militia's post in one of its settlements: the members standing there.
#[derive(Component, Clone, Debug)]
pub struct MilitiaPost {
    /// Index into [`Militias`].
    pub militia: u16,
    pub town: Entity,
    pub tile: Tile,
    pub members: f32,
    /// People it calls up a day while below `ceiling`.
    pub call_up_per_day: f32,
    pub ceiling: f32,
    /// Fractions of a person called up but not yet asked for (carried to tomorrow).
    pub owed: f32,
}

/// One militia as the scenario places it: posts in its settlements.
#[derive(Clone, Debug)]
pub struct MilitiaPlacement {
    pub name: String,
    pub towns: Vec<Entity>,
    pub members: f64,
    pub recruits_per_day: f64,
    pub max_members: f64,
    pub discipline: f64,
    pub suspects: Vec<Entity>,
}

/// Today's call-up: what the posts ask of society (read by society's levy, which answers
/// with [`MilitiaJoined`]).
#[derive(Resource, Clone, Debug, Default)]
pub struct MilitiaCallUp {
    /// (post, its settlement, people wanted), in post id order.
    pub wanted: Vec<(Entity, Entity, u32)>,
}

/// From society: people who left their cohorts to join a post.
#[derive(Clone, Copy, Debug)]
pub struct MilitiaJoined {
    pub post: Entity,
    pub members: u32,
}

/// Running totals of the militias.
#[derive(Resource, Clone, Debug, Default)]
pub struct MilitiaTally {
    /// Members at the start.
    pub initial_members: f64,
    /// People who joined from the cohorts (today's, and the run's).
    pub recruits: Count,
}
