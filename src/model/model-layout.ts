/**
 * One run's whole parameter vector: the recurrent network in PyTorch's layout, then the linear
 * head (weight [O][H], bias [O]), and the segments its gradient norms are reported for (one per
 * recurrent layer, then the head). Shared by the GPU run group and the float64 reference.
 */
import type { ParamSegment } from '../training/optimizers';
import type { HeadLayout } from './init';
import { paramEntry, paramLayout, type ParamLayout, type RnnShape } from './layout';

export interface ModelLayout {
  rnn: ParamLayout;
  head: HeadLayout;
  /** Floats per run (P). */
  paramCount: number;
  segments: ParamSegment[];
}

export function modelLayout(shape: RnnShape, outputs: number): ModelLayout {
  const rnn = paramLayout(shape);
  const H = shape.hiddenSize;
  const head = { weight: rnn.total, bias: rnn.total + outputs * H, outputs, inputs: H };
  const paramCount = head.bias + outputs;
  const segments: ParamSegment[] = Array.from({ length: shape.numLayers }, (_, l) => {
    const first = paramEntry(rnn, 'weight_ih', l);
    const last = paramEntry(rnn, 'bias_hh', l);
    return { name: `layer ${l}`, offset: first.offset, length: last.offset + last.size - first.offset };
  });
  segments.push({ name: 'head', offset: head.weight, length: paramCount - head.weight });
  return { rnn, head, paramCount, segments };
}
