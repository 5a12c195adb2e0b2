//! The limits of what a scenario may ask for: every size that drives the time or the memory
//! of a run has one, checked by validation, so that whatever `validate` accepts, `run`,
//! `map`, `render`, `serve` and `sweep` can run within sane time and memory (issue 16).
//! The README's "Limits" section lists them with their reasons; a test keeps it in step.

use std::borrow::Cow;

/// Days of a run at most (scenario files, `run --days`, `render --days`): a century, far
/// beyond any question the model answers; memory of the time series grows with the days.
pub const MAX_DAYS: u32 = 36_500;
/// Ticks of a civil violence run at most (it has no calendar): the same century of days.
pub const MAX_CV_TICKS: u64 = 36_500;
/// Tiles of a map at most (width x height): every tile holds terrain, costs and flow-field
/// entries, and building the map touches each (the Mali map has 25,740).
pub const MAX_MAP_TILES: u64 = 4_000_000;
/// Cells of a civil violence grid at most (width x height): each holds an agent slot, and
/// a tick visits every agent.
pub const MAX_CV_CELLS: u64 = 4_000_000;
/// Army units, and insurgent cells, at most in all (each is an entity moved every tick).
pub const MAX_FORCE_UNITS: u64 = 100_000;
/// Soldiers in one army unit, and fighters in one cell, at most.
pub const MAX_PER_UNIT: u32 = 100_000;
/// People in one settlement at most (the largest cities hold under 40 million).
pub const MAX_SETTLEMENT_POPULATION: f64 = 100_000_000.0;
/// Civilian cohorts at most (population / cohort_size, summed over settlements): each is
/// an entity of the daily society pass (the Mali scenario has about 150,000).
pub const MAX_COHORTS: u64 = 2_000_000;
/// Settlements at most: each keeps a flow field of the whole map once a convoy heads there.
pub const MAX_SETTLEMENTS: usize = 10_000;
/// Map tiles times settlements at most: placing civilians measures every tile against
/// every town (a billion such steps take a few seconds; Mali has 900,000).
pub const MAX_TILE_TOWN_PAIRS: u64 = 1_000_000_000;
/// Memory of the cached flow fields at most, in bytes: each field holds 5 bytes a tile, so
/// on large maps fewer are kept (the cache is emptied when full; results do not change).
pub const FLOW_FIELD_BYTES: u64 = 1 << 30;
/// River points and country vertices at most, in all: painting walks every river segment
/// and tests every tile against every vertex.
pub const MAX_FEATURE_POINTS: usize = 10_000;
/// Years a calendar may start in: the model's data are of the 20th and 21st centuries, and
/// a date far away overflows the calendar.
pub const START_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;
/// Characters of a value echoed in a message at most (a name, a date, a field).
pub const MAX_ECHO_CHARS: usize = 200;

/// A value for a message, cut to [`MAX_ECHO_CHARS`] characters so that a huge name (or a
/// hostile one) never floods the terminal or a browser.
pub fn clip(s: &str) -> Cow<'_, str> {
    clip_to(s, MAX_ECHO_CHARS)
}

/// `s` cut to `max` characters, with "..." and the full length when it was cut.
pub fn clip_to(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((end, _)) => Cow::Owned(format!(
            "{}... ({} characters)",
            &s[..end],
            s.chars().count()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_long_values_on_a_character_boundary() {
        assert_eq!(clip("Bamako"), "Bamako");
        let long = "é".repeat(100_000);
        let c = clip(&long);
        assert!(c.starts_with(&"é".repeat(200)), "{c:.40}");
        assert!(c.ends_with("... (100000 characters)"), "{c}");
        assert!(c.chars().count() < 240);
    }
}
