//! The daily pass: settlements' conditions and the state's legitimacy; then every cohort in
//! one pass (killings, arrests, Epstein's rule, flight, recruitment); then new cells where
//! recruits wait, and the settlements' aggregates for tomorrow.

use super::data::*;
use super::grievance::{ActivationParams, arrest_probability, grievance, is_active};
use crate::domains::army::data::{ArmyParams, ArmyUnit};
use crate::domains::insurgency::data::{Cell, CellFounded, InsurgencyParams, RecruitsJoin};
use crate::domains::logistics::data::{LogisticsParams, Supplies};
use crate::engine::calendar::Clock;
use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::rng::{ModelRng, Purpose, RngExt, Seed, SimRng, stream};
use crate::world::actors::{ActorId, Position};
use crate::world::scale::Scale;
use crate::world::sensing::SpatialIndex;
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// Society set, first: what the other domains told society since the last tick enters the
/// settlements' counters and the violence layer.
pub fn take_news(
    grid: Res<TerrainGrid>,
    mut news: ResMut<Inbox<CivilianNews>>,
    mut society: ResMut<Society>,
    mut violence: ResMut<Violence>,
) {
    for n in news.drain() {
        match n {
            CivilianNews::Answered { tile, answered } => society.answer(tile, answered),
            CivilianNews::Killed {
                town,
                killed,
                by_army,
            } => society.harm(town, killed, by_army),
            CivilianNews::Abuse { town } => society.abuse(town),
            CivilianNews::Attacked { town } => society.attacked(town),
            CivilianNews::Violence { tile, amount } => violence.add(&grid, tile, amount),
        }
    }
}

/// What the daily society pass reads.
#[derive(SystemParam)]
pub struct SocietyInputs<'w> {
    pub clock: Res<'w, Clock>,
    pub scale: Res<'w, Scale>,
    pub params: Res<'w, SocietyParams>,
    pub activation: Res<'w, ActivationParams>,
    pub logistics: Res<'w, LogisticsParams>,
    pub iparams: Res<'w, InsurgencyParams>,
    pub army_params: Res<'w, ArmyParams>,
    pub grid: Res<'w, TerrainGrid>,
    pub index: Res<'w, SpatialIndex>,
    pub seed: Res<'w, Seed>,
}

/// What the daily society pass writes besides the cohorts.
#[derive(SystemParam)]
pub struct SocietyOutputs<'w> {
    pub society: ResMut<'w, Society>,
    pub violence: ResMut<'w, Violence>,
    pub ledger: ResMut<'w, PeopleLedger>,
    pub requests: ResMut<'w, RecruitRequests>,
    pub founded: ResMut<'w, Inbox<CellFounded>>,
    pub joined: ResMut<'w, Inbox<RecruitsJoin>>,
    pub rng: ResMut<'w, SimRng>,
}

