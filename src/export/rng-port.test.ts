// The exported script's counter RNG (src/export/py-rng.ts) against src/training/rng.ts over
// thousands of counters and keys at the edges of the 32-bit range: every 32-bit hash, uniform and
// derived key equal ours exactly; normals equal ours in float32 (the data's type). As doubles a
// normal may differ in its last bit: Box-Muller calls log and cos, and Python's C library and the
// JavaScript engine's own (fdlibm) round differently in a few percent of cases; rounding to float32
// hides a last-bit difference except about once in 2^29 values. Runs under any python3.
import { describe, expect, it } from 'vitest';
import { deriveKey, rngNormal, rngU32, rngUniform, RngStream } from '../training/rng';
import { PY_RNG } from './py-rng';
import { anyPython, PYTHON_TIMEOUT, runPython, tempFile } from './test-support';

const KEYS = [0, 1, 7, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x9e3779b9, 123456789];
const STREAMS = [0, 1, 2, 3, 0xffffffff];
const COUNTERS = 400;

const DRIVER = String.raw`
import json, sys
keys = json.loads(sys.argv[1])
streams = json.loads(sys.argv[2])
counters = int(sys.argv[3])
out = {"u32": [], "uniform": [], "normal": [], "derived": [], "stream": []}
for key in keys:
    for stream in streams:
        for c in range(counters):
            out["u32"].append(rng_u32(key, stream, c))
            out["uniform"].append(rng_uniform(key, stream, c))
            out["normal"].append(rng_normal(key, stream, c))
    for index in range(counters):
        out["derived"].append(derive_key(key, index))
    s = RngStream(key, 2)
    out["stream"] += [s.uniform() for _ in range(20)]
print(json.dumps(out))
`;

describe('the Python port of the counter RNG', () => {
  const python = anyPython();

  it.skipIf(!python)(`equals src/training/rng.ts on ${KEYS.length * STREAMS.length * COUNTERS} counters`, () => {
    const file = tempFile('rng.py', `import math\n${PY_RNG}\n${DRIVER}`);
    const got = JSON.parse(runPython(python!, [file, JSON.stringify(KEYS), JSON.stringify(STREAMS), String(COUNTERS)]));
    const want: Record<string, number[]> = { u32: [], uniform: [], normal: [], derived: [], stream: [] };
    for (const key of KEYS) {
      for (const stream of STREAMS) {
        for (let c = 0; c < COUNTERS; c++) {
          want.u32.push(rngU32(key, stream, c));
          want.uniform.push(rngUniform(key, stream, c));
          want.normal.push(rngNormal(key, stream, c));
        }
      }
      for (let i = 0; i < COUNTERS; i++) want.derived.push(deriveKey(key, i));
      const s = new RngStream(key, 2);
      want.stream.push(...Array.from({ length: 20 }, () => s.uniform()));
    }
    for (const name of Object.keys(want)) {
      expect(got[name].length, name).toBe(want[name].length);
      const same = name === 'normal' ? (w: number, g: number) => Math.fround(w) === Math.fround(g) : Object.is;
      const mismatch = want[name].findIndex((w, i) => !same(w, got[name][i]));
      expect(mismatch, `${name}[${mismatch}]: python ${got[name][mismatch]}, ours ${want[name][mismatch]}`).toBe(-1);
    }
    // The doubles: at most a few units in the last place apart, and mostly equal.
    const ulps = want.normal.map((w, i) => Math.abs(w - got.normal[i]) / (Math.abs(w) * 2 ** -52 || 2 ** -1074));
    expect(Math.max(...ulps)).toBeLessThanOrEqual(4);
    const differ = ulps.filter((u) => u > 0).length;
    console.log(`normals: ${differ} of ${ulps.length} differ in the last bits as doubles, none as float32`);
    expect(differ).toBeLessThan(ulps.length / 5);
  }, PYTHON_TIMEOUT);
});
