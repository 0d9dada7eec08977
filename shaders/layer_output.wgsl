// What a layer hands on, when it is more than its h (src/model/rnn-gpu.ts): its directions' h side
// by side, plus its input for a residual layer, times the layer's dropout mask in a training pass:
//   forward:  z[t][b][col] = (h_d[t][b][j] + (residual ? input[t][b][col] : 0)) * m[t][b][col]
//   backward: g = dz * m (in place, into each direction's dy, where the head or the layer above
//             left dL/dz); a residual layer also starts its input's gradient with g.
// col = d * H + j; direction 1 of a layer is the reverse one, whose h_t sits in slot t (the
// forward's in slot t + 1). The mask is drawn, never stored (lib/dropout.wgsl; site = the layer).
// The *_dropout entry points apply it and read the per-run table; the others never touch it, so a
// network without dropout binds no table. Dispatch: (ceil(B * D / 64), T, R). Needs lib/rng,
// lib/dropout and lib/run before it.

struct LayerOut {
  B: u32,
  H: u32,
  D: u32,            // the layer's output width: H per direction
  flags: u32,        // RESIDUAL
  site: u32,         // dropout site of this layer's output
  h_off: u32,        // forward: h of the layer's first direction, [R][..][T+1][B][H]
  h_run: u32,
  dir_stride: u32,   // forward: floats from one direction's h to the next one's
  u_off: u32,        // forward, residual: the layer's input [T][B][D] (run stride u_run, 0 when shared)
  u_run: u32,
  z_off: u32,        // forward: the layer's output [R][T][B][D]
  z_run: u32,
  dy_off: u32,       // backward: dL/dz, then dL/dy, of each direction [R][..][T][B][H]
  dy_run: u32,
  dy_dir: u32,       // backward: floats from one direction's dy to the next one's
  du_off: u32,       // backward, residual: where the input's gradient starts, direction d's
  du_run: u32,       // columns at du_off + d * du_dir, rows du_rs apart
  du_dir: u32,
  du_rs: u32,
}

const RESIDUAL: u32 = 1u;

@group(0) @binding(0) var<uniform> u: LayerOut;
@group(0) @binding(1) var<storage, read_write> acts: array<f32>;   // forward: h, the input, z
@group(0) @binding(2) var<storage, read_write> grads: array<f32>;  // backward: dy and the input's gradient

// Thread i of row (t, r): batch row b, output column col, direction d, unit j.
struct Cell {
  t: u32,
  r: u32,
  b: u32,
  col: u32,
  d: u32,
  j: u32,
  row: u32,   // (t * B + b) * D + col: the element's index in a [T][B][D] array
}

fn cell_of(gid: vec3<u32>) -> Cell {
  let i = gid.x;
  let col = i % u.D;
  return Cell(gid.y, gid.z, i / u.D, col, col / u.H, col % u.H, gid.y * u.B * u.D + i);
}

// h of the cell's direction at its timestep, plus the input when residual.
fn formed(c: Cell) -> f32 {
  let slot = c.t + 1u - c.d;
  var y = acts[u.h_off + c.r * u.h_run + c.d * u.dir_stride + (slot * u.B + c.b) * u.H + c.j];
  if ((u.flags & RESIDUAL) != 0u) {
    y += acts[u.u_off + c.r * u.u_run + c.row];
  }
  return y;
}

fn dy_at(c: Cell) -> u32 {
  return u.dy_off + c.r * u.dy_run + c.d * u.dy_dir + (c.t * u.B + c.b) * u.H + c.j;
}

fn start_input_gradient(c: Cell, g: f32) {
  if ((u.flags & RESIDUAL) != 0u) {
    grads[u.du_off + c.r * u.du_run + c.d * u.du_dir + (c.t * u.B + c.b) * u.du_rs + c.j] = g;
  }
}

fn mask(c: Cell) -> f32 {
  let run = run_table[c.r];
  return dropout_factor(run.dropout_key, u.site, c.row, run.dropout_threshold, run.dropout_scale);
}

@compute @workgroup_size(64, 1, 1)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= u.B * u.D) {
    return;
  }
  let c = cell_of(gid);
  acts[u.z_off + c.r * u.z_run + c.row] = formed(c);
}

@compute @workgroup_size(64, 1, 1)
fn forward_dropout(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= u.B * u.D) {
    return;
  }
  let c = cell_of(gid);
  acts[u.z_off + c.r * u.z_run + c.row] = formed(c) * mask(c);
}

@compute @workgroup_size(64, 1, 1)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= u.B * u.D) {
    return;
  }
  let c = cell_of(gid);
  start_input_gradient(c, grads[dy_at(c)]);
}

@compute @workgroup_size(64, 1, 1)
fn backward_dropout(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= u.B * u.D) {
    return;
  }
  let c = cell_of(gid);
  let at = dy_at(c);
  let g = grads[at] * mask(c);
  grads[at] = g;
  start_input_gradient(c, g);
}
