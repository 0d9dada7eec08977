/**
 * What one setting of the experiment file is, as data (DESIGN decision 9). The field table is a
 * list of these; validation, defaults, the URL codec, the runner's flags, the panel's inputs and
 * the README's field reference all read it, so a setting is added in one place. Registries
 * (tasks, optimizers, tricks) contribute their own FieldDefs; `src/config/table.ts` joins them.
 */

export type FieldValue = number | string | boolean;

/**
 * int, number: finite, inside float32's range; a number that is not 0 must not round to 0 in
 *   float32 (|x| >= 1.2e-38) unless the field allows it.
 * enum: one of `choices`. string: up to `maxLength` characters. color: `#rrggbb`.
 * group: an optional object (e.g. `plateau`): absent means off; its fields apply when present.
 */
export type FieldType = 'int' | 'number' | 'boolean' | 'enum' | 'string' | 'color' | 'group';

/**
 * How a change while training takes effect.
 * live: from the next step, weights and history kept (learning rate, optimizer, clipping...).
 * restart: that run starts over at step 0 (seed, initialisation); its group is not rebuilt.
 * rebuild: the run's shape changed (cell, sizes, batch...): its run group is rebuilt; runs of
 *   other groups keep their weights and histories. Task fields restart every run.
 */
export type Apply = 'live' | 'restart' | 'rebuild';

export type Scope = 'experiment' | 'task' | 'run';

/** The object a field sits in, for defaults and conditions that depend on a sibling. */
export type FieldParent = Readonly<Record<string, unknown>>;

/** Where a default is being computed: the scope's whole object so far, and a run's index. */
export interface DefaultContext {
  root: FieldParent;
  /** The run's position in `runs` (run scope only; 0 elsewhere). */
  index: number;
}

export interface FieldDef {
  /** Dotted path from its scope's object: `optimizer.lr`, `bptt.k1`, `noise` (in the task). */
  path: string;
  scope: Scope;
  type: FieldType;
  /** Short label for the panel, e.g. "learning rate". */
  label: string;
  /** One line on what it does: the panel's hint, the README's reference, the runner's help. */
  doc: string;
  /**
   * Value when left out. A function receives the object the field sits in (e.g. the optimizer,
   * to give each kind torch's own default learning rate) and the scope's object so far. Fields
   * are normalised in table order, so a default may read fields listed before it. Absent for
   * `optional` fields.
   */
  default?: FieldValue | ((parent: FieldParent, ctx: DefaultContext) => FieldValue);
  /** May be left out, meaning "off" (clip.maxNorm, a group like `plateau`). */
  optional?: boolean;
  /** enum: the allowed values, in the order the panel lists them. */
  choices?: readonly string[];
  /** int, number: inclusive bounds unless `exclusiveMin` / `exclusiveMax`. */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  /** number: 0 is allowed even where min is excluded (e.g. "0 turns it off"). */
  allowZero?: boolean;
  /** string: longest allowed. */
  maxLength?: number;
  /** string: what the text must look like, and how a message says it. */
  pattern?: { re: RegExp; doc: string };
  /** Applies only while the field at `when.path` (same scope) holds one of `when.is`. */
  when?: { path: string; is: readonly FieldValue[] };
  apply: Apply;
  /** Hints for the panel: log-scaled slider, step size, hidden under "more". */
  ui?: { log?: boolean; step?: number; advanced?: boolean };
  /** Long option of the headless runner, without dashes (e.g. `hidden`). */
  flag?: string;
}

/** A problem with one field: where (`runs[1].optimizer.lr`) and what is allowed. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A check across fields of one object (k1 <= seqLen, nesterov needs momentum...). */
export interface FieldCheck {
  scope: Scope;
  /** `obj` is the normalised object of that scope; `at` its path prefix (`runs[2]`). */
  check(obj: Readonly<Record<string, unknown>>, at: string): FieldIssue[];
}
