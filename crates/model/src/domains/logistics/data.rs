//! The logistics domain's data: its parameters, the settlements' supplies, convoys, the
//! queues at the crossings, road traffic, its tallies and the messages it takes.

use crate::engine::check::{Checker, Validate};
use crate::engine::tally::Count;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// Logistics parameters (`params.logistics`).
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticsParams {
    /// Litres per tanker: 875 tankers delivered over 40 million litres (africanews
    /// 2026-01-23), about 46,000 L each.
    pub litres_per_tanker: f64,
    /// Stock each settlement holds at the start, in days of its need: "the country would
    /// run out of fuel within two weeks if supplies were completely cut off" (a source close
    /// to the chamber of commerce, Reuters, 16 September 2025); the national security stock
    /// covered 3 days of it (Ecofin 2025-10), depots and stations the rest.
    pub initial_stock_days: f64,
    /// Below this many days of stock, consumption is rationed...
    pub ration_below_days: f64,
    /// ...down to this share of need at an empty stock (AP 2026-01-22: cars refuel every
    /// 72 h, motorcycles every 48 h: about a third to a half of normal use).
    pub ration_floor: f64,
    /// Price index target = (need / consumption met)^elasticity x (1 + 0.2 x (1 - stock /
    /// reference_days)), clamped to [1, price_max]: black-market fuel at x2.8 (x3-4 in some
    /// regions) at the November 2025 peak (AFP), when rationing met about a third of need.
    pub price_reference_days: f64,
    pub price_elasticity: f64,
    pub price_max: f64,
    /// Share of the gap between price and its target closed each day (markets are sticky).
    pub price_adjust_per_day: f64,
    /// Electricity runs while fuel stock is above this many days (Ecofin: power cut from 19
    /// to 6 hours a day when stocks collapsed).
    pub electricity_min_days: f64,
    /// The authorities close a settlement's schools, for `schools_closure_days`, once its
    /// fuel stock has stayed at or below `schools_min_days` for `schools_short_streak_days`
    /// days in a row: Bamako was short from about 6 October 2025 and all schools closed for
    /// two weeks from 27 October (AP, Koaci), three weeks later. Each closure doubles the
    /// streak it takes to close again: the closure was costly and criticised, and the state
    /// then kept schools open through the December 2025 and March 2026 relapses while it
    /// rationed fuel instead (refuelling by turns from February 2026: RFI, AFP).
    pub schools_min_days: f64,
    pub schools_closure_days: u32,
    pub schools_short_streak_days: u32,
    /// Trucks per group when trucks leave as they arrive.
    pub group_size: u32,
    /// A group leaves after waiting this long even if small.
    pub group_max_wait_hours: f64,
    /// Trucks per escorted convoy, at most: the recorded convoys had 82 tankers
    /// (Niamey-Bamako, November 2025), over 100 vehicles (Kayes, 14 September 2025), about
    /// 290 (from Cote d'Ivoire by Bougouni, weekly, late 2025: Malijet) and about 300
    /// (Bamako, 16 December 2025: RFI).
    pub escorted_convoy_size: u32,
    /// Tankers that must wait at a crossing before the army sends an escort and the convoy
    /// leaves: escorts are scarce, so the army assembles large convoys (the recorded ones
    /// had 82 to over 100 vehicles) rather than escort every few trucks. Calibrated with
    /// `escorted_convoy_size` against P2 (20-50 tankers burned per successful ambush).
    pub escort_min_convoy: u32,
    /// Share of escorted convoys the state sends to the capital's depots (the rest go where
    /// need and shortage draw them, as unescorted trucks do). Every escorted convoy on
    /// record went to Bamako (7 Oct, 30 Oct, 10 Nov, 16 Dec 2025, 5 Jan 2026: RFI, AFP,
    /// Fides), while Mopti saw its last tanker convoy on 11 December and stayed dry (RFI,
    /// 7 Jan 2026).
    pub escorted_to_capital: f64,
    /// Trucks waiting for an escort leave without one after this long, a group at a time.
    pub escort_max_wait_hours: f64,
    /// Convoys drive in daylight only.
    pub drive_from_hour: u8,
    pub drive_to_hour: u8,
    /// Speed factor of a convoy on its own (halts, checkpoints, bad stretches) and of an
    /// escorted one (an escorted convoy made about 67 km/day: africanews 2025-11).
    pub convoy_speed_factor: f64,
    pub escorted_speed_factor: f64,
    /// Drivers stay home when the road is deadly: each trade's arrivals at a crossing are
    /// divided by 1 + this x the risk of a trip as its drivers see it (the share of their
    /// trucks that set out from that crossing in the last four weeks and burned). An
    /// estimate: with 20, a corridor where half the trucks burned keeps a tenth of its
    /// drivers (the unions suspended traffic after the September 2025 burnings, when 51
    /// of a convoy of over 100 burned: ACLED, press) and one where one truck in twenty
    /// burned keeps half; drivers come back when escorts bring their trucks through.
    pub driver_deterrence: f64,
    /// The blockade's announcement (JNIM declared fuel tankers targets on 3 September 2025;
    /// the drivers' unions suspended traffic after the first burnings) weighs on the tanker
    /// drivers as if, of `announced_days` of a crossing's normal tanker flow, this share
    /// had burned the day the run starts; like any burning, it is forgotten after four
    /// weeks, and trucks that get through meanwhile dilute it. An estimate: the first
    /// large convoy attacked (14 September 2025) lost about half its tankers (51 of over
    /// 100 vehicles: ACLED).
    pub announced_risk: f64,
    pub announced_days: f64,
    /// Days of food held at the start, and the share of food need grown locally.
    pub initial_food_days: f64,
    pub local_food_share: f64,
    /// People fed for a day by one goods truck (30 t of cereal at 0.6 kg a day).
    pub people_days_per_goods_truck: f64,
    /// Food a person eats a day, kg (cereal equivalent), for what an aircraft carries: WFP's
    /// full ration is about 2,100 kcal, some 0.6 kg of cereal, pulses and oil; the same
    /// figure as `people_days_per_goods_truck` (30 t / 0.6 kg).
    pub food_kg_per_person_day: f64,
    /// Litres of fuel in a tonne an aircraft carries (diesel at 0.84 kg/L).
    pub fuel_litres_per_tonne: f64,
    /// Share of a besieged town's own food production the siege denies (fields, herds and
    /// water points beyond the ring are out of reach). Estimate: most of it; Djibo, under
    /// blockade since February 2022, lived on convoys and air drops with "not a grain of
    /// rice or millet" left (press, October 2022), its water points attacked (DG ECHO flash,
    /// 25 October 2022), its people able to move little beyond the town (MSF, May 2023).
    pub siege_fields_denied: f64,
    /// An air bridge gives each sortie to the served town furthest below this many days of
    /// its fuel and food need, and flies none when all are there. Estimate: a month.
    pub air_target_days: f64,
    /// Insurgent cells within this distance of a served airfield threaten the aircraft
    /// landing and taking off (small arms and machine guns on the approach). Estimate.
    pub air_threat_km: f64,
    /// Probability that a sortie is hit and the aircraft lost when `air_threat_fighters`
    /// fighters (or more) are within `air_threat_km` of the airfield; in proportion below.
    /// Estimate: one sortie in 500; helicopters and transports were hit or downed near
    /// besieged towns of Burkina Faso and Mali a few times a year, among the hundreds of
    /// sorties that supplied them.
    pub air_hit_per_sortie: f64,
    pub air_threat_fighters: f64,
}

