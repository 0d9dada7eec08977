// Fills out[i] with rng_u32(key, stream, i) and out[n + i] with rng_uniform's bits: used to
// check the WGSL generator against the TypeScript one.

struct Fill {
  key: u32,
  stream: u32,
  n: u32,
}

@group(0) @binding(0) var<uniform> u: Fill;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(64, 1, 1)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= u.n) {
    return;
  }
  out[i] = rng_u32(u.key, u.stream, i);
  out[u.n + i] = bitcast<u32>(rng_uniform(u.key, u.stream, i));
}
