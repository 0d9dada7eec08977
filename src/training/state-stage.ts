/**
 * The recurrent state at the start of each window (shaders/state.wgsl): zero for a new episode
 * and for every evaluation batch; for truncated BPTT's later windows, the state the previous
 * window kept (the forward pass copies it into the network's `kept_h` / `kept_c` views, which
 * evaluation passes never touch). The kept state is per-run state: restarts zero it and
 * checkpoints carry it, under `state.h` and `state.c` ([L][B][H] each, L counting directions).
 * A bidirectional layer's reverse direction starts every window from zeros at its end: it sees
 * only the window, so its part of the kept state stays zero. A network whose looping forward writes
 * the zero state itself (RnnGpu.zeroesInitialState: full BPTT on the looping path) gets no restore dispatch.
 */
import type { Engine } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import { hasState } from '../model/cells';
import type { RnnGpu } from '../model/rnn-gpu';
import type { RunCheckpoint } from './trainer';
import type { Pass, Phase, Stage, StepInfo } from './stage';

/** `struct State` in shaders/state.wgsl. */
export const STATE_RECORD = new RecordLayout(['units', 'slots', 'layers', 'zero', 'h_off', 'c_off', 'has_c', 'kh_off', 'kc_off', 'dirs_per_layer']);

const KEPT = [['h', 'kept_h'], ['c', 'kept_c']] as const;

export class StateStage implements Stage {
  readonly name = 'state';
  private program!: Program;

  private constructor(private readonly net: RnnGpu) {}

  static async create(engine: Engine, net: RnnGpu, label: string): Promise<StateStage> {
    const stage = new StateStage(net);
    const { runs: R, seqLen: T, batch: B, hiddenSize: H, cell } = net.shape;
    const L = net.plan.directions.length;
    const acts = net.acts;
    const kernel = await engine.kernel({ label: 'state restore', file: 'state.wgsl', entryPoint: 'restore' });
    const builder = new ProgramBuilder(engine, `${label} state`);
    const lists: ['reset' | 'carry', number][] = net.zeroesInitialState ? [] : acts.has('kept_h') ? [['reset', 1], ['carry', 0]] : [['reset', 1]];
    for (const [list, zero] of lists) {
      const offset = (view: string) => (acts.has(view) ? acts.view(view).offset : 0);
      builder.add(list, kernel, `state ${list}`, STATE_RECORD.pack({
        units: B * H, slots: T + 1, layers: L, zero,
        h_off: offset('h'), c_off: offset('c'), has_c: hasState(cell, 'c') ? 1 : 0,
        kh_off: offset('kept_h'), kc_off: offset('kept_c'), dirs_per_layer: net.plan.directionsPerLayer,
      }), { 1: acts.buffer }, [Math.ceil((B * H) / 64), L, R]);
    }
    stage.program = builder.finish();
    return stage;
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass, step: StepInfo): void {
    if (phase !== 'state') return;
    this.program.encode(encoder, pass.mode === 'train' && step.window.carry ? 'carry' : 'reset');
  }

  /** The kept views this network has (none unless truncated BPTT). */
  private kept(): { key: string; view: string }[] {
    return KEPT.filter(([, view]) => this.net.acts.has(view)).map(([s, view]) => ({ key: `state.${s}`, view }));
  }

  private get runFloats(): number {
    const { batch: B, hiddenSize: H } = this.net.shape;
    return this.net.plan.directions.length * B * H;
  }

  reset(): void {
    this.restartRuns(Array.from({ length: this.net.shape.runs }, (_, r) => r));
  }

  restartRuns(runs: readonly number[]): void {
    const zeros = new Float32Array(this.runFloats);
    for (const { view } of this.kept()) for (const r of runs) this.net.acts.write(view, zeros, r * this.runFloats);
  }

  checkpointProblems(c: RunCheckpoint, at: string): string[] {
    return this.kept().flatMap(({ key }) => {
      const v = c.extra[key];
      return v && v.length !== this.runFloats ? [`${at}.extra["${key}"] has ${v.length} numbers, expected ${this.runFloats}`] : [];
    });
  }

  async readCheckpoints(into: RunCheckpoint[]): Promise<void> {
    const n = this.runFloats;
    for (const { key, view } of this.kept()) {
      const all = await this.net.acts.read(view);
      into.forEach((c, r) => {
        c.extra[key] = all.slice(r * n, (r + 1) * n);
      });
    }
  }

  /** A checkpoint without kept state (another BPTT mode, or none yet) leaves a zero state. */
  writeCheckpoint(run: number, c: RunCheckpoint): void {
    for (const { key, view } of this.kept()) this.net.acts.write(view, c.extra[key] ?? new Float32Array(this.runFloats), run * this.runFloats);
  }

  destroy(): void {
    this.program?.destroy();
  }
}