impl Default for LogisticsParams {
    fn default() -> Self {
        Self {
            litres_per_tanker: 46_000.0,
            initial_stock_days: 14.0,
            ration_below_days: 4.0,
            ration_floor: 0.4,
            price_reference_days: 10.0,
            price_elasticity: 0.5,
            price_max: 6.0,
            price_adjust_per_day: 0.3,
            electricity_min_days: 2.0,
            schools_min_days: 1.0,
            schools_closure_days: 14,
            schools_short_streak_days: 21,
            group_size: 8,
            group_max_wait_hours: 12.0,
            escorted_convoy_size: 300,
            escort_min_convoy: 50,
            escorted_to_capital: 1.0,
            escort_max_wait_hours: 168.0,
            drive_from_hour: 6,
            drive_to_hour: 18,
            convoy_speed_factor: 0.6,
            escorted_speed_factor: 0.35,
            driver_deterrence: 20.0,
            announced_risk: 0.5,
            announced_days: 7.0,
            initial_food_days: 30.0,
            local_food_share: 0.7,
            people_days_per_goods_truck: 50_000.0,
            food_kg_per_person_day: 0.6,
            fuel_litres_per_tonne: 1_190.0,
            siege_fields_denied: 0.8,
            air_target_days: 30.0,
            air_threat_km: 15.0,
            air_hit_per_sortie: 0.002,
            air_threat_fighters: 100.0,
        }
    }
}

