/** Node shader source: reads shaders/ from disk, caching each file. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ShaderSource } from './shader-source';

const shaderDir = fileURLToPath(new URL('../../shaders/', import.meta.url));
const cache = new Map<string, string>();

export const nodeShaderSource: ShaderSource = (file) => {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(join(shaderDir, file), 'utf8');
    cache.set(file, text);
  }
  return text;
};
