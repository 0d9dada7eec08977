// Initialisation schemes: torch.nn.init's fans, gains, stds and bounds (fixtures/torch-init, made
// by fixtures/make_torch_init.py), the statistics of what we draw against what torch drew,
// orthogonality, identity, zeros and the forget bias exactly, and draws reproducible bit for bit.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deriveKey } from '../training/rng';
import { DEFAULT_INIT, fans, fillWeight, schemeScale, validateInit, type InitConfig, type WeightScheme } from './init-schemes';
import { initParams } from './init';
import { modelLayout } from './model-layout';
import { orthonormalColumns } from './qr';
import { rngUniform, STREAM } from '../training/rng';

interface Drawn {
  mean: number;
  std: number;
  maxAbs: number;
  rms: number;
  samples: number;
}

interface TorchInitCase {
  scheme: WeightScheme;
  rows: number;
  cols: number;
  hidden: number;
  fanIn?: number;
  fanOut?: number;
  gain?: number;
  std?: number;
  bound?: number;
  drawn: Drawn;
  gramError?: number;
}

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/torch-init/init.json', import.meta.url)), 'utf8')) as {
  draws: number;
  cases: TorchInitCase[];
};

/** Statistics of `draws` tensors of one scheme drawn by fillWeight with keys 0..draws-1 (float64 out). */
function ourStats(c: TorchInitCase, draws: number): Drawn & { tensors: Float64Array[] } {
  const size = c.rows * c.cols;
  const tensors: Float64Array[] = [];
  let sum = 0;
  let sq = 0;
  let maxAbs = 0;
  for (let d = 0; d < draws; d++) {
    const out = new Float64Array(size);
    // orthogonal_ is torch's per gate block: the fixture's orthogonal cases are one block [H][cols].
    fillWeight({ out, offset: 0, rows: c.rows, cols: c.cols, key: deriveKey(99, d) }, c.scheme, 1, c.hidden);
    for (const x of out) {
      sum += x;
      sq += x * x;
      maxAbs = Math.max(maxAbs, Math.abs(x));
    }
    tensors.push(out);
  }
  const n = draws * size;
  const mean = sum / n;
  return { mean, std: Math.sqrt(sq / n - mean * mean), rms: Math.sqrt(sq / n), maxAbs, samples: n, tensors };
}

