/**
 * The PNG a chart downloads: its canvas on an opaque background in the current theme, with the
 * chart's title above and a legend of the drawn runs below (the page's HTML legend is not part
 * of the canvas). Browser only (canvas).
 */

export interface ImageLegendItem {
  label: string;
  color: string;
}

export interface ImageStyle {
  background: string;
  text: string;
  font: string;
}

export function chartImage(source: HTMLCanvasElement, title: string, legend: readonly ImageLegendItem[], style: ImageStyle): Promise<Blob> {
  const scale = source.width / Math.max(1, source.clientWidth || source.width);
  const pad = 12 * scale;
  const titleSize = 15 * scale;
  const itemSize = 13 * scale;
  const swatch = 14 * scale;
  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = `${itemSize}px ${style.font}`;
  // Lay legend items out in rows as wide as the chart.
  const rows: { item: ImageLegendItem; x: number }[][] = [[]];
  let x = pad;
  for (const item of legend) {
    const width = swatch + 6 * scale + measure.measureText(item.label).width + 18 * scale;
    if (x + width > source.width - pad && rows[rows.length - 1].length > 0) {
      rows.push([]);
      x = pad;
    }
    rows[rows.length - 1].push({ item, x });
    x += width;
  }
  const rowHeight = itemSize * 1.6;
  const top = pad + titleSize * 1.6;
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = Math.ceil(top + source.height + pad / 2 + rows.length * rowHeight + pad / 2);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = style.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = style.text;
  ctx.textBaseline = 'middle';
  ctx.font = `600 ${titleSize}px ${style.font}`;
  ctx.fillText(title, pad, pad + titleSize * 0.7);
  ctx.drawImage(source, 0, top);
  ctx.font = `${itemSize}px ${style.font}`;
  rows.forEach((row, r) => {
    const y = top + source.height + pad / 2 + (r + 0.5) * rowHeight;
    for (const { item, x: left } of row) {
      ctx.fillStyle = item.color;
      ctx.fillRect(left, y - 1.5 * scale, swatch, 3 * scale);
      ctx.fillStyle = style.text;
      ctx.fillText(item.label, left + swatch + 6 * scale, y);
    }
  });
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the chart could not be encoded as PNG'))), 'image/png'),
  );
}
