//! The cohorts' day, block by block ([`BLOCK_COHORTS`] cohorts of one settlement each):
//! killings, release from jail, arrests, Epstein's rule, flight and return, and the recruits
//! each active cohort offers. A block reads the settlements' conditions, writes only its own
//! cohorts and its own [`BlockOut`], and draws from its own stream keyed by (seed, block,
//! day); the outs are merged in block order. So the pass gives the same bytes on one thread
//! or many, and the blocks run in parallel (rayon, feature `parallel`).
//!
//! What a settlement shares between its blocks is split before the pass: the day's deaths
//! in proportion to each block's cohorts (largest remainders, ties to the earlier block);
//! within a block, selection sampling (Knuth's algorithm S) spreads them over its cohorts
//! without listing them. Arrests need no split: each of yesterday's active cohorts is
//! arrested with the chance the settlement's arrests over its actives (so the day's count
//! is binomial around the settlement's arrests, not exactly it).
//! What all settlements share is settled after it: recruits reach a cell while it can take
//! them, in block order, and cohorts that fled or went home move to their new settlement.

use super::data::*;
use super::grievance::{ActivationParams, arrest_probability, grievance, is_active};
use crate::engine::rng::{ModelRng, Purpose, RngExt, stream};

/// What every block reads: the settlements' conditions, fixed for the day.
pub(super) struct DayContext<'a> {
    pub p: &'a SocietyParams,
    pub activation: &'a ActivationParams,
    pub towns: &'a [Community],
    pub seed: u64,
    pub day: u32,
    /// Per settlement, the arrest probability its cohorts estimate (the same for all of
    /// them on a day: Epstein's C and A scaled to a cohort's vision).
    pub arrest_pr: Vec<f64>,
    /// Per settlement, the hardship its scarcity and violence add to every cohort's own.
    pub pressure: Vec<f64>,
    /// Per settlement, the chance that one of yesterday's active cohorts is arrested today:
    /// `arrests_per_cop_per_day` per cop, over its actives.
    pub arrest_chance: Vec<f64>,
    /// Share of arrests that take a quiet cohort instead of an active one.
    pub arbitrary: f64,
    /// Where the displaced go.
    pub safe: Option<usize>,
    /// Per settlement, the besieged town its people flee into instead (empty without
    /// sieges).
    pub refuge: Vec<Option<usize>>,
    /// Share of detention places free at the start of the day: the chance that a suspect
    /// can be held (one day's arrests barely move it).
    pub free: f64,
}

impl<'a> DayContext<'a> {
    pub fn arrest_pr(towns: &[Community], p: &SocietyParams, a: &ActivationParams) -> Vec<f64> {
        towns
            .iter()
            .map(|town| {
                let share = (p.vision_cohorts / f64::from(town.cohorts.max(1))).min(1.0);
                let cops = (town.cops * share).round() as u32;
                let actives = (f64::from(town.actives) * share).round() as u32 + 1;
                arrest_probability(a.k, cops, actives, a.arrest_rule)
            })
            .collect()
    }

    pub fn pressure(towns: &[Community], p: &SocietyParams) -> Vec<f64> {
        towns
            .iter()
            .map(|t| p.w_scarcity * t.scarcity + p.w_violence * t.exposure)
            .collect()
    }

    pub fn arrest_chance(towns: &[Community], p: &SocietyParams) -> Vec<f64> {
        towns
            .iter()
            .map(|town| {
                let arrests = (town.cops * p.arrests_per_cop_per_day).floor();
                (arrests / f64::from(town.actives.max(1))).min(1.0)
            })
            .collect()
    }
}

/// A block's share of its settlement's deaths since the last pass (by insurgents, by the
/// army).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Quota {
    pub killed: (u32, u32),
}

