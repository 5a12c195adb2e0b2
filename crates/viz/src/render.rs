//! `asymwar render`: runs a simulation and writes pictures for slides: map snapshots at
//! chosen days, an animated GIF of the whole run, and a chart of each main metric.

use crate::chart::{Series, write_chart};
use crate::map::{MapImage, write_image};
use crate::snapshot::{Scene, Town, auto_scale, snapshot};
use asymwar_model::Simulation;
use asymwar_model::observation::{self, Marker, Reporters};
use asymwar_model::settlement::Settlement;
use asymwar_model::terrain::TerrainGrid;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Metrics charted when the model has them (by `asymwar render`, and first on the classroom
/// page); without any of them, every column is charted.
pub const MAIN_METRICS: &[&str] = &[
    "capital_fuel_days",
    "capital_price_index",
    "recruits",
    "attacks_on_civilians",
    "ambushes",
    "mean_legitimacy",
    "active",
    "quiet",
    "jailed",
    "legitimacy",
];

/// The main metrics among a model's `columns`, in the order of [`MAIN_METRICS`].
pub fn main_metrics(columns: &[&str]) -> Vec<&'static str> {
    MAIN_METRICS
        .iter()
        .copied()
        .filter(|m| columns.contains(m))
        .collect()
}

/// Longest side of a map snapshot by default, in pixels.
pub const SLIDE_PX: u32 = 1400;

/// What to render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub out: PathBuf,
    /// Days (ticks, for models without a calendar) at which to save a map snapshot.
    pub at: Vec<u32>,
    /// Pixels per tile of the snapshots (default: about 1,400 px on the longest side).
    pub scale: Option<u32>,
    /// Frames of the GIF at most (days are skipped evenly to stay under it); 0: no GIF.
    pub max_gif_frames: u32,
    /// Title of the pictures (the scenario's name).
    pub title: String,
    /// Edge of a tile in km, for the scale bar.
    pub tile_km: Option<f64>,
}