/// Society set (daily): legitimacy, the cohorts' grievance and activation, harm, arrests,
/// recruitment, displacement; new cells where recruits wait.
pub fn society_daily(
    inputs: SocietyInputs,
    outputs: SocietyOutputs,
    mut cohorts: Query<&mut Cohort>,
    supplies: Query<&Supplies>,
    units: Query<(&ArmyUnit, &Position)>,
    cells: Query<&Cell>,
) {
    let SocietyInputs {
        clock,
        scale,
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
        mut founded,
        mut joined,
        mut rng,
    } = outputs;
    if !clock.is_day_end() {
        return;
    }
    let day = clock.day();
    let p = &*params;
    let s = &mut *society;

    settlement_conditions(
        s, p, &logistics, &scale, &grid, &index, &violence, &supplies, &units,
    );
    for v in violence.level.iter_mut() {
        *v *= p.violence_decay as f32;
    }
    let recruit_cell = recruiting_cells(s, &index, scale.tiles(p.recruit_km) as f32);
    // What each of those cells can still absorb today.
    let mut capacity: Vec<(Entity, f32)> = Vec::new();
    for e in recruit_cell.iter().flatten() {
        if !capacity.iter().any(|(c, _)| c == e)
            && let Ok(cell) = cells.get(*e)
        {
            capacity.push((*e, cell.fighters * p.absorb_per_day as f32));
        }
    }

    let mut pass = CohortPass::new(s, p, &army_params, &activation, seed.0, day);
    for mut co in &mut cohorts {
        pass.cohort(&mut co, s, &recruit_cell, &mut capacity);
    }
    let CohortPass {
        mut tallies,
        recruits: mut recruits_total,
        killed: killed_total,
        ..
    } = pass;

    // Founding cells where recruits wait with no cell near (decentralised growth), or
    // asking the command for one (central growth).
    requests.waiting.clear();
    let mut founding: Vec<bool> = vec![false; s.towns.len()];
    for (k, t) in tallies.iter().enumerate() {
        if t.waiting >= p.found_cell_recruits {
            if rng.0.random::<f64>() < iparams.autonomy * p.found_cell_per_day {
                founding[k] = true;
            } else {
                requests.waiting.push((
                    s.towns[k].entity.expect("entity"),
                    s.towns[k].tile,
                    t.waiting as f32,
                ));
            }
        }
    }
    if founding.iter().any(|f| *f) {
        let gathered = gather_founders(&mut cohorts, &founding, p);
        for (k, &n) in gathered.iter().enumerate() {
            if n == 0 {
                continue;
            }
            founded.post(CellFounded {
                tile: s.towns[k].tile,
                fighters: n as f32,
            });
            tallies[k].recruits += n;
            recruits_total += n;
            ledger.cells_founded.one();
        }
    }
    // Recruits reach their cells.
    for (k, t) in tallies.iter().enumerate() {
        if t.recruits == 0 || founding[k] {
            continue;
        }
        if let Some(cell) = recruit_cell[k] {
            joined.post(RecruitsJoin {
                cell,
                recruits: t.recruits as f32,
            });
        }
    }
    aggregate(s, &tallies);
    ledger.recruits.add(recruits_total as u32);
    ledger.killed += killed_total;
}

/// Each settlement's scarcity, services, exposure to violence, state forces and the
/// legitimacy that follows from abuses, answered and unanswered attacks and services.
#[allow(clippy::too_many_arguments)]
fn settlement_conditions(
    s: &mut Society,
    p: &SocietyParams,
    logistics: &LogisticsParams,
    scale: &Scale,
    grid: &TerrainGrid,
    index: &SpatialIndex,
    violence: &Violence,
    supplies: &Query<&Supplies>,
    units: &Query<(&ArmyUnit, &Position)>,
) {
    let exposure_r = scale.tiles(p.exposure_km).ceil() as i32;
    let policing = scale.tiles(p.policing_km) as f32;
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
        // The layer decays by `violence_decay` a day, so v (1 - decay) is about a day's
        // violence around the settlement.
        c.flight = (p.displaced_per_violence * v * (1.0 - p.violence_decay)
            / (c.people.max(1) as f64))
            .min(1.0);
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
}

/// The nearest cell to each settlement within `radius` tiles (ties to the lower id): where
/// its recruits go.
fn recruiting_cells(s: &Society, index: &SpatialIndex, radius: f32) -> Vec<Option<Entity>> {
    s.towns
        .iter()
        .map(|c| {
            let mut best: Option<(f64, ActorId, Entity)> = None;
            index.within(&index.cells, c.tile, radius, |en| {
                let d = en.tile.distance(c.tile);
                if best.is_none_or(|b| (d, en.id) < (b.0, b.1)) {
                    best = Some((d, en.id, en.entity));
                }
            });
            best.map(|b| b.2)
        })
        .collect()
}