/// Splits each settlement's deaths over its blocks.
pub(super) fn quotas(cohorts: &Cohorts, towns: &[Community]) -> Vec<Quota> {
    let mut quotas = vec![Quota::default(); cohorts.blocks.len()];
    let mut of_town: Vec<Vec<usize>> = vec![Vec::new(); towns.len()];
    for (b, block) in cohorts.blocks.iter().enumerate() {
        if let Some(list) = of_town.get_mut(usize::from(block.town)) {
            list.push(b);
        }
    }
    let mut weights = Vec::new();
    let mut shares = Vec::new();
    for (k, blocks) in of_town.iter().enumerate() {
        let town = &towns[k];
        let (ins, army) = town.pending_killed;
        if blocks.is_empty() {
            continue;
        }
        if ins + army > 0 {
            weights.clear();
            weights.extend(blocks.iter().map(|&b| live(&cohorts.blocks[b]) as u64));
            apportion(u64::from(ins), &weights, &mut shares);
            for (&b, &n) in blocks.iter().zip(&shares) {
                quotas[b].killed.0 = n as u32;
            }
            apportion(u64::from(army), &weights, &mut shares);
            for (&b, &n) in blocks.iter().zip(&shares) {
                quotas[b].killed.1 = n as u32;
            }
        }
    }
    quotas
}

/// Cohorts with people in a block.
fn live(block: &CohortBlock) -> usize {
    block.cohorts.iter().filter(|c| c.size > 0).count()
}

/// `total` split in proportion to `weights` by largest remainders (ties to the earlier);
/// all zero when the weights are.
fn apportion(total: u64, weights: &[u64], out: &mut Vec<u64>) {
    out.clear();
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        out.resize(weights.len(), 0);
        return;
    }
    let mut given = 0;
    let mut rests: Vec<(u64, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(w);
        let n = (exact / u128::from(sum)) as u64;
        out.push(n);
        given += n;
        rests.push(((exact % u128::from(sum)) as u64, i));
    }
    rests.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rests.iter().take((total - given) as usize) {
        out[i] += 1;
    }
}

/// One settlement's counts during the pass.
#[derive(Clone, Debug, Default)]
pub struct DayTally {
    pub grievance: f64,
    pub legitimacy: f64,
    pub people: u64,
    pub cohorts: u32,
    pub actives: u32,
    pub sympathisers: u64,
    pub informants: u64,
    pub jailed: u64,
    pub displaced: u64,
    pub displaced_out: u64,
    pub arrested: u32,
    pub abuses: u32,
    pub recruits: u64,
    pub waiting: f64,
}

impl DayTally {
    fn add(&mut self, o: &DayTally) {
        self.grievance += o.grievance;
        self.legitimacy += o.legitimacy;
        self.people += o.people;
        self.cohorts += o.cohorts;
        self.actives += o.actives;
        self.sympathisers += o.sympathisers;
        self.informants += o.informants;
        self.jailed += o.jailed;
        self.displaced += o.displaced;
        self.displaced_out += o.displaced_out;
        self.arrested += o.arrested;
        self.abuses += o.abuses;
        self.recruits += o.recruits;
        self.waiting += o.waiting;
    }
}

/// What a block's pass produced: its tallies (every settlement: its cohorts may have fled
/// or gone home), the recruits its active cohorts offer and the cohorts that move.
#[derive(Clone, Debug, Default)]
pub struct BlockOut {
    pub tallies: Vec<DayTally>,
    /// (cohort in the block, settlement, recruits offered)
    pub offers: Vec<(u32, u16, u16)>,
    /// (cohort in the block, its new settlement), in block order.
    pub moves: Vec<(u32, u16)>,
    pub killed: u64,
}

