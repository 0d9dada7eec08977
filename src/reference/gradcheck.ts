/**
 * Central finite differences in float64, for checking hand-written gradients in tests.
 * Perturbs a tensor in place and restores it; knows nothing about networks.
 */

/** Default step of the second-order difference. */
export const DEFAULT_EPS = 1e-6;

/**
 * Default step of the fourth-order stencil (it also samples at twice this). Why a second order:
 * the second-order difference at eps = 1e-6 carries about 1e-10 of rounding noise from f, a
 * relative error above 1e-6 for gradients below about 1e-4 (common deep in a 3-layer LSTM). The
 * fourth-order stencil takes a step 500 times larger, so the noise drops to about 1e-13, while
 * its truncation error stays near eps^4.
 */
export const DEFAULT_EPS4 = 5e-4;

/** Below this, |analytic| + |numeric| counts as zero in the relative error. */
export const DEFAULT_TINY = 1e-12;

/** (f(x + eps e_i) - f(x - eps e_i)) / (2 eps); x[i] is restored afterwards. */
export function numericGrad(f: () => number, x: Float64Array, i: number, eps = DEFAULT_EPS): number {
  const saved = x[i];
  x[i] = saved + eps;
  const plus = f();
  x[i] = saved - eps;
  const minus = f();
  x[i] = saved;
  return (plus - minus) / (2 * eps);
}

/**
 * Fourth-order central difference:
 * (8 (f(x + eps) - f(x - eps)) - (f(x + 2 eps) - f(x - 2 eps))) / (12 eps); x[i] is restored.
 */
export function numericGrad4(
  f: () => number,
  x: Float64Array,
  i: number,
  eps = DEFAULT_EPS4,
): number {
  const saved = x[i];
  const at = (d: number): number => {
    x[i] = saved + d;
    return f();
  };
  const near = at(eps) - at(-eps);
  const far = at(2 * eps) - at(-2 * eps);
  x[i] = saved;
  return (8 * near - far) / (12 * eps);
}

/** |a - n| / max(|a| + |n|, tiny): 0 when both agree, 1 when they differ in sign or scale. */
export function relativeError(analytic: number, numeric: number, tiny = DEFAULT_TINY): number {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), tiny);
}

export interface GradCheckOptions {
  /** 4 (default): numericGrad4; 2: numericGrad. */
  order?: 2 | 4;
  /** Step; defaults to DEFAULT_EPS4 or DEFAULT_EPS by order. */
  eps?: number;
  tiny?: number;
  /** Elements to leave out (e.g. where a relu kink lies within eps); they are counted. */
  skip?: (i: number) => boolean;
}

export interface GradCheckResult {
  /** Worst relative error over the checked elements (0 if none). */
  maxRelError: number;
  /** Index of the worst element, -1 if none was checked. */
  worstIndex: number;
  analytic: number;
  numeric: number;
  checked: number;
  skipped: number;
}

/** Compares analytic[i] with a finite difference of f along x[i], for every element of x. */
export function checkTensor(
  f: () => number,
  x: Float64Array,
  analytic: Float64Array,
  opts: GradCheckOptions = {},
): GradCheckResult {
  if (analytic.length !== x.length) {
    throw new Error(`gradcheck: ${analytic.length} analytic values for a tensor of ${x.length}`);
  }
  const order = opts.order ?? 4;
  const eps = opts.eps ?? (order === 4 ? DEFAULT_EPS4 : DEFAULT_EPS);
  const difference = order === 4 ? numericGrad4 : numericGrad;
  const result: GradCheckResult = {
    maxRelError: 0,
    worstIndex: -1,
    analytic: 0,
    numeric: 0,
    checked: 0,
    skipped: 0,
  };
  for (let i = 0; i < x.length; i++) {
    if (opts.skip?.(i)) {
      result.skipped++;
      continue;
    }
    const numeric = difference(f, x, i, eps);
    const err = relativeError(analytic[i], numeric, opts.tiny);
    result.checked++;
    if (result.worstIndex < 0 || err > result.maxRelError) {
      Object.assign(result, { maxRelError: err, worstIndex: i, analytic: analytic[i], numeric });
    }
  }
  return result;
}