/// The cohorts' day, one cohort at a time in entity order. Selection sampling (Knuth's
/// algorithm S) spreads deaths and arrests over a settlement's cohorts without listing
/// them: it needs the number of cohorts (and of actives) each settlement had at the start
/// of the pass, which the previous pass counted.
struct CohortPass<'a> {
    p: &'a SocietyParams,
    activation: &'a ActivationParams,
    day: u32,
    tallies: Vec<DayTally>,
    left: Vec<u32>,
    act_left: Vec<u32>,
    arrests_left: Vec<u32>,
    /// Share of arrests that take a quiet cohort instead of an active one.
    arbitrary: f64,
    /// Where the displaced go.
    safe: Option<usize>,
    /// People in detention now (yesterday's count, plus today's arrests, less releases).
    held: f64,
    rng: ModelRng,
    recruits: u64,
    killed: u64,
    /// Per settlement, the arrest probability a cohort estimates from the state forces and
    /// actives in its vision: the same for every cohort of a town on a day, so computed once
    /// (`exp` and `round` per cohort were a fifth of a year-long run).
    arrest_pr: Vec<f64>,
}

impl<'a> CohortPass<'a> {
    fn new(
        s: &Society,
        p: &'a SocietyParams,
        army: &ArmyParams,
        activation: &'a ActivationParams,
        seed: u64,
        day: u32,
    ) -> Self {
        Self {
            p,
            activation,
            day,
            tallies: vec![DayTally::default(); s.towns.len()],
            left: s.towns.iter().map(|c| c.cohorts).collect(),
            act_left: s.towns.iter().map(|c| c.actives).collect(),
            arrests_left: s
                .towns
                .iter()
                .map(|c| ((c.cops * p.arrests_per_cop_per_day).floor() as u32).min(c.actives))
                .collect(),
            arbitrary: army.arbitrary_arrests,
            safe: safest_town(s),
            held: s.jailed as f64,
            rng: stream(seed, Purpose::Society, 1, u64::from(day)),
            recruits: 0,
            killed: 0,
            arrest_pr: s
                .towns
                .iter()
                .map(|town| arrest_pr_in_vision(town, p, activation))
                .collect(),
        }
    }

    fn cohort(
        &mut self,
        co: &mut Cohort,
        s: &mut Society,
        recruit_cell: &[Option<Entity>],
        capacity: &mut [(Entity, f32)],
    ) {
        let k = usize::from(co.home);
        if k >= s.towns.len() || co.size == 0 {
            return;
        }
        self.killings(co, &mut s.towns[k], k);
        self.left[k] = self.left[k].saturating_sub(1);
        let was_active = co.active;
        if was_active {
            self.act_left[k] = self.act_left[k].saturating_sub(1);
        }
        if co.size == 0 {
            return;
        }
        co.abuse *= self.p.abuse_memory_decay as f32;
        // A new age group comes of age: a cohort that gave its recruits can give again.
        if co.armed && self.rng.random::<f64>() < self.p.renewal_per_day {
            co.armed = false;
        }
        if co.state == CohortState::Jailed {
            if self.day >= co.jail_until {
                co.state = if co.home == co.origin {
                    CohortState::Quiet
                } else {
                    CohortState::Displaced
                };
                self.held -= f64::from(co.jailed);
                co.jailed = 0;
            } else {
                let t = &mut self.tallies[k];
                t.jailed += u64::from(co.jailed);
                t.cohorts += 1;
                return;
            }
        }
        if self.arrests(co, k, was_active) {
            return;
        }
        self.live(co, &s.towns, k, recruit_cell, capacity);
    }

    /// Civilians killed at the settlement since the last pass are taken from its cohorts,
    /// spread evenly over those left in the pass.
    fn killings(&mut self, co: &mut Cohort, town: &mut Community, k: usize) {
        let pending = town.pending_killed.0 + town.pending_killed.1;
        if pending == 0 {
            return;
        }
        let slots = self.left[k].max(1);
        // Each remaining cohort takes pending/slots deaths on average.
        let mean = f64::from(pending) / f64::from(slots);
        let take = (mean.floor() as u32 + u32::from(self.rng.random::<f64>() < mean.fract()))
            .min(u32::from(co.size))
            .min(pending);
        if take > 0 {
            let army = take.min(town.pending_killed.1);
            let insurgents = (take - army).min(town.pending_killed.0);
            town.pending_killed.1 -= army;
            town.pending_killed.0 -= insurgents;
            let take = army + insurgents;
            co.size -= take as u16;
            self.killed += u64::from(take);
            if army > 0 {
                co.abuse = (co.abuse + self.p.abuse_memory as f32).min(1.0);
                // Kin killed by the army: new grievance finds new fighters.
                co.armed = false;
            }
        }
    }

