// Counter-based RNG, bit-identical to src/training/rng.ts: a value is a pure function of
// (key, stream, counter), so any thread can draw its own numbers without shared state.
// Mixing: the "lowbias32" integer hash (two multiply-xorshift rounds), chained over the inputs.

fn rng_mix(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

fn rng_u32(key: u32, stream: u32, counter: u32) -> u32 {
  return rng_mix(key ^ rng_mix(stream ^ rng_mix(counter ^ 0x9e3779b9u)));
}

// Uniform in [0, 1) with 24 random bits (exactly representable in f32).
fn rng_uniform(key: u32, stream: u32, counter: u32) -> f32 {
  return f32(rng_u32(key, stream, counter) >> 8u) * (1.0 / 16777216.0);
}

// A sub-key from a key and an index (deriveKey in rng.ts): one per dropout site, say.
fn rng_derive(key: u32, index: u32) -> u32 {
  return rng_mix(key ^ rng_mix(index + 0x6a09e667u));
}
