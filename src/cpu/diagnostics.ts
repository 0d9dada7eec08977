/**
 * The CPU backend's diagnostics beyond gradThroughTime, the twin of DiagnosticsStage: at a
 * diagnostic step, gate saturation from the gates the step's forward activated (before an
 * evaluation pass runs the forward again), and each weight_hh's spectral norm by the same
 * warm-started power iteration as the GPU (SPECTRAL_ITERS per step, SPECTRAL_FIRST_ITERS from the
 * start vector; in float64 here), and the histograms of every parameter tensor's weights (after
 * the update) and gradients (before clipping), counted as the GPU counts them.
 */
import { CELLS } from '../model/cells';
import { paramSpec } from '../model/plan';
import { SPECTRAL_FIRST_ITERS, SPECTRAL_ITERS } from '../model/spectral-norm-gpu';
import { histogramTensors, type TensorSpan } from '../model/histogram-gpu';
import type { ModelLayout } from '../model/model-layout';
import { gateSaturation } from '../reference/gate-saturation';
import { histogramOf } from '../reference/histogram';
import { powerIteration } from '../reference/spectral-norm';
import type { RunStepMetrics } from '../training/metrics';
import type { CpuNetwork } from './network';

export class CpuDiagnostics {
  /** [R][direction] the vector each run's power iteration goes on from. */
  private readonly vectors: Float64Array[][];
  private readonly tensors: TensorSpan[];

  constructor(
    private readonly net: CpuNetwork,
    layout: ModelLayout,
    runs: number,
  ) {
    this.tensors = histogramTensors(layout);
    this.vectors = Array.from({ length: runs }, () => net.plan.directions.map(() => new Float64Array(net.H)));
  }

  /** Run r starts its power iteration again from the fixed start vector. */
  restart(r: number): void {
    for (const v of this.vectors[r]) v.fill(0);
  }

  /** Run r's diagnostics into `m`; `p0` is where its parameters start in `params`; `grads` holds its gradients from 0. */
  measure(r: number, params: Float32Array, p0: number, grads: Float32Array, m: RunStepMetrics): void {
    const { net } = this;
    const cell = net.shape.cell;
    if (CELLS[cell].saturating) m.gateSaturation = gateSaturation(cell, net.H, net.plan.directions.map((d) => net.activatedGates(d.index)), CELLS[cell].gates.length);
    m.spectralNorm = net.plan.directions.map((dir, d) => {
      const at = p0 + net.layout.byName.get(paramSpec(dir, 'weight_hh').name)!.offset;
      const w = params.subarray(at, at + net.GH * net.H);
      const v = this.vectors[r][d];
      const out = powerIteration(w, net.GH, net.H, v, v.every((x) => x === 0) ? SPECTRAL_FIRST_ITERS : SPECTRAL_ITERS);
      this.vectors[r][d] = out.v;
      return out.sigma;
    });
    m.histograms = this.tensors.map((t) => ({
      name: t.name,
      weight: histogramOf(params.subarray(p0 + t.offset, p0 + t.offset + t.size)),
      grad: histogramOf(grads.subarray(t.offset, t.offset + t.size)),
    }));
  }
}