/// The day of every block, in parallel when the feature is on; the outs keep their
/// buffers from day to day.
///
/// The calling thread works through the blocks too: the pass is called from the
/// simulation's own thread, which otherwise sleeps while rayon's workers run it, and a
/// worker asleep since the last pass takes a while to wake (the day's ~40 blocks were
/// split 3.5 to 1 between the two workers of a 2-core machine). Threads take the next
/// block from one shared iterator, so the first awake does most and none waits on
/// another's share; which thread runs a block does not change its output.
pub(super) fn run_blocks(
    cohorts: &mut Cohorts,
    ctx: &DayContext,
    quotas: &[Quota],
    outs: &mut Vec<BlockOut>,
) {
    outs.resize_with(cohorts.blocks.len(), BlockOut::default);
    let work = |b: usize, block: &mut CohortBlock, out: &mut BlockOut| {
        BlockPass::new(ctx, b, block, quotas[b]).run(block, out);
    };
    let threads = if cfg!(feature = "parallel") && crate::engine::threads::pool_usable() {
        rayon::current_num_threads()
    } else {
        1
    };
    // The blocks with their outs and numbers, handed out one at a time: a thread holds the
    // lock only to take the next.
    let pieces = std::sync::Mutex::new(cohorts.blocks.iter_mut().zip(outs.iter_mut()).enumerate());
    let claim = || {
        loop {
            let next = pieces
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .next();
            let Some((b, (block, out))) = next else { break };
            work(b, block, out);
        }
    };
    if threads <= 1 {
        return claim();
    }
    rayon::in_place_scope(|s| {
        for _ in 1..threads {
            s.spawn(|_| claim());
        }
        claim();
    });
}

/// The blocks' tallies summed, in block order (so the sums of floats are the same bytes on
/// any number of threads).
pub(super) fn merge(outs: &[BlockOut], towns: usize) -> (Vec<DayTally>, u64) {
    let mut tallies = vec![DayTally::default(); towns];
    let mut killed = 0;
    for out in outs {
        for (t, o) in tallies.iter_mut().zip(&out.tallies) {
            t.add(o);
        }
        killed += out.killed;
    }
    (tallies, killed)
}

/// Cohorts that fled or went home leave their blocks for a block of their new settlement,
/// in block order.
pub(super) fn relocate(cohorts: &mut Cohorts, outs: &[BlockOut]) {
    let mut moving = Vec::new();
    for (block, out) in cohorts.blocks.iter_mut().zip(outs) {
        if out.moves.is_empty() {
            continue;
        }
        moving.extend(out.moves.iter().map(|&(i, _)| block.cohorts[i as usize]));
        let (mut i, mut next) = (0u32, 0);
        block.cohorts.retain(|_| {
            let moves = next < out.moves.len() && out.moves[next].0 == i;
            next += usize::from(moves);
            i += 1;
            !moves
        });
    }
    for co in moving {
        cohorts.push(co);
    }
}

/// One block's day.
struct BlockPass<'a> {
    ctx: &'a DayContext<'a>,
    /// The settlement the block's cohorts live in.
    k: usize,
    rng: ModelRng,
    /// Cohorts of the block still to come in the pass (counted only when it has deaths to
    /// take).
    left: u32,
    /// The chance that an active cohort is arrested.
    arrest_chance: f64,
    /// Deaths still to take (by insurgents, by the army).
    pending: (u32, u32),
    /// Arbitrary arrests waiting for the next quiet cohort.
    arbitrary_pending: u32,
    /// The day's constants of the block's settlement, read once rather than per cohort.
    town: TownDay,
}

/// What a cohort of the block's own settlement reads, the same for all of them on a day.
#[derive(Clone, Copy)]
struct TownDay {
    /// `abuse_memory_decay` as the cohorts' f32.
    decay: f32,
    renewal: f64,
    legitimacy: f64,
    pressure: f64,
    arrest_pr: f64,
    threshold: f64,
    informant_margin: f64,
    flight: f64,
    /// Where its cohorts flee, when they can (flight above zero and somewhere else to go).
    flee_to: Option<usize>,
}

