/** Node's reader of the data files the presets ship (sunspots.csv...): read from disk beside this module. */
import { readFileSync } from 'node:fs';
import type { PresetFileLoader } from './index';

export const nodePresetFile: PresetFileLoader = async (file) => readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
