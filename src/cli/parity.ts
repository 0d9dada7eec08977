/**
 * Parity tool: runs parity cases (JSON, see src/model/parity-case.ts) through the WebGPU
 * engine in Node and compares every tensor with the case's expected values.
 *   npm run parity -- FILE.json|DIR [FILE.json|DIR ...]
 * One line per file, the file first: PASS/FAIL with the worst tensor, or why it could not run
 * (MALFORMED, ERROR); every file is tried whatever happened to the others. Names are printed
 * safely. Exit 0 all pass, 1 a case failed or could not run on this device, 2 a file is
 * unreadable or malformed, or the arguments name no case.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeEngine } from '../engine/node';
import type { Engine } from '../engine/engine';
import { CaseFormatError, parseParityCase, type ParityCase } from '../model/parity-case';
import { compareCase, ATOL, RTOL } from '../model/parity-compare';
import { RnnGpu } from '../model/rnn-gpu';
import { forwardBackward } from '../model/rnn-io';
import { printable } from './printable';

const USAGE = `usage: npm run parity -- FILE.json|DIR [FILE.json|DIR ...]

Runs each parity case (a network, its inputs and the expected outputs and gradients, e.g. made by
PyTorch: fixtures/make_torch_cases.py) through the WebGPU engine and compares every tensor with
|gpu - expected| <= ${ATOL} + ${RTOL} |expected|. A folder means every .json file in it.
exit: 0 all pass, 1 a case failed or could not run here, 2 a file unreadable or malformed`;

/** Files named by the arguments, or the usage problem. */
function expand(args: string[]): { files: string[]; problems: string[] } {
  const files: string[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      files.push(arg); // reported as unreadable when loaded
      continue;
    }
    if (!isDir) {
      files.push(arg);
      continue;
    }
    const found = readdirSync(arg).filter((f) => f.endsWith('.json')).sort().map((f) => join(arg, f));
    if (found.length === 0) problems.push(`no .json files in ${printable(arg)}`);
    files.push(...found);
  }
  return { files, problems };
}

function load(file: string): ParityCase {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CaseFormatError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CaseFormatError(file, `not valid JSON (${(e as Error).message})`);
  }
  return parseParityCase(json, file);
}

type Outcome = 'pass' | 'fail' | 'error' | 'malformed';

async function runCase(engine: Engine, file: string): Promise<Outcome> {
  const where = printable(file);
  let c: ParityCase;
  try {
    c = load(file);
  } catch (e) {
    if (!(e instanceof CaseFormatError)) throw e;
    console.log(`${where}: MALFORMED ${printable(e.message.slice(file.length + 2))}`);
    return 'malformed';
  }
  let net: RnnGpu | undefined;
  try {
    net = await RnnGpu.create(engine, { ...c.shape, seqLen: c.seqLen, batch: c.batch, runs: 1 });
    const [got] = await forwardBackward(net, [c]);
    const { pass, worst } = compareCase(c, got);
    console.log(
      `${where}: ${printable(c.name)} ${pass ? 'PASS' : 'FAIL'}  worst ${worst.tensor}: max abs ${worst.maxAbs.toExponential(2)}, ` +
        `max rel ${worst.maxRel.toExponential(2)} (${(worst.worstRatio * 100).toFixed(1)}% of tolerance)`,
    );
    return pass ? 'pass' : 'fail';
  } catch (e) {
    console.log(`${where}: ${printable(c.name)} ERROR could not run here: ${printable(e instanceof Error ? e.message : String(e))}`);
    return 'error';
  } finally {
    net?.destroy();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.find((a) => a.startsWith('--'));
  if (unknown) {
    console.error(`unknown option ${printable(unknown)}\n${USAGE}`);
    return 2;
  }
  const { files, problems } = expand(args);
  for (const p of problems) console.error(p);
  if (files.length === 0) {
    if (problems.length === 0) console.error(USAGE);
    return 2;
  }
  const engine = await createNodeEngine();
  const counts: Record<Outcome, number> = { pass: 0, fail: 0, error: 0, malformed: 0 };
  try {
    for (const file of files) counts[await runCase(engine, file)]++;
  } finally {
    engine.destroy();
  }
  const extra = [counts.error && `${counts.error} could not run`, counts.malformed && `${counts.malformed} malformed`].filter(Boolean);
  console.log(`${counts.pass} passed, ${counts.fail} failed${extra.length ? `, ${extra.join(', ')}` : ''} (tolerance |gpu - expected| <= ${ATOL} + ${RTOL} * |expected|)`);
  if (counts.malformed > 0 || problems.length > 0) return 2;
  return counts.fail > 0 || counts.error > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(printable(e instanceof Error ? e.message : String(e)));
    process.exit(1);
  },
);
