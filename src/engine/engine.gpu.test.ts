// Engine behaviour that users see: typed errors naming the kernel and the file and line,
// limits refused with the buffer's label, and the readback ring never blocking and never hanging.
import { describe, expect, it } from 'vitest';
import { createEngine, Engine } from './engine';
import { LimitError, NoAdapterError, ShaderCompileError } from './errors';
import { nodeShaderSource } from './shader-source-node';
import { ReadbackRing } from './readback';
import { useEngine } from '../testing/gpu';
import { Arena } from './arena';

const gpu = useEngine();

describe('engine', () => {
  it('reports a WGSL error with the kernel file and the line inside that file', async () => {
    const shaders = (file: string) => (file === 'broken.wgsl' ? '\n\nfn oops( -> f32 { return 1.0; }\n' : nodeShaderSource(file));
    const broken = new Engine({ device: gpu.engine.device, adapterInfo: gpu.engine.adapterInfo }, shaders);
    const err = await broken.kernel({ label: 'broken', file: 'broken.wgsl', entryPoint: 'main', lib: ['activations'] }).catch((e) => e);
    expect(err).toBeInstanceOf(ShaderCompileError);
    expect(err.message).toMatch(/^shader "broken.wgsl" failed to compile:\nshaders\/broken\.wgsl:3:\d+ /);
  });

  it('refuses a buffer over the device limit, naming it', () => {
    expect(() => gpu.engine.createBuffer('huge activations', gpu.engine.limits.maxBufferSize + 16, GPUBufferUsage.STORAGE))
      .toThrow(LimitError);
    expect(() => gpu.engine.createBuffer('huge activations', gpu.engine.limits.maxBufferSize + 16, GPUBufferUsage.STORAGE))
      .toThrow(/buffer "huge activations" needs/);
  });

  it('says what is missing when there is no WebGPU', async () => {
    await expect(createEngine(undefined, { shaders: nodeShaderSource })).rejects.toThrow(NoAdapterError);
  });

  it('readback ring: captures land asynchronously, and a full ring drops instead of waiting', async () => {
    const arena = new Arena(gpu.engine, 'ring source', [{ name: 'v', shape: [4] }]);
    const ring = new ReadbackRing(gpu.engine, 'test ring', 16, 2);
    const results: Promise<ArrayBuffer>[] = [];
    for (let i = 0; i < 3; i++) {
      arena.write('v', Float32Array.of(i, i, i, i));
      let p: Promise<ArrayBuffer> | null = null;
      gpu.engine.submit('capture', (enc) => {
        p = ring.capture(enc, arena.buffer);
      });
      ring.afterSubmit();
      if (p) results.push(p);
    }
    expect(results.length).toBe(2);
    expect(ring.dropped).toBe(1);
    const values = await Promise.all(results.map(async (p) => Array.from(new Float32Array(await p))));
    expect(values).toEqual([[0, 0, 0, 0], [1, 1, 1, 1]]);
    expect(ring.inFlight).toBe(0);
    ring.destroy();
    arena.destroy();
  });

  it('readback ring: a map that fails rejects the capture instead of leaving it pending', async () => {
    const arena = new Arena(gpu.engine, 'ring source', [{ name: 'v', shape: [4] }]);
    const ring = new ReadbackRing(gpu.engine, 'failing ring', 16, 2);
    let mapped: Promise<ArrayBuffer> | null = null;
    let unmapped: Promise<ArrayBuffer> | null = null;
    gpu.engine.submit('capture', (enc) => {
      mapped = ring.capture(enc, arena.buffer);
    });
    ring.afterSubmit(); // the map is in flight when the ring goes away
    gpu.engine.submit('capture', (enc) => {
      unmapped = ring.capture(enc, arena.buffer);
    }); // never mapped: no afterSubmit
    ring.destroy();
    await expect(mapped).rejects.toThrow(/readback "failing ring slot 0" failed/);
    await expect(unmapped).rejects.toThrow('readback "failing ring slot 1" destroyed before it was mapped');
    arena.destroy();
  });
});
