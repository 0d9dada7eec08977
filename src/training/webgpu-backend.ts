/**
 * The WebGPU backend of the trainer interface (trainer.ts): it wraps an Engine, builds RunGroups
 * on it, and steps several groups in one submit (DESIGN decision 3 across groups: the experiment
 * steps all its groups in lockstep, and one command buffer per lockstep step is what it costs).
 */
import type { Engine } from '../engine/engine';
import type { GroupSpec } from './group-spec';
import { validateGroupSpec } from './group-spec';
import { groupLimitProblems } from './group-limits';
import { RunGroup } from './run-group';
import type { RecordSink, TrainerBackend } from './trainer';

export class WebGpuBackend implements TrainerBackend {
  readonly kind = 'webgpu';
  private readonly groups = new Set<RunGroup>();

  /** The backend owns `engine` from here on: destroy() destroys it. */
  constructor(readonly engine: Engine) {}

  /** Problems with `spec` on this device (schema, tricks it lacks; every buffer and dispatch against its limits, by a dry run), before anything exists. */
  async validate(spec: GroupSpec): Promise<string[]> {
    const errors = validateGroupSpec(spec);
    return errors.length > 0 ? errors : groupLimitProblems(spec, this.engine.limits);
  }

  async createGroup(spec: GroupSpec, onRecords: RecordSink): Promise<RunGroup> {
    const group = await RunGroup.create(this.engine, spec, onRecords);
    for (const g of this.groups) if (g.destroyed) this.groups.delete(g);
    this.groups.add(group);
    return group;
  }

  /** One training step of every group in `groups`, in one command encoder and one submit. */
  trainStep(groups: readonly RunGroup[]): void {
    trainGroupsStep(this.engine, groups);
  }

  /** Destroys the groups it made that are still alive, then the engine (and its device). */
  destroy(): void {
    for (const g of this.groups) g.destroy();
    this.groups.clear();
    this.engine.destroy();
  }
}

/**
 * Queues one step of each group in a single submit. Checks every group first, so either all
 * step or none does (a group whose metrics are behind makes it throw: settle() first).
 */
export function trainGroupsStep(engine: Engine, groups: readonly RunGroup[]): void {
  const behind = groups.filter((g) => !g.canStep());
  if (behind.length > 0) {
    throw new Error(`run groups ${behind.map((g) => `"${g.spec.label ?? g.spec.cell}"`).join(', ')} cannot step yet; await settle() first`);
  }
  for (const g of groups) g.prepareStep();
  engine.submit(`step of ${groups.length} groups`, (encoder) => {
    for (const g of groups) g.encodeStep(encoder);
  });
  for (const g of groups) g.afterSubmit();
}