impl TownDay {
    fn new(ctx: &DayContext, k: usize) -> Self {
        let p = ctx.p;
        let (legitimacy, flight) = ctx
            .towns
            .get(k)
            .map_or((0.0, 0.0), |t| (t.legitimacy, t.flight));
        let flee_to = if flight > 0.0 {
            ctx.refuge
                .get(k)
                .copied()
                .flatten()
                .or(ctx.safe)
                .filter(|&to| to != k)
        } else {
            None
        };
        Self {
            decay: p.abuse_memory_decay as f32,
            renewal: p.renewal_per_day,
            legitimacy,
            pressure: ctx.pressure.get(k).copied().unwrap_or(0.0),
            arrest_pr: ctx.arrest_pr.get(k).copied().unwrap_or(0.0),
            threshold: ctx.activation.threshold,
            informant_margin: p.informant_margin,
            flight,
            flee_to,
        }
    }
}

impl<'a> BlockPass<'a> {
    fn new(ctx: &'a DayContext<'a>, b: usize, block: &CohortBlock, quota: Quota) -> Self {
        let k = usize::from(block.town);
        let left = if quota.killed == (0, 0) {
            0
        } else {
            live(block) as u32
        };
        Self {
            ctx,
            k,
            // Key 0 drew the cohorts at set-up; blocks are keyed from 1 up.
            rng: stream(ctx.seed, Purpose::Society, 1 + b as u64, u64::from(ctx.day)),
            left,
            arrest_chance: ctx.arrest_chance.get(k).copied().unwrap_or(0.0),
            pending: quota.killed,
            arbitrary_pending: 0,
            town: TownDay::new(ctx, k),
        }
    }

    fn run(mut self, block: &mut CohortBlock, out: &mut BlockOut) {
        out.tallies.clear();
        out.tallies
            .resize(self.ctx.towns.len(), DayTally::default());
        out.offers.clear();
        out.moves.clear();
        out.killed = 0;
        if self.k >= self.ctx.towns.len() {
            return;
        }
        let mut acc = DayTally::default();
        for (i, co) in block.cohorts.iter_mut().enumerate() {
            self.cohort(i as u32, co, out, &mut acc);
        }
        out.tallies[self.k].add(&acc);
    }

    #[inline(always)]
    fn cohort(&mut self, i: u32, co: &mut Cohort, out: &mut BlockOut, acc: &mut DayTally) {
        if co.size == 0 {
            return;
        }
        let k = self.k;
        self.killings(co, out);
        let was_active = co.active;
        if co.size == 0 {
            return;
        }
        co.abuse *= self.town.decay;
        // A new age group comes of age: a cohort that gave its recruits can give again.
        if co.armed && self.rng.random::<f64>() < self.town.renewal {
            co.armed = false;
        }
        if co.state == CohortState::Jailed {
            if self.ctx.day >= co.jail_until {
                co.state = if co.home == co.origin {
                    CohortState::Quiet
                } else {
                    CohortState::Displaced
                };
                co.jailed = 0;
            } else {
                let t = &mut out.tallies[k];
                t.jailed += u64::from(co.jailed);
                t.cohorts += 1;
                return;
            }
        }
        if self.arrests(co, was_active, out) {
            return;
        }
        self.live(i, co, out, acc);
    }

    /// Civilians killed at the settlement since the last pass are taken from its cohorts,
    /// spread evenly over those left in the pass.
    fn killings(&mut self, co: &mut Cohort, out: &mut BlockOut) {
        if self.pending == (0, 0) {
            return;
        }
        let pending = self.pending.0 + self.pending.1;
        // Each remaining cohort takes pending/left deaths on average.
        let mean = f64::from(pending) / f64::from(self.left.max(1));
        self.left = self.left.saturating_sub(1);
        let take = (mean.floor() as u32 + u32::from(self.rng.random::<f64>() < mean.fract()))
            .min(u32::from(co.size))
            .min(pending);
        if take > 0 {
            let army = take.min(self.pending.1);
            let insurgents = (take - army).min(self.pending.0);
            self.pending.1 -= army;
            self.pending.0 -= insurgents;
            let take = army + insurgents;
            co.size -= take as u16;
            out.killed += u64::from(take);
            if army > 0 {
                co.abuse = (co.abuse + self.ctx.p.abuse_memory as f32).min(1.0);
                // Kin killed by the army: new grievance finds new fighters.
                co.armed = false;
            }
        }
    }

