//! A seeded mutation fuzzer over the shipped scenarios and sweep specs (issue 16): each case
//! is a shipped file with a few mutations (a number made 0, -1, huge, NaN, 4294967295 ...;
//! a string made empty, huge or a far date; a line dropped or repeated). The contract under
//! test: validation never panics, and whatever validates builds, draws its map and runs a
//! few days without panic, and its resolved `scenario.ron` reads back. A sweep spec that
//! passes its checks gives design points that validate and run likewise.
//!
//! The budget is fixed (cases, not seconds) so the test is the same on every machine and
//! finishes in seconds in release mode; `ASYMWAR_FUZZ_CASES` (per seed file) and
//! `ASYMWAR_FUZZ_SEED` run a longer or another campaign by hand. The mutations are drawn
//! from a SplitMix64 stream of the seed, so a failure names the case that repeats it.

use asymwar_experiment::spec::{self, Plan};
use asymwar_experiment::{RunOptions, run};
use asymwar_scenario::load::BUILTIN;
use asymwar_scenario::{ScenarioFile, parse_str};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Cases per seed file in CI: 7 scenarios and 3 sweep specs, so a few hundred cases.
const CASES_PER_FILE: usize = 40;

/// SplitMix64: a dependency-free stream, the same on every platform.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Numbers a hostile or careless user writes.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "0.5",
    "-0.0",
    "NaN",
    "inf",
    "-inf",
    "1e300",
    "-1e300",
    "1e9",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "2147483647",
    "65535",
    "65536",
    "100000",
    "3.7",
    "1e-300",
];

/// Strings likewise (the long one stands for the 100,000-character name).
fn strings() -> Vec<String> {
    vec![
        String::new(),
        " ".into(),
        "A".repeat(100_000),
        "+262142-12-31".into(),
        "2025-13-45".into(),
        "1899-12-31".into(),
        "Capital".into(),
        "Bamako".into(),
        "mechanised".into(),
        "tutorial".into(),
        "params.activation.k".into(),
        "\\u{0}".into(),
    ]
}

/// Byte ranges in a text.
type Spans = Vec<(usize, usize)>;

/// Byte ranges of the number literals and string literals of RON text (comments skipped).
fn tokens(text: &str) -> (Spans, Spans) {
    let b = text.as_bytes();
    let (mut numbers, mut strings) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                strings.push((start, (i + 1).min(b.len())));
                i += 1;
            }
            c if c.is_ascii_digit()
                || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                // Not the digits inside a name (`epstein_run1`).
                let inside_word = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'-')
                {
                    i += 1;
                }
                if !inside_word {
                    numbers.push((start, i));
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    (numbers, strings)
}

/// One mutation of `text`, and what it did (to name a failing case).
fn mutate(text: &str, rng: &mut Stream, strings: &[String]) -> (String, String) {
    let (numbers, literals) = tokens(text);
    let splice = |(a, b): (usize, usize), with: &str| {
        (
            format!("{}{with}{}", &text[..a], &text[b..]),
            format!("{:?} -> {:.40}", &text[a..b.min(a + 40)], with),
        )
    };
    match rng.below(10) {
        0..=2 if !numbers.is_empty() => {
            let at = numbers[rng.below(numbers.len())];
            splice(at, NUMBERS[rng.below(NUMBERS.len())])
        }
        3..=4 if !numbers.is_empty() => {
            // The number scaled: often still valid, so the run gets to see it.
            let at = numbers[rng.below(numbers.len())];
            let x: f64 = text[at.0..at.1].parse().unwrap_or(1.0);
            let scaled = x * [10.0, 1000.0, 0.001, -1.0, 0.0, 1e6][rng.below(6)];
            let whole = !text[at.0..at.1].contains(['.', 'e']);
            let with = if whole && scaled.fract() == 0.0 && scaled.abs() < 1e15 {
                format!("{}", scaled as i64)
            } else {
                format!("{scaled:?}")
            };
            splice(at, &with)
        }
        5..=6 if !literals.is_empty() => {
            let at = literals[rng.below(literals.len())];
            let s = &strings[rng.below(strings.len())];
            splice(at, &format!("\"{s}\""))
        }
        7 => {
            // Drop a line: a field, a list item, or half a structure.
            let lines: Vec<&str> = text.lines().collect();
            let k = rng.below(lines.len());
            let mut out = lines.clone();
            out.remove(k);
            (
                out.join("\n"),
                format!("drop line {}: {:.60}", k + 1, lines[k]),
            )
        }
        _ => {
            // Repeat a line: a duplicate field, or one more list item (a twin town ...).
            let lines: Vec<&str> = text.lines().collect();
            let k = rng.below(lines.len());
            let mut out = lines.clone();
            out.insert(k, lines[k]);
            (
                out.join("\n"),
                format!("repeat line {}: {:.60}", k + 1, lines[k]),
            )
        }
    }
}

