//! Pictures of the world: the terrain map as an RGB raster (PPM or PNG), map snapshots
//! with the run's markers, time-series charts (PNG and SVG) and an animated GIF of a run.

pub mod chart;
pub mod figures;
pub mod map;
pub mod render;
pub mod snapshot;

pub use map::{MapImage, encode_png, terrain_image, write_image};
pub use render::{RenderOptions, Rendered, render};
