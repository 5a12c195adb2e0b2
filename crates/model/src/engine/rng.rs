//! Randomness. Every draw comes from the run's seed.
//!
//! Sequential systems draw from [`SimRng`], one generator for the run, in a fixed order.
//! Systems that may run in parallel use [`stream`]: a generator keyed by (seed, purpose,
//! key, tick), so a draw never depends on which thread ran first.

use bevy_ecs::prelude::*;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

pub use rand::{Rng, RngExt};

/// The generator type used throughout the model (fast, small, stable across versions).
pub type ModelRng = Pcg64Mcg;

/// The run's seed.
#[derive(Resource, Clone, Copy, Debug)]
pub struct Seed(pub u64);

/// The run's sequential generator.
#[derive(Resource)]
pub struct SimRng(pub ModelRng);

impl SimRng {
    pub fn new(seed: u64) -> Self {
        Self(ModelRng::seed_from_u64(mix(seed, 0x5EED)))
    }
}

/// Purposes of independent random streams; a new purpose never shifts the draws of another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    Terrain = 1,
    Placement = 2,
    Society = 3,
    Combat = 4,
    Logistics = 5,
    Decisions = 6,
    Sensing = 7,
    Organisation = 8,
    CivilViolence = 9,
    /// Who joins whom outside the daily cohort pass: the militias' call-up (key 0) and the
    /// rival commands' shares of a town's recruits (key 1). Their own purpose, since the
    /// pass keys `Society` streams by block number.
    Recruitment = 10,
}

/// SplitMix64 finaliser: a strong bijective mix of 64 bits.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A generator determined by (seed, purpose, key, tick) alone: the same draws whatever
/// thread or order asks for them.
pub fn stream(seed: u64, purpose: Purpose, key: u64, tick: u64) -> ModelRng {
    let s = mix(mix(mix(seed, purpose as u64), key), tick);
    ModelRng::seed_from_u64(s)
}
