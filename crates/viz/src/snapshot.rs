//! A map snapshot for slides: the terrain, every marker of the run, the engagements of the
//! last day, town names, a title with the date, a scale bar and a legend.

use crate::map::{MapImage, terrain_image};
use asymwar_model::observation::{Marker, MarkerKind};
use asymwar_model::terrain::TerrainGrid;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The embedded font, so that labels look the same on every machine (no system fonts).
static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Registers the embedded font with plotters as "sans-serif" (once).
pub fn fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font("sans-serif", style, FONT)
                .unwrap_or_else(|_| panic!("the embedded font loads"));
        }
    });
}

/// A named place to label, in tile coordinates.
#[derive(Clone, Debug)]
pub struct Town {
    pub name: String,
    pub x: f32,
    pub y: f32,
    pub population: u32,
}

/// What one snapshot shows.
pub struct Scene<'a> {
    pub terrain: Option<&'a TerrainGrid>,
    /// Map extent in tiles (the terrain's, or the abstract grid's).
    pub extent: (u32, u32),
    pub markers: &'a [Marker],
    /// Engagements to flash, in tile coordinates.
    pub flashes: &'a [(f32, f32)],
    /// Towns to name, largest first.
    pub towns: &'a [Town],
    pub title: &'a str,
    /// The date or tick, shown on the right of the title bar.
    pub when: &'a str,
    pub tile_km: Option<f64>,
}

const HEADER: u32 = 36;
const FOOTER: u32 = 58;

/// Pixels per tile so that the map's longest side is about `longest_px`.
pub fn auto_scale(extent: (u32, u32), longest_px: u32) -> u32 {
    (longest_px / extent.0.max(extent.1).max(1)).clamp(1, 32)
}

/// Colour of a 0-1 supply level: red (dry) through yellow to green (well supplied).
pub fn ramp(t: f32) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let stops = [
        (215.0, 48.0, 39.0),
        (254.0, 224.0, 139.0),
        (26.0, 152.0, 80.0),
    ];
    let (a, b, u) = if t < 0.5 {
        (stops[0], stops[1], t * 2.0)
    } else {
        (stops[1], stops[2], (t - 0.5) * 2.0)
    };
    let mix = |x: f32, y: f32| (x + (y - x) * u).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn label(kind: MarkerKind) -> &'static str {
    match kind {
        MarkerKind::Settlement => "town, coloured by fuel (red = dry)",
        MarkerKind::Convoy => "fuel convoy",
        MarkerKind::Cell => "insurgent cell",
        MarkerKind::Command => "insurgent command",
        MarkerKind::ArmyUnit => "army unit",
        MarkerKind::Quiet => "quiet citizen",
        MarkerKind::Active => "active citizen",
        MarkerKind::Cop => "cop",
    }
}

