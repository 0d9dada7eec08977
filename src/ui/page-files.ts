/**
 * Files the page writes and reads for an experiment: the experiment file (with or without
 * histories), every run's metrics as CSV, a run's weights as .safetensors, the PyTorch script
 * that rebuilds the experiment (src/export), and reading back an
 * experiment file or a weights file a person opens. Thin over src/experiments' formats; errors
 * come back as messages that name what did not fit.
 */
import type { TaskSources } from '../data/tasks';
import type { Experiment } from '../experiments/experiment';
import { exportTorchScriptFrom, torchScriptFileName } from '../export/torch-script';
import { experimentFileText, openExperimentFile, type OpenedFile, MAX_EXPERIMENT_FILE_BYTES } from '../experiments/export-file';
import type { RunHistory } from '../experiments/history';
import { metricsCsv } from '../experiments/metrics-csv';
import { paramsFromFile, runLayout, runWeightsFile } from '../experiments/weights';
import { fileSlug, saveBlob } from './download';

export function downloadExperiment(experiment: Experiment, withHistories: boolean): void {
  const doc = experiment.doc;
  const histories = withHistories
    ? new Map(doc.runs.flatMap((r) => {
        const h = experiment.history(r.id);
        return h ? [[r.id, h] as [string, RunHistory]] : [];
      }))
    : undefined;
  const name = `${fileSlug(doc.name)}${withHistories ? '-with-histories' : ''}.json`;
  saveBlob(new Blob([experimentFileText(doc, histories)], { type: 'application/json' }), name);
}

export function downloadMetrics(experiment: Experiment): void {
  const text = metricsCsv(experiment.doc, (id) => experiment.history(id));
  saveBlob(new Blob([text], { type: 'text/csv' }), `${fileSlug(experiment.doc.name)}-metrics.csv`);
}

/**
 * Downloads the experiment as a PyTorch script (src/export/torch-script.ts) and gives its file
 * name; throws the generator's refusal (which runs use which tricks it does not reproduce).
 */
export async function downloadTorchScript(experiment: Experiment, sources: TaskSources): Promise<string> {
  const doc = experiment.doc;
  const fileName = torchScriptFileName(doc);
  const script = await exportTorchScriptFrom(doc, sources, { fileName });
  saveBlob(new Blob([script], { type: 'text/x-python' }), fileName);
  return fileName;
}

export async function downloadWeights(experiment: Experiment, runId: string): Promise<void> {
  const run = experiment.doc.runs.find((r) => r.id === runId);
  const checkpoint = await experiment.readCheckpoint(runId);
  if (!run || !checkpoint) throw new Error(`no run with id "${runId}"`);
  const bytes = runWeightsFile(experiment.doc, run, experiment.currentTask, checkpoint.params, checkpoint.step);
  saveBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), `${run.id}.safetensors`);
}

/** A run's parameter vector from a .safetensors file; throws naming the first tensor that does not fit the run. */
export async function weightsFromFile(experiment: Experiment, runId: string, file: File): Promise<Float32Array> {
  const run = experiment.doc.runs.find((r) => r.id === runId);
  if (!run) throw new Error(`no run with id "${runId}"`);
  const layout = runLayout(run, experiment.currentTask);
  // The run's float32 tensors and a generous header: anything larger is refused before it is read.
  const most = 4 * layout.paramCount + 2 ** 20;
  if (file.size > most) {
    throw new Error(`the file has ${(file.size / 2 ** 20).toFixed(1)} MiB; weights for run "${run.id}" take at most ${(most / 2 ** 20).toFixed(1)} MiB`);
  }
  return paramsFromFile(new Uint8Array(await file.arrayBuffer()), layout);
}

/** An experiment file a person opened; never throws. */
export async function readExperimentFile(file: File): Promise<OpenedFile> {
  if (file.size > MAX_EXPERIMENT_FILE_BYTES) return openExperimentFile('', file.size);
  return openExperimentFile(await file.text(), file.size);
}