/// A case's text: 1 to 3 mutations of `seed`.
fn case(seed: &str, rng: &mut Stream, strings: &[String]) -> (String, Vec<String>) {
    let mut text = seed.to_string();
    let mut what = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let (t, w) = mutate(&text, rng, strings);
        text = t;
        what.push(w);
    }
    (text, what)
}

/// Runs a validated scenario the way the commands do, briefly: build, map, a few days,
/// and the resolved scenario read back.
fn exercise(scenario: &ScenarioFile) -> Result<(), String> {
    if let ScenarioFile::Conflict(s) = scenario {
        let mut world = asymwar_scenario::build_world(s, s.seed);
        let grid = world
            .resource::<asymwar_model::terrain::TerrainGrid>()
            .clone();
        let towns: Vec<_> = world
            .query::<&asymwar_model::settlement::Settlement>()
            .iter(&world)
            .cloned()
            .collect();
        asymwar_viz::terrain_image(&grid, &towns, 1);
    }
    let opts = RunOptions {
        days: Some(2),
        ..Default::default()
    };
    let out = run(scenario, &opts, |_, _| {});
    let text = asymwar_scenario::to_ron(&out.scenario);
    parse_str(&text, Path::new("scenario.ron"))
        .map(|_| ())
        .map_err(|e| format!("the resolved scenario does not read back: {e}"))
}

/// What one case came to.
#[derive(Default)]
struct Tally {
    cases: usize,
    valid: usize,
    failures: Vec<String>,
    /// The slowest case, for the record (seconds, which): printed, never asserted.
    slowest: (f64, String),
}

impl Tally {
    fn timed(&mut self, started: Instant, which: impl FnOnce() -> String) {
        let secs = started.elapsed().as_secs_f64();
        if secs > self.slowest.0 {
            self.slowest = (secs, which());
        }
    }
}

fn budget() -> (usize, u64) {
    let cases = std::env::var("ASYMWAR_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES_PER_FILE);
    let seed = std::env::var("ASYMWAR_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    (cases, seed)
}

/// A panic's message.
fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".into())
}

fn fuzz_scenarios(tally: &mut Tally) {
    let (cases, seed) = budget();
    let strings = strings();
    for (name, text) in BUILTIN {
        let mut rng = Stream(seed ^ asymwar_model::rng::mix(name.len() as u64, 7));
        for n in 0..cases {
            let (mutated, what) = case(text, &mut rng, &strings);
            tally.cases += 1;
            let file = PathBuf::from(format!("{name}-case-{n}.ron"));
            let case_started = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| {
                let scenario = match parse_str(&mutated, &file) {
                    Ok(s) => s,
                    Err(e) => {
                        // Every message stays readable, whatever the input echoed.
                        let longest = e.to_string().lines().map(str::len).max().unwrap_or(0);
                        return if longest > 2_000 {
                            Err(format!("an error line of {longest} bytes"))
                        } else {
                            Ok(false)
                        };
                    }
                };
                exercise(&scenario).map(|()| true)
            }));
            tally.timed(case_started, || {
                format!("{} ({})", file.display(), what.join("; "))
            });
            match result {
                Ok(Ok(valid)) => tally.valid += usize::from(valid),
                Ok(Err(e)) => {
                    tally
                        .failures
                        .push(format!("{} ({}): {e}", file.display(), what.join("; ")))
                }
                Err(p) => tally.failures.push(format!(
                    "{} ({}): panicked: {}",
                    file.display(),
                    what.join("; "),
                    panic_text(p)
                )),
            }
        }
    }
}

