/**
 * Export an experiment as one readable PyTorch script that rebuilds it (issue 9, "Leaving the
 * browser"): per run a torch.nn.LSTM/GRU/RNN and a linear head with the app's initial weights
 * (regenerated from the seed, or embedded), the same data, BPTT windows, loss, optimizer,
 * schedule and clipping; it prints `step N run LABEL loss X` and scales out with torchrun.
 * Assembles fixed Python sections (src/export/py-*.ts) and fills in values; runs nothing.
 */
import type { ExperimentDoc, RunConfig } from '../config/experiment';
import { fieldsOf } from '../config/table';
import { loadTask, TASKS, type TaskData, type TaskKind, type TaskSources } from '../data/tasks';
import { initParams } from '../model/init';
import { runLayout, tensorSlots } from '../experiments/weights';
import { PY_EVALUATION } from './py-evaluation';
import { PY_LAYERS } from './py-layers';
import { PY_MODEL } from './py-model';
import { PY_PRUNE } from './py-prune';
import { PY_TRAINING } from './py-training';
import { pyFloat32, pyNumberList, pyString, pyValue } from './python-literal';
import { pythonTaskSource, taskDataFor, taskPortedFrom } from './task-source';

export interface TorchExportOptions {
  /**
   * Initial weights by run id: a run's whole parameter vector in the app's layout (the order of
   * src/experiments/weights.ts tensorSlots). Runs left out regenerate theirs from their seed.
   */
  weights?: Record<string, Float32Array>;
  /** The task's data when it needs some: the user's text or CSV, or the bundled source text (corpus "source"). */
  data?: TaskData;
  /** The script's file name, for the run instructions in its header (default torchScriptFileName(doc)). */
  fileName?: string;
}

/**
 * A file name for the script from the experiment's name, e.g. `adam-against-sgd-torch.py`. The
 * hyphen matters: Python puts the script's folder first on its import path, so a script called
 * `copy.py` would be imported by torch in place of the standard library's copy module.
 */
export function torchScriptFileName(doc: ExperimentDoc): string {
  const slug = doc.name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return `${slug || 'experiment'}-torch.py`;
}

/** The command lines the header shows, quoted by the README. */
export function runInstructions(file: string): string[] {
  return [
    `python3 ${file} --steps 5                 # the first 5 steps, on the CPU`,
    `python3 ${file} --device cuda             # the whole budget on a GPU`,
    `torchrun --nproc_per_node 4 ${file} --device cuda    # 4 GPUs of one machine`,
    `torchrun --nnodes 2 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint HOST:29500 ${file} --device cuda`,
  ];
}

