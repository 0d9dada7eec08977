/**
 * Where WGSL text comes from. Shaders are files under shaders/ (DESIGN decision 7);
 * the browser bundles them with Vite, Node reads them from disk. The only string work
 * is prepending snippets from shaders/lib/ that a kernel asks for.
 */

/** Returns the text of a file under shaders/, e.g. `rnn_step.wgsl` or `lib/activations.wgsl`. */
export type ShaderSource = (file: string) => string;

/** Kernel source: the requested lib snippets, then the kernel file. */
export function assembleShader(source: ShaderSource, file: string, lib: readonly string[] = []): string {
  const parts = lib.map((name) => `// ---- lib/${name}.wgsl\n${source(`lib/${name}.wgsl`)}`);
  parts.push(`// ---- ${file}\n${source(file)}`);
  return parts.join('\n');
}
