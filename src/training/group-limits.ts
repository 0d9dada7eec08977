/**
 * Whether a run group fits the device, decided before any buffer exists: the group is built once
 * on a DryRunEngine (src/engine/dry-run.ts), so every buffer (parameters, gradients, optimizer
 * state, activations, saved gates, diagnostics, metrics), every bound range and every dispatch's
 * workgroup count is checked against the device's limits by the very code that would allocate it.
 * Each problem names the settings it grows with, found by building again with each one halved.
 */
import { DryRunEngine, type DryRunProblem } from '../engine/dry-run';
import type { GroupSpec } from './group-spec';
import { RunGroup } from './run-group';

/** The sizes of a group a person sets, as the experiment file names them. */
const SIZE_FIELDS = ['hiddenSize', 'numLayers', 'batch', 'seqLen', 'runs'] as const;
type SizeField = (typeof SIZE_FIELDS)[number];

const LABEL = 'limits check';

async function dryBuild(spec: GroupSpec, limits: GPUSupportedLimits): Promise<{ problems: DryRunProblem[]; totalBytes: number }> {
  const engine = new DryRunEngine(limits, LABEL);
  try {
    const group = await RunGroup.create(engine, { ...spec, label: LABEL }, () => undefined);
    group.destroy();
  } catch (e) {
    // Sizes past what a uniform record or an index can hold fail while building; report them
    // like a limit, the first number in the message as the amount the settings grow.
    if (e instanceof Error && e.name === 'ConfigError') throw e;
    const message = e instanceof Error ? e.message : String(e);
    const amount = Number(/\d+/.exec(message)?.[0] ?? 0);
    engine.problems.push({ key: `build ${message.replace(/\d+/g, 'N')}`, amount, limit: NaN, message });
  }
  return { problems: engine.problems, totalBytes: engine.totalBytes };
}

function value(spec: GroupSpec, field: SizeField): number {
  return field === 'runs' ? spec.runs.length : spec[field];
}

function halved(spec: GroupSpec, field: SizeField): GroupSpec | undefined {
  const v = value(spec, field);
  if (v < 2) return undefined;
  const half = Math.floor(v / 2);
  if (field === 'runs') return { ...spec, runs: spec.runs.slice(0, half) };
  return { ...spec, [field]: half };
}

/**
 * Problems with building `spec` on a device with `limits`, each naming the settings to reduce;
 * [] when it fits. `spec` must already pass validateGroupSpec (the schema).
 */
export async function groupLimitProblems(spec: GroupSpec, limits: GPUSupportedLimits): Promise<string[]> {
  const { problems } = await dryBuild(spec, limits);
  if (problems.length === 0) return [];
  const growsWith = new Map<string, SizeField[]>(problems.map((p) => [p.key, []]));
  for (const field of SIZE_FIELDS) {
    const smaller = halved(spec, field);
    if (!smaller) continue;
    let after: DryRunProblem[];
    try {
      after = (await dryBuild(smaller, limits)).problems;
    } catch {
      continue; // a halved shape the schema refuses (a residual width, say) says nothing about this field
    }
    for (const p of problems) {
      const q = after.find((a) => a.key === p.key);
      if (!q || q.amount < p.amount) growsWith.get(p.key)!.push(field);
    }
  }
  const shape = (fields: SizeField[]) => fields.map((f) => `${f} ${value(spec, f)}`).join(', ');
  return problems.map((p) => {
    const fields = growsWith.get(p.key)!;
    const message = p.message.split(`${LABEL} `).join('');
    return fields.length > 0
      ? `${shape(fields)}: ${message}; reduce ${fields.join(', ').replace(/, (\w+)$/, ' or $1')}`
      : `${message}; reduce the sizes of this group`;
  });
}
