/**
 * The task presets: for each built-in task, one experiment (a JSON document beside this file,
 * compact: every field left out takes its default) whose best run beats the task's baseline
 * within the document's `budget` steps, at honest difficulty. The registry adds a one-line
 * description and names that run. Pure data: the runner's `--preset` and the page's task menu
 * read it; the figures measured for each preset are in the README, not here.
 */
import { readExperiment } from '../../config/parse';
import type { ExperimentDoc } from '../../config/experiment';
import type { TaskData, TaskKind } from '../tasks/task-def';
import { parseCsv } from '../user-data';
import adding from './adding.json';
import charlm from './charlm.json';
import classify from './classify.json';
import copy from './copy.json';
import parity from './parity.json';
import reber from './reber.json';
import series from './series.json';
import sine from './sine.json';

export interface Preset {
  /** Registry key, the runner's `--preset NAME`. */
  name: string;
  /** One line: what the preset shows. */
  description: string;
  /** The experiment document as written (defaults left out). */
  json: Readonly<Record<string, unknown>>;
  /** Id of the run expected to beat the task's baseline within the document's budget. */
  expected: string;
  /** The data the task trains on when it is not generated: a CSV beside this file, read as a user's file would be. */
  data?: PresetData;
}

export interface PresetData {
  /** File name beside this module. */
  file: string;
  /** Where the data comes from and under which terms. */
  source: string;
}

/** Reads a preset's data file: preset-files-node.ts or preset-files-browser.ts. */
export type PresetFileLoader = (file: string) => Promise<string>;

function preset(name: TaskKind, json: Record<string, unknown>, description: string, expected: string, data?: PresetData): Preset {
  return { name, description, json, expected, ...(data ? { data } : {}) };
}

/** One preset per task kind; `series` ships its CSV (public-domain yearly sunspot numbers). */
export const PRESETS: Readonly<Record<string, Preset>> = {
  sine: preset('sine', sine, 'Two summed noisy sines, predicted 4 steps ahead; Adam against plain SGD on one LSTM.', 'adam'),
  adding: preset('adding', adding, 'The adding problem over 50 steps: sum the two marked values; LSTM against a vanilla RNN.', 'lstm'),
  copy: preset('copy', copy, 'Recall 5 symbols of 8 after 10 blank steps; GRU against LSTM.', 'gru'),
  parity: preset('parity', parity, 'The running XOR of 16 bits, scored at every step; LSTM against a vanilla RNN.', 'lstm'),
  reber: preset('reber', reber, 'Embedded Reber grammar: the second-to-last symbol repeats the second; LSTM against a vanilla RNN.', 'lstm'),
  charlm: preset('charlm', charlm, 'A character LSTM on this project\'s own TypeScript and WGSL, to below 3 bits per character.', 'lstm'),
  classify: preset('classify', classify, 'Tell 8 noisy wave families apart in padded sequences of 10 to 40 steps; GRU against a vanilla RNN.', 'gru'),
  series: preset('series', series, 'Yearly sunspot numbers 1700-2008, one year ahead; a small LSTM against a large one that overfits.', 'small', {
    file: 'sunspots.csv',
    source: 'yearly mean sunspot numbers 1700-2008 from NOAA\'s National Geophysical Data Center (public domain), as in statsmodels\' sunspots dataset',
  }),
};

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/** The preset's task data (undefined for generated tasks), parsed like a file the user opens; throws on a bad file. */
export async function presetData(preset: Preset, load: PresetFileLoader): Promise<TaskData | undefined> {
  if (!preset.data) return undefined;
  const parsed = parseCsv(await load(preset.data.file));
  if (!parsed.ok) throw new Error(`preset ${preset.name}: ${preset.data.file}: ${parsed.errors.join('; ')}`);
  return parsed.data;
}

/** The preset's experiment with every default filled in; throws ExperimentError naming the field if it no longer validates. */
export function presetExperiment(preset: Preset): ExperimentDoc {
  return readExperiment(structuredClone(preset.json), `preset ${preset.name}`);
}
