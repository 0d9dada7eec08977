/**
 * Parity tool: runs parity cases (JSON, see src/model/parity-case.ts) through the WebGPU
 * engine in Node and compares every tensor with the case's expected values.
 *   npm run parity -- FILE.json|DIR [FILE.json|DIR ...]
 * One line per case: name, PASS/FAIL, the worst tensor with its max abs and max relative error.
 * Exit 0 all pass, 1 a tensor is out of tolerance, 2 a file is unreadable or malformed.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeEngine } from '../engine/node';
import { CaseFormatError, parseParityCase, type ParityCase } from '../model/parity-case';
import { compareCase, ATOL, RTOL } from '../model/parity-compare';
import { RnnGpu } from '../model/rnn-gpu';
import { forwardBackward } from '../model/rnn-io';

function expand(args: string[]): string[] {
  return args.flatMap((arg) => {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      return [arg]; // reported as unreadable below
    }
    return isDir ? readdirSync(arg).filter((f) => f.endsWith('.json')).sort().map((f) => join(arg, f)) : [arg];
  });
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

async function main(): Promise<number> {
  const files = expand(process.argv.slice(2));
  if (files.length === 0) {
    console.error('usage: npm run parity -- FILE.json|DIR [FILE.json|DIR ...]');
    return 2;
  }
  const cases: ParityCase[] = [];
  let malformed = 0;
  for (const file of files) {
    try {
      cases.push(load(file));
    } catch (e) {
      if (!(e instanceof CaseFormatError)) throw e;
      console.error(`MALFORMED ${e.message}`);
      malformed++;
    }
  }
  const engine = await createNodeEngine();
  let failed = 0;
  for (const c of cases) {
    const net = await RnnGpu.create(engine, { ...c.shape, seqLen: c.seqLen, batch: c.batch, runs: 1 });
    try {
      const [got] = await forwardBackward(net, [c]);
      const { pass, worst } = compareCase(c, got);
      if (!pass) failed++;
      console.log(
        `${c.name.padEnd(28)} ${pass ? 'PASS' : 'FAIL'}  worst ${worst.tensor}: max abs ${worst.maxAbs.toExponential(2)}, ` +
          `max rel ${worst.maxRel.toExponential(2)} (${(worst.worstRatio * 100).toFixed(1)}% of tolerance)`,
      );
    } finally {
      net.destroy();
    }
  }
  console.log(`${cases.length - failed} passed, ${failed} failed${malformed ? `, ${malformed} malformed` : ''} (tolerance |gpu - expected| <= ${ATOL} + ${RTOL} * |expected|)`);
  engine.destroy();
  return malformed > 0 ? 2 : failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