impl Validate for LogisticsParams {
    fn validate(&self, c: &mut Checker) {
        c.positive("litres_per_tanker", self.litres_per_tanker);
        c.non_negative("initial_stock_days", self.initial_stock_days);
        c.non_negative("ration_below_days", self.ration_below_days);
        c.probability("ration_floor", self.ration_floor);
        c.positive("price_reference_days", self.price_reference_days);
        c.within("price_elasticity", self.price_elasticity, 0.0, 5.0);
        c.within("price_max", self.price_max, 1.0, 1000.0);
        c.probability("price_adjust_per_day", self.price_adjust_per_day);
        c.non_negative("electricity_min_days", self.electricity_min_days);
        c.non_negative("schools_min_days", self.schools_min_days);
        if self.schools_closure_days > 3650 || self.schools_short_streak_days > 36_500 {
            c.fail(
                "schools_closure_days",
                "schools_closure_days at most 3650 and schools_short_streak_days at most 36500",
            );
        }
        if self.group_size == 0 {
            c.fail("group_size", "must be at least 1");
        }
        c.non_negative("group_max_wait_hours", self.group_max_wait_hours);
        c.probability("escorted_to_capital", self.escorted_to_capital);
        if self.escorted_convoy_size == 0 {
            c.fail("escorted_convoy_size", "must be at least 1");
        }
        if self.escort_min_convoy == 0 || self.escort_min_convoy > self.escorted_convoy_size {
            c.fail(
                "escort_min_convoy",
                format!(
                    "must be between 1 and escorted_convoy_size ({}), got {}",
                    self.escorted_convoy_size, self.escort_min_convoy
                ),
            );
        }
        c.non_negative("escort_max_wait_hours", self.escort_max_wait_hours);
        if self.drive_from_hour >= self.drive_to_hour || self.drive_to_hour > 24 {
            c.fail(
                "drive_from_hour",
                "needs drive_from_hour < drive_to_hour <= 24",
            );
        }
        c.within("convoy_speed_factor", self.convoy_speed_factor, 0.01, 2.0);
        c.within(
            "escorted_speed_factor",
            self.escorted_speed_factor,
            0.01,
            2.0,
        );
        c.non_negative("driver_deterrence", self.driver_deterrence);
        c.probability("announced_risk", self.announced_risk);
        c.within("announced_days", self.announced_days, 0.0, 28.0);
        c.non_negative("initial_food_days", self.initial_food_days);
        c.probability("local_food_share", self.local_food_share);
        c.positive(
            "people_days_per_goods_truck",
            self.people_days_per_goods_truck,
        );
        c.positive("food_kg_per_person_day", self.food_kg_per_person_day);
        c.positive("fuel_litres_per_tonne", self.fuel_litres_per_tonne);
        c.probability("siege_fields_denied", self.siege_fields_denied);
        c.non_negative("air_target_days", self.air_target_days);
        c.non_negative("air_threat_km", self.air_threat_km);
        c.probability("air_hit_per_sortie", self.air_hit_per_sortie);
        c.positive("air_threat_fighters", self.air_threat_fighters);
    }
}

/// A settlement's stocks, prices and services.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Supplies {
    pub fuel_l: f64,
    /// Normal consumption, litres a day.
    pub fuel_need_l: f64,
    /// Fuel actually consumed today and the need it served (for shortage days).
    pub fuel_used_today_l: f64,
    /// Food held, in days of the share of need the town does not grow itself (see
    /// [`Supplies::food_import_pd`]).
    pub food_days: f64,
    /// People the town feeds (its population at the start).
    pub food_people: f64,
    /// Share of its food need the town grows today: `local_food_share`, less what a siege
    /// denies.
    pub local_food: f64,
    /// Share of today's whole food need (grown and bought) that was met.
    pub food_met_today: f64,
    /// Food price relative to normal.
    pub food_price: f64,
    /// Days on which less than half the food need was met.
    pub hungry_days: u32,
    pub price_index: f64,
    pub electricity: bool,
    pub schools: bool,
    /// Schools stay closed until this day, once closed (a closure is a decision, not a
    /// reading of the stock).
    pub schools_closed_until: Option<u32>,
    /// Days in a row the stock has been at or below `schools_min_days`, and closures so far
    /// (each doubles the streak it takes to close again).
    pub short_streak: u32,
    pub school_closures: u32,
    /// Days on which less than half the fuel need was met.
    pub shortage_days: u32,
}

impl Supplies {
    pub fn fuel_days(&self) -> f64 {
        if self.fuel_need_l > 0.0 {
            self.fuel_l / self.fuel_need_l
        } else {
            f64::INFINITY
        }
    }

    /// People-days of food the town must bring in each day (the need it does not grow).
    pub fn food_import_pd(&self) -> f64 {
        self.food_people * (1.0 - self.local_food)
    }

