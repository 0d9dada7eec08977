// Weights files: the safetensors writer and reader round-trip exactly, a run's tensors carry
// PyTorch's names and shapes, a mismatched file is refused by name, and (where python3 has torch)
// torch.nn.LSTM / GRU / RNN, bidirectional or not, load the file with load_state_dict(strict=True)
// and hold our values.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { initParams } from '../model/init';
import { CELL_KINDS } from '../model/layout';
import { runPython, torchPython } from '../testing/python';
import { readSafetensors, writeSafetensors } from './safetensors';
import { createTask } from './structure';
import { paramsFromFile, runLayout, runWeightsFile, tensorSlots } from './weights';

async function setup(cell: string, numLayers: number, bidirectional = false) {
  const doc = readExperiment({ version: 1, task: { kind: 'sine' }, runs: [{ id: 'r', cell, hiddenSize: 5, numLayers, bidirectional }] });
  const run = doc.runs[0];
  const task = await createTask(doc);
  const layout = runLayout(run, task);
  const params = new Float32Array(layout.paramCount);
  initParams(params, layout.rnn, run.hiddenSize, layout.head, 3);
  return { doc, run, task, layout, params };
}

describe('safetensors', () => {
  it('round-trips tensors and metadata exactly, header aligned to 8 bytes', () => {
    const tensors = [
      { name: 'a', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, 7]) },
      { name: 'b.c', shape: [1], data: Float32Array.from([Math.PI]) },
    ];
    const bytes = writeSafetensors(tensors, { note: 'é ✓' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ note: 'é ✓' });
    expect(back.tensors).toEqual(tensors);
  });

  it('refuses what it cannot read', () => {
    expect(() => readSafetensors(new Uint8Array(3))).toThrow(/shorter than its 8-byte header length/);
    const bad = writeSafetensors([{ name: 'a', shape: [2], data: new Float32Array(2) }]);
    new DataView(bad.buffer).setBigUint64(0, 10n ** 9n, true);
    expect(() => readSafetensors(bad)).toThrow(/past the end/);
    expect(() => writeSafetensors([{ name: 'a', shape: [3], data: new Float32Array(2) }])).toThrow(/has 2 values but shape \[3\]/);
  });
});

describe('run weights', () => {
  it('names and shapes are PyTorch\'s; the file gives the same vector back', async () => {
    const { doc, run, task, layout, params } = await setup('lstm', 2);
    expect(tensorSlots(layout).map((s) => `${s.name} [${s.shape.join(',')}]`)).toEqual([
      'weight_ih_l0 [20,1]', 'weight_hh_l0 [20,5]', 'bias_ih_l0 [20]', 'bias_hh_l0 [20]',
      'weight_ih_l1 [20,5]', 'weight_hh_l1 [20,5]', 'bias_ih_l1 [20]', 'bias_hh_l1 [20]',
      'head.weight [1,5]', 'head.bias [1]',
    ]);
    const file = runWeightsFile(doc, run, task, params, 12);
    expect(readSafetensors(file).metadata).toMatchObject({ cell: 'lstm', hidden_size: '5', num_layers: '2', step: '12' });
    expect(paramsFromFile(file, layout)).toEqual(params);
  });

  it('a file of another shape is refused, naming the tensor', async () => {
    const a = await setup('lstm', 1);
    const b = await setup('gru', 1);
    expect(() => paramsFromFile(runWeightsFile(b.doc, b.run, b.task, b.params, 0), a.layout)).toThrow(
      'tensor "weight_ih_l0" is [15, 1] in the file but [20, 1] in this run',
    );
  });

  it('a bidirectional run: torch\'s reverse tensors, in its order, and a head on 2H', async () => {
    const { doc, run, task, layout, params } = await setup('gru', 2, true);
    expect(tensorSlots(layout).map((s) => `${s.name} [${s.shape.join(',')}]`)).toEqual([
      'weight_ih_l0 [15,1]', 'weight_hh_l0 [15,5]', 'bias_ih_l0 [15]', 'bias_hh_l0 [15]',
      'weight_ih_l0_reverse [15,1]', 'weight_hh_l0_reverse [15,5]', 'bias_ih_l0_reverse [15]', 'bias_hh_l0_reverse [15]',
      'weight_ih_l1 [15,10]', 'weight_hh_l1 [15,5]', 'bias_ih_l1 [15]', 'bias_hh_l1 [15]',
      'weight_ih_l1_reverse [15,10]', 'weight_hh_l1_reverse [15,5]', 'bias_ih_l1_reverse [15]', 'bias_hh_l1_reverse [15]',
      'head.weight [1,10]', 'head.bias [1]',
    ]);
    const file = runWeightsFile(doc, run, task, params, 3);
    expect(readSafetensors(file).metadata).toMatchObject({ bidirectional: 'true', residual: 'false' });
    expect(paramsFromFile(file, layout)).toEqual(params);
    const plain = (await setup('gru', 2)).layout;
    expect(() => paramsFromFile(file, plain)).toThrow('tensor "weight_ih_l1" is [15, 10] in the file but [15, 5] in this run');
  });

  it.each([...CELL_KINDS.map((c) => [c, false] as const), ['lstm', true] as const, ['rnn_relu', true] as const])(
    '%s (bidirectional %s): torch.nn loads the file with strict=True and holds our values', async (cell, bidirectional) => {
    const python = torchPython();
    if (!python) return;
    const { doc, run, task, params, layout } = await setup(cell, 2, bidirectional);
    const dir = mkdtempSync(join(tmpdir(), 'weights-'));
    const path = join(dir, `${cell}${bidirectional ? '-bidirectional' : ''}.safetensors`);
    writeFileSync(path, runWeightsFile(doc, run, task, params, 0));
    // No safetensors package here (Debian has none): the script reads the format itself, as
    // safetensors.torch.load_file would, then loads the state dicts strictly.
    const script = `
import json, struct, sys, torch
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__')
sd = {k: torch.frombuffer(bytearray(raw[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]]), dtype=torch.float32).reshape(v['shape']) for k, v in header.items()}
cell = meta['cell']
bi = meta['bidirectional'] == 'true'
kw = dict(input_size=int(meta['input_size']), hidden_size=int(meta['hidden_size']), num_layers=int(meta['num_layers']), bidirectional=bi)
rnn = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}.get(cell) or (lambda **k: torch.nn.RNN(nonlinearity=cell[4:], **k))
model = rnn(**kw)
model.load_state_dict({k: v for k, v in sd.items() if not k.startswith('head.')}, strict=True)
head = torch.nn.Linear((2 if bi else 1) * int(meta['hidden_size']), int(meta['output_size']))
head.load_state_dict({k[5:]: v for k, v in sd.items() if k.startswith('head.')}, strict=True)
assert [k for k, _ in model.named_parameters()] == [k for k in sd if not k.startswith('head.')], 'parameters() order'
out = {k: v.flatten().tolist() for k, v in model.state_dict().items()}
out.update({'head.' + k: v.flatten().tolist() for k, v in head.state_dict().items()})
print(json.dumps(out))
`;
    const loaded = JSON.parse(runPython(python, script, [path])) as Record<string, number[]>;
    for (const s of tensorSlots(layout)) {
      expect(Float32Array.from(loaded[s.name]), s.name).toEqual(params.slice(s.offset, s.offset + s.size));
    }
  }, 120_000); // importing torch takes seconds on a loaded machine
});