    /// Arrests among yesterday's actives; some arbitrary (a quiet cohort is taken instead:
    /// an abuse that weighs on legitimacy), and only while there are places to hold them.
    /// True when this cohort went to jail.
    fn arrests(&mut self, co: &mut Cohort, was_active: bool, out: &mut BlockOut) -> bool {
        let (p, k) = (self.ctx.p, self.k);
        if was_active && self.arrest_chance > 0.0 && self.rng.random::<f64>() < self.arrest_chance {
            if self.rng.random::<f64>() < self.ctx.arbitrary {
                self.arbitrary_pending += 1;
                return false;
            }
            if !self.room() {
                return false;
            }
        } else if !was_active && self.arbitrary_pending > 0 {
            self.arbitrary_pending -= 1;
            if !self.room() {
                return false;
            }
            co.abuse = (co.abuse + p.abuse_memory as f32).min(1.0);
            co.armed = false;
            out.tallies[k].abuses += 1;
        } else {
            return false;
        }
        jail(co, self.ctx.day, p, &mut self.rng);
        let t = &mut out.tallies[k];
        t.arrested += 1;
        t.jailed += u64::from(co.jailed);
        t.cohorts += 1;
        true
    }

    /// Whether a suspect can be held: the chance is the share of detention places free (a
    /// suspect with nowhere to go is questioned and let go).
    fn room(&mut self) -> bool {
        self.ctx.free > 0.0 && self.rng.random::<f64>() < self.ctx.free
    }

    /// Epstein's rule, with the arrest probability of the settlement's cohorts; then flight,
    /// or the day counted where the cohort lives (and the recruits it offers, if it is
    /// active and has not given them).
    #[inline(always)]
    fn live(&mut self, i: u32, co: &mut Cohort, out: &mut BlockOut, acc: &mut DayTally) {
        if co.state == CohortState::Displaced {
            // Still in the block's settlement: counted in `acc`, as a cohort at home.
            if let Some((g, legitimacy, active, displaced)) = self.live_displaced(i, co, out) {
                count(
                    acc,
                    co,
                    g,
                    legitimacy,
                    active,
                    displaced,
                    self.ctx.p.informant_margin,
                );
                if active {
                    self.offer(i, co, self.k, out);
                }
            }
            return;
        }
        // A cohort at home: the block's own settlement, whose constants `self.town` holds
        // (the same operations as `live_displaced`, in the same order).
        let town = self.town;
        let hardship = (f64::from(co.h0) + town.pressure + 0.0).clamp(0.0, 1.0);
        let legitimacy = (town.legitimacy - f64::from(co.abuse)).clamp(0.0, 1.0);
        let g = grievance(hardship, legitimacy);
        let active = is_active(g, f64::from(co.risk), town.arrest_pr, town.threshold);
        co.active = active;
        // Flight from violence and hardship.
        if let Some(to) = town.flee_to
            && self.rng.random::<f64>() < town.flight
        {
            flee(i, co, self.k, to, active, out);
            return;
        }
        count(acc, co, g, legitimacy, active, false, town.informant_margin);
        if active {
            self.offer(i, co, self.k, out);
        }
    }

    /// The recruits an active cohort offers, if it has not given them.
    #[inline(always)]
    fn offer(&mut self, i: u32, co: &mut Cohort, k: usize, out: &mut BlockOut) {
        offer(self.ctx, &mut self.rng, i, co, k, out);
    }

