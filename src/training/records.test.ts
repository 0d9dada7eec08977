// Every record the CPU packs for a kernel, held against the WGSL struct it fills: names, order,
// scalar types and word offsets, parsed out of the shader files.
import { describe, expect, it } from 'vitest';
import { GEMM_RECORD } from '../engine/gemm-record';
import type { RecordLayout } from '../engine/record';
import { nodeShaderSource } from '../engine/shader-source-node';
import { STEP_RECORD } from '../model/cell-kernels';
import { GATE_SATURATION_RECORD } from '../model/gate-saturation-gpu';
import { HISTOGRAM_RECORD } from '../model/histogram-gpu';
import { GRAD_TIME_RECORD, LAYER_OUT_RECORD } from '../model/rnn-program';
import { SPECTRAL_RECORD } from '../model/spectral-norm-gpu';
import { CONFUSION_RECORD } from './confusion-gpu';
import { RECURRENT_MASK_RECORD } from './dropout-stage';
import { recordMismatches } from '../testing/wgsl-struct';
import { LOSS_RECORD } from './head-stage';
import { PLATEAU_RECORD } from './plateau-stage';
import { PRUNE_RECORD } from './prune-stage';
import { RUN_RECORD, RUN_TABLE_BINDING } from './run-fields';
import { STATE_RECORD } from './state-stage';
import { DEFERRED_RANGE_RECORD, NORM_RECORD, UPDATE_RECORD } from './update-stage';
import { ANOMALY_RECORD } from './anomaly-stage';

const RECORDS: [string, RecordLayout<string>, string, string][] = [
  ['per-run table', RUN_RECORD, 'lib/run.wgsl', 'Run'],
  ['cell step', STEP_RECORD, 'lib/recurrent.wgsl', 'Step'],
  ['gradient norm pass', NORM_RECORD, 'norms.wgsl', 'NormPass'],
  ['deferred reduction range', DEFERRED_RANGE_RECORD, 'norms.wgsl', 'DeferredRange'],
  ['optimizer update', UPDATE_RECORD, 'optimizer.wgsl', 'Update'],
  ['loss', LOSS_RECORD, 'loss.wgsl', 'Loss'],
  ['recurrent state', STATE_RECORD, 'state.wgsl', 'State'],
  ['GEMM', GEMM_RECORD, 'gemm.wgsl', 'Gemm'],
  ['layer output', LAYER_OUT_RECORD, 'layer_output.wgsl', 'LayerOut'],
  ['recurrent dropout masks', RECURRENT_MASK_RECORD, 'recurrent_mask.wgsl', 'RecurrentMask'],
  ['gradient through time', GRAD_TIME_RECORD, 'grad_time.wgsl', 'GradTime'],
  ['gate saturation', GATE_SATURATION_RECORD, 'gate_saturation.wgsl', 'GateSaturation'],
  ['spectral norm', SPECTRAL_RECORD, 'spectral_norm.wgsl', 'Spectral'],
  ['histogram', HISTOGRAM_RECORD, 'histogram.wgsl', 'Histogram'],
  ['confusion', CONFUSION_RECORD, 'confusion.wgsl', 'Confusion'],
  ['reduce on plateau', PLATEAU_RECORD, 'plateau.wgsl', 'Plateau'],
  ['pruning', PRUNE_RECORD, 'prune.wgsl', 'Prune'],
  ['anomaly check', ANOMALY_RECORD, 'anomaly.wgsl', 'Anomaly'],
];

describe('records vs WGSL structs', () => {
  it.each(RECORDS)('%s record matches struct %s', (_name, layout, file, struct) => {
    expect(recordMismatches(layout, nodeShaderSource(file), struct)).toEqual([]);
  });

  it('the per-run table is declared once, at the binding the trainer binds it to', () => {
    const source = nodeShaderSource('lib/run.wgsl');
    const decl = /@binding\((\d+)\)\s*var<storage,\s*read>\s*run_table\s*:\s*array<Run>/.exec(source);
    expect(decl?.[1]).toBe(String(RUN_TABLE_BINDING));
    for (const file of ['norms.wgsl', 'optimizer.wgsl', 'layer_output.wgsl', 'recurrent_mask.wgsl', 'plateau.wgsl', 'prune.wgsl']) {
      expect(nodeShaderSource(file), `${file} must take run_table from lib/run.wgsl`).not.toMatch(/var<[^>]*>\s*run_table/);
    }
  });
});