    /// Food held, in people-days.
    pub fn food_stock_pd(&self) -> f64 {
        self.food_days * self.food_import_pd()
    }

    /// Adds `people_days` of food to the stock.
    pub fn add_food(&mut self, people_days: f64) {
        let need = self.food_import_pd();
        if need > 0.0 {
            self.food_days += people_days / need;
        }
    }

    /// The town grows `local` of its need from today: the stock, in people-days, is kept
    /// and counted in days of the new imported need.
    pub fn set_local_food(&mut self, local: f64) {
        if local == self.local_food {
            return;
        }
        let stock = self.food_stock_pd();
        self.local_food = local;
        let need = self.food_import_pd();
        self.food_days = if need > 0.0 { stock / need } else { 0.0 };
    }

    /// 1 - min(1, stock / need) over fuel and food together (ODD.md 7.9: scarcity).
    pub fn scarcity(&self, reference_days: f64) -> f64 {
        let fuel = 1.0 - (self.fuel_days() / reference_days.max(1e-9)).min(1.0);
        let food = 1.0 - (self.food_days / 10.0).min(1.0);
        (0.6 * fuel + 0.4 * food).clamp(0.0, 1.0)
    }
}

/// A settlement's stock at the start, from the scenario, instead of `initial_stock_days`
/// and `initial_food_days`: in days of its need or in absolute amounts (at most one of
/// each pair). Logistics reads it when it gives each settlement its supplies.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InitialStock {
    /// Fuel, in days of the town's normal need.
    pub fuel_days: Option<f64>,
    /// Fuel, in litres.
    pub fuel_litres: Option<f64>,
    /// Food, in days of the share of need the town does not grow (how long it lasts with
    /// the harvest coming in).
    pub food_days: Option<f64>,
    /// Food, in tonnes (cereal equivalent, at `food_kg_per_person_day`).
    pub food_tonnes: Option<f64>,
}

impl InitialStock {
    /// Why this stock cannot be read, if it cannot: a negative or non-finite amount, or
    /// both forms of one good.
    pub fn problem(&self) -> Option<String> {
        for (name, v) in [
            ("fuel_days", self.fuel_days),
            ("fuel_litres", self.fuel_litres),
            ("food_days", self.food_days),
            ("food_tonnes", self.food_tonnes),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v >= 0.0)
            {
                return Some(format!("{name} must be a non-negative number, got {v}"));
            }
        }
        if self.fuel_days.is_some() && self.fuel_litres.is_some() {
            return Some("give fuel_days or fuel_litres, not both".into());
        }
        if self.food_days.is_some() && self.food_tonnes.is_some() {
            return Some("give food_days or food_tonnes, not both".into());
        }
        None
    }
}

/// An air bridge: a fleet based at one town that flies fuel and food to the towns it serves
/// (from the scenario's `airlifts`). Aircraft are lost to fire near served airfields.
#[derive(Clone, Debug, PartialEq)]
pub struct AirBridge {
    pub name: String,
    pub base: Entity,
    /// Aircraft still flying.
    pub aircraft: u32,
    pub tonnes_per_sortie: f64,
    pub sorties_per_aircraft_day: f64,
    pub cost_per_sortie: f64,
    /// The towns it serves, in the scenario's order.
    pub serves: Vec<Entity>,
    /// Fraction of a sortie carried to the next day (sorties are whole).
    pub carry: f64,
    pub sorties: u64,
    pub tonnes: f64,
    pub aircraft_lost: u32,
}

/// The scenario's air bridges.
#[derive(Resource, Clone, Debug, Default)]
pub struct AirBridges(pub Vec<AirBridge>);

/// The most populous settlement: the capital whose fuel the patterns follow.
#[derive(Resource, Clone, Copy, Debug)]
pub struct Capital(pub Entity);

/// A settlement that imports are delivered to: those of the capital's country.
#[derive(Component, Clone, Copy, Debug)]
pub struct SupplyDestination;

/// State of a convoy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvoyState {
    Moving,
    /// Turned back at a checkpoint: driving back to its crossing.
    Returning,
}

/// A convoy of tankers and goods trucks.
#[derive(Component, Clone, Debug)]
pub struct Convoy {
    pub tankers: u32,
    pub goods: u32,
    /// Index into [`RoadNetwork::crossings`](crate::world::settlement::RoadNetwork::crossings).
    pub crossing: u16,
    pub destination: Entity,
    pub escort: Option<Entity>,
    pub state: ConvoyState,
    pub departed_tick: u64,
    /// Passed a checkpoint and paid: not stopped again by the same cell.
    pub taxed_by: Option<Entity>,
}