/// A town's radius in pixels, by its population.
fn town_radius(population: f32, tile: f32) -> i32 {
    ((0.35 + population.max(0.0).sqrt() / 450.0).min(3.0) * tile)
        .max(3.0)
        .round() as i32
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Draws one marker centred at (px, py); `tile` is one tile in pixels.
fn draw_marker(
    area: &Area,
    kind: MarkerKind,
    (px, py): (i32, i32),
    size: f32,
    value: f32,
    tile: f32,
) {
    let outline = |c: RGBColor| ShapeStyle::from(&c).stroke_width(1);
    let r_unit = ((0.5 + size.max(0.0).sqrt() / 8.0).min(2.5) * tile * 0.6).max(4.0);
    let r = r_unit.round() as i32;
    // Drawing errors on a memory buffer cannot happen short of a bug; a marker that
    // failed to draw is not worth a failed picture.
    let _ = match kind {
        MarkerKind::Settlement => {
            let r = town_radius(size, tile);
            let fill = if value.is_finite() {
                ramp(value)
            } else {
                RGBColor(245, 245, 245)
            };
            area.draw(&Circle::new((px, py), r, fill.filled()))
                .and_then(|_| area.draw(&Circle::new((px, py), r, outline(RGBColor(30, 30, 30)))))
        }
        MarkerKind::Quiet | MarkerKind::Active | MarkerKind::Cop => {
            let c = match kind {
                MarkerKind::Quiet => RGBColor(127, 183, 126),
                MarkerKind::Active => RGBColor(231, 76, 60),
                _ => RGBColor(31, 58, 147),
            };
            let h = (tile * 0.45).max(1.0).round() as i32;
            area.draw(&Rectangle::new(
                [(px - h, py - h), (px + h, py + h)],
                c.filled(),
            ))
        }
        MarkerKind::Cell | MarkerKind::Command | MarkerKind::ArmyUnit | MarkerKind::Convoy => {
            let (fill, stroke) = match kind {
                MarkerKind::Cell => (RGBColor(192, 57, 43), RGBColor(74, 15, 8)),
                MarkerKind::Command => (RGBColor(123, 36, 28), RGBColor(255, 255, 255)),
                MarkerKind::ArmyUnit => (RGBColor(46, 134, 193), RGBColor(11, 42, 64)),
                _ => (RGBColor(244, 208, 63), RGBColor(93, 74, 0)),
            };
            let pts: Vec<(i32, i32)> = match kind {
                MarkerKind::Cell => vec![
                    (px, py - r),
                    (px + r * 9 / 10, py + r * 7 / 10),
                    (px - r * 9 / 10, py + r * 7 / 10),
                ],
                MarkerKind::Command => vec![
                    (px, py - r * 6 / 5),
                    (px + r, py),
                    (px, py + r * 6 / 5),
                    (px - r, py),
                ],
                MarkerKind::ArmyUnit => {
                    let h = r * 4 / 5;
                    vec![
                        (px - h, py - h),
                        (px + h, py - h),
                        (px + h, py + h),
                        (px - h, py + h),
                    ]
                }
                _ => {
                    let h = (r * 9 / 20).max(2);
                    vec![
                        (px - r, py - h),
                        (px + r, py - h),
                        (px + r, py + h),
                        (px - r, py + h),
                    ]
                }
            };
            let mut closed = pts.clone();
            closed.push(pts[0]);
            area.draw(&Polygon::new(pts, fill.filled()))
                .and_then(|_| area.draw(&PathElement::new(closed, outline(stroke))))
        }
    };
}

/// Text with a light halo, readable over any terrain.
fn halo_text(area: &Area, text: &str, (x, y): (i32, i32), size: u32, pos: Pos) {
    let halo = ("sans-serif", size)
        .into_font()
        .color(&RGBColor(255, 255, 255))
        .pos(pos);
    for (dx, dy) in [
        (-1, 0),
        (1, 0),
        (0, -1),
        (0, 1),
        (-1, -1),
        (1, 1),
        (-1, 1),
        (1, -1),
    ] {
        let _ = area.draw_text(text, &halo, (x + dx, y + dy));
    }
    let ink = ("sans-serif", size)
        .into_font()
        .color(&RGBColor(25, 25, 25))
        .pos(pos);
    let _ = area.draw_text(text, &ink, (x, y));
}

/// Draws the scene at `scale` pixels per tile.
pub fn snapshot(scene: &Scene, scale: u32) -> MapImage {
    fonts();
    let scale = scale.max(1);
    let (mw, mh) = (scene.extent.0 * scale, scene.extent.1 * scale);
    // Wide enough for the title and legend even for small maps.
    let width = mw.max(520);
    // Text, the title bar and the legend grow with the picture (a 1,280 px slide gets
    // twice the 640 px one's), so that labels stay readable at any --scale.
    let grow = (width as f32 / 640.0).max(1.0);
    let fs = |px: u32| (px as f32 * grow).round() as u32;
    let (header, footer) = (fs(HEADER), fs(FOOTER));
    let height = header + mh + footer;
    let mut img = MapImage::new(width, height);
    img.rgb.fill(243);
    let left = (width - mw) / 2;
    // The terrain (towns are drawn as markers, not as the terrain picture's squares).
    match scene.terrain {
        Some(grid) => {
            let t = terrain_image(grid, std::iter::empty(), scale);
            for row in 0..t.height.min(mh) {
                let src = (row * t.width * 3) as usize;
                let dst = (((header + row) * width + left) * 3) as usize;
                let n = (t.width.min(mw) * 3) as usize;
                img.rgb[dst..dst + n].copy_from_slice(&t.rgb[src..src + n]);
            }
        }
        None => {
            for row in 0..mh {
                let dst = (((header + row) * width + left) * 3) as usize;
                img.rgb[dst..dst + (mw * 3) as usize].fill(250);
            }
        }
    }
    {
        let area = BitMapBackend::with_buffer(&mut img.rgb, (width, height)).into_drawing_area();
        let tile = scale as f32;
        let at = |x: f32, y: f32| {
            (
                left as i32 + (x * tile).round() as i32,
                header as i32 + (y * tile).round() as i32,
            )
        };
        let _ = area.draw(&Rectangle::new(
            [
                (left as i32, header as i32),
                (left as i32 + mw as i32, header as i32 + mh as i32),
            ],
            ShapeStyle::from(&RGBColor(90, 90, 90)).stroke_width(1),
        ));
        // Towns under everything that moves through them.
        for pass in [true, false] {
            for m in scene.markers {
                if (m.kind == MarkerKind::Settlement) == pass {
                    draw_marker(&area, m.kind, at(m.x, m.y), m.size, m.value, tile);
                }
            }
        }
        for &(x, y) in scene.flashes {
            let r = (tile * 1.5).max(7.0) as i32;
            let ring = ShapeStyle::from(&RGBColor(255, 120, 0)).stroke_width(3);
            let _ = area.draw(&Circle::new(at(x, y), r, ring));
        }
        let names = if scene.towns.len() <= 16 { 16 } else { 12 };
        let mut placed: Vec<[i32; 4]> = Vec::new();
        for t in scene.towns.iter().take(names) {
            let (px, py) = at(t.x, t.y);
            let off = town_radius(t.population as f32, tile) + 4;
            // Right of the town, unless that runs off the map.
            let w = area
                .estimate_text_size(
                    &t.name,
                    &TextStyle::from(("sans-serif", fs(14)).into_font()),
                )
                .map_or(0, |(w, _)| w as i32);
            let (x, h, x0) = if px + off + w > (left + mw) as i32 {
                (px - off, HPos::Right, px - off - w)
            } else {
                (px + off, HPos::Left, px + off)
            };
            // Larger towns come first and keep their label; an overlapping one is left out.
            let half = fs(8) as i32;
            let b = [x0, py - half, x0 + w, py + half];
            if placed
                .iter()
                .any(|p| b[0] < p[2] && p[0] < b[2] && b[1] < p[3] && p[1] < b[3])
            {
                continue;
            }
            placed.push(b);
            halo_text(&area, &t.name, (x, py), fs(14), Pos::new(h, VPos::Center));
        }
        // Title bar.
        let _ = area.draw(&Rectangle::new(
            [(0, 0), (width as i32, header as i32)],
            RGBColor(45, 42, 38).filled(),
        ));
        let white = |size: u32, pos: Pos| {
            ("sans-serif", size)
                .into_font()
                .color(&RGBColor(243, 241, 236))
                .pos(pos)
        };
        let mid = header as i32 / 2;
        let _ = area.draw_text(
            scene.title,
            &white(fs(17), Pos::new(HPos::Left, VPos::Center)),
            (10, mid),
        );
        let _ = area.draw_text(
            scene.when,
            &white(fs(17), Pos::new(HPos::Right, VPos::Center)),
            (width as i32 - 10, mid),
        );
        // Scale bar, bottom right of the map.
        if let Some(km) = scene.tile_km.filter(|k| *k > 0.0) {
            let want = 100.0 * km / f64::from(scale);
            let nice = [
                1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0,
            ]
            .into_iter()
            .find(|n| *n >= want * 0.6)
            .unwrap_or(1000.0);
            let len = (nice / km * f64::from(scale)).round() as i32;
            let x1 = (left + mw) as i32 - 12;
            let y = (header + mh) as i32 - 10;
            let _ = area.draw(&Rectangle::new(
                [(x1 - len - 8, y - 22), (x1 + 8, y + 6)],
                RGBColor(255, 255, 255).mix(0.8).filled(),
            ));
            let _ = area.draw(&PathElement::new(
                vec![(x1 - len, y - 5), (x1 - len, y), (x1, y), (x1, y - 5)],
                ShapeStyle::from(&RGBColor(30, 30, 30)).stroke_width(2),
            ));
            let _ = area.draw_text(
                &format!("{nice} km"),
                &("sans-serif", fs(12))
                    .into_font()
                    .color(&RGBColor(30, 30, 30))
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
                (x1 - len / 2, y - 6),
            );
        }
        // Legend: the kinds on this map, and the engagement ring.
        let mut kinds: Vec<MarkerKind> = Vec::new();
        for m in scene.markers {
            if !kinds.contains(&m.kind) {
                kinds.push(m.kind);
            }
        }
        let mut x = 10;
        let mut y = (header + mh) as i32 + fs(18) as i32;
        let small = ("sans-serif", fs(12))
            .into_font()
            .color(&RGBColor(40, 40, 40))
            .pos(Pos::new(HPos::Left, VPos::Center));
        let mut entries: Vec<(Option<MarkerKind>, &str)> =
            kinds.iter().map(|k| (Some(*k), label(*k))).collect();
        if scene.terrain.is_some() {
            entries.push((None, "engagement (last day)"));
        }
        for (kind, text) in entries {
            let w = fs(24) as i32 + (7.0 * grow) as i32 * text.len() as i32;
            if x + w > width as i32 - 6 {
                x = 10;
                y += fs(22) as i32;
            }
            match kind {
                Some(k) => {
                    let size = if k == MarkerKind::Settlement {
                        1e5
                    } else {
                        25.0
                    };
                    draw_marker(&area, k, (x + fs(7) as i32, y), size, 0.8, 5.0 * grow)
                }
                None => {
                    let ring = ShapeStyle::from(&RGBColor(255, 120, 0)).stroke_width(2);
                    let _ = area.draw(&Circle::new((x + fs(7) as i32, y), fs(6) as i32, ring));
                }
            }
            let _ = area.draw_text(text, &small, (x + fs(18) as i32, y));
            x += w;
        }
        let _ = area.present();
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(kind: MarkerKind, x: f32, y: f32) -> Marker {
        Marker {
            kind,
            x,
            y,
            size: 25.0,
            value: f32::NAN,
        }
    }

    fn pixel(img: &MapImage, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * img.width + x) * 3) as usize;
        [img.rgb[i], img.rgb[i + 1], img.rgb[i + 2]]
    }

    #[test]
    fn markers_land_where_they_are() {
        let markers = [
            marker(MarkerKind::Cell, 10.5, 10.5),
            marker(MarkerKind::ArmyUnit, 30.5, 20.5),
        ];
        let scene = Scene {
            terrain: None,
            extent: (40, 40),
            markers: &markers,
            flashes: &[],
            towns: &[],
            title: "test",
            when: "day 1",
            tile_km: None,
        };
        let scale = 10;
        let img = snapshot(&scene, scale);
        let left = (img.width - 40 * scale) / 2;
        let centre = |x: f32, y: f32| {
            (
                left + (x * scale as f32) as u32,
                HEADER + (y * scale as f32) as u32,
            )
        };
        let (cx, cy) = centre(10.5, 10.5);
        assert_eq!(pixel(&img, cx, cy), [192, 57, 43], "a red cell");
        let (ax, ay) = centre(30.5, 20.5);
        assert_eq!(pixel(&img, ax, ay), [46, 134, 193], "a blue army unit");
        let (ex, ey) = centre(20.5, 35.5);
        assert_eq!(pixel(&img, ex, ey), [250, 250, 250], "empty ground");
    }

    #[test]
    fn the_ramp_runs_red_to_green() {
        assert_eq!(ramp(0.0), RGBColor(215, 48, 39));
        assert_eq!(ramp(1.0), RGBColor(26, 152, 80));
        assert_eq!(ramp(7.0), ramp(1.0));
    }
}
