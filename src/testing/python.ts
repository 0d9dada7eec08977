/**
 * Test support: a Python interpreter that can `import torch`, for tests that check our files
 * against PyTorch itself (Debian's python3-torch). Tests that need one skip with a printed
 * reason where there is none; CI and `npm test` never depend on it.
 */
import { spawnSync } from 'node:child_process';

let found: string | null | undefined;

/** The first of `python3` and /usr/bin/python3 that imports torch, or null. */
export function torchPython(): string | null {
  if (found !== undefined) return found;
  found = null;
  for (const exe of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(exe, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) {
      found = exe;
      break;
    }
  }
  if (!found) console.log('skipping PyTorch checks: no python3 here can `import torch` (apt install python3-torch to run them)');
  return found;
}

/** Runs a Python script with `args`; returns stdout, or throws with stderr. */
export function runPython(exe: string, script: string, args: string[] = []): string {
  const r = spawnSync(exe, ['-c', script, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}
