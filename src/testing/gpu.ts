/**
 * Test support for GPU tests in Node: one engine per test file, and a loud failure when
 * no adapter comes up (GPU tests never skip silently).
 */
import { afterAll, beforeAll } from 'vitest';
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

/** One engine for a whole test file: `const gpu = useEngine();` then `gpu.engine` inside tests. */
export function useEngine(): { readonly engine: Engine } {
  const holder: { engine: Engine } = { engine: undefined as unknown as Engine };
  beforeAll(async () => {
    holder.engine = await requireEngine();
  });
  afterAll(() => holder.engine?.destroy());
  return holder;
}
