//! Pictures of the world: the terrain map as an RGB raster, written as PPM or PNG.

pub mod map;

pub use map::{MapImage, encode_png, terrain_image, write_image};
