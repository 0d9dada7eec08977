/**
 * A lesson's link: `#lesson=ID` in the page's URL opens that lesson (the keeper reads it beside
 * the `#e=` experiment links; once open, the hash follows the experiment as for any other).
 */

const PREFIX = 'lesson=';

/** The hash (without '#') of a link to lesson `id`. */
export function lessonHash(id: string): string {
  return `${PREFIX}${encodeURIComponent(id)}`;
}

/** The lesson id a hash names, or undefined when the hash is not a lesson link. */
export function lessonIdFromHash(hash: string): string | undefined {
  const text = hash.replace(/^#/, '');
  if (!text.startsWith(PREFIX)) return undefined;
  try {
    return decodeURIComponent(text.slice(PREFIX.length));
  } catch {
    return text.slice(PREFIX.length);
  }
}
