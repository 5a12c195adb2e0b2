//! Pictures of the world: the terrain map as an RGB raster, written as PPM or PNG.

pub mod map;

pub use map::{MapImage, terrain_image, write_image};
