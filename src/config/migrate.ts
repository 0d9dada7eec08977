/**
 * Reading experiment files written by earlier versions. Each migration turns a version-n object
 * into version n + 1; a file runs through every step up to EXPERIMENT_VERSION. A renamed or
 * reshaped field gets a version bump and a step here, with a test that the old file still opens.
 */
import { showValue } from './check-value';
import { EXPERIMENT_VERSION } from './experiment';
import type { FieldIssue } from './field';
import { isObject } from './normalize-scope';

type Json = Record<string, unknown>;

/** MIGRATIONS[n] reads version n and returns version n + 1. None yet: version 1 is the first. */
const MIGRATIONS: Record<number, (doc: Json) => Json> = {};

/** The object at the current version, or why it cannot be read. A missing version means 1. */
export function migrate(input: unknown): { json?: Json; issues: FieldIssue[] } {
  if (!isObject(input)) {
    return { issues: [{ path: '', message: `an experiment must be a JSON object, got ${showValue(input)}` }] };
  }
  const version = input.version ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { issues: [{ path: 'version', message: `version must be an integer from 1 to ${EXPERIMENT_VERSION}, got ${showValue(version)}` }] };
  }
  if (version > EXPERIMENT_VERSION) {
    return {
      issues: [{
        path: 'version',
        message: `version ${version} was written by a newer RNN Playground; this one reads versions 1 to ${EXPERIMENT_VERSION}`,
      }],
    };
  }
  let json: Json = { ...input, version };
  for (let v = version; v < EXPERIMENT_VERSION; v++) json = { ...MIGRATIONS[v](json), version: v + 1 };
  return { json, issues: [] };
}
