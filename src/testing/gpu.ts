/**
 * Test support for GPU tests in Node: one engine per test file, and a loud failure when
 * no adapter comes up (GPU tests never skip silently).
 */
import { createNodeEngine } from '../engine/node';
import type { Engine } from '../engine/engine';

export async function requireEngine(): Promise<Engine> {
  try {
    return await createNodeEngine({
      onError: (e) => {
        throw e;
      },
    });
  } catch (e) {
    throw new Error(
      `GPU tests need a WebGPU adapter (Dawn via the webgpu package; SwiftShader from Debian's chromium at ` +
        `/usr/lib/chromium/vk_swiftshader_icd.json, plus libvulkan1). None came up: ${(e as Error).message}`,
    );
  }
}

/** Worst |got - want| / (atol + rtol |want|) over a tensor, with the max abs and relative errors. */
export interface Comparison {
  worstRatio: number;
  maxAbs: number;
  maxRel: number;
  at: number;
}

export function compare(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): Comparison {
  if (got.length !== want.length) throw new Error(`length ${got.length} != expected ${want.length}`);
  let worstRatio = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    const ratio = Number.isNaN(diff) ? Infinity : diff / (atol + rtol * Math.abs(want[i]));
    maxAbs = Math.max(maxAbs, diff);
    if (want[i] !== 0) maxRel = Math.max(maxRel, diff / Math.abs(want[i]));
    if (ratio > worstRatio || at < 0) {
      worstRatio = Math.max(worstRatio, ratio);
      at = i;
    }
  }
  return { worstRatio, maxAbs, maxRel, at };
}