/// Days drivers remember burnings on their corridor.
pub const BURN_MEMORY_DAYS: usize = 28;

/// What the drivers of one trade (tankers or goods trucks) at one crossing remember of the
/// last four weeks: how many of their trucks set out, how many burned (rings by day).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DriversMemory {
    pub departed: [u32; BURN_MEMORY_DAYS],
    pub burned: [u32; BURN_MEMORY_DAYS],
}

impl DriversMemory {
    pub fn burned(&self) -> u32 {
        self.burned.iter().sum()
    }

    pub fn departed(&self) -> u32 {
        self.departed.iter().sum()
    }

    /// The risk of a trip as the drivers see it: the share of trucks that set out and
    /// burned (1 when trucks burned and none is remembered setting out).
    pub fn risk(&self) -> f64 {
        let burned = self.burned();
        let departed = self.departed().max(burned);
        if departed == 0 {
            0.0
        } else {
            f64::from(burned) / f64::from(departed)
        }
    }

    /// A new day: the slot of `day` is cleared for it.
    pub fn forget(&mut self, day: u64) {
        let slot = day as usize % BURN_MEMORY_DAYS;
        self.departed[slot] = 0;
        self.burned[slot] = 0;
    }
}

/// Trucks waiting at each crossing (same order as [`RoadNetwork::crossings`](crate::world::settlement::RoadNetwork::crossings)).
#[derive(Resource, Clone, Debug, Default)]
pub struct CrossingQueues {
    pub tankers: Vec<f64>,
    pub goods: Vec<f64>,
    /// Tick since which tankers have been waiting (the head of their queue).
    pub tankers_since: Vec<Option<u64>>,
    /// Tick since which goods trucks have been waiting.
    pub goods_since: Vec<Option<u64>>,
    /// What each crossing's tanker drivers, and its goods drivers, remember.
    pub tanker_drivers: Vec<DriversMemory>,
    pub goods_drivers: Vec<DriversMemory>,
    /// Tankers' and goods trucks' worth an inland depot's reserve still holds (infinite at
    /// a border crossing and at a depot with no limit).
    pub reserve_tankers: Vec<f64>,
    pub reserve_goods: Vec<f64>,
}

impl CrossingQueues {
    /// Trucks that set out from crossing `i` on `day`: the drivers remember them.
    pub fn record_departure(&mut self, i: usize, day: u32, tankers: u32, goods: u32) {
        let slot = day as usize % BURN_MEMORY_DAYS;
        self.tanker_drivers[i].departed[slot] += tankers;
        self.goods_drivers[i].departed[slot] += goods;
    }
}

/// Running totals of the logistics domain.
#[derive(Resource, Clone, Debug, Default)]
pub struct LogisticsTally {
    pub tankers_delivered: Count,
    pub goods_delivered: Count,
    pub tankers_destroyed: Count,
    pub goods_destroyed: u64,
    /// Trucks (tankers and goods) burned.
    pub trucks_destroyed: Count,
    pub trucks_turned_back: Count,
    pub trucks_taxed: u64,
    /// Trucks whose drivers gave up waiting for an escort and went home.
    pub trucks_gave_up: u64,
    pub convoys_departed: u64,
    pub escorted_convoys: u64,
    pub peak_price_index: f64,
    /// Highest price index of the capital.
    pub capital_peak_price: f64,
    pub capital_shortage_days: u32,
    /// Days the capital's schools were closed, and its power off.
    pub capital_school_days_closed: u32,
    pub capital_days_without_power: u32,
    pub capital_first_shortage_day: Option<u32>,
    /// Tankers delivered per day (for the inflow pattern).
    pub delivered_by_day: Vec<u32>,
    /// Air bridges: sorties flown, tonnes delivered, aircraft lost, cost of the sorties.
    pub air_sorties: Count,
    pub air_tonnes: f64,
    pub aircraft_lost: u32,
    pub air_cost: f64,
    /// Days of hunger (less than half the food need met) summed over settlements.
    pub hungry_town_days: u64,
}

/// Trucks that passed each tile recently (decaying daily): where the trade flows, as the
/// insurgents learn it by watching the roads.
#[derive(Resource, Clone, Debug, Default)]
pub struct Traffic {
    pub trucks: Vec<f32>,
}

/// What the engagements tell logistics about the convoys they stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CorridorNews {
    /// Trucks of a convoy from `crossing` burned on `day`.
    Burned {
        crossing: u16,
        tankers: u32,
        goods: u32,
        day: u32,
    },
    /// A convoy turned back at a checkpoint.
    TurnedBack { trucks: u32 },
    /// A convoy paid its way through a checkpoint.
    Taxed { trucks: u32 },
}