/** max |A A^T - I| (rows orthonormal) or |A^T A - I| (columns), whichever the shape allows. */
function gramError(a: ArrayLike<number>, rows: number, cols: number): number {
  const wide = rows <= cols;
  const k = wide ? rows : cols;
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let dot = 0;
      const len = wide ? cols : rows;
      for (let t = 0; t < len; t++) dot += wide ? a[i * cols + t] * a[j * cols + t] : a[t * cols + i] * a[t * cols + j];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe('schemes against torch.nn.init (fixtures/torch-init)', () => {
  const cases = fixture.cases;

  it('has every scheme', () => {
    expect(new Set(cases.map((c) => c.scheme))).toEqual(new Set(['default', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'orthogonal']));
  });

  const scaled = cases.filter((c) => c.scheme !== 'orthogonal');
  it.each(scaled.map((c) => [`${c.scheme} [${c.rows}][${c.cols}] H ${c.hidden}`, c] as const))('%s: fans, std and bound as torch computes them; our draws look like torch\'s', (_n, c) => {
    if (c.fanIn !== undefined) expect(fans(c.rows, c.cols)).toEqual({ fanIn: c.fanIn, fanOut: c.fanOut });
    const scale = schemeScale(c.scheme as Exclude<WeightScheme, 'orthogonal'>, c.rows, c.cols, c.hidden);
    if (scale.kind === 'uniform') expect(scale.bound).toBeCloseTo(c.bound!, 14);
    else expect(scale.std).toBeCloseTo(c.std!, 14);
    const ours = ourStats(c, 40);
    const std = scale.kind === 'uniform' ? scale.bound / Math.sqrt(3) : scale.std;
    // The mean within 5 standard errors of 0; each std within 3% of the formula (and so of each other).
    expect(Math.abs(ours.mean)).toBeLessThan((5 * std) / Math.sqrt(ours.samples));
    expect(Math.abs(c.drawn.mean)).toBeLessThan((5 * std) / Math.sqrt(c.drawn.samples));
    expect(ours.std / std).toBeGreaterThan(0.97);
    expect(ours.std / std).toBeLessThan(1.03);
    expect(c.drawn.std / std).toBeGreaterThan(0.97);
    expect(c.drawn.std / std).toBeLessThan(1.03);
    if (scale.kind === 'uniform') {
      expect(ours.maxAbs).toBeLessThanOrEqual(scale.bound);
      expect(ours.maxAbs).toBeGreaterThan(0.99 * scale.bound);
      expect(c.drawn.maxAbs).toBeLessThanOrEqual(scale.bound);
    } else {
      // A normal: some draws beyond 3 std, none absurdly far.
      expect(ours.maxAbs).toBeGreaterThan(3 * std);
      expect(ours.maxAbs).toBeLessThan(7 * std);
    }
  });

  const orthogonal = cases.filter((c) => c.scheme === 'orthogonal');
  it.each(orthogonal.map((c) => [`[${c.rows}][${c.cols}]`, c] as const))('orthogonal %s: semi-orthogonal to 1e-12 in float64, the same root mean square as torch\'s', (_n, c) => {
    const ours = ourStats(c, 3);
    for (const t of ours.tensors) expect(gramError(t, c.rows, c.cols)).toBeLessThan(1e-12);
    expect(c.gramError!).toBeLessThan(1e-12);
    expect(ours.rms).toBeCloseTo(c.drawn.rms, 12);
    expect(ours.rms).toBeCloseTo(1 / Math.sqrt(Math.max(c.rows, c.cols)), 12);
  });
});

describe('orthonormalColumns', () => {
  it('gives the Q of a known QR with R\'s diagonal made positive', () => {
    // a = [[3, 1], [4, 2], [0, 2]]: its first column is 5 * [0.6, 0.8, 0].
    const q = orthonormalColumns(Float64Array.of(3, 1, 4, 2, 0, 2), 3, 2);
    expect(q[0]).toBeCloseTo(0.6, 14);
    expect(q[2]).toBeCloseTo(0.8, 14);
    expect(q[4]).toBeCloseTo(0, 14);
    expect(gramError(q, 3, 2)).toBeLessThan(1e-14);
    // R = Q^T a is upper triangular with a positive diagonal.
    const r01 = q[0] * 1 + q[2] * 2 + q[4] * 2;
    const r11 = q[1] * 1 + q[3] * 2 + q[5] * 2;
    const r10 = q[1] * 3 + q[3] * 4 + q[5] * 0;
    expect(r10).toBeCloseTo(0, 14);
    expect(r11).toBeGreaterThan(0);
    expect(r01).toBeCloseTo(0.6 + 1.6, 14);
  });

  it('refuses a wide matrix', () => {
    expect(() => orthonormalColumns(new Float64Array(6), 2, 3)).toThrow(/rows >= columns/);
  });
});

describe('initParams with schemes', () => {
  const H = 6;
  const shape = { cell: 'lstm' as const, inputSize: 4, hiddenSize: H, numLayers: 2 };
  const layout = modelLayout(shape, 3);
  const draw = (init: InitConfig, seed = 5) => {
    const p = new Float32Array(layout.paramCount);
    initParams(p, layout.rnn, H, layout.head, seed, init, 'lstm');
    return p;
  };
  const tensor = (p: Float32Array, name: string) => {
    const e = layout.rnn.byName.get(name)!;
    return p.subarray(e.offset, e.offset + e.size);
  };

  it('the default scheme draws what torch\'s default init always drew here: U(-1/sqrt(H), 1/sqrt(H)) per tensor key', () => {
    const p = draw(DEFAULT_INIT);
    const key = deriveKey(5, STREAM.init);
    layout.rnn.entries.forEach((e, i) => {
      const k = deriveKey(key, i);
      const want = Float32Array.from({ length: e.size }, (_, j) => (2 * rngUniform(k, STREAM.init, j) - 1) / Math.sqrt(H));
      expect(tensor(p, e.name)).toEqual(want);
    });
  });

  it('is reproducible bit for bit and depends on the seed', () => {
    const init: InitConfig = { weightIh: 'xavier_normal', weightHh: 'orthogonal', bias: 'default', forgetBias: 1 };
    expect(draw(init)).toEqual(draw(init));
    expect(draw(init, 6)).not.toEqual(draw(init));
  });

  it('a scheme changed for weight_hh leaves weight_ih, the biases and the head as they were', () => {
    const a = draw(DEFAULT_INIT);
    const b = draw({ ...DEFAULT_INIT, weightHh: 'orthogonal' });
    for (const e of layout.rnn.entries) {
      if (e.kind === 'weight_hh') expect(tensor(b, e.name)).not.toEqual(tensor(a, e.name));
      else expect(tensor(b, e.name)).toEqual(tensor(a, e.name));
    }
    expect(b.subarray(layout.head.weight)).toEqual(a.subarray(layout.head.weight));
  });

  it('orthogonal: every H x H gate block of weight_hh orthogonal, every [H][I] block of weight_ih semi-orthogonal, to 1e-6 in float32', () => {
    const p = draw({ weightIh: 'orthogonal', weightHh: 'orthogonal', bias: 'default' });
    for (const e of layout.rnn.entries.filter((x) => x.kind.startsWith('weight'))) {
      const cols = e.shape[1];
      const w = tensor(p, e.name);
      for (let g = 0; g < 4; g++) {
        const block = Float64Array.from(w.subarray(g * H * cols, (g + 1) * H * cols));
        expect(gramError(block, H, cols), `${e.name} gate ${g}`).toBeLessThan(1e-6);
      }
    }
  });

  it('identity: each gate block exactly the gain times I; zeros bias; forget bias in bias_ih only', () => {
    const p = draw({ weightIh: 'default', weightHh: 'identity', bias: 'zeros', forgetBias: 1, identityGain: 0.5 });
    for (const l of [0, 1]) {
      const w = tensor(p, `weight_hh_l${l}`);
      for (let row = 0; row < 4 * H; row++) {
        for (let c = 0; c < H; c++) expect(w[row * H + c]).toBe(row % H === c ? 0.5 : 0);
      }
      const bih = Array.from(tensor(p, `bias_ih_l${l}`));
      const bhh = Array.from(tensor(p, `bias_hh_l${l}`));
      expect(bih).toEqual([...Array(H).fill(0), ...Array(H).fill(1), ...Array(2 * H).fill(0)]);
      expect(bhh).toEqual(Array(4 * H).fill(0));
    }
  });

  it('forgetBias over the default bias scheme sets only the forget blocks', () => {
    const a = draw(DEFAULT_INIT);
    const b = draw({ ...DEFAULT_INIT, forgetBias: 2 });
    const bih = tensor(b, 'bias_ih_l0');
    const bhh = tensor(b, 'bias_hh_l0');
    const aih = tensor(a, 'bias_ih_l0');
    for (let i = 0; i < 4 * H; i++) {
      const forget = i >= H && i < 2 * H;
      expect(bih[i]).toBe(forget ? 2 : aih[i]);
      expect(bhh[i]).toBe(forget ? 0 : tensor(a, 'bias_hh_l0')[i]);
    }
  });

  it('refuses forgetBias without a forget gate, unknown schemes and a bad gain, naming the field', () => {
    expect(validateInit({ ...DEFAULT_INIT, forgetBias: 1 }, ['r', 'z', 'n'], 'runs[0].init')).toEqual(['runs[0].init.forgetBias applies to lstm only (a cell with a forget gate)']);
    expect(validateInit({ ...DEFAULT_INIT, weightIh: 'identity' as never }, ['h'], 'init')[0]).toMatch(/^init\.weightIh must be one of default/);
    expect(validateInit({ ...DEFAULT_INIT, identityGain: 0 }, ['h'], 'init')).toEqual(['init.identityGain must be a number > 0, got 0']);
    const gru = modelLayout({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1 }, 1);
    expect(() => initParams(new Float32Array(gru.paramCount), gru.rnn, 3, gru.head, 1, { ...DEFAULT_INIT, forgetBias: 1 }, 'gru')).toThrow(/forget gate/);
  });
});
