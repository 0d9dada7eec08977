/**
 * The spectral norm of every direction's weight_hh (the whole [G*H, H] matrix, as
 * torch.linalg.matrix_norm(W, ord=2)) for a network's R runs, on the GPU by power iteration
 * (shaders/spectral_norm.wgsl): SPECTRAL_ITERS iterations per call, warm-started from the vector
 * the previous call left, so the estimate converges over diagnostic steps while each costs the
 * same; the first call after the vectors start afresh (a new group, a restart) does
 * SPECTRAL_FIRST_ITERS, so the first point is not a cold estimate. One dispatch per direction.
 */
import { Arena } from '../engine/arena';
import type { Engine } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import type { RnnGpu } from './rnn-gpu';

/** `struct Spectral` in shaders/spectral_norm.wgsl. */
export const SPECTRAL_RECORD = new RecordLayout([
  'rows', 'cols', 'iters', 'p_run', 'w_off', 'v_off', 'v_run', 'u_off', 'u_run', 'out_off', 'out_run',
]);

/** Power iterations per diagnostic step. */
export const SPECTRAL_ITERS = 10;
/** Power iterations at the first diagnostic step from the start vector. */
export const SPECTRAL_FIRST_ITERS = 50;

export class SpectralNormGpu {
  /** Floats per run of the output: one per direction. */
  readonly perRun: number;
  private readonly state: Arena;
  private program!: Program;
  /** Some run's vector is the start vector: the next call runs the longer list. */
  private fresh = true;

  private constructor(engine: Engine, readonly net: RnnGpu, label: string) {
    const { runs: R, hiddenSize: H } = net.shape;
    const L = net.plan.directions.length;
    this.perRun = L;
    this.state = new Arena(engine, `${label} spectral norm`, [
      { name: 'v', shape: [R, L, H] },
      { name: 'u', shape: [R, L, net.plan.gates * H] },
      { name: 'sigma', shape: [R, L] },
    ]);
  }

  static async create(engine: Engine, net: RnnGpu, label: string, iters = SPECTRAL_ITERS, firstIters = SPECTRAL_FIRST_ITERS): Promise<SpectralNormGpu> {
    const kernel = await engine.kernel({ label: 'spectral norm', file: 'spectral_norm.wgsl', entryPoint: 'spectral_norm' });
    const s = new SpectralNormGpu(engine, net, label);
    const { runs: R, hiddenSize: H } = net.shape;
    const L = net.plan.directions.length;
    const GH = net.plan.gates * H;
    const builder = new ProgramBuilder(engine, `${label} spectral norm`);
    for (const [list, n] of [['spectral', iters], ['spectral-first', firstIters]] as const) for (const dir of net.plan.directions) {
      const d = dir.index;
      builder.add(list, kernel, `${label} spectral norm l${dir.layer}${dir.direction === 'reverse' ? ' reverse' : ''}`, SPECTRAL_RECORD.pack({
        rows: GH, cols: H, iters: n, p_run: net.slot.runStride, w_off: net.paramOffset(dir, 'weight_hh'),
        v_off: s.state.view('v').offset + d * H, v_run: L * H,
        u_off: s.state.view('u').offset + d * GH, u_run: L * GH,
        out_off: s.state.view('sigma').offset + d, out_run: L,
      }), { 1: net.slot.params, 2: s.state.buffer }, [1, 1, R]);
    }
    s.program = builder.finish();
    return s;
  }

  encode(encoder: GPUCommandEncoder): void {
    this.program.encode(encoder, this.fresh ? 'spectral-first' : 'spectral');
    this.fresh = false;
  }

  /** Where the norms are: [R][perRun] floats of this buffer, from `offset` floats. */
  view(): { buffer: GPUBuffer; offset: number } {
    return { buffer: this.state.buffer, offset: this.state.view('sigma').offset };
  }

  /** The given runs start again from the fixed start vector at their next call. */
  restartRuns(runs: readonly number[]): void {
    const perRun = this.perRun * this.net.shape.hiddenSize;
    for (const r of runs) this.state.write('v', new Float32Array(perRun), r * perRun);
    if (runs.length > 0) this.fresh = true;
  }

  /** Every run's norms, [R][directions] (tests and tools). */
  async read(): Promise<number[][]> {
    const all = await this.state.read('sigma');
    return Array.from({ length: this.net.shape.runs }, (_, r) => Array.from(all.subarray(r * this.perRun, (r + 1) * this.perRun)));
  }

  destroy(): void {
    this.state.destroy();
    this.program?.destroy();
  }
}
