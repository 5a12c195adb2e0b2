//! `asymwar`: the command line of the asymmetric warfare model.

mod figures;
mod report;

use anyhow::{Context, Result, bail};
use asymwar_experiment::spec::Plan;
use asymwar_experiment::sweep::{Shard, SweepOptions, merge, sweep};
use asymwar_experiment::{RunOptions, analyze};
use asymwar_scenario::load::{BUILTIN, resolve};
use asymwar_scenario::{ScenarioFile, build_world};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "asymwar",
    version,
    about = "Agent-based model of asymmetric warfare: the insurgent blockade of southern Mali"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its outputs (the default: the Mali blockade).
    Run(RunArgs),
    /// Check scenario files: prints "ok" (with warnings for a scenario that can never deliver)
    /// or every problem, and exits non-zero on problems.
    Validate {
        /// Scenario files (or built-in names).
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Draw a scenario's terrain as a picture (.png or .ppm).
    Map {
        /// Scenario file or built-in name.
        scenario: String,
        #[arg(long)]
        out: PathBuf,
        /// Seed of the terrain detail (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Pixels per tile (1 to 32).
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
        scale: u32,
    },
    /// List the built-in scenarios.
    Scenarios,
    /// Print the metric catalogue of a scenario's model (Markdown): every daily metric with
    /// its kind, unit and meaning, and every run total (docs/metrics.md).
    Metrics {
        /// Scenario file or built-in name.
        #[arg(default_value = "mali_blockade")]
        scenario: String,
    },
    /// Run a scenario and draw it for slides: map snapshots (PNG) on chosen days, an
    /// animated GIF of the run, and charts (PNG and SVG) of the main metrics.
    Render {
        /// Scenario file or built-in name.
        scenario: String,
        /// Days to simulate (ticks, for models without a calendar; default: the scenario's).
        #[arg(long)]
        days: Option<u32>,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Days of the map snapshots, comma-separated (default: first, middle and last, and
        /// the run's busiest day: its outburst, or the most engagements).
        #[arg(long, value_delimiter = ',')]
        at: Vec<u32>,
        /// Pixels per tile of the snapshots (default: about 1,400 pixels on the long side, for
        /// slides); labels grow with the picture.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=32))]
        scale: Option<u32>,
        /// Frames of the GIF at most; 0 for no GIF.
        #[arg(long, default_value_t = 150)]
        gif_frames: u32,
    },
    /// Serve the classroom page: one live simulation per browser, with controls.
    #[cfg(feature = "web")]
    Serve {
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on. The default lets only this computer in; 0.0.0.0 lets in
        /// every computer that can reach this one (a classroom network).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The scenario a new browser session starts with.
        #[arg(long, default_value = "tutorial")]
        scenario: String,
        /// Folder of *.ron scenarios offered besides the built-in ones.
        #[arg(long, default_value = "assets/scenarios")]
        scenarios: PathBuf,
        /// Browser sessions at once; more are turned away with a message.
        #[arg(long, default_value_t = 100)]
        max_sessions: usize,
    },
    /// Run a parameter sweep: a spec (assets/sweeps/*.ron or a built-in name) run in
    /// parallel, every finished run kept at once, resumable after a crash.
    Sweep(SweepArgs),
    /// Join the output directories of a sharded sweep, checking that every run is there once.
    Merge {
        /// Shard output directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Analyse a finished sweep: Sobol indices, Morris effects, or means per design point.
    Analyze {
        /// Sweep output directory.
        dir: PathBuf,
        /// Bootstrap resamples for the confidence intervals of Sobol indices.
        #[arg(long, default_value_t = 1000)]
        bootstrap: usize,
        /// Confidence level of the intervals.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Also write the figures (PNG and SVG) in DIR/figures/.
        #[arg(long)]
        plots: bool,
    },
    /// Score a finished sweep against the patterns of a targets file (pattern-oriented
    /// calibration, ABC rejection): calibration.csv and posterior.csv in the sweep directory.
    Calibrate {
        /// Sweep output directory (e.g. of `asymwar sweep calibration`).
        dir: PathBuf,
        /// The patterns, their ranges and sources.
        #[arg(long, default_value = "assets/calibration/mali_year.ron")]
        targets: PathBuf,
        /// Also regenerate the document's block `<!-- calibration:NAME -->` (NAME the
        /// targets' name, `-without-ID...` when patterns are left out).
        #[arg(long)]
        doc: Option<PathBuf>,
        /// Leave a pattern out, by id (repeatable).
        #[arg(long)]
        exclude: Vec<String>,
    },
    /// Regenerate the findings of finished sweeps in a document: each sweep's block between
    /// `<!-- findings:NAME -->` and `<!-- /findings:NAME -->` (docs/experiments.md).
    Report {
        /// Sweep output directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The document holding the blocks.
        #[arg(long, default_value = "docs/experiments.md")]
        doc: PathBuf,
        /// Where each sweep's figures go (PNG, in a folder named after the sweep), linked
        /// from its block; `none` for no figures.
        #[arg(long, default_value = "docs/figures/experiments")]
        figures: PathBuf,
        /// Bootstrap resamples for the confidence intervals of Sobol indices.
        #[arg(long, default_value_t = 1000)]
        bootstrap: usize,
        /// Confidence level of the intervals.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
    },
}

#[derive(clap::Args)]
struct SweepArgs {
    /// Sweep spec file, or a built-in sweep (smoke, decentralisation, militarisation,
    /// discipline, screening, calibration).
    spec: String,
    /// Output directory (default: runs/sweeps/<name>, or .../<name>-shard-K-of-N).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Runs in parallel (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Run only shard K of N (K/N): N processes with K = 1..N cover the sweep once.
    #[arg(long)]
    shard: Option<Shard>,
    /// Finish the sweep in the output directory: runs exactly the runs not yet recorded.
    #[arg(long)]
    resume: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args, Default)]
struct RunArgs {
    /// Scenario file or built-in name (default: mali_blockade).
    scenario: Option<String>,
    /// Days to simulate (default: the scenario's calendar).
    #[arg(long)]
    days: Option<u32>,
    /// Ticks to simulate (any scenario; wins over --days).
    #[arg(long)]
    ticks: Option<u64>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: runs/<scenario>-<seed>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Run(RunArgs::default())) {
        Command::Run(args) => cmd_run(args),
        Command::Validate { files } => cmd_validate(&files),
        Command::Map {
            scenario,
            out,
            seed,
            scale,
        } => cmd_map(&scenario, &out, seed, scale),
        #[cfg(feature = "web")]
        Command::Serve {
            port,
            bind,
            scenario,
            scenarios,
            max_sessions,
        } => cmd_serve(port, bind, scenario, scenarios, max_sessions),
        Command::Render {
            scenario,
            days,
            seed,
            out,
            at,
            scale,
            gif_frames,
        } => cmd_render(&scenario, days, seed, out, at, scale, gif_frames),
        Command::Scenarios => {
            for (name, _) in BUILTIN {
                println!("{name}");
            }
            Ok(())
        }
        Command::Metrics { scenario } => cmd_metrics(&scenario),
        Command::Sweep(args) => cmd_sweep(args),
        Command::Merge { dirs, out } => merge(&dirs, &out).map(|files| {
            println!("merged {} directories -> {}", dirs.len(), out.display());
            for f in files {
                println!("  {}", f.display());
            }
        }),
        Command::Analyze {
            dir,
            bootstrap,
            confidence,
            plots,
        } => analyze::analyze(&dir, bootstrap, confidence).and_then(|a| {
            print!("{}", a.report);
            for f in &a.outputs {
                println!("-> {}", f.display());
            }
            if plots {
                let out = dir.join("figures");
                let written = figures::write_figures(&dir, &a, &out, figures::Formats::PngAndSvg)?;
                println!("{} figures in {}:", written.len(), out.display());
                for w in written {
                    for f in w.files {
                        println!("-> {}", f.display());
                    }
                }
            }
            Ok(())
        }),
        Command::Calibrate {
            dir,
            targets,
            doc,
            exclude,
        } => asymwar_experiment::calibrate::calibrate(&dir, &targets, &exclude).and_then(|c| {
            print!("{}", c.report);
            for f in &c.outputs {
                println!("-> {}", f.display());
            }
            if let Some(doc) = doc {
                let mut name = asymwar_experiment::calibrate::load_targets(&targets)?.name;
                if !exclude.is_empty() {
                    name = format!("{name}-without-{}", exclude.join("-"));
                }
                asymwar_experiment::calibrate::write_block(&doc, &name, &c.markdown)?;
                println!("-> {} (block {name})", doc.display());
            }
            Ok(())
        }),
        Command::Report {
            dirs,
            doc,
            figures,
            bootstrap,
            confidence,
        } => report::report(&report::ReportArgs {
            dirs,
            doc: doc.clone(),
            figures: (figures.as_os_str() != "none").then_some(figures),
            bootstrap,
            confidence,
        })
        .map(|names| {
            println!(
                "{}: regenerated the findings of {}",
                doc.display(),
                names.join(", ")
            )
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A progress bar on a terminal, unless `quiet`: `prefix [=====>    ] done/total ` and
/// `rest` (the unit and the rates, in indicatif's template).
fn progress_bar(quiet: bool, prefix: &str, rest: &str) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{prefix}} [{{bar:40}}] {{pos}}/{{len}} {rest}"))
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix.to_string());
    Some(bar)
}

fn cmd_run(args: RunArgs) -> Result<()> {
    let name = args.scenario.as_deref().unwrap_or("mali_blockade");
    let scenario = resolve(name)?;
    let opts = RunOptions {
        seed: args.seed,
        days: args.days,
        ticks: args.ticks,
        collect_every_days: None,
    };
    asymwar_experiment::run::check_length(&scenario, &opts).map_err(anyhow::Error::msg)?;
    let seed = opts.seed.unwrap_or(scenario.seed());
    let dir = args
        .out
        .unwrap_or_else(|| PathBuf::from("runs").join(format!("{}-{seed}", scenario.name())));
    let bar = progress_bar(args.quiet, scenario.name(), "ticks {per_sec} eta {eta}");
    let started = Instant::now();
    // The event log and the panel are written as the run makes them.
    let out = asymwar_experiment::write::run_into(&dir, &scenario, &opts, |done, total| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let out = out?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}: {} ticks, seed {} in {:.2} s -> {}",
        out.scenario.name(),
        out.ticks,
        out.seed,
        secs,
        dir.display()
    );
    for (name, value) in &out.summary {
        match value {
            Some(v) => println!("  {name:<28} {v}"),
            None => println!("  {name:<28} -"),
        }
    }
    Ok(())
}

