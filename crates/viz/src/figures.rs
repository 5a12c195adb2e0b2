//! The figures of a sweep's analysis, as PNG and SVG (plotters): intervals (effects,
//! interaction contrasts, main effects, Sobol indices, PRCC), lines with bands (response
//! and interaction plots, time series envelopes over replicates) and labelled scatters
//! (Morris mu* against sigma). The inputs are plain data: the binary converts the
//! experiment crate's findings, so this crate knows nothing of sweeps.

use crate::chart::short;
use crate::map::encode_png;
use crate::snapshot::fonts;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// One estimate with its interval, on one row of an interval figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    pub label: String,
    pub value: f64,
    /// `None`: a point estimate without interval (PRCC).
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// Rows of estimates with intervals and a zero line: "is it different from zero?".
#[derive(Clone, Debug, PartialEq)]
pub struct IntervalFigure {
    pub title: String,
    pub caption: String,
    pub x_label: String,
    pub rows: Vec<Interval>,
}

/// A line with an optional band, one per level or design point.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// The band's lower and upper edges (empty: no band).
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

/// Lines against a numeric axis, or against named levels (`x_names`, at x = 0, 1, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct LineFigure {
    pub title: String,
    pub caption: String,
    pub x_label: String,
    pub y_label: String,
    pub x_names: Vec<String>,
    pub lines: Vec<Line>,
}

/// Points with names (Morris: mu* against sigma).
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterFigure {
    pub title: String,
    pub caption: String,
    pub x_label: String,
    pub y_label: String,
    pub points: Vec<(String, f64, f64)>,
}

pub const WIDTH: u32 = 960;

/// Colour-blind-safe categorical colours (Okabe & Ito 2008).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

/// The colour of line or group `i`.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type DrawResult = Result<(), String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Finite bounds of `values`, widened so that a constant or empty set still draws.
fn bounds(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-12 {
        let pad = lo.abs().max(1.0) * 0.5;
        (lo, hi) = (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.06;
    (lo - pad, hi + pad)
}

/// Title and caption on top; returns the area below.
fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    caption: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    let (top, body) = root.split_vertically(62);
    top.draw_text(
        title,
        &("sans-serif", 22).into_font().color(&BLACK),
        (14, 8),
    )
    .map_err(err)?;
    top.draw_text(
        caption,
        &("sans-serif", 14).into_font().color(&RGBColor(90, 90, 90)),
        (14, 38),
    )
    .map_err(err)?;
    Ok(body)
}

/// A label cut to `n` characters, with an ellipsis.
fn cut(label: &str, n: usize) -> String {
    if label.chars().count() <= n {
        label.to_string()
    } else {
        let s: String = label.chars().take(n.saturating_sub(1)).collect();
        format!("{s}…")
    }
}

const ROW_HEIGHT: u32 = 26;
const LABEL_CHARS: usize = 76;

impl IntervalFigure {
    fn height(&self) -> u32 {
        (62 + 70 + ROW_HEIGHT * self.rows.len().max(1) as u32).max(260)
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> DrawResult {
        let body = header(&root, &self.title, &self.caption)?;
        let n = self.rows.len().max(1);
        let (lo, hi) = bounds(
            self.rows
                .iter()
                .flat_map(|r| [Some(r.value), r.low, r.high])
                .flatten(),
            true,
        );
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(560)
            .build_cartesian_2d(lo..hi, -0.5f64..(n as f64 - 0.5))
            .map_err(err)?;
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|r| cut(&r.label, LABEL_CHARS))
            .collect();
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(230, 230, 230))
            .x_label_formatter(&|v| short(*v))
            .y_labels(n)
            .y_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    // Row 0 at the top.
                    labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(err)?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(LineSeries::new(
                [(0.0, -0.5), (0.0, n as f64 - 0.5)],
                grey.stroke_width(1),
            ))
            .map_err(err)?;
        if self.rows.is_empty() {
            body.draw_text(
                "nothing to show",
                &("sans-serif", 16).into_font().color(&grey),
                (460, 40),
            )
            .map_err(err)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let excludes = matches!((r.low, r.high), (Some(l), Some(h)) if l > 0.0 || h < 0.0);
            let c = if excludes {
                colour(1)
            } else {
                RGBColor(60, 60, 60)
            };
            if let (Some(l), Some(h)) = (r.low, r.high)
                && l.is_finite()
                && h.is_finite()
            {
                chart
                    .draw_series(LineSeries::new([(l, y), (h, y)], c.stroke_width(2)))
                    .map_err(err)?;
                for x in [l, h] {
                    chart
                        .draw_series(LineSeries::new(
                            [(x, y - 0.18), (x, y + 0.18)],
                            c.stroke_width(2),
                        ))
                        .map_err(err)?;
                }
            }
            if r.value.is_finite() {
                chart
                    .draw_series(std::iter::once(Circle::new((r.value, y), 4, c.filled())))
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)
    }
}

impl LineFigure {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> DrawResult {
        let body = header(&root, &self.title, &self.caption)?;
        let (x0, x1) = bounds(self.lines.iter().flat_map(|l| l.x.iter().copied()), false);
        let (y0, y1) = bounds(
            self.lines
                .iter()
                .flat_map(|l| l.y.iter().chain(&l.low).chain(&l.high).copied()),
            false,
        );
        let names = &self.x_names;
        let mut chart = ChartBuilder::on(&body)
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(230, 230, 230))
            .y_label_formatter(&|v| short(*v));
        let name_of = |v: &f64| {
            let i = v.round();
            if !names.is_empty() && (v - i).abs() < 1e-6 && i >= 0.0 {
                names
                    .get(i as usize)
                    .map(|s| cut(s, 18))
                    .unwrap_or_default()
            } else if names.is_empty() {
                short(*v)
            } else {
                String::new()
            }
        };
        if !names.is_empty() {
            mesh.x_labels(names.len() * 4 + 1);
        }
        mesh.x_label_formatter(&name_of).draw().map_err(err)?;
        if self.lines.iter().all(|l| l.x.is_empty()) {
            body.draw_text(
                "nothing to show",
                &("sans-serif", 16)
                    .into_font()
                    .color(&RGBColor(150, 150, 150)),
                (400, 120),
            )
            .map_err(err)?;
        }
        for (i, l) in self.lines.iter().enumerate() {
            let c = colour(i);
            let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
            let has_band = l.low.len() == l.x.len() && l.high.len() == l.x.len();
            if has_band && !l.x.is_empty() && finite(&l.low) && finite(&l.high) {
                let band: Vec<(f64, f64)> =
                    l.x.iter()
                        .zip(&l.high)
                        .map(|(x, y)| (*x, *y))
                        .chain(l.x.iter().zip(&l.low).rev().map(|(x, y)| (*x, *y)))
                        .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled())))
                    .map_err(err)?;
            }
            let pts: Vec<(f64, f64)> =
                l.x.iter()
                    .zip(&l.y)
                    .filter(|(_, y)| y.is_finite())
                    .map(|(x, y)| (*x, *y))
                    .collect();
            let series = chart
                .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                .map_err(err)?;
            series
                .label(cut(&l.label, 40))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], c.stroke_width(3)));
            if pts.len() <= 24 {
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))
                    .map_err(err)?;
            }
        }
        if self.lines.len() > 1 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(200, 200, 200))
                .label_font(("sans-serif", 13))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)
    }
}

