// The WGSL generator and the TypeScript one give the same bits for the same counters.
import { describe, expect, it } from 'vitest';
import { requireEngine } from '../testing/gpu';
import { ProgramBuilder } from '../engine/program';
import { RecordLayout } from '../engine/record';
import { rngU32, rngUniform } from './rng';

describe('counter-based rng', () => {
  it('WGSL and TypeScript agree bit for bit', async () => {
    const engine = await requireEngine();
    const n = 4099;
    const out = engine.createBuffer('rng out', 8 * n, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const kernel = await engine.kernel({ label: 'rng fill', file: 'rng_fill.wgsl', entryPoint: 'fill', lib: ['rng'] });
    for (const [key, stream] of [[0, 0], [123456789, 2], [0xffffffff, 7]]) {
      const builder = new ProgramBuilder(engine, 'rng test');
      builder.add('fill', kernel, 'rng fill', new RecordLayout(['key', 'stream', 'n']).pack({ key, stream, n }), { 1: out }, [Math.ceil(n / 64), 1, 1]);
      const program = builder.finish();
      engine.submit('rng fill', (enc) => program.encode(enc, 'fill'));
      const got = new Uint32Array(await engine.readBuffer(out, 0, 8 * n));
      const floats = new Float32Array(got.buffer, 4 * n, n);
      for (let i = 0; i < n; i++) {
        if (got[i] !== rngU32(key, stream, i)) expect.fail(`u32 mismatch at key ${key} stream ${stream} counter ${i}`);
        if (floats[i] !== rngUniform(key, stream, i)) expect.fail(`uniform mismatch at counter ${i}`);
      }
      program.destroy();
    }
    engine.destroy();
  });
});
