// Every record the CPU packs for a kernel, held against the WGSL struct it fills: names, order,
// scalar types and word offsets, parsed out of the shader files. The GEMM record is packed inside
// src/engine/gemm.ts, so it is checked by what addGemm hands the program builder, field by field.
import { describe, expect, it } from 'vitest';
import type { Engine, Kernel, KernelDesc } from '../engine/engine';
import { addColumnSum, addGemm, type GemmSpec } from '../engine/gemm';
import type { ProgramBuilder } from '../engine/program';
import type { RecordLayout } from '../engine/record';
import { nodeShaderSource } from '../engine/shader-source-node';
import { STEP_RECORD } from '../model/cell-kernels';
import { parseWgslStruct, recordMismatches } from '../testing/wgsl-struct';
import { LOSS_RECORD } from './head-stage';
import { PLATEAU_RECORD } from './plateau-stage';
import { PRUNE_RECORD } from './prune-stage';
import { RUN_RECORD, RUN_TABLE_BINDING } from './run-fields';
import { STATE_RECORD } from './state-stage';
import { NORM_RECORD, UPDATE_RECORD } from './update-stage';

const RECORDS: [string, RecordLayout<string>, string, string][] = [
  ['per-run table', RUN_RECORD, 'lib/run.wgsl', 'Run'],
  ['cell step', STEP_RECORD, 'lib/recurrent.wgsl', 'Step'],
  ['gradient norm pass', NORM_RECORD, 'norms.wgsl', 'NormPass'],
  ['optimizer update', UPDATE_RECORD, 'optimizer.wgsl', 'Update'],
  ['loss', LOSS_RECORD, 'loss.wgsl', 'Loss'],
  ['recurrent state', STATE_RECORD, 'state.wgsl', 'State'],
  ['reduce on plateau', PLATEAU_RECORD, 'plateau.wgsl', 'Plateau'],
  ['pruning', PRUNE_RECORD, 'prune.wgsl', 'Prune'],
];

describe('records vs WGSL structs', () => {
  it.each(RECORDS)('%s record matches struct %s', (_name, layout, file, struct) => {
    expect(recordMismatches(layout, nodeShaderSource(file), struct)).toEqual([]);
  });

  it('the per-run table is declared once, at the binding the trainer binds it to', () => {
    const source = nodeShaderSource('lib/run.wgsl');
    const decl = /@binding\((\d+)\)\s*var<storage,\s*read>\s*run_table\s*:\s*array<Run>/.exec(source);
    expect(decl?.[1]).toBe(String(RUN_TABLE_BINDING));
    for (const file of ['norms.wgsl', 'optimizer.wgsl', 'plateau.wgsl', 'prune.wgsl']) {
      expect(nodeShaderSource(file), `${file} must take run_table from lib/run.wgsl`).not.toMatch(/var<[^>]*>\s*run_table/);
    }
  });
});

describe('the GEMM record of src/engine/gemm.ts vs struct Gemm', () => {
  const engine = {
    kernel: async (desc: KernelDesc): Promise<Kernel> => ({ desc, pipeline: {} as GPUComputePipeline }),
    limits: { maxComputeWorkgroupsPerDimension: 65535 },
  } as unknown as Engine;
  const buffer = {} as GPUBuffer;
  // Every field gets its own value, so a swapped pair cannot pass.
  const spec: GemmSpec = {
    label: 'record check', runs: 2, m: 70, n: 90, k: 33,
    a: { buffer, off: 101, run: 102, rs: 103, cs: 104 },
    b: { buffer, off: 201, run: 202, rs: 203, cs: 204 },
    c: { buffer, off: 301, run: 302, rs: 303, cs: 1 },
    bias: { buffer, off: 401, run: 402, rs: 0, cs: 0 },
    accumulate: true,
  };
  const expected = (s: GemmSpec, flags: number): Record<string, number> => ({
    m: s.m, n: s.n, k: s.k, flags,
    a_off: s.a.off, a_run: s.a.run, a_rs: s.a.rs, a_cs: s.a.cs,
    b_off: s.b.off, b_run: s.b.run, b_rs: s.b.rs, b_cs: s.b.cs,
    c_off: s.c.off, c_run: s.c.run, c_rs: s.c.rs,
    bias_off: s.bias?.off ?? 0, bias_run: s.bias?.run ?? 0,
  });

  async function recordsOf(add: (builder: ProgramBuilder) => Promise<void>): Promise<{ entry: string; record: readonly number[] }[]> {
    const calls: { entry: string; record: readonly number[] }[] = [];
    const builder = { add: (_l: string, kernel: Kernel, _label: string, record: readonly number[]) => calls.push({ entry: kernel.desc.entryPoint, record }) };
    await add(builder as unknown as ProgramBuilder);
    return calls;
  }

  function check(record: readonly number[], want: Record<string, number>): void {
    const fields = parseWgslStruct(nodeShaderSource('gemm.wgsl'), 'Gemm');
    expect(record.length, 'record length vs struct Gemm').toBe(fields.reduce((a, f) => a + f.count, 0));
    for (const f of fields) {
      expect(f.name in want, `struct Gemm field "${f.name}" is unknown to this test`).toBe(true);
      expect(record[f.offset], `field ${f.name}`).toBe(want[f.name]);
    }
  }

  it.each(['tiled', 'direct'] as const)('addGemm (%s) fills every field by name', async (variant) => {
    const [call] = await recordsOf((b) => addGemm(engine, b, 'list', { ...spec, variant }));
    check(call.record, expected(spec, 3)); // ACCUMULATE | ADD_BIAS
  });

  it('addColumnSum fills every field by name', async () => {
    const { bias: _bias, ...rest } = spec;
    const [call] = await recordsOf((b) => addColumnSum(engine, b, 'list', { ...rest, accumulate: false }));
    check(call.record, expected({ ...rest, k: 0, b: rest.a }, 0));
  });
});