impl ScatterFigure {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> DrawResult {
        let body = header(&root, &self.title, &self.caption)?;
        let (x0, x1) = bounds(self.points.iter().map(|p| p.1), true);
        let (y0, y1) = bounds(self.points.iter().map(|p| p.2), true);
        let mut chart = ChartBuilder::on(&body)
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1 * 1.15, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(230, 230, 230))
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| short(*v))
            .draw()
            .map_err(err)?;
        // sigma = mu*: above the line, interactions or bends dominate.
        let top = x1.min(y1).max(0.0);
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, 0.0), (top, top)],
                6,
                4,
                RGBColor(170, 170, 170).stroke_width(1),
            ))
            .map_err(err)?;
        // The largest effects get their names; the rest are dots.
        let mut order: Vec<usize> = (0..self.points.len()).collect();
        order.sort_by(|&a, &b| self.points[b].1.total_cmp(&self.points[a].1));
        for (rank, &i) in order.iter().enumerate() {
            let (name, x, y) = &self.points[i];
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            let c = if rank < 10 {
                colour(0)
            } else {
                RGBColor(150, 150, 150)
            };
            chart
                .draw_series(std::iter::once(Circle::new((*x, *y), 4, c.filled())))
                .map_err(err)?;
            if rank < 10 {
                chart
                    .draw_series(std::iter::once(Text::new(
                        cut(name, 36),
                        (*x, *y),
                        ("sans-serif", 12).into_font().color(&BLACK),
                    )))
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)
    }
}

/// A figure of any kind.
pub enum Figure {
    Intervals(IntervalFigure),
    Lines(LineFigure),
    Scatter(ScatterFigure),
}