    /// [`live_displaced`] with the block's generator.
    #[inline(always)]
    fn live_displaced(
        &mut self,
        i: u32,
        co: &mut Cohort,
        out: &mut BlockOut,
    ) -> Option<(f64, f64, bool, bool)> {
        // The generator goes by value, so that the block's state can stay in registers.
        let (rng, counted) = live_displaced(self.ctx, self.k, self.rng.clone(), i, co, out);
        self.rng = rng;
        counted
    }
}

/// Cohort `i` flees settlement `k` for `to`: it moves there after the pass, and counts
/// there today as displaced.
#[inline(always)]
fn flee(i: u32, co: &mut Cohort, k: usize, to: usize, active: bool, out: &mut BlockOut) {
    co.origin = k as u16;
    co.home = to as u16;
    co.state = CohortState::Displaced;
    // A displaced cohort that went home today and flees again moves once, to where it
    // flees: `relocate` takes each cohort of a block once.
    match out.moves.last_mut() {
        Some(last) if last.0 == i => last.1 = co.home,
        _ => out.moves.push((i, co.home)),
    }
    out.tallies[k].displaced_out += u64::from(co.size);
    let t = &mut out.tallies[to];
    t.cohorts += 1;
    t.displaced += u64::from(co.size);
    t.actives += u32::from(active);
}

/// The recruits an active cohort offers, if it has not given them.
#[inline(always)]
fn offer(
    ctx: &DayContext,
    rng: &mut ModelRng,
    i: u32,
    co: &mut Cohort,
    k: usize,
    out: &mut BlockOut,
) {
    if ctx.day == 0 {
        co.armed = true;
    }
    if !co.armed {
        let r = f64::from(co.size) * ctx.p.recruit_share;
        let r = (r.floor() as u16 + u16::from(rng.random::<f64>() < r.fract())).min(co.size);
        out.offers.push((i, k as u16, r));
    }
}

/// [`BlockPass::live`] for a displaced cohort of the block's settlement `block_k`: it may go
/// home (and flee again), and it counts where it lives then. Returns the generator, and the
/// cohort's grievance, legitimacy, activation and whether it is displaced when it stays in
/// the block's settlement, for the caller to count in its `acc`.
#[inline(never)]
fn live_displaced(
    ctx: &DayContext,
    block_k: usize,
    mut rng: ModelRng,
    i: u32,
    co: &mut Cohort,
    out: &mut BlockOut,
) -> (ModelRng, Option<(f64, f64, bool, bool)>) {
    let p = ctx.p;
    let mut k = block_k;
    let mut displaced = co.state == CohortState::Displaced;
    // The displaced go home once home is quiet again.
    if displaced {
        let origin = usize::from(co.origin);
        if origin < ctx.towns.len()
            && ctx.towns[origin].exposure < p.return_exposure
            && rng.random::<f64>() < p.return_per_day
        {
            co.home = co.origin;
            co.state = CohortState::Quiet;
            k = origin;
            displaced = false;
            out.moves.push((i, co.home));
        }
    }
    let town = &ctx.towns[k];
    let hardship =
        (f64::from(co.h0) + ctx.pressure[k] + if displaced { p.displaced_hardship } else { 0.0 })
            .clamp(0.0, 1.0);
    let legitimacy = (town.legitimacy - f64::from(co.abuse)).clamp(0.0, 1.0);
    let g = grievance(hardship, legitimacy);
    let active = is_active(
        g,
        f64::from(co.risk),
        ctx.arrest_pr[k],
        ctx.activation.threshold,
    );
    co.active = active;
    // Flight from violence and hardship.
    if !displaced
        && town.flight > 0.0
        && let Some(to) = ctx.refuge.get(k).copied().flatten().or(ctx.safe)
        && to != k
        && rng.random::<f64>() < town.flight
    {
        flee(i, co, k, to, active, out);
        return (rng, None);
    }
    if displaced && usize::from(co.origin) < out.tallies.len() {
        out.tallies[usize::from(co.origin)].displaced_out += u64::from(co.size);
    }
    // The block's own settlement counts in the caller's `acc` (registers); a cohort gone
    // home counts where it went.
    if k == block_k {
        return (rng, Some((g, legitimacy, active, displaced)));
    }
    count(
        &mut out.tallies[k],
        co,
        g,
        legitimacy,
        active,
        displaced,
        p.informant_margin,
    );
    if active {
        offer(ctx, &mut rng, i, co, k, out);
    }
    (rng, None)
}

