// Dropout factors drawn from the counter RNG (needs lib/rng.wgsl first), bit for bit as
// src/training/dropout.ts draws them: element `counter` of site `site` under the run's step key
// is kept when its 24 random bits are at least `threshold` (ceil(p * 2^24)), and then scaled.

const STREAM_DROPOUT: u32 = 3u;

fn dropout_factor(key: u32, site: u32, counter: u32, threshold: u32, scale: f32) -> f32 {
  let bits = rng_u32(rng_derive(key, site), STREAM_DROPOUT, counter) >> 8u;
  return select(0.0, scale, bits >= threshold);
}
