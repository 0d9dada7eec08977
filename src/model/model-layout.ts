/**
 * One run's whole parameter vector: the recurrent network in PyTorch's layout, then the linear
 * head (weight [O][D], bias [O], D the top layer's output width), and the segments its gradient
 * norms are reported for (one per recurrent layer, all its directions together, then the head).
 * Shared by the GPU run group and the float64 reference.
 */
import type { ParamSegment } from '../training/optimizers';
import type { HeadLayout } from './init';
import { paramLayout, type ParamLayout, type RnnShape } from './layout';
import { planLayers, type NetworkPlan } from './plan';

export interface ModelLayout {
  plan: NetworkPlan;
  rnn: ParamLayout;
  head: HeadLayout;
  /** Floats per run (P). */
  paramCount: number;
  segments: ParamSegment[];
}

export function modelLayout(shape: RnnShape, outputs: number): ModelLayout {
  const plan = planLayers(shape);
  const rnn = paramLayout(shape);
  const D = plan.outputSize;
  const head = { weight: rnn.total, bias: rnn.total + outputs * D, outputs, inputs: D };
  const paramCount = head.bias + outputs;
  const segments: ParamSegment[] = plan.layers.map((layer) => {
    const names = new Set(layer.directions.flatMap((d) => d.params.map((p) => p.name)));
    const own = rnn.entries.filter((e) => names.has(e.name));
    const first = own[0];
    const last = own[own.length - 1];
    return { name: `layer ${layer.layer}`, offset: first.offset, length: last.offset + last.size - first.offset };
  });
  segments.push({ name: 'head', offset: head.weight, length: paramCount - head.weight });
  return { plan, rnn, head, paramCount, segments };
}