    /// Arrests among yesterday's actives; some arbitrary (a quiet cohort is taken instead:
    /// an abuse that weighs on legitimacy), and only while there are places to hold them.
    /// True when this cohort went to jail.
    fn arrests(&mut self, co: &mut Cohort, k: usize, was_active: bool) -> bool {
        let (p, day) = (self.p, self.day);
        if was_active
            && self.arrests_left[k] > 0
            && self.rng.random::<f64>() * f64::from(self.act_left[k] + 1)
                < f64::from(self.arrests_left[k])
        {
            self.arrests_left[k] -= 1;
            if self.rng.random::<f64>() < self.arbitrary {
                self.tallies[k].arbitrary_pending += 1;
                return false;
            }
            if !self.room() {
                return false;
            }
        } else if !was_active && self.tallies[k].arbitrary_pending > 0 {
            self.tallies[k].arbitrary_pending -= 1;
            if !self.room() {
                return false;
            }
            co.abuse = (co.abuse + p.abuse_memory as f32).min(1.0);
            co.armed = false;
            self.tallies[k].abuses += 1;
        } else {
            return false;
        }
        self.held += jail(co, day, p, &mut self.rng);
        let t = &mut self.tallies[k];
        t.arrested += 1;
        t.jailed += u64::from(co.jailed);
        t.cohorts += 1;
        true
    }

    /// Whether a suspect can be held: the chance falls with the share of the detention
    /// places already taken (a suspect with nowhere to go is questioned and let go).
    fn room(&mut self) -> bool {
        let free = 1.0 - self.held / self.p.detention_places.max(1e-9);
        free > 0.0 && self.rng.random::<f64>() < free
    }

