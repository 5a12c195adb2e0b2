//! Time-series charts of a run's metrics, as PNG and SVG (plotters), labelled for slides.

use crate::map::{MapImage, encode_png};
use crate::snapshot::fonts;
use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One metric over a run.
pub struct Series<'a> {
    pub name: &'a str,
    pub unit: &'a str,
    pub about: &'a str,
    /// "day" or "tick".
    pub index_name: &'a str,
    /// The first row's date, for calendar models.
    pub start: Option<NaiveDate>,
    pub x: Vec<u32>,
    pub y: Vec<f64>,
}

pub const WIDTH: u32 = 900;
pub const HEIGHT: u32 = 480;

/// "capital_fuel_days" -> "Capital fuel days".
fn humanise(name: &str) -> String {
    let s = name.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, s: &Series) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let finite: Vec<f64> = s.y.iter().copied().filter(|v| v.is_finite()).collect();
    let (mut lo, mut hi) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if finite.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    // Counts and stocks read best against zero.
    if lo >= 0.0 {
        lo = 0.0;
    }
    if hi - lo < 1e-9 {
        hi = lo + lo.abs().max(1.0);
    }
    hi += (hi - lo) * 0.05;
    let last_x = s.x.last().copied().unwrap_or(1).max(1);
    let title = format!("{} ({})", humanise(s.name), s.unit);
    let (top, body) = root.split_vertically(58);
    top.draw_text(
        &title,
        &("sans-serif", 22).into_font().color(&BLACK),
        (14, 8),
    )
    .map_err(e)?;
    top.draw_text(
        s.about,
        &("sans-serif", 15).into_font().color(&RGBColor(90, 90, 90)),
        (14, 36),
    )
    .map_err(e)?;
    let x_desc = match (s.index_name, s.start) {
        ("day", Some(d)) => format!("day of the run (day 0 = {d})"),
        (name, _) => name.to_string(),
    };
    let mut chart = ChartBuilder::on(&body)
        .margin(14)
        .margin_top(4)
        .x_label_area_size(48)
        .y_label_area_size(84)
        .build_cartesian_2d(0f64..f64::from(last_x), lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(s.unit)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .y_label_formatter(&|v| short(*v))
        // Whole days only: a short run must not label 0, 0, 1, 2, 2.
        .x_labels((last_x as usize + 1).min(12))
        .x_label_formatter(&|v| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        })
        .draw()
        .map_err(e)?;
    // A gap in the data (NaN) is a gap in the line.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let line = ShapeStyle::from(&RGBColor(192, 57, 43)).stroke_width(2);
    for (x, y) in s.x.iter().zip(&s.y) {
        if y.is_finite() {
            run.push((f64::from(*x), *y));
        } else if !run.is_empty() {
            chart
                .draw_series(LineSeries::new(std::mem::take(&mut run), line))
                .map_err(e)?;
        }
    }
    if run.len() == 1 {
        chart
            .draw_series(std::iter::once(Circle::new(run[0], 3, line.filled())))
            .map_err(e)?;
    } else if !run.is_empty() {
        chart.draw_series(LineSeries::new(run, line)).map_err(e)?;
    }
    root.present().map_err(e)
}

/// A number in few characters: 505k, 2.1M, 0.25.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The chart as an RGB picture.
pub fn chart_image(s: &Series) -> Result<MapImage, String> {
    fonts();
    let mut img = MapImage::new(WIDTH, HEIGHT);
    {
        let root = BitMapBackend::with_buffer(&mut img.rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(root, s)?;
    }
    Ok(img)
}

/// Writes the chart as `<stem>.png` and `<stem>.svg` in `dir`.
pub fn write_chart(s: &Series, dir: &Path, stem: &str) -> Result<[std::path::PathBuf; 2], String> {
    let png_path = dir.join(format!("{stem}.png"));
    let svg_path = dir.join(format!("{stem}.svg"));
    let png = encode_png(&chart_image(s)?).map_err(|e| e.to_string())?;
    std::fs::write(&png_path, png).map_err(|e| format!("{}: {e}", png_path.display()))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(root, s)?;
    }
    std::fs::write(&svg_path, svg).map_err(|e| format!("{}: {e}", svg_path.display()))?;
    Ok([png_path, svg_path])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(505_000.0), "505k");
        assert_eq!(short(2_100_000.0), "2.1M");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(12.0), "12");
    }

    #[test]
    fn a_chart_has_a_line_and_labels() {
        let s = Series {
            name: "capital_fuel_days",
            unit: "days",
            about: "days of fuel left in the capital",
            index_name: "day",
            start: NaiveDate::from_ymd_opt(2025, 9, 1),
            x: (0..30).collect(),
            y: (0..30).map(|d| 10.0 - d as f64 / 3.0).collect(),
        };
        let img = chart_image(&s).unwrap();
        let red = img
            .rgb
            .chunks(3)
            .filter(|p| p[0] > 150 && p[1] < 90 && p[2] < 90)
            .count();
        assert!(red > 200, "the line is drawn ({red} red pixels)");
        let dark = img.rgb.chunks(3).filter(|p| p[0] < 60 && p[1] < 60).count();
        assert!(dark > 500, "text is drawn ({dark} dark pixels)");
        let tmp = std::env::temp_dir().join(format!("asymwar-chart-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).unwrap();
        let [_, svg] = write_chart(&s, &tmp, "fuel").unwrap();
        let text = std::fs::read_to_string(svg).unwrap();
        assert!(text.contains("<svg") && text.contains("Capital fuel days (days)"));
        assert!(text.contains("day 0 = 2025-09-01"));
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
