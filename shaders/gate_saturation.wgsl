// Gate saturation (diagnostics): for run r, direction d and sigmoid gate k, how many of the gate's
// activations over the window's timesteps, batch rows and units are below 0.05 and above 0.95,
// as fractions. It reads what the forward saved for backward (saved [R][L][T][B][S*H], the gate's
// block at slot `slot_k` of each row). Counts are integers reduced in a fixed tree, so the result
// never depends on scheduling. One workgroup per (k, d, r). Dispatch: (gates, L, R).

struct GateSaturation {
  count: u32,    // T * B * H activations per (r, d, k)
  H: u32,
  row: u32,      // S * H: floats per (t, b) row of saved
  dirs: u32,     // L, every direction
  gates: u32,    // gates reported (at most 4)
  s_off: u32,    // saved [R][L][T][B][S*H] in acts
  s_dir: u32,    // T * B * S * H: one direction's saved floats
  out_off: u32,  // fractions [R][L][gates][2] (below, above) in out
  slot0: u32,    // the saved slot of each reported gate
  slot1: u32,
  slot2: u32,
  slot3: u32,
}

const WG: u32 = 64u;
const LOW: f32 = 0.05;
const HIGH: f32 = 0.95;

@group(0) @binding(0) var<uniform> u: GateSaturation;
@group(0) @binding(1) var<storage, read> acts: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> below: array<u32, WG>;
var<workgroup> above: array<u32, WG>;

fn slot_of(k: u32) -> u32 {
  switch k {
    case 0u: { return u.slot0; }
    case 1u: { return u.slot1; }
    case 2u: { return u.slot2; }
    default: { return u.slot3; }
  }
}

@compute @workgroup_size(64, 1, 1)
fn gate_saturation(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let k = wg.x;
  let base = u.s_off + (wg.z * u.dirs + wg.y) * u.s_dir + slot_of(k) * u.H;
  var lo = 0u;
  var hi = 0u;
  for (var i = lid.x; i < u.count; i += WG) {
    let v = acts[base + (i / u.H) * u.row + i % u.H];
    lo += select(0u, 1u, v < LOW);
    hi += select(0u, 1u, v > HIGH);
  }
  below[lid.x] = lo;
  above[lid.x] = hi;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) {
      below[lid.x] += below[lid.x + s];
      above[lid.x] += above[lid.x + s];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let at = u.out_off + ((wg.z * u.dirs + wg.y) * u.gates + k) * 2u;
    out[at] = f32(below[0]) / f32(u.count);
    out[at + 1u] = f32(above[0]) / f32(u.count);
  }
}