fn fuzz_sweeps(tally: &mut Tally) {
    let (cases, seed) = budget();
    let strings = strings();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sweeps");
    for (name, text) in spec::BUILTIN {
        let mut rng = Stream(seed ^ asymwar_model::rng::mix(name.len() as u64, 11));
        for n in 0..cases {
            let (mutated, what) = case(text, &mut rng, &strings);
            tally.cases += 1;
            // Beside the shipped specs, so a relative scenario path resolves as it would.
            let file = dir.join(format!("{name}-case-{n}.ron"));
            let case_started = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| {
                let plan = match Plan::from_text(mutated.clone(), &file) {
                    Ok(p) => p,
                    Err(_) => return Ok::<bool, String>(false),
                };
                // The first and last design points: validated, then run briefly.
                for p in [0, plan.points().saturating_sub(1)] {
                    if let Ok(scenario) = plan.scenario_at(p) {
                        let opts = RunOptions {
                            days: Some(1),
                            seed: Some(plan.seed(0)),
                            ..Default::default()
                        };
                        run(&scenario, &opts, |_, _| {});
                    }
                }
                Ok(true)
            }));
            tally.timed(case_started, || {
                format!("{name} case {n} ({})", what.join("; "))
            });
            match result {
                Ok(Ok(valid)) => tally.valid += usize::from(valid),
                Ok(Err(e)) => tally
                    .failures
                    .push(format!("{name} case {n} ({}): {e}", what.join("; "))),
                Err(p) => tally.failures.push(format!(
                    "{name} case {n} ({}): panicked: {}",
                    what.join("; "),
                    panic_text(p)
                )),
            }
        }
    }
}

#[test]
fn mutated_scenarios_and_sweep_specs_validate_or_run_without_panic() {
    let started = Instant::now();
    let mut tally = Tally::default();
    fuzz_scenarios(&mut tally);
    let scenario_cases = tally.cases;
    fuzz_sweeps(&mut tally);
    let secs = started.elapsed().as_secs_f64();
    // The figures for the record (`--nocapture`); nothing here is timed.
    eprintln!(
        "fuzz: {} cases ({scenario_cases} scenarios, {} sweep specs), {} valid, in {secs:.1} s ({:.0} cases/s)",
        tally.cases,
        tally.cases - scenario_cases,
        tally.valid,
        tally.cases as f64 / secs
    );
    eprintln!(
        "fuzz: slowest case {:.2} s: {:.300}",
        tally.slowest.0, tally.slowest.1
    );
    assert!(
        tally.failures.is_empty(),
        "{} of {} cases failed:\n{}",
        tally.failures.len(),
        tally.cases,
        tally.failures.join("\n")
    );
    // A campaign where nothing validates tests nothing past the parser.
    assert!(
        tally.valid * 10 >= tally.cases,
        "only {} of {} valid",
        tally.valid,
        tally.cases
    );
}

#[test]
fn the_mutator_finds_the_numbers_and_strings_of_a_file() {
    let (numbers, strings) = tokens("X(a: 1.5, b: -2, name: \"x1\", k: epstein_run1) // 3\n");
    assert_eq!(numbers.len(), 2);
    assert_eq!(strings.len(), 1);
}
