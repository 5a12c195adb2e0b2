//! What society reports: grievance, legitimacy, the actives, the jailed and displaced, the
//! recruits; and the check that people are conserved.

use super::data::*;
use crate::engine::observation::Reporters;
use bevy_ecs::prelude::*;

/// People in cohorts, by state, plus those recruited (by cells and by militias) and killed:
/// equals the initial total.
pub fn people_accounted(world: &mut World) -> (u64, u64) {
    let in_cohorts = world.resource::<Cohorts>().people();
    let l = world.resource::<PeopleLedger>();
    (
        in_cohorts + l.recruits.total + l.militia_recruits.total + l.killed,
        l.initial,
    )
}

fn society(w: &World) -> &Society {
    w.resource::<Society>()
}

fn ledger(w: &World) -> &PeopleLedger {
    w.resource::<PeopleLedger>()
}

fn town(w: &World, e: Entity) -> Option<&Community> {
    society(w).towns.iter().find(|c| c.entity == Some(e))
}

pub fn reporters(r: &mut Reporters) {
    places(r);
    r.count(
        "recruits",
        "people/day",
        "people who joined cells today",
        |w| f64::from(ledger(w).recruits.today),
    );
    r.rate(
        "mean_grievance",
        "0-1",
        "mean grievance of the people",
        |w| society(w).mean_grievance,
    );
    r.rate(
        "mean_legitimacy",
        "0-1",
        "mean legitimacy of the state in the people's eyes",
        |w| society(w).mean_legitimacy,
    );
    r.rate(
        "active_share",
        "share",
        "share of people active (sympathisers) by Epstein's rule",
        |w| society(w).active_share,
    );
    r.stock("jailed", "people", "people in jail", |w| {
        society(w).jailed as f64
    });
    r.stock("displaced", "people", "people displaced", |w| {
        society(w).displaced as f64
    });
    r.summary("recruits", "people", "people who joined cells", |w| {
        Some(ledger(w).recruits.total as f64)
    });
    r.summary(
        "cells_founded",
        "count",
        "cells founded by local recruits",
        |w| Some(ledger(w).cells_founded.total as f64),
    );
    r.summary(
        "mean_grievance_end",
        "0-1",
        "mean grievance at the end",
        |w| Some(society(w).mean_grievance),
    );
    r.summary(
        "mean_legitimacy_end",
        "0-1",
        "mean legitimacy at the end",
        |w| Some(society(w).mean_legitimacy),
    );
    r.summary("jailed_end", "people", "people in jail at the end", |w| {
        Some(society(w).jailed as f64)
    });
    r.summary(
        "displaced_end",
        "people",
        "people displaced at the end",
        |w| Some(society(w).displaced as f64),
    );
}

/// The settlement's columns of the per-settlement panel.
fn places(r: &mut Reporters) {
    r.place(
        "people",
        "people",
        "people living here (displaced hosts included)",
        |w, e| town(w, e).map_or(f64::NAN, |c| c.people as f64),
    );
    r.place(
        "legitimacy",
        "0-1",
        "the state's legitimacy in the settlement",
        |w, e| town(w, e).map_or(f64::NAN, |c| c.legitimacy),
    );
    r.place(
        "grievance",
        "0-1",
        "mean grievance of its people",
        |w, e| town(w, e).map_or(f64::NAN, |c| c.mean_grievance),
    );
    r.place(
        "active_share",
        "share",
        "share of its people active (sympathisers)",
        |w, e| town(w, e).map_or(f64::NAN, |c| c.sympathisers),
    );
    r.place(
        "exposure",
        "0-1",
        "exposure to violence within exposure_km",
        |w, e| town(w, e).map_or(f64::NAN, |c| c.exposure),
    );
    r.place(
        "displaced_in",
        "people",
        "displaced people sheltering here",
        |w, e| town(w, e).map_or(f64::NAN, |c| c.displaced_in as f64),
    );
    r.place(
        "displaced_out",
        "people",
        "people of this settlement displaced elsewhere",
        |w, e| town(w, e).map_or(f64::NAN, |c| c.displaced_out as f64),
    );
    r.place(
        "jailed",
        "people",
        "people living here held in detention",
        |w, e| town(w, e).map_or(f64::NAN, |c| c.jailed as f64),
    );
    r.place(
        "arrests",
        "cohorts/day",
        "arrests at the last daily pass",
        |w, e| town(w, e).map_or(f64::NAN, |c| f64::from(c.arrests_today)),
    );
}