    /// Epstein's rule, with the settlement's state forces and actives scaled to the
    /// cohort's neighbourhood of `vision_cohorts` cohorts; then flight, or the day counted
    /// where the cohort lives (and its recruits, if it is active and has not given them).
    fn live(
        &mut self,
        co: &mut Cohort,
        towns: &[Community],
        k: usize,
        recruit_cell: &[Option<Entity>],
        capacity: &mut [(Entity, f32)],
    ) {
        let p = self.p;
        let mut k = k;
        let mut displaced = co.state == CohortState::Displaced;
        // The displaced go home once home is quiet again.
        if displaced {
            let origin = usize::from(co.origin);
            if origin < towns.len()
                && towns[origin].exposure < p.return_exposure
                && self.rng.random::<f64>() < p.return_per_day
            {
                co.home = co.origin;
                co.state = CohortState::Quiet;
                k = origin;
                displaced = false;
            }
        }
        let town = &towns[k];
        let hardship = (f64::from(co.h0)
            + p.w_scarcity * town.scarcity
            + p.w_violence * town.exposure
            + if displaced { p.displaced_hardship } else { 0.0 })
        .clamp(0.0, 1.0);
        let legitimacy = (town.legitimacy - f64::from(co.abuse)).clamp(0.0, 1.0);
        let g = grievance(hardship, legitimacy);
        let pr = self.arrest_pr[k];
        let active = is_active(g, f64::from(co.risk), pr, self.activation.threshold);
        co.grievance = g as f32;
        co.legitimacy = legitimacy as f32;
        co.active = active;
        // Flight from violence and hardship.
        if !displaced
            && town.flight > 0.0
            && let Some(to) = self.safe
            && to != k
            && self.rng.random::<f64>() < town.flight
        {
            co.origin = k as u16;
            co.home = to as u16;
            co.state = CohortState::Displaced;
            self.tallies[k].displaced_out += u64::from(co.size);
            let t = &mut self.tallies[to];
            t.cohorts += 1;
            t.displaced += u64::from(co.size);
            t.actives += u32::from(active);
            return;
        }
        if displaced && usize::from(co.origin) < self.tallies.len() {
            self.tallies[usize::from(co.origin)].displaced_out += u64::from(co.size);
        }
        let t = &mut self.tallies[k];
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
            if self.day == 0 {
                co.armed = true;
            }
            if !co.armed {
                let r = f64::from(co.size) * p.recruit_share;
                let r = (r.floor() as u16 + u16::from(self.rng.random::<f64>() < r.fract()))
                    .min(co.size);
                let room = recruit_cell[k].and_then(|e| capacity.iter_mut().find(|(c, _)| *c == e));
                if let Some((_, room)) = room
                    && *room > 0.0
                {
                    *room -= f32::from(r);
                    co.size -= r;
                    t.recruits += u64::from(r);
                    self.recruits += u64::from(r);
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
}

/// The arrest probability a cohort of `town` estimates: Epstein's C and A are the town's
/// state forces and actives scaled to `vision_cohorts` of its cohorts (the cohort itself
/// counted active).
fn arrest_pr_in_vision(town: &Community, p: &SocietyParams, a: &ActivationParams) -> f64 {
    let share = (p.vision_cohorts / f64::from(town.cohorts.max(1))).min(1.0);
    let cops = (town.cops * share).round() as u32;
    let actives = (f64::from(town.actives) * share).round() as u32 + 1;
    arrest_probability(a.k, cops, actives, a.arrest_rule)
}

/// The founders of the new cells leave their cohorts: about `found_cell_recruits` people
/// from the active cohorts of each founding settlement that have not yet given recruits.
/// Returns how many joined at each settlement.
fn gather_founders(
    cohorts: &mut Query<&mut Cohort>,
    founding: &[bool],
    p: &SocietyParams,
) -> Vec<u64> {
    let mut joined = vec![0u64; founding.len()];
    for mut co in cohorts.iter_mut() {
        let k = usize::from(co.home);
        if k < founding.len()
            && founding[k]
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
    joined
}

/// Settlement aggregates for tomorrow and the society-wide means; today's counters reset.
fn aggregate(s: &mut Society, tallies: &[DayTally]) {
    let (mut g, mut l, mut people, mut act_people, mut jailed, mut displaced, mut informants) =
        (0.0, 0.0, 0u64, 0u64, 0u64, 0u64, 0u64);
    let share = |n: u64, of: u64| if of > 0 { n as f64 / of as f64 } else { 0.0 };
    for (t, c) in tallies.iter().zip(s.towns.iter_mut()) {
        c.actives = t.actives;
        c.cohorts = t.cohorts;
        c.people = t.people;
        c.mean_grievance = if t.people > 0 {
            t.grievance / t.people as f64
        } else {
            0.0
        };
        c.informants = share(t.informants, t.people);
        c.sympathisers = share(t.sympathisers, t.people);
        c.abuses_today = t.abuses;
        c.arrests_today = t.arrested;
        c.displaced_in = t.displaced;
        c.displaced_out = t.displaced_out;
        c.jailed = t.jailed;
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
    // Pending deaths that found no one (an emptied settlement) are dropped, not counted.
    for c in s.towns.iter_mut() {
        c.harm_events_today = 0;
        c.attacks_today = 0;
        c.unanswered_today = 0;
        c.answered_today = 0;
        c.pending_killed = (0, 0);
    }
    s.mean_grievance = if people > 0 { g / people as f64 } else { 0.0 };
    s.mean_legitimacy = if people > 0 { l / people as f64 } else { 0.0 };
    s.active_share = share(act_people, people);
    s.jailed = jailed;
    s.displaced = displaced;
    s.informant_share = share(informants, people);
}

/// Jails part of a cohort; returns how many people were taken.
fn jail(co: &mut Cohort, day: u32, p: &SocietyParams, rng: &mut ModelRng) -> f64 {
    co.state = CohortState::Jailed;
    co.active = false;
    co.jailed = (p.arrested_per_cohort.round() as u16).min(co.size);
    co.jail_until = day + 1 + (rng.random::<f64>() * p.jail_max_days).floor() as u32;
    f64::from(co.jailed)
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

/// One settlement's counts during the pass.
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
    displaced_out: u64,
    arrested: u32,
    abuses: u32,
    arbitrary_pending: u32,
    recruits: u64,
    waiting: f64,
}
