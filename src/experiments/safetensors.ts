/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the raw little-endian data. Only
 * float32 tensors, which is all a run holds. Hand-written because the format is a few lines and the
 * npm packages for it target Node buffers or pull in far more than this needs.
 */

export interface NamedTensor {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

const ALIGN = 8;

/** The file's bytes: tensors in the given order, `metadata` as string pairs under `__metadata__`. */
export function writeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`tensor "${t.name}" has ${t.data.length} values but shape [${t.shape.join(', ')}] holds ${count}`);
    if (t.name in header) throw new Error(`tensor "${t.name}" appears twice`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / ALIGN) * ALIGN; // the format allows trailing spaces
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    at += 4 * t.data.length;
  }
  return out;
}

/** Reads a file made of float32 tensors; throws with a clear message on anything else. */
export function readSafetensors(bytes: Uint8Array): { tensors: NamedTensor[]; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (length > bytes.length - 8 || length > 100_000_000) throw new Error('not a safetensors file: its header length is past the end of the file');
  let header: Record<string, { dtype?: string; shape?: number[]; data_offsets?: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  } catch {
    throw new Error('not a safetensors file: its header is not JSON');
  }
  const base = 8 + length;
  const tensors: NamedTensor[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (e.dtype !== 'F32') throw new Error(`tensor "${name}" is ${e.dtype}; only F32 tensors can be read`);
    const [start, end] = e.data_offsets ?? [0, -1];
    const count = (e.shape ?? []).reduce((a, b) => a * b, 1);
    if (end - start !== 4 * count || base + end > bytes.length) throw new Error(`tensor "${name}" has a byte range that does not fit its shape or the file`);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(base + start + 4 * i, true);
    tensors.push({ name, shape: e.shape ?? [], data });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}
