/**
 * Colour helpers for chart lines: the faint raw line behind a smoothed one is the run's colour
 * at low alpha. Understands #rgb, #rrggbb and rgb()/rgba(); any other CSS colour comes back
 * unchanged (drawn at full strength rather than guessed at). Pure text.
 */

export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  let rgb: number[] | undefined;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((d) => d + d).join('') : hex[1];
    rgb = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else {
    const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
    if (fn) rgb = fn.slice(1, 4).map(Number);
  }
  return rgb ? `rgba(${rgb.join(', ')}, ${alpha})` : color;
}
