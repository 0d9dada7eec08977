// Magnitude pruning of R runs' weight matrices (src/training/prune.ts says which and when). Every
// element-wise pass runs on dispatch (G, M, R): workgroup g of matrix m of run r strides over that
// matrix. Masks are f32 0 / 1, [R][Pw] with the matrices in layout order.
//   mask_grads:  the run's gradients of pruned weights set to 0 (end of backward), as torch's
//                reparametrisation gives them, so norms, clipping and optimizer state see 0.
//   apply_masks: after the update, weights times their mask; counts every run's zero weights.
// Selection, only at steps where a run's masks change (PRUNE_SELECT): the k smallest |w| of each
// matrix, ties to the lower index, by a radix select on the 64-bit key (bits of |w * old mask|,
// index in the matrix), most significant byte first, 8 passes of
//   select_histogram (G, M, R): a 256-bin histogram of the next key byte among the elements that
//                               share the key prefix chosen so far;
//   select_choose (1, M, R):    the bin holding the rank-th smallest key; appends it to the prefix,
//                               takes the bins below from the rank, and clears the histogram;
// then select_write (G, M, R): mask = key > the k-th smallest key (all 1 when k = 0), and the
// weights multiplied by the old and the new mask. Integer counts make every pass deterministic.

const WG: u32 = 256u;
const BINS: u32 = 256u;
const PRUNE_ON: u32 = 1u;
const PRUNE_SELECT: u32 = 2u;

struct Prune {
  p_run: u32,       // P: floats per run in params and grads
  m_run: u32,       // Pw: floats per run in masks
  matrices: u32,    // M
  groups: u32,      // G: workgroups per matrix in the element-wise passes
  digit: u32,       // radix pass 0..7: bytes 3..0 of the |w| bits, then bytes 3..0 of the index
  table_off: u32,   // in `control`: [M][4] (offset in a run's params, length, offset in a run's mask, 0)
  select_off: u32,  // in `control`: [R][M][4] (key high word, key low word, rank left, k); the CPU writes (0, 0, k, k)
  hist_off: u32,    // in `counts`: [R][M][BINS]
  zeros_off: u32,   // in `counts`: [R] zero weights after the step
}

@group(0) @binding(0) var<uniform> u: Prune;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;          // [R][P]
@group(0) @binding(2) var<storage, read_write> grads: array<f32>;           // [R][P]
@group(0) @binding(3) var<storage, read_write> masks: array<f32>;           // [R][Pw]
@group(0) @binding(4) var<storage, read_write> control: array<u32>;
@group(0) @binding(5) var<storage, read_write> counts: array<atomic<u32>>;

var<workgroup> local_bins: array<atomic<u32>, BINS>;
var<workgroup> local_zeros: atomic<u32>;

// (offset in a run's params, length, offset in a run's mask) of matrix m.
fn matrix(m: u32) -> vec3<u32> {
  let at = u.table_off + 4u * m;
  return vec3<u32>(control[at], control[at + 1u], control[at + 2u]);
}

fn select_at(r: u32, m: u32) -> u32 {
  return u.select_off + 4u * (r * u.matrices + m);
}

@compute @workgroup_size(WG, 1, 1)
fn mask_grads(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.z;
  if ((run_table[r].prune_flags & PRUNE_ON) == 0u) {
    return;
  }
  let mat = matrix(wg.y);
  for (var i = wg.x * WG + lid; i < mat.y; i += u.groups * WG) {
    let p = r * u.p_run + mat.x + i;
    grads[p] = grads[p] * masks[r * u.m_run + mat.z + i];
  }
}

@compute @workgroup_size(WG, 1, 1)
fn apply_masks(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.z;
  let on = (run_table[r].prune_flags & PRUNE_ON) != 0u;
  let mat = matrix(wg.y);
  if (lid == 0u) {
    atomicStore(&local_zeros, 0u);
  }
  workgroupBarrier();
  var zeros = 0u;
  for (var i = wg.x * WG + lid; i < mat.y; i += u.groups * WG) {
    let p = r * u.p_run + mat.x + i;
    var w = params[p];
    if (on) {
      w = w * masks[r * u.m_run + mat.z + i];
      params[p] = w;
    }
    zeros += select(0u, 1u, w == 0.0);
  }
  atomicAdd(&local_zeros, zeros);
  workgroupBarrier();
  if (lid == 0u) {
    atomicAdd(&counts[u.zeros_off + r], atomicLoad(&local_zeros));
  }
}