/// The files written.
#[derive(Debug, Default)]
pub struct Rendered {
    pub snapshots: Vec<PathBuf>,
    pub animation: Option<PathBuf>,
    pub charts: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Image(#[from] crate::map::ImageError),
    #[error("{file}: {message}")]
    Write { file: String, message: String },
    #[error("{0}")]
    Chart(String),
}

/// The run's towns, largest first, for labels.
fn towns(sim: &mut Simulation) -> Vec<Town> {
    let mut q = sim.world.query::<&Settlement>();
    let mut t: Vec<Town> = q
        .iter(&sim.world)
        .map(|s| Town {
            name: s.name.clone(),
            x: f32::from(s.tile.x) + 0.5,
            y: f32::from(s.tile.y) + 0.5,
            population: s.population,
        })
        .collect();
    t.sort_by(|a, b| {
        b.population
            .cmp(&a.population)
            .then_with(|| a.name.cmp(&b.name))
    });
    t
}

fn extent(sim: &Simulation, markers: &[Marker]) -> (u32, u32) {
    if let Some(g) = sim.world.get_resource::<TerrainGrid>() {
        return (u32::from(g.width), u32::from(g.height));
    }
    let w = markers.iter().map(|m| m.x).fold(1.0f32, f32::max);
    let h = markers.iter().map(|m| m.y).fold(1.0f32, f32::max);
    (w.ceil() as u32 + 1, h.ceil() as u32 + 1)
}

struct Painter {
    title: String,
    tile_km: Option<f64>,
    towns: Vec<Town>,
    markers: Vec<Marker>,
    extent: Option<(u32, u32)>,
    /// Events already flashed.
    seen_events: usize,
}

impl Painter {
    /// The map now, with the engagements since the previous picture.
    fn paint(&mut self, sim: &mut Simulation, scale: Option<u32>, longest: u32) -> MapImage {
        observation::markers(&mut sim.world, &mut self.markers);
        let extent = *self
            .extent
            .get_or_insert_with(|| extent(sim, &self.markers));
        let log = &sim.events().events;
        let flashes: Vec<(f32, f32)> = log[self.seen_events.min(log.len())..]
            .iter()
            .map(|e| (f32::from(e.tile.x) + 0.5, f32::from(e.tile.y) + 0.5))
            .collect();
        self.seen_events = log.len();
        let ts = sim.time_series();
        let clock = sim.clock();
        let when = if ts.dated {
            format!("{}  (day {})", clock.date(), clock.day())
        } else {
            format!("{} {}", ts.index_name, clock.tick)
        };
        let scene = Scene {
            terrain: sim.world.get_resource::<TerrainGrid>(),
            extent,
            markers: &self.markers,
            flashes: &flashes,
            towns: &self.towns,
            title: &self.title,
            when: &when,
            tile_km: self.tile_km,
        };
        snapshot(&scene, scale.unwrap_or_else(|| auto_scale(extent, longest)))
    }
}

/// Steps `sim` to `end_tick`, writing snapshots on the days asked, the GIF and the charts
/// into `opts.out` (created if needed).
pub fn render(
    sim: &mut Simulation,
    end_tick: u64,
    opts: &RenderOptions,
) -> Result<Rendered, RenderError> {
    let write_err = |file: &Path, e: &dyn std::fmt::Display| RenderError::Write {
        file: file.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(&opts.out).map_err(|e| write_err(&opts.out, &e))?;
    let tpd = sim.clock().ticks_per_day().max(1);
    let days = end_tick.div_ceil(tpd);
    let index = sim.time_series().index_name;
    let digits = days.to_string().len().max(3);
    let every = if opts.max_gif_frames == 0 {
        u64::MAX
    } else {
        days.div_ceil(u64::from(opts.max_gif_frames)).max(1)
    };
    let mut out = Rendered::default();
    let mut painter = Painter {
        title: opts.title.clone(),
        tile_km: opts.tile_km,
        towns: towns(sim),
        markers: Vec::new(),
        extent: None,
        seen_events: 0,
    };
    // The GIF's frames are smaller than the snapshots: it is for watching, not reading.
    let gif_path = opts.out.join("run.gif");
    let mut gif: Option<gif::Encoder<BufWriter<File>>> = None;
    let frame = |sim: &mut Simulation,
                 painter: &mut Painter,
                 gif: &mut Option<gif::Encoder<BufWriter<File>>>|
     -> Result<(), RenderError> {
        let img = painter.paint(sim, None, 420);
        let (w, h) = (img.width as u16, img.height as u16);
        if gif.is_none() {
            let f = File::create(&gif_path).map_err(|e| write_err(&gif_path, &e))?;
            let mut enc = gif::Encoder::new(BufWriter::new(f), w, h, &[])
                .map_err(|e| write_err(&gif_path, &e))?;
            enc.set_repeat(gif::Repeat::Infinite)
                .map_err(|e| write_err(&gif_path, &e))?;
            *gif = Some(enc);
        }
        let mut f = gif::Frame::from_rgb_speed(w, h, &img.rgb, 10);
        f.delay = 12; // hundredths of a second
        gif.as_mut()
            .expect("created above")
            .write_frame(&f)
            .map_err(|e| write_err(&gif_path, &e))
    };
    let snap = |sim: &mut Simulation, painter: &mut Painter, day: u64| {
        let path = opts.out.join(format!("map_{index}_{day:0digits$}.png"));
        // Snapshots flash the engagements of the day they show, not those since the last
        // GIF frame: keep the GIF's place in the log.
        let seen = painter.seen_events;
        painter.seen_events = sim
            .events()
            .events
            .iter()
            .position(|e| e.tick + tpd > sim.clock().tick)
            .unwrap_or(sim.events().events.len());
        // Slides: at least 1,280 px wide by default (the map's longest side rounded down
        // to whole pixels per tile, so aim a little higher).
        let img = painter.paint(sim, opts.scale, SLIDE_PX);
        painter.seen_events = seen;
        write_image(&img, &path).map(|()| path)
    };
    if opts.at.contains(&0) {
        out.snapshots.push(snap(sim, &mut painter, 0)?);
    }
    if opts.max_gif_frames > 0 {
        frame(sim, &mut painter, &mut gif)?;
    }
    while sim.clock().tick < end_tick {
        sim.step();
        let tick = sim.clock().tick;
        if !tick.is_multiple_of(tpd) && tick != end_tick {
            continue;
        }
        let day = tick.div_ceil(tpd);
        if opts.at.iter().any(|d| u64::from(*d) == day) {
            out.snapshots.push(snap(sim, &mut painter, day)?);
        }
        if opts.max_gif_frames > 0 && (day.is_multiple_of(every) || tick == end_tick) {
            frame(sim, &mut painter, &mut gif)?;
        }
    }
    if let Some(enc) = gif {
        let file = enc.into_inner().map_err(|e| write_err(&gif_path, &e))?;
        file.into_inner()
            .map_err(|e| write_err(&gif_path, &e.error()))?
            .sync_all()
            .map_err(|e| write_err(&gif_path, &e))?;
        out.animation = Some(gif_path);
    }
    out.charts = charts(sim, &opts.out.join("charts"))?;
    Ok(out)
}

/// A chart of each main metric the model has (of every metric, if it has none of them).
fn charts(sim: &Simulation, dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let ts = sim.time_series();
    if ts.is_empty() {
        return Ok(Vec::new());
    }
    std::fs::create_dir_all(dir).map_err(|e| RenderError::Write {
        file: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let reporters = sim.world.resource::<Reporters>();
    let main = main_metrics(&ts.columns);
    let chosen: Vec<&str> = if main.is_empty() {
        ts.columns.clone()
    } else {
        main
    };
    let mut files = Vec::new();
    for name in chosen {
        let r = reporters.daily.iter().find(|r| r.name == name);
        let s = Series {
            name,
            unit: r.map_or("", |r| r.unit),
            about: r.map_or("", |r| r.about),
            index_name: ts.index_name,
            start: ts.dated.then(|| ts.dates.first().copied()).flatten(),
            x: ts.days.clone(),
            y: ts.column(name).map(|c| c.collect()).unwrap_or_default(),
        };
        files.extend(write_chart(&s, dir, name).map_err(RenderError::Chart)?);
    }
    Ok(files)
}
