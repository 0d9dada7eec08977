// The sum of v over a workgroup of 64 threads, each thread passing its own v and its local index
// (called in uniform control flow: every thread of the workgroup reaches every barrier). The layer
// norm kernels (norm.wgsl, lstm.wgsl's cell-state norm) reduce a batch row's statistics with it.
var<workgroup> red: array<f32, 64>;

fn row_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var k = 32u; k > 0u; k >>= 1u) {
    if (lid < k) {
      red[lid] += red[lid + k];
    }
    workgroupBarrier();
  }
  let s = red[0];
  workgroupBarrier();
  return s;
}
