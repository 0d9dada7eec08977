// Gradient L2 norms per run, first stage: partial sums of squares and largest magnitudes, in a
// fixed order, so the same gradients always give the same bits:
//   norm_partials: dispatch (G, S, R); workgroup g of segment s sums the squares of a strided chunk
//                  of that segment into partials[r][s][g], and takes its largest |g| into maxes[r][s][g].
// The update kernel (optimizer.wgsl) adds the G partials of each segment up itself, in order, and
// writes norms[r] = [sqrt(total), sqrt(segment 0), ..., sqrt(segment S - 1), clipped]: the norms
// need no dispatch of their own. Not the clipping either: the update does that too.

const MAX_SEGMENTS: u32 = 28u;
const WG: u32 = 256u;

struct NormPass {
  p_run: u32,     // floats per run in grads: [R][P]
  segments: u32,  // S <= MAX_SEGMENTS
  groups: u32,    // G: workgroups per segment in norm_partials, S * G <= MAX_PARTIALS (update-stage.ts)
  part_off: u32,  // sums of squares in `control`: [R][S][G]
  max_off: u32,   // largest |g| in `control`: [R][S][G]
  norm_off: u32,  // norms in `control`: [R][2 + S] (written by optimizer.wgsl)
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
