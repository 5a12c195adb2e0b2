//! The militia's call-up, answered by society: people leave their cohorts to join a post
//! of their settlement's militia. Only loyal people answer (quiet cohorts living at home
//! whose legitimacy exceeds their grievance): a militia recruits where the state is
//! trusted, and nowhere else. Kept apart from the daily pass; it runs just before it, so
//! that the pass counts the people who stayed.

use super::data::*;
use super::grievance::grievance;
use crate::domains::militia::data::{MilitiaCallUp, MilitiaJoined, MilitiaParams};
use crate::engine::calendar::Clock;
use crate::engine::inbox::Inbox;
use crate::engine::rng::{Purpose, RngExt, Seed, stream};
use bevy_ecs::prelude::*;

/// Whether a cohort answers a call-up: quiet, at home, none of it in jail, and trusting
/// the state more than it resents it (its legitimacy L above its grievance G, both as the
/// daily pass reckons them from its settlement's state of yesterday).
fn answers(co: &Cohort, towns: &[Community], p: &SocietyParams) -> bool {
    let Some(town) = towns.get(usize::from(co.home)) else {
        return false;
    };
    if !(co.state == CohortState::Quiet
        && !co.active
        && co.home == co.origin
        && co.jailed == 0
        && co.size > 1)
    {
        return false;
    }
    let hardship = (f64::from(co.h0) + p.w_scarcity * town.scarcity + p.w_violence * town.exposure)
        .clamp(0.0, 1.0);
    let legitimacy = (town.legitimacy - f64::from(co.abuse)).clamp(0.0, 1.0);
    legitimacy > grievance(hardship, legitimacy)
}

/// Society set, day end, before the daily pass: each settlement with a call-up gives its
/// people from loyal cohorts picked at random (selection sampling over those that answer,
/// counted in a first pass), `levy_share` of a cohort at most; the posts are told how many
/// came, in the order they asked.
#[allow(clippy::too_many_arguments)]
pub fn militia_levy(
    clock: Res<Clock>,
    seed: Res<Seed>,
    militia: Res<MilitiaParams>,
    call: Res<MilitiaCallUp>,
    society: Res<Society>,
    mut ledger: ResMut<PeopleLedger>,
    mut joined: ResMut<Inbox<MilitiaJoined>>,
    params: Res<SocietyParams>,
    mut cohorts: ResMut<Cohorts>,
    mut wanted: Local<Vec<u32>>,
    mut loyal: Local<Vec<u32>>,
    mut came: Local<Vec<u32>>,
) {
    if !clock.is_day_end() || call.wanted.is_empty() {
        return;
    }
    let n = society.towns.len();
    wanted.clear();
    wanted.resize(n, 0);
    for &(_, town, w) in &call.wanted {
        if let Some(k) = society.index_of(town) {
            wanted[k] += w;
        }
    }
    loyal.clear();
    loyal.resize(n, 0);
    // Only the blocks of called towns (a block holds the cohorts living in one town).
    let called = |town: u16, wanted: &[u32]| wanted.get(usize::from(town)).is_some_and(|w| *w > 0);
    for b in cohorts.blocks.iter().filter(|b| called(b.town, &wanted)) {
        for co in &b.cohorts {
            let k = usize::from(co.home);
            if k < n && wanted[k] > 0 && answers(co, &society.towns, &params) {
                loyal[k] += 1;
            }
        }
    }
    let mut rng = stream(seed.0, Purpose::Recruitment, 0, u64::from(clock.day()));
    came.clear();
    came.resize(n, 0);
    // The towns called at the start (a town whose call is met meanwhile is skipped below).
    let at_start: Vec<u32> = wanted.clone();
    let cohorts = cohorts
        .blocks
        .iter_mut()
        .filter(|b| called(b.town, &at_start))
        .flat_map(|b| b.cohorts.iter_mut());
    for co in cohorts {
        let k = usize::from(co.home);
        if k >= n || wanted[k] == 0 || !answers(co, &society.towns, &params) {
            continue;
        }
        // Selection sampling: of the `loyal[k]` cohorts still to come, enough are picked
        // for the call-up, each giving its share.
        let per = ((f64::from(co.size) * militia.levy_share).ceil() as u32).max(1);
        let draws = wanted[k].div_ceil(per);
        let picked = rng.random::<f64>() * f64::from(loyal[k]) < f64::from(draws);
        loyal[k] -= 1;
        if picked {
            let take = per.min(wanted[k]).min(u32::from(co.size) - 1);
            co.size -= take as u16;
            wanted[k] -= take;
            came[k] += take;
        }
    }
    let mut total = 0;
    for &(post, town, w) in &call.wanted {
        let Some(k) = society.index_of(town) else {
            continue;
        };
        let members = w.min(came[k]);
        came[k] -= members;
        if members > 0 {
            joined.post(MilitiaJoined { post, members });
            total += members;
        }
    }
    ledger.militia_recruits.add(total);
}