// The key's byte that pass `digit` sorts on, and whether the bytes before it match the prefix.
fn key_digit(hi: u32, lo: u32, prefix_hi: u32, prefix_lo: u32) -> vec2<u32> {
  let d = u.digit;
  if (d < 4u) {
    let shift = 24u - 8u * d;
    let same = d == 0u || (hi >> (shift + 8u)) == (prefix_hi >> (shift + 8u));
    return vec2<u32>((hi >> shift) & 0xffu, select(0u, 1u, same));
  }
  let shift = 24u - 8u * (d - 4u);
  let same = hi == prefix_hi && (d == 4u || (lo >> (shift + 8u)) == (prefix_lo >> (shift + 8u)));
  return vec2<u32>((lo >> shift) & 0xffu, select(0u, 1u, same));
}

@compute @workgroup_size(WG, 1, 1)
fn select_histogram(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.z;
  let m = wg.y;
  let s = select_at(r, m);
  // No early return: the barriers below must be reached by every thread.
  let selecting = (run_table[r].prune_flags & PRUNE_SELECT) != 0u && control[s + 3u] > 0u;
  atomicStore(&local_bins[lid], 0u);
  workgroupBarrier();
  if (selecting) {
    let mat = matrix(m);
    let prefix_hi = control[s];
    let prefix_lo = control[s + 1u];
    for (var i = wg.x * WG + lid; i < mat.y; i += u.groups * WG) {
      let w = params[r * u.p_run + mat.x + i] * masks[r * u.m_run + mat.z + i];
      let key = key_digit(bitcast<u32>(abs(w)), i, prefix_hi, prefix_lo);
      if (key.y == 1u) {
        atomicAdd(&local_bins[key.x], 1u);
      }
    }
  }
  workgroupBarrier();
  let n = atomicLoad(&local_bins[lid]);
  if (selecting && n > 0u) {
    atomicAdd(&counts[u.hist_off + (r * u.matrices + m) * BINS + lid], n);
  }
}

@compute @workgroup_size(1, 1, 1)
fn select_choose(@builtin(workgroup_id) wg: vec3<u32>) {
  let r = wg.z;
  let m = wg.y;
  let s = select_at(r, m);
  if ((run_table[r].prune_flags & PRUNE_SELECT) == 0u || control[s + 3u] == 0u) {
    return;
  }
  let bins = u.hist_off + (r * u.matrices + m) * BINS;
  var rank = control[s + 2u];
  var chosen = BINS;
  for (var b = 0u; b < BINS; b++) {
    let n = atomicLoad(&counts[bins + b]);
    atomicStore(&counts[bins + b], 0u);
    if (chosen == BINS) {
      if (rank <= n) {
        chosen = b;
      } else {
        rank -= n;
      }
    }
  }
  let d = u.digit;
  if (d < 4u) {
    control[s] = control[s] | (chosen << (24u - 8u * d));
  } else {
    control[s + 1u] = control[s + 1u] | (chosen << (24u - 8u * (d - 4u)));
  }
  control[s + 2u] = rank;
}

@compute @workgroup_size(WG, 1, 1)
fn select_write(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.z;
  let m = wg.y;
  if ((run_table[r].prune_flags & PRUNE_SELECT) == 0u) {
    return;
  }
  let s = select_at(r, m);
  let k = control[s + 3u];
  let kth_hi = control[s];
  let kth_lo = control[s + 1u];
  let mat = matrix(m);
  for (var i = wg.x * WG + lid; i < mat.y; i += u.groups * WG) {
    let p = r * u.p_run + mat.x + i;
    let at = r * u.m_run + mat.z + i;
    let w = params[p] * masks[at];
    let hi = bitcast<u32>(abs(w));
    let pruned = k > 0u && (hi < kth_hi || (hi == kth_hi && i <= kth_lo));
    let keep = select(1.0, 0.0, pruned);
    masks[at] = keep;
    params[p] = w * keep;
  }
}