/** Text safe inside a Python docstring: no control characters, backslashes and quotes escaped. */
function docstringText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function header(doc: ExperimentDoc, embedded: string[], fileName: string): string {
  const kind = doc.task.kind as TaskKind;
  const ported = [
    ['counter RNG', 'src/training/rng.ts'],
    [`task "${kind}"`, taskPortedFrom(kind).join(', ')],
    ['model and parameter order', 'src/model/model-layout.ts, src/model/plan.ts, src/experiments/weights.ts'],
    ['initial weights', 'src/model/init.ts'],
    ['layers with tricks', 'src/reference/rnn.ts, src/reference/norm.ts'],
    ['dropout masks', 'src/training/dropout.ts'],
    ['validation, plateau', 'src/training/eval-batches.ts, src/training/plateau.ts'],
    ['pruning', 'src/training/prune.ts'],
    ['BPTT windows', 'src/training/bptt.ts (windowPlan, scoreWindow)'],
    ['loss', 'src/reference/train.ts (referenceLoss)'],
    ['learning-rate schedule', 'src/training/schedules.ts'],
    ['optimizers, clipping', 'torch.optim, torch.nn.utils (mirrored by src/reference/optim.ts)'],
  ];
  const width = Math.max(...ported.map(([what]) => what.length)) + 2;
  const weights = embedded.length === 0
    ? 'Initial weights: regenerated from each run\'s seed with the counter RNG, equal to the app\'s bit for bit.'
    : `Initial weights: embedded for ${embedded.map((id) => `"${id}"`).join(', ')} (WEIGHTS below); the other runs regenerate theirs from their seed.`;
  return [
    '#!/usr/bin/env python3',
    `"""${docstringText(doc.name)}: an experiment exported from RNN Playground as a PyTorch script.`,
    '',
    'It rebuilds the experiment with torch alone: per run a torch.nn.LSTM / GRU / RNN and a',
    'torch.nn.Linear head, the same initial weights, the same data bit for bit (the task generator and',
    'the counter RNG are ported to Python with the same arithmetic in the same order; Python floats and',
    'JavaScript numbers are both IEEE doubles), the same BPTT windows, loss, optimizer, learning-rate',
    'schedule and gradient clipping. Its losses follow the app\'s (within 1e-3 relative over the first',
    'steps; the app trains in float32 on WebGPU, this script in float32 with torch\'s kernels).',
    'Tricks it reproduces: bidirectional layers (torch\'s bidirectional=True, one module per layer; the',
    'reverse direction starts afresh in every BPTT window, as in the app), residual layers, layer',
    'normalisation and recurrent batch normalisation (a small cell loop with torch.nn.functional\'s',
    'layer_norm and batch_norm; batch norm in one process only), dropout between layers, on the',
    'head\'s input and on h_{t-1} (recurrent) with the app\'s very masks, the validation pass and',
    'reduce-on-plateau (torch.optim.lr_scheduler.ReduceLROnPlateau) and magnitude pruning (oneshot or',
    'gradual, masks on the gradients and the weights).',
    weights,
    '',
    'Ported from the app\'s source:',
    ...ported.map(([what, from]) => `    ${what.padEnd(width)}${from}`),
    '',
    'Run it (prints one line per step and run: "step N run LABEL loss X", and after each evaluation',
    '"step N run LABEL val_loss X"):',
    ...runInstructions(fileName).map((l) => `    ${l}`),
    '',
    'Under torchrun (WORLD_SIZE set) every process trains every run on its own share of each',
    'batch\'s rows under DistributedDataParallel (gloo on the CPU, nccl with --device cuda); the',
    'gradients, and so the losses, are those of the whole batch, as in one process. Each run\'s batch',
    'must have at least one row per process. Rank 0 prints.',
    '"""',
  ].join('\n');
}

/** WEIGHTS: run id -> tensor name -> flat float32 values, checked against each run's shape. */
function weightsConstant(doc: ExperimentDoc, weights: Record<string, Float32Array>, data: TaskData | undefined): string {
  const comment = '# Initial weights by run id, flat and row-major in PyTorch\'s shapes (runs not here use their seed).';
  if (Object.keys(weights).length === 0) return `${comment}\nWEIGHTS = {}`;
  const task = TASKS[doc.task.kind as TaskKind].create(doc.task, data);
  const entries = Object.entries(weights).map(([id, params]) => {
    const run = doc.runs.find((r) => r.id === id);
    if (!run) throw new Error(`weights for run "${id}": the experiment has no run with that id (it has ${doc.runs.map((r) => `"${r.id}"`).join(', ')})`);
    const layout = runLayout(run, task);
    if (params.length !== layout.paramCount) {
      throw new Error(`weights for run "${id}" have ${params.length} numbers; its ${run.cell} of hidden size ${run.hiddenSize} needs ${layout.paramCount}`);
    }
    const tensors = tensorSlots(layout).map((s) =>
      `        ${pyString(s.name)}: ${pyNumberList(params.subarray(s.offset, s.offset + s.size), '        ', 8, pyFloat32)},`);
    return `    ${pyString(id)}: {\n${tensors.join('\n')}\n    },`;
  });
  return `${comment}\nWEIGHTS = {\n${entries.join('\n')}\n}`;
}

