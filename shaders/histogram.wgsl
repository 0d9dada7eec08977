// Weight and gradient histograms (diagnostics): for one parameter tensor of every run, its largest
// |value| m and how many of its values fall in each of BINS equal bins over [-m, m] (a value
// exactly at m goes in the last bin; a tensor of zeros puts every value in bin BINS / 2).
// Workgroup x = 0 reads the weights, x = 1 the gradients (as backward left them, before clipping).
// Counts are integer atomics and the maximum is order-free, so the result never depends on
// scheduling. Dispatch per tensor: (2, 1, R).

struct Histogram {
  size: u32,     // floats in the tensor
  p_run: u32,    // floats per run of params and grads
  off: u32,      // the tensor's offset in a run's vector
  out_off: u32,  // this tensor's [2][1 + BINS] block in out, run 0
  out_run: u32,  // floats per run of out
}

const WG: u32 = 64u;
const BINS: u32 = 32u;

@group(0) @binding(0) var<uniform> u: Histogram;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> largest: array<f32, WG>;
var<workgroup> counts: array<atomic<u32>, BINS>;

fn value_at(kind: u32, i: u32) -> f32 {
  if (kind == 0u) {
    return params[i];
  }
  return grads[i];
}

/** The bin of v for largest |value| m (also in src/reference/histogram.ts). */
fn bin_of(v: f32, m: f32) -> u32 {
  if (!(m > 0.0)) {
    return BINS / 2u;
  }
  let t = floor((v + m) * (f32(BINS) / (2.0 * m)));
  return u32(clamp(select(t, f32(BINS / 2u), t != t), 0.0, f32(BINS - 1u)));
}

@compute @workgroup_size(64, 1, 1)
fn histogram(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let kind = wg.x;
  let base = u.off + wg.z * u.p_run;
  var m = 0.0;
  for (var i = lid; i < u.size; i += WG) {
    m = max(m, abs(value_at(kind, base + i)));
  }
  largest[lid] = m;
  if (lid < BINS) {
    atomicStore(&counts[lid], 0u);
  }
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      largest[lid] = max(largest[lid], largest[lid + k]);
    }
    workgroupBarrier();
  }
  let top = largest[0];
  for (var i = lid; i < u.size; i += WG) {
    atomicAdd(&counts[bin_of(value_at(kind, base + i), top)], 1u);
  }
  workgroupBarrier();
  let at = u.out_off + wg.z * u.out_run + kind * (1u + BINS);
  if (lid < BINS) {
    out[at + 1u + lid] = f32(atomicLoad(&counts[lid]));
  }
  if (lid == 0u) {
    out[at] = top;
  }
}