impl Figure {
    fn size(&self) -> (u32, u32) {
        match self {
            Figure::Intervals(f) => (WIDTH + 260, f.height()),
            Figure::Lines(_) | Figure::Scatter(_) => (WIDTH, 560),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> DrawResult {
        match self {
            Figure::Intervals(f) => f.draw(root),
            Figure::Lines(f) => f.draw(root),
            Figure::Scatter(f) => f.draw(root),
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Figure::Intervals(f) => &f.title,
            Figure::Lines(f) => &f.title,
            Figure::Scatter(f) => &f.title,
        }
    }

    /// Writes the figure as `<stem>.png` in `dir` (for documents: light).
    pub fn write_png(&self, dir: &Path, stem: &str) -> Result<PathBuf, String> {
        fonts();
        let (w, h) = self.size();
        let mut img = crate::map::MapImage::new(w, h);
        {
            let root = BitMapBackend::with_buffer(&mut img.rgb, (w, h)).into_drawing_area();
            self.draw(root)?;
        }
        let png_path = dir.join(format!("{stem}.png"));
        let png = encode_png(&img).map_err(err)?;
        std::fs::write(&png_path, png).map_err(|e| format!("{}: {e}", png_path.display()))?;
        Ok(png_path)
    }

    /// Writes the figure as `<stem>.png` and `<stem>.svg` in `dir`.
    pub fn write(&self, dir: &Path, stem: &str) -> Result<[PathBuf; 2], String> {
        let png_path = self.write_png(dir, stem)?;
        let (w, h) = self.size();
        let svg_path = dir.join(format!("{stem}.svg"));
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            self.draw(root)?;
        }
        std::fs::write(&svg_path, svg).map_err(|e| format!("{}: {e}", svg_path.display()))?;
        Ok([png_path, svg_path])
    }
}

/// A file stem from a figure's parts: lower case, letters, digits and `_` only.
pub fn stem(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("_")
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("asymwar-fig-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn decodes(png: &Path) -> (u32, u32) {
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        (info.width, info.height)
    }

    fn check(fig: Figure, name: &str) {
        let dir = scratch(name);
        let [png, svg] = fig.write(&dir, name).unwrap();
        let (w, h) = decodes(&png);
        assert!(w >= 900 && h >= 250, "{w}x{h}");
        let text = std::fs::read_to_string(svg).unwrap();
        assert!(
            text.contains("<svg") && text.contains(fig.title()),
            "{name}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn interval_figures_draw_rows_and_survive_degenerate_data() {
        let rows: Vec<Interval> = (0..12)
            .map(|i| Interval {
                label: format!("insurgency.autonomy at army.decapitation=true; row {i}"),
                value: f64::from(i) - 4.0,
                low: Some(f64::from(i) - 6.0),
                high: Some(f64::from(i) - 2.0),
            })
            .collect();
        let fig = |rows: Vec<Interval>| {
            Figure::Intervals(IntervalFigure {
                title: "Paired effects on ambushes".into(),
                caption: "smoke: 12 points x 3 replicates, 95% t intervals".into(),
                x_label: "difference".into(),
                rows,
            })
        };
        check(fig(rows.clone()), "effects");
        // Nothing, a NaN and a constant: no panic, still a picture.
        check(fig(Vec::new()), "empty");
        check(
            fig(vec![Interval {
                label: "x".into(),
                value: f64::NAN,
                low: None,
                high: None,
            }]),
            "nan",
        );
        check(
            fig(vec![Interval {
                label: "x".into(),
                value: 0.0,
                low: Some(0.0),
                high: Some(0.0),
            }]),
            "zero",
        );
    }

    #[test]
    fn line_and_scatter_figures_draw() {
        let line = |i: usize| Line {
            label: format!("level {i}"),
            x: vec![0.0, 1.0, 2.0],
            y: vec![1.0, 2.0 + i as f64, 1.5],
            low: vec![0.5, 1.5 + i as f64, 1.0],
            high: vec![1.5, 2.5 + i as f64, 2.0],
        };
        check(
            Figure::Lines(LineFigure {
                title: "Interaction plot: recruits".into(),
                caption: "mean over replicates".into(),
                x_label: "army.escort_doctrine".into(),
                y_label: "recruits".into(),
                x_names: vec!["unescorted".into(), "escorted".into(), "route".into()],
                lines: (0..3).map(line).collect(),
            }),
            "lines",
        );
        check(
            Figure::Lines(LineFigure {
                title: "Time series: ambushes".into(),
                caption: "".into(),
                x_label: "day".into(),
                y_label: "ambushes".into(),
                x_names: Vec::new(),
                lines: vec![Line {
                    label: "only".into(),
                    x: vec![7.0],
                    y: vec![f64::NAN],
                    low: Vec::new(),
                    high: Vec::new(),
                }],
            }),
            "lines_degenerate",
        );
        check(
            Figure::Scatter(ScatterFigure {
                title: "Morris screening: recruits".into(),
                caption: "".into(),
                x_label: "mu*".into(),
                y_label: "sigma".into(),
                points: (0..30)
                    .map(|i| (format!("p{i}"), f64::from(i), f64::from(i) * 0.5))
                    .collect(),
            }),
            "scatter",
        );
    }

    #[test]
    fn stems_are_plain() {
        assert_eq!(
            stem(&["effects", "forces.army[0].units", "x"]),
            "effects_forces_army_0_units_x"
        );
    }
}
