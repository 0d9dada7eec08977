/**
 * Where WGSL text comes from. Shaders are files under shaders/ (DESIGN decision 7);
 * the browser bundles them with Vite, Node reads them from disk. The only string work
 * is prepending snippets from shaders/lib/ that a kernel asks for.
 */

/** Returns the text of a file under shaders/, e.g. `rnn.wgsl` or `lib/activations.wgsl`. */
export type ShaderSource = (file: string) => string;

export interface AssembledShader {
  code: string;
  /** Which file each range of lines came from, to point compiler messages at the right file. */
  sections: { file: string; firstLine: number; lines: number }[];
}

/** Kernel source: the requested lib snippets, then the kernel file. */
export function assembleShader(source: ShaderSource, file: string, lib: readonly string[] = []): AssembledShader {
  const files = [...lib.map((name) => `lib/${name}.wgsl`), file];
  const sections: AssembledShader['sections'] = [];
  const parts: string[] = [];
  let line = 1;
  for (const f of files) {
    const text = source(f).replace(/\n?$/, '\n');
    const lines = text.split('\n').length - 1;
    sections.push({ file: f, firstLine: line, lines });
    parts.push(text);
    line += lines;
  }
  return { code: parts.join(''), sections };
}

/** `file:line` of an assembled line number (1-based). */
export function sourceLocation(shader: AssembledShader, lineNum: number): string {
  const s = shader.sections.find((x) => lineNum >= x.firstLine && lineNum < x.firstLine + x.lines);
  return s ? `shaders/${s.file}:${lineNum - s.firstLine + 1}` : `line ${lineNum}`;
}
