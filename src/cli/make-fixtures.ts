/**
 * Writes fixtures/reference/*.json: parity cases whose expected values come from the float64
 * reference, covering all four cells and the awkward sizes (odd hidden, one timestep, batch 1,
 * three layers). Run with `npm run fixtures`; deterministic, so rerunning changes nothing.
 * PyTorch-made cases are written by fixtures/make_torch_cases.py, not here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CellKind } from '../model/layout';
import { caseToJson } from '../model/parity-case';
import { makeReferenceCase } from '../reference/cases';

interface FixtureSpec {
  name: string;
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  seqLen: number;
  batch: number;
}

const SPECS: FixtureSpec[] = [
  { name: 'rnn_tanh-small', cell: 'rnn_tanh', inputSize: 3, hiddenSize: 5, numLayers: 1, seqLen: 4, batch: 2 },
  { name: 'rnn_relu-small', cell: 'rnn_relu', inputSize: 3, hiddenSize: 5, numLayers: 1, seqLen: 4, batch: 2 },
  { name: 'lstm-small', cell: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 1, seqLen: 4, batch: 2 },
  { name: 'gru-small', cell: 'gru', inputSize: 3, hiddenSize: 5, numLayers: 1, seqLen: 4, batch: 2 },
  { name: 'lstm-hidden37', cell: 'lstm', inputSize: 2, hiddenSize: 37, numLayers: 1, seqLen: 3, batch: 2 },
  { name: 'gru-hidden37', cell: 'gru', inputSize: 3, hiddenSize: 37, numLayers: 1, seqLen: 3, batch: 2 },
  { name: 'rnn_tanh-3layers', cell: 'rnn_tanh', inputSize: 3, hiddenSize: 4, numLayers: 3, seqLen: 5, batch: 2 },
  { name: 'lstm-3layers', cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 3, seqLen: 3, batch: 2 },
  { name: 'gru-t1-b1', cell: 'gru', inputSize: 3, hiddenSize: 5, numLayers: 2, seqLen: 1, batch: 1 },
  { name: 'rnn_relu-t1-b1-3layers', cell: 'rnn_relu', inputSize: 5, hiddenSize: 7, numLayers: 3, seqLen: 1, batch: 1 },
  { name: 'lstm-b1-long', cell: 'lstm', inputSize: 2, hiddenSize: 6, numLayers: 2, seqLen: 12, batch: 1 },
];

const outDir = fileURLToPath(new URL('../../fixtures/reference/', import.meta.url));
mkdirSync(outDir, { recursive: true });
SPECS.forEach((s, i) => {
  const shape = { cell: s.cell, inputSize: s.inputSize, hiddenSize: s.hiddenSize, numLayers: s.numLayers };
  const c = makeReferenceCase(s.name, shape, s.seqLen, s.batch, 1000 + i);
  const text = `${JSON.stringify(caseToJson(c))}\n`;
  writeFileSync(`${outDir}${s.name}.json`, text);
  console.log(`fixtures/reference/${s.name}.json  ${(text.length / 1024).toFixed(1)} KB`);
});