fn cmd_sweep(args: SweepArgs) -> Result<()> {
    let plan = Plan::resolve(&args.spec)?;
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let out = args.out.unwrap_or_else(|| plan.default_out(shard));
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let bar = progress_bar(
        args.quiet,
        &plan.spec.name,
        "runs {per_sec} eta {eta} ({elapsed})",
    );
    let opts = SweepOptions {
        out: out.clone(),
        jobs,
        shard,
        resume: args.resume,
    };
    let report = sweep(&plan, &opts, &|done, total| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = report?;
    println!(
        "{}: {} runs{} in {:.2} s on {jobs} thread{} ({} run now, {} already done) -> {}",
        plan.spec.name,
        report.runs_in_shard,
        if shard == Shard::WHOLE {
            String::new()
        } else {
            format!(" of {} (shard {shard})", report.runs_total)
        },
        report.wall_secs,
        if jobs == 1 { "" } else { "s" },
        report.ran,
        report.already_done,
        out.display()
    );
    if report.ran > 0 {
        let threads = report.wall_secs * jobs as f64;
        println!(
            "  {:.2} s in the model of {:.2} thread-seconds ({:.1}% spent outside it: overrides, journal, outputs, idle threads)",
            report.model_secs,
            threads,
            100.0 * (1.0 - report.model_secs / threads)
        );
    }
    for f in &report.outputs {
        println!("  {}", f.display());
    }
    Ok(())
}

fn cmd_validate(files: &[String]) -> Result<()> {
    let mut failed = 0;
    for f in files {
        match resolve(f) {
            Ok(file) => {
                println!("{f}: ok");
                for w in asymwar_scenario::validate::warnings(&file) {
                    println!("{f}: warning: {w}");
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{e}");
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} scenario file(s) have problems", files.len());
    }
    Ok(())
}

fn cmd_metrics(name: &str) -> Result<()> {
    let scenario = resolve(name)?;
    let sim = asymwar_scenario::build_simulation(&scenario, 1);
    let reporters = sim
        .world
        .resource::<asymwar_model::observation::Reporters>();
    print!(
        "# Metrics\n\nGenerated from the reporters of `{name}` by `asymwar metrics {name}`; \
         a test keeps this file fresh. Kinds: a count adds up over days (events of the day), \
         a stock and a rate are read at the end of the day (average them over a period).\n\n{}",
        reporters.catalogue()
    );
    Ok(())
}

fn cmd_map(name: &str, out: &std::path::Path, seed: Option<u64>, scale: u32) -> Result<()> {
    let scenario = resolve(name)?;
    let ScenarioFile::Conflict(s) = &scenario else {
        bail!("{name}: only conflict scenarios have a terrain map");
    };
    let (_, w, h) = s.map.projection().map_err(anyhow::Error::msg)?;
    check_pixels(u32::from(w), u32::from(h), scale)?;
    let mut world = build_world(s, seed.unwrap_or(s.seed));
    let grid = world
        .resource::<asymwar_model::terrain::TerrainGrid>()
        .clone();
    let settlements: Vec<_> = world
        .query::<&asymwar_model::settlement::Settlement>()
        .iter(&world)
        .cloned()
        .collect();
    let img = asymwar_viz::terrain_image(&grid, &settlements, scale);
    asymwar_viz::write_image(&img, out).with_context(|| "writing the map")?;
    println!(
        "{}: {} x {} tiles -> {}",
        s.name,
        grid.width,
        grid.height,
        out.display()
    );
    Ok(())
}

/// Pixels of a picture at most (2^28, 268 million: a gigabyte of RGBA while it is drawn and
/// encoded); the map of the largest valid grid at the largest scale would be 16 billion.
const MAX_PIXELS: u64 = 1 << 28;

/// Refuses a picture of `w` x `h` tiles at `scale` pixels per tile over [`MAX_PIXELS`].
fn check_pixels(w: u32, h: u32, scale: u32) -> Result<()> {
    let pixels = u64::from(w) * u64::from(h) * u64::from(scale) * u64::from(scale);
    if pixels > MAX_PIXELS {
        bail!(
            "--scale {scale}: the picture of {w} x {h} tiles would hold {pixels} pixels, over the limit of {MAX_PIXELS} (memory while it is drawn): use a smaller scale"
        );
    }
    Ok(())
}

#[cfg(feature = "web")]
fn cmd_serve(
    port: u16,
    bind: std::net::IpAddr,
    scenario: String,
    scenarios: PathBuf,
    max_sessions: usize,
) -> Result<()> {
    let opts = asymwar_web::ServeOptions {
        bind,
        port,
        scenario,
        // The folder is optional: from another directory only the built-ins are offered.
        scenarios_dir: scenarios.is_dir().then_some(scenarios),
        max_sessions,
        ..Default::default()
    };
    asymwar_web::serve_blocking(&opts).with_context(|| format!("serving on {bind}:{port}"))
}

/// The day (tick) of a run's peak: the most active citizens in models that count them,
/// else the most engagements. Runs the scenario once (the same seed gives the same run).
fn busiest_day(scenario: &asymwar_scenario::ScenarioFile, seed: u64, end_tick: u64) -> Option<u32> {
    let mut sim = asymwar_scenario::build_simulation(scenario, seed);
    let tpd = scenario.ticks_per_day().max(1);
    while sim.clock().tick < end_tick {
        sim.step();
    }
    let ts = sim.time_series();
    if let Some(c) = ts.columns.iter().position(|c| *c == "active") {
        return (0..ts.len())
            .max_by(|&a, &b| ts.row(a)[c].total_cmp(&ts.row(b)[c]).then(b.cmp(&a)))
            .map(|i| ts.days[i]);
    }
    let mut per_day: std::collections::BTreeMap<u64, u32> = Default::default();
    for e in &sim.events().events {
        *per_day.entry(e.tick / tpd + 1).or_default() += 1;
    }
    let last = end_tick.div_ceil(tpd);
    per_day
        .into_iter()
        .filter(|(d, _)| *d <= last)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .and_then(|(d, _)| u32::try_from(d).ok())
}

fn cmd_render(
    name: &str,
    days: Option<u32>,
    seed: Option<u64>,
    out: PathBuf,
    at: Vec<u32>,
    scale: Option<u32>,
    gif_frames: u32,
) -> Result<()> {
    let scenario = resolve(name)?;
    let length = RunOptions {
        days,
        ..Default::default()
    };
    asymwar_experiment::run::check_length(&scenario, &length).map_err(anyhow::Error::msg)?;
    if let Some(scale) = scale {
        let (w, h) = match &scenario {
            ScenarioFile::Conflict(s) => {
                let (_, w, h) = s.map.projection().map_err(anyhow::Error::msg)?;
                (u32::from(w), u32::from(h))
            }
            ScenarioFile::CivilViolence(s) => (s.params.width, s.params.height),
        };
        check_pixels(w, h, scale)?;
    }
    let seed = seed.unwrap_or(scenario.seed());
    let tpd = scenario.ticks_per_day().max(1);
    let end_tick = match days {
        Some(d) => u64::from(d) * tpd,
        None => scenario.ticks(),
    };
    let last_day = u32::try_from(end_tick.div_ceil(tpd)).context("the run is too long")?;
    if let Some(d) = at.iter().find(|d| **d > last_day) {
        bail!("--at {d}: the run ends on day {last_day}");
    }
    let at = if at.is_empty() {
        // First, middle and last day, and the run's busiest day, so that the pictures
        // catch its outburst (Epstein's run 4 erupts after tick 77, between the defaults).
        let mut days = vec![0, last_day / 2, last_day];
        days.extend(busiest_day(&scenario, seed, end_tick));
        days.sort_unstable();
        days.dedup();
        days
    } else {
        at
    };
    let mut sim = asymwar_scenario::build_simulation(&scenario, seed);
    let opts = asymwar_viz::RenderOptions {
        out: out.clone(),
        at,
        scale,
        max_gif_frames: gif_frames,
        title: format!("{} (seed {seed})", scenario.name()),
        tile_km: scenario.tile_km(),
    };
    let started = Instant::now();
    let done = asymwar_viz::render(&mut sim, end_tick, &opts)?;
    println!(
        "{}: {end_tick} ticks, seed {seed} in {:.1} s -> {}",
        scenario.name(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    for f in done
        .snapshots
        .iter()
        .chain(&done.animation)
        .chain(&done.charts)
    {
        println!("  {}", f.display());
    }
    Ok(())
}
