//! The terrain map: one pixel block per tile, coloured by terrain, with rivers, roads,
//! borders and towns drawn over it, so that a person can check a scenario's map.

use asymwar_model::settlement::Settlement;
use asymwar_model::terrain::{Crossing, RoadClass, Terrain, TerrainGrid};
use std::io::Write;
use std::path::Path;

/// An RGB raster, row-major, 3 bytes a pixel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapImage {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl MapImage {
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            rgb: vec![0; (width * height * 3) as usize],
        }
    }

    pub fn put(&mut self, x: u32, y: u32, c: [u8; 3]) {
        if x < self.width && y < self.height {
            let i = ((y * self.width + x) * 3) as usize;
            self.rgb[i..i + 3].copy_from_slice(&c);
        }
    }

    pub fn fill_block(&mut self, x: u32, y: u32, size: u32, c: [u8; 3]) {
        for dy in 0..size {
            for dx in 0..size {
                self.put(x * size + dx, y * size + dy, c);
            }
        }
    }
}

/// Colours of the terrain classes (a conventional atlas palette).
pub fn terrain_colour(t: Terrain) -> [u8; 3] {
    match t {
        Terrain::Desert => [238, 214, 160],
        Terrain::SahelSteppe => [214, 200, 130],
        Terrain::Savanna => [170, 190, 100],
        Terrain::Forest => [60, 125, 60],
        Terrain::Wetland => [120, 180, 170],
        Terrain::River => [50, 110, 200],
        Terrain::Hills => [165, 130, 95],
        Terrain::Urban => [150, 150, 150],
    }
}

/// Draws the terrain grid at `scale` pixels per tile, with the settlements given.
pub fn terrain_image<'a>(
    grid: &TerrainGrid,
    settlements: impl IntoIterator<Item = &'a Settlement>,
    scale: u32,
) -> MapImage {
    let scale = scale.max(1);
    let (w, h) = (u32::from(grid.width), u32::from(grid.height));
    let mut img = MapImage::new(w * scale, h * scale);
    for i in 0..grid.len() {
        let t = grid.tile(i);
        let (x, y) = (u32::from(t.x), u32::from(t.y));
        let mut c = terrain_colour(grid.terrain[i]);
        // Foreign tiles are washed out so the home country stands out.
        if grid.country[i] != 0 {
            c = c.map(|v| ((u16::from(v) + 2 * 235) / 3) as u8);
        }
        match (grid.road[i], grid.crossing[i]) {
            (_, Crossing::Bridge) => c = [20, 20, 20],
            (RoadClass::Paved, _) => c = [60, 60, 60],
            (RoadClass::Track, _) => c = [140, 90, 50],
            (RoadClass::None, Crossing::Ford) => c = [120, 170, 230],
            _ => {}
        }
        img.fill_block(x, y, scale, c);
        // Border: darken a tile's edge where the country changes.
        if scale >= 3 {
            let right = i % grid.width as usize + 1 < grid.width as usize
                && grid.country[i + 1] != grid.country[i];
            let below = i + (grid.width as usize) < grid.len()
                && grid.country[i + grid.width as usize] != grid.country[i];
            for k in 0..scale {
                if right {
                    img.put(x * scale + scale - 1, y * scale + k, [90, 40, 90]);
                }
                if below {
                    img.put(x * scale + k, y * scale + scale - 1, [90, 40, 90]);
                }
            }
        }
    }
    for s in settlements {
        // A square sized by population: villages 1 tile, Bamako 3.
        let r = if s.population >= 1_000_000 { 1 } else { 0 };
        for dy in -r..=r {
            for dx in -r..=r {
                let (x, y) = (i32::from(s.tile.x) + dx, i32::from(s.tile.y) + dy);
                if x >= 0 && y >= 0 {
                    img.fill_block(x as u32, y as u32, scale, [200, 30, 30]);
                }
            }
        }
    }
    img
}

/// Errors writing a picture.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: PNG encoding failed: {source}")]
    Png {
        file: String,
        source: png::EncodingError,
    },
    #[error("{file}: unknown picture format: use a .png or .ppm file name")]
    Format { file: String },
}

/// The image as PNG bytes.
pub fn encode_png(img: &MapImage) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, img.width, img.height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header()?;
    w.write_image_data(&img.rgb)?;
    w.finish()?;
    Ok(bytes)
}

/// Writes the image as PNG or binary PPM, by the file's extension. The file appears whole
/// or not at all (written to a temporary name, then renamed).
pub fn write_image(img: &MapImage, path: &Path) -> Result<(), ImageError> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mut bytes = Vec::new();
    match ext.as_deref() {
        Some("ppm") => {
            write!(bytes, "P6\n{} {}\n255\n", img.width, img.height).expect("writing to memory");
            bytes.extend_from_slice(&img.rgb);
        }
        Some("png") => {
            bytes = encode_png(img).map_err(|source| ImageError::Png {
                file: file.clone(),
                source,
            })?;
        }
        _ => return Err(ImageError::Format { file }),
    }
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, &bytes).map_err(|source| ImageError::Io {
        file: file.clone(),
        source,
    })?;
    std::fs::rename(&tmp, path).map_err(|source| ImageError::Io { file, source })
}
