/**
 * Gate saturation on the GPU for a network's R runs (shaders/gate_saturation.wgsl): one dispatch
 * that reads the sigmoid gates the last training forward saved and leaves, per run, direction and
 * gate, the fractions below 0.05 and above 0.95 in its own arena. Only for cells whose registry
 * entry names saturating gates (LSTM i, f, o; GRU r, z). Encode it after a training forward and
 * before anything else runs the forward again (an evaluation pass overwrites the saved gates).
 */
import { Arena } from '../engine/arena';
import type { Engine } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import type { GateSaturation } from '../reference/gate-saturation';
import { CELLS } from './cells';
import type { RnnGpu } from './rnn-gpu';

/** `struct GateSaturation` in shaders/gate_saturation.wgsl. */
export const GATE_SATURATION_RECORD = new RecordLayout([
  'count', 'H', 'row', 'dirs', 'gates', 's_off', 's_dir', 'out_off', 'slot0', 'slot1', 'slot2', 'slot3',
]);

export class GateSaturationGpu {
  /** Gate names in the order of the output's gate axis. */
  readonly gates: readonly string[];
  /** Floats per run: [L][gates][2]. */
  readonly perRun: number;
  private readonly out: Arena;
  private program!: Program;

  private constructor(engine: Engine, readonly net: RnnGpu, label: string) {
    const saturating = CELLS[net.shape.cell].saturating ?? [];
    this.gates = saturating.map((g) => g.gate);
    this.perRun = net.plan.directions.length * this.gates.length * 2;
    this.out = new Arena(engine, `${label} gate saturation`, [{ name: 'fractions', shape: [net.shape.runs, this.perRun] }]);
  }

  /** Undefined for cells without sigmoid gates. */
  static async create(engine: Engine, net: RnnGpu, label: string): Promise<GateSaturationGpu | undefined> {
    const saturating = CELLS[net.shape.cell].saturating;
    if (!saturating || saturating.length === 0 || !net.acts.has('saved')) return undefined;
    const kernel = await engine.kernel({ label: 'gate saturation', file: 'gate_saturation.wgsl', entryPoint: 'gate_saturation' });
    const g = new GateSaturationGpu(engine, net, label);
    const { runs: R, seqLen: T, batch: B, hiddenSize: H } = net.shape;
    const S = CELLS[net.shape.cell].savedPerUnit;
    const L = net.plan.directions.length;
    const slots = [0, 1, 2, 3].map((k) => saturating[k]?.slot ?? 0);
    const builder = new ProgramBuilder(engine, `${label} gate saturation`);
    builder.add('saturation', kernel, `${label} gate saturation`, GATE_SATURATION_RECORD.pack({
      count: T * B * H, H, row: S * H, dirs: L, gates: saturating.length,
      s_off: net.acts.view('saved').offset, s_dir: T * B * S * H, out_off: g.out.view('fractions').offset,
      slot0: slots[0], slot1: slots[1], slot2: slots[2], slot3: slots[3],
    }), { 1: net.acts.buffer, 2: g.out.buffer }, [saturating.length, L, R]);
    g.program = builder.finish();
    return g;
  }

  encode(encoder: GPUCommandEncoder): void {
    this.program.encode(encoder, 'saturation');
  }

  /** Where the fractions are: [R][perRun] floats of this buffer, from `offset` floats. */
  view(): { buffer: GPUBuffer; offset: number } {
    return { buffer: this.out.buffer, offset: this.out.view('fractions').offset };
  }

  /** One run's `perRun` floats as per-gate fractions, one entry per direction. */
  decode(values: ArrayLike<number>): GateSaturation {
    const L = this.net.plan.directions.length;
    const G = this.gates.length;
    const out: GateSaturation = {};
    this.gates.forEach((gate, k) => {
      out[gate] = { below: [], above: [] };
      for (let d = 0; d < L; d++) {
        out[gate].below.push(values[(d * G + k) * 2]);
        out[gate].above.push(values[(d * G + k) * 2 + 1]);
      }
    });
    return out;
  }

  /** Reads every run's fractions back (tests and tools). */
  async read(): Promise<GateSaturation[]> {
    const all = await this.out.read('fractions');
    return Array.from({ length: this.net.shape.runs }, (_, r) => this.decode(all.subarray(r * this.perRun, (r + 1) * this.perRun)));
  }

  destroy(): void {
    this.out.destroy();
    this.program?.destroy();
  }
}
