/**
 * The fields of the per-run table (`struct Run` in shaders/lib/run.wgsl), in struct order: each
 * run's settings for the coming step, set by name by the stage that owns them and written to the
 * GPU once per step when one changed (src/engine/run-table.ts). A trick that needs a per-run value
 * (a dropout rate, a seed and step for its masks) adds a field here and in the struct; the test
 * in run-fields.test.ts holds the two together.
 */
import type { BindingResource } from '../engine/engine';
import { RecordLayout, type FieldSpec } from '../engine/record';
import type { RunTable } from '../engine/run-table';

const f32 = <N extends string>(name: N): FieldSpec<N> => ({ name, type: 'f32' });
const u32 = <N extends string>(name: N): FieldSpec<N> => ({ name, type: 'u32' });

export const RUN_FIELDS = [
  // The update stage (src/training/update-stage.ts): optimizer, learning rate, clipping.
  u32('optimizer'), u32('optimizer_flags'), f32('lr'), f32('weight_decay'), f32('momentum'),
  f32('one_minus_dampening'), f32('alpha'), f32('one_minus_alpha'), f32('eps'), f32('beta1'),
  f32('one_minus_beta1'), f32('beta2'), f32('one_minus_beta2'), f32('step_size'), f32('bc2_sqrt'),
  f32('decay_factor'), f32('max_norm'), f32('clip_value'),
  // The dropout stage (src/training/dropout-stage.ts): the step's mask key, and per kind the
  // threshold on 24 random bits (0 keeps all) and the scale of kept values.
  u32('dropout_key'), u32('dropout_threshold'), f32('dropout_scale'), u32('recurrent_threshold'), f32('recurrent_scale'),
  // The update stage for a run on a plateau: Adam's 1 / (1 - beta1^t), so the step size follows the plateau's rate.
  f32('bc1_inv'),
  // The plateau stage (src/training/plateau-stage.ts): ReduceLROnPlateau's settings and this step's flags.
  u32('plateau_flags'), f32('plateau_factor'), f32('plateau_threshold'), u32('plateau_patience'), u32('plateau_cooldown'),
  f32('plateau_min_lr'),
  // The prune stage (src/training/prune-stage.ts): whether the run prunes, and whether its masks change this step.
  u32('prune_flags'),
] as const;

export type RunField = (typeof RUN_FIELDS)[number]['name'];

export const RUN_RECORD = new RecordLayout<RunField>(RUN_FIELDS);

/** The binding of `run_table` in every kernel that includes shaders/lib/run.wgsl. */
export const RUN_TABLE_BINDING = 10;

/** A kernel's bindings plus the run table at its one binding. */
export function withRunTable(
  table: RunTable<RunField>,
  resources: Readonly<Record<number, BindingResource>>,
): Record<number, BindingResource> {
  return { ...resources, [RUN_TABLE_BINDING]: table.binding() };
}
