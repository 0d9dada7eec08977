/**
 * Node entry to the engine: Dawn through the `webgpu` package, with SwiftShader as the
 * Vulkan driver when no other is configured. Used by tests, the parity tool, the CLI
 * and the benchmark; never bundled into the browser app.
 */
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { createEngine, type Engine, type EngineOptions } from './engine';
import { nodeShaderSource } from './shader-source-node';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let gpu: GPU | undefined;

/** The process-wide GPU object (Dawn allows one per process comfortably). */
export function nodeGpu(): GPU {
  if (!gpu) {
    if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    Object.assign(globalThis, globals);
    gpu = create([]) as GPU;
  }
  return gpu;
}

export function createNodeEngine(opts: Partial<EngineOptions> = {}): Promise<Engine> {
  return createEngine(nodeGpu(), { shaders: nodeShaderSource, ...opts });
}
