// Gradient L2 norms per run, first stage: partial sums of squares and largest magnitudes, in a
// fixed order, so the same gradients always give the same bits:
//   norm_partials: dispatch (G, S, R); workgroup g of segment s sums the squares of a strided chunk
//                  of that segment into partials[r][s][g], and takes its largest |g| into maxes[r][s][g].
//   Deferred reductions: a block of grads that a split-K weight-gradient GEMM left as partials (its
//                  reduce dispatch not recorded, src/engine/gemm-defer.ts) is summed here, split by
//                  split with gemm_reduce's additions, written to grads and used as read.
// The update kernel (optimizer.wgsl) adds the G partials of each segment up itself, in order, and
// writes norms[r] = [sqrt(total), sqrt(segment 0), ..., sqrt(segment S - 1), clipped]: the norms
// need no dispatch of their own. Not the clipping either: the update does that too.

const MAX_SEGMENTS: u32 = 28u;
const WG: u32 = 64u;

struct NormPass {
  p_run: u32,     // floats per run in grads: [R][P]
  segments: u32,  // S <= MAX_SEGMENTS
  groups: u32,    // G: workgroups per segment in norm_partials, S * G <= MAX_PARTIALS (update-stage.ts)
  part_off: u32,  // sums of squares in `control`: [R][S][G]
  max_off: u32,   // largest |g| in `control`: [R][S][G]
  norm_off: u32,  // norms in `control`: [R][2 + S] (written by optimizer.wgsl)
  ranges: u32,    // deferred ranges in `deferred_ranges`, in ascending order of start
  _pad1: u32,
  seg: array<vec4<u32>, 14>, // (offset, length) of segments 2k and 2k + 1, in floats within a run
}

// Run r's grads[r * p_run + start + e], e < length, is the sum over s < splits, in that order, of
// partials[off + r * run + s * split + (e / width) * nc + column + e % width] (gemm-record.ts
// DeferredSum), where partials is deferred0 or deferred1 as `source` says (the network's, the head's).
struct DeferredRange {
  source: u32,
  start: u32,
  length: u32,
  off: u32,
  run: u32,
  split: u32,
  splits: u32,
  nc: u32,
  width: u32,
  column: u32,
}

@group(0) @binding(0) var<uniform> u: NormPass;
@group(0) @binding(1) var<storage, read_write> grads: array<f32>;    // [R][P]
@group(0) @binding(2) var<storage, read_write> control: array<f32>;  // partials and norms at their offsets
@group(0) @binding(3) var<storage, read> deferred_ranges: array<DeferredRange>;
@group(0) @binding(4) var<storage, read> deferred0: array<f32>;      // GEMMs' partials, by owner
@group(0) @binding(5) var<storage, read> deferred1: array<f32>;

var<workgroup> scratch: array<f32, WG>;
var<workgroup> peak: array<f32, WG>;

// (offset, length) of segment s.
fn segment(s: u32) -> vec2<u32> {
  let pair = u.seg[s / 2u];
  return select(pair.xy, pair.zw, (s & 1u) == 1u);
}

// Sums scratch[0..WG) into scratch[0] and takes the max of peak[0..WG) into peak[0], in a fixed
// order (thread 0 walks them in index order); every thread of the workgroup must call it. One
// barrier, not a tree of log2(WG): on a software adapter each barrier switches between every
// 4-lane slice of the workgroup, and that cost more than the norms themselves.
fn reduce_scratch(lid: u32) {
  workgroupBarrier();
  if (lid == 0u) {
    for (var i = 1u; i < WG; i++) {
      scratch[0] += scratch[i];
      peak[0] = max(peak[0], peak[i]);
    }
  }
}

fn partial(source: u32, i: u32) -> f32 {
  if (source == 0u) {
    return deferred0[i];
  }
  return deferred1[i];
}

// Element e of run r of a deferred range: gemm_reduce's sum (v = 0, then + each split in order).
fn deferred_sum(d: DeferredRange, r: u32, e: u32) -> f32 {
  let p0 = d.off + r * d.run + (e / d.width) * d.nc + d.column + e % d.width;
  var v = 0.0;
  for (var s = 0u; s < d.splits; s++) {
    v += partial(d.source, p0 + s * d.split);
  }
  return v;
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
  // The first range not wholly below the element: elements rise, so the range only moves forward.
  var k = 0u;
  for (var i = g * WG + lid; i < seg.y; i += u.groups * WG) {
    let at = seg.x + i;
    while (k < u.ranges && deferred_ranges[k].start + deferred_ranges[k].length <= at) {
      k++;
    }
    var x: f32;
    if (k < u.ranges && at >= deferred_ranges[k].start) {
      x = deferred_sum(deferred_ranges[k], r, at - deferred_ranges[k].start);
      grads[base + i] = x;
    } else {
      x = grads[base + i];
    }
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
