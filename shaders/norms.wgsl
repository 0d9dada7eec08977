// Gradient L2 norms per run: of each segment (a layer, the head) and of the whole vector, before
// clipping, and whether clipping will change the gradient. Two deterministic stages, so the same
// gradients always give the same bits:
//   norm_partials: dispatch (G, S, R); workgroup g of segment s sums the squares of a strided chunk
//                  of that segment into partials[r][s][g], and takes its largest |g| into maxes[r][s][g].
//   norm_finish:   dispatch (1, 1, R); reduces the G partials of each segment in a fixed tree and writes
//                  norms[r] = [sqrt(total), sqrt(segment 0), ..., sqrt(segment S - 1), clipped].
// clipped is 1.0 when clip_grad_norm_ scales (max_norm / (total + 1e-6) < 1) or clip_grad_value_
// clamps some element of the norm-clipped gradient, else 0.0. Not the clipping itself: the update
// kernel (optimizer.wgsl) reads these norms.

const MAX_SEGMENTS: u32 = 28u;
const WG: u32 = 256u;

// torch.nn.utils.clip_grad_norm_: coef = max_norm / (total_norm + 1e-6), clamped to 1.
const CLIP_NORM_EPS: f32 = 1e-6;

struct NormPass {
  p_run: u32,     // floats per run in grads: [R][P]
  segments: u32,  // S <= MAX_SEGMENTS
  groups: u32,    // G: workgroups per segment in norm_partials, <= WG
  part_off: u32,  // sums of squares in `control`: [R][S][G]
  max_off: u32,   // largest |g| in `control`: [R][S][G]
  norm_off: u32,  // norms in `control`: [R][2 + S]
  _pad0: u32,
  _pad1: u32,
  seg: array<vec4<u32>, 14>, // (offset, length) of segments 2k and 2k + 1, in floats within a run
}

@group(0) @binding(0) var<uniform> u: NormPass;
@group(0) @binding(1) var<storage, read> grads: array<f32>;          // [R][P]
@group(0) @binding(2) var<storage, read_write> control: array<f32>;  // partials and norms at their offsets

var<workgroup> scratch: array<f32, WG>;
var<workgroup> peak: array<f32, WG>;

// (offset, length) of segment s.
fn segment(s: u32) -> vec2<u32> {
  let pair = u.seg[s / 2u];
  return select(pair.xy, pair.zw, (s & 1u) == 1u);
}

// Sums scratch[0..WG) into scratch[0] and takes the max of peak[0..WG) into peak[0], in a fixed
// order; every thread of the workgroup must call it.
fn reduce_scratch(lid: u32) {
  for (var width = WG / 2u; width > 0u; width >>= 1u) {
    workgroupBarrier();
    if (lid < width) {
      scratch[lid] += scratch[lid + width];
      peak[lid] = max(peak[lid], peak[lid + width]);
    }
  }
  workgroupBarrier();
}

@compute @workgroup_size(WG, 1, 1)
fn norm_partials(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = wg.x;
  let s = wg.y;
  let r = wg.z;
  let seg = segment(s);
  let base = r * u.p_run + seg.x;
  var acc = 0.0;
  var top = 0.0;
  for (var i = g * WG + lid; i < seg.y; i += u.groups * WG) {
    let x = grads[base + i];
    acc += x * x;
    top = max(top, abs(x));
  }
  scratch[lid] = acc;
  peak[lid] = top;
  reduce_scratch(lid);
  if (lid == 0u) {
    let at = (r * u.segments + s) * u.groups + g;
    control[u.part_off + at] = scratch[0];
    control[u.max_off + at] = peak[0];
  }
}

@compute @workgroup_size(WG, 1, 1)
fn norm_finish(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.z;
  let out = u.norm_off + r * (2u + u.segments);
  var total = 0.0; // meaningful in thread 0 only
  var largest = 0.0;
  for (var s = 0u; s < u.segments; s++) {
    var x = 0.0;
    var m = 0.0;
    if (lid < u.groups) {
      let at = (r * u.segments + s) * u.groups + lid;
      x = control[u.part_off + at];
      m = control[u.max_off + at];
    }
    scratch[lid] = x;
    peak[lid] = m;
    reduce_scratch(lid);
    if (lid == 0u) {
      total += scratch[0];
      largest = max(largest, peak[0]);
      control[out + 1u + s] = sqrt(scratch[0]);
    }
  }
  if (lid == 0u) {
    let norm = sqrt(total);
    control[out] = norm;
    let h = run_table[r];
    var coef = 1.0;
    if (h.max_norm > 0.0) {
      coef = min(h.max_norm / (norm + CLIP_NORM_EPS), 1.0);
    }
    let clipped = coef < 1.0 || (h.clip_value > 0.0 && largest * coef > h.clip_value);
    control[out + 1u + u.segments] = select(0.0, 1.0, clipped);
  }
}
