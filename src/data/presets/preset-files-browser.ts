/** The page's reader of the data files the presets ship: bundled by Vite, each fetched when a preset first needs it. */
import type { PresetFileLoader } from './index';

const FILES = import.meta.glob('./*.csv', { query: '?raw', import: 'default' }) as Record<string, () => Promise<string>>;

export const browserPresetFile: PresetFileLoader = async (file) => {
  const load = FILES[`./${file}`];
  if (!load) throw new Error(`no preset data file ${file}`);
  return load();
};