/// A cohort's day counted at its settlement, and its state set; without branches on what
/// varies from cohort to cohort (activation, informing), which the processor cannot guess.
#[inline(always)]
fn count(
    t: &mut DayTally,
    co: &mut Cohort,
    g: f64,
    legitimacy: f64,
    active: bool,
    displaced: bool,
    informant_margin: f64,
) {
    let size = u64::from(co.size);
    let people = size as f64;
    t.cohorts += 1;
    t.grievance += g * people;
    t.legitimacy += legitimacy * people;
    t.people += size;
    t.displaced += size * u64::from(displaced);
    t.actives += u32::from(active);
    t.sympathisers += size * u64::from(active);
    let informs = !active & !displaced & (legitimacy - g > informant_margin);
    t.informants += size * u64::from(informs);
    co.state = match (displaced, active) {
        (true, _) => CohortState::Displaced,
        (false, true) => CohortState::Sympathiser,
        (false, false) => CohortState::Quiet,
    };
}

/// Jails part of a cohort.
fn jail(co: &mut Cohort, day: u32, p: &SocietyParams, rng: &mut ModelRng) {
    co.state = CohortState::Jailed;
    co.active = false;
    co.jailed = (p.arrested_per_cohort.round() as u16).min(co.size);
    co.jail_until = day + 1 + (rng.random::<f64>() * p.jail_max_days).floor() as u32;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort(home: u16) -> Cohort {
        Cohort::new(home, 100, 0.5, 0.5)
    }

    /// A cohort that goes home and flees again on one day moves once, to where it fled:
    /// after the move every cohort is in a block of its home, none twice, none lost.
    #[test]
    fn a_cohort_that_goes_home_and_flees_again_moves_once() {
        let mut cohorts = Cohorts::default();
        for home in [0, 0, 0, 1] {
            cohorts.push(cohort(home));
        }
        let mut out = BlockOut {
            tallies: vec![DayTally::default(); 3],
            ..Default::default()
        };
        // Block 0 (town 0): cohort 0 flees to town 2; cohort 1, displaced from town 1,
        // goes home to town 1 (a move, as `live_displaced` records it) and flees it again
        // for town 2; cohort 2 stays.
        let blocks = &mut cohorts.blocks;
        flee(0, &mut blocks[0].cohorts[0], 0, 2, false, &mut out);
        let back = &mut blocks[0].cohorts[1];
        back.home = 1;
        out.moves.push((1, 1));
        flee(1, back, 1, 2, true, &mut out);
        assert_eq!(out.moves, [(0, 2), (1, 2)]);
        let outs = vec![out, BlockOut::default()];
        relocate(&mut cohorts, &outs);
        let homes: Vec<(u16, Vec<u16>)> = cohorts
            .blocks
            .iter()
            .map(|b| (b.town, b.cohorts.iter().map(|c| c.home).collect()))
            .collect();
        assert_eq!(homes, [(0, vec![0]), (1, vec![1]), (2, vec![2, 2])]);
    }

    #[test]
    fn apportion_gives_largest_remainders_to_the_earlier() {
        let mut out = Vec::new();
        apportion(10, &[1, 1, 1], &mut out);
        assert_eq!(out, [4, 3, 3]);
        apportion(5, &[0, 3, 1], &mut out);
        assert_eq!(out, [0, 4, 1]);
        apportion(7, &[0, 0], &mut out);
        assert_eq!(out, [0, 0]);
    }
}
