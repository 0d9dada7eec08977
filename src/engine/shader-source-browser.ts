/** Browser shader source: every shaders/**.wgsl bundled as a string by Vite at build time. */
import type { ShaderSource } from './shader-source';

const files = import.meta.glob('../../shaders/**/*.wgsl', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export const browserShaderSource: ShaderSource = (file) => {
  const text = files[`../../shaders/${file}`];
  if (text === undefined) throw new Error(`no shader file shaders/${file} in the bundle`);
  return text;
};