/** A run's settings in the field table's order (identity, model, batching, BPTT, optimizer, ...), for reading. */
function inTableOrder(run: RunConfig): Record<string, unknown> {
  const keys = [...new Set([...fieldsOf('run').map((f) => f.path.split('.')[0]), ...Object.keys(run)])];
  return Object.fromEntries(keys.filter((k) => k in run).map((k) => [k, run[k as keyof RunConfig]]));
}

/**
 * The experiment as one Python file that depends only on torch. Throws (naming the run or the
 * data) when the task needs data that `options.data` does not hold or a weight vector does not
 * fit its run.
 */
/**
 * What the script cannot reproduce, one line per run: an initialisation scheme whose initial
 * weights are not embedded (exportTorchScriptFrom embeds them); the export refuses it rather than
 * write a script that trains something else. Every trick is reproduced.
 */
export function torchExportProblems(doc: ExperimentDoc, weights: Readonly<Record<string, Float32Array>> = {}): string[] {
  return doc.runs.flatMap((run) => {
    const uses: string[] = [];
    if (!weights[run.id] && !isDefaultInit(run.init)) uses.push('an initialisation scheme (export its weights with it)');
    return uses.map((u) => `run "${run.label}" uses ${u}, which the PyTorch script does not reproduce yet`);
  });
}

function isDefaultInit(init: RunConfig['init']): boolean {
  return init.weightIh === 'default' && init.weightHh === 'default' && init.bias === 'default' && init.forgetBias === undefined;
}

export function exportTorchScript(doc: ExperimentDoc, options: TorchExportOptions = {}): string {
  const data = taskDataFor(doc.task, options.data);
  const weights = options.weights ?? {};
  const problems = torchExportProblems(doc, weights);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const sections = [
    header(doc, Object.keys(weights), options.fileName ?? torchScriptFileName(doc)),
    'import argparse\nimport math\nimport os\n\nimport torch',
    `# The experiment file (src/config/experiment.ts), every field written out.\nEXPERIMENT = ${pyValue({ ...doc, runs: doc.runs.map(inTableOrder) })}`,
    weightsConstant(doc, weights, data),
    `# Validation batches of the task (src/data/task.ts valBatches), evaluated every evalEvery steps.\nVAL_BATCHES = ${TASKS[doc.task.kind as TaskKind].create(doc.task, data).valBatches}`,
    pythonTaskSource(doc.task, data),
    PY_MODEL,
    PY_LAYERS,
    PY_EVALUATION,
    PY_PRUNE,
    PY_TRAINING,
  ];
  return `${sections.map((s) => s.trim()).join('\n\n\n')}\n`;
}

/**
 * exportTorchScript with the task's data gathered as the experiment gathers it (loadTask's
 * sources): the bundled source text loaded when `corpus` is "source", else the user's data.
 */
export async function exportTorchScriptFrom(
  doc: ExperimentDoc,
  sources: TaskSources,
  options: Omit<TorchExportOptions, 'data'> = {},
): Promise<string> {
  const need = TASKS[doc.task.kind as TaskKind]?.needs(doc.task);
  const data: TaskData | undefined = need === 'source' && sources.source ? { kind: 'text', text: await sources.source() } : sources.user;
  // Runs with an initialisation scheme carry their initial weights, drawn here as the app draws them.
  const weights: Record<string, Float32Array> = { ...options.weights };
  const schemed = doc.runs.filter((r) => !weights[r.id] && !isDefaultInit(r.init));
  if (schemed.length > 0) {
    const task = await loadTask(doc.task, { ...sources, user: data });
    for (const run of schemed) {
      const layout = runLayout(run, task);
      const params = new Float32Array(layout.paramCount);
      initParams(params, layout.rnn, run.hiddenSize, layout.head, run.seed, run.init, run.cell);
      weights[run.id] = params;
    }
  }
  return exportTorchScript(doc, { ...options, data, weights });
}
