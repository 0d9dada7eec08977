/**
 * A generated section of the README: the text between a begin and an end marker, rewritten by
 * `npm run docs` and compared by a test, so the README cannot drift from the code it describes
 * (the field table, the keyboard shortcuts).
 */

/** `readme` with the text between `begin` and `end` (markers included) replaced by `section`. */
export function replaceSection(readme: string, begin: string, end: string, section: string): string {
  const start = readme.indexOf(begin);
  const stop = readme.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`the README has no generated section markers (${begin} ... ${end})`);
  return readme.slice(0, start) + section + readme.slice(stop + end.length);
}
