/**
 * The `brackets` corpus: a generated toy language of words and nested (), [] and {} groups, one
 * expression per line, seeded. A character model can only close a group correctly by remembering
 * which brackets are open and in what order, so it shows how much structure a net carries.
 */
import { deriveKey, RngStream, STREAM } from '../../training/rng';

const WORDS = ['a', 'b', 'c', 'ab', 'ba', 'cab', 'bad', 'dab', 'fed', 'face', 'dead', 'beef'];
const PAIRS = ['()', '[]', '{}'];
/** Chance that an item is a group while the depth allows one. */
const NEST = 0.45;

/** Lines of the language until at least `length` characters, each ending in \n; groups nest up to `depth`. */
export function bracketsCorpus(seed: number, length: number, depth: number): string {
  const rng = new RngStream(deriveKey(seed, 0x627261), STREAM.data); // 'bra'
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng.uniform() * list.length)];
  const expr = (room: number): string => {
    const items = 1 + Math.floor(rng.uniform() * 3);
    const out: string[] = [];
    for (let i = 0; i < items; i++) {
      if (room > 0 && rng.uniform() < NEST) {
        const pair = pick(PAIRS);
        out.push(pair[0] + expr(room - 1) + pair[1]);
      } else out.push(pick(WORDS));
    }
    return out.join(' ');
  };
  const lines: string[] = [];
  let size = 0;
  while (size < length) {
    const line = `${expr(depth)}\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('');
}
