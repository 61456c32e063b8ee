/**
 * Inline SVG bar charts for the usage pages: numbers in, markup out (no data from users reaches
 * it but numbers and dates, formatted here), with a <title> per bar for a tooltip and screen
 * readers; the page also shows the same figures as a table.
 */
export interface Bar {
  label: string;
  value: number;
}

export function barChart(title: string, bars: Bar[], opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 140;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const gap = 2;
  const w = bars.length ? (width - gap * (bars.length - 1)) / bars.length : width;
  const rects = bars
    .map((b, i) => {
      const h = Math.round((b.value / max) * (height - 4));
      const x = (i * (w + gap)).toFixed(1);
      const label = `${b.label.replace(/[^0-9-]/g, "")}: ${Math.round(b.value)}`;
      return `<rect x="${x}" y="${height - h}" width="${w.toFixed(1)}" height="${h}" class="bar"><title>${label}</title></rect>`;
    })
    .join("");
  const first = bars[0]?.label.replace(/[^0-9-]/g, "") ?? "";
  const last = bars[bars.length - 1]?.label.replace(/[^0-9-]/g, "") ?? "";
  const safeTitle = title.replace(/[^A-Za-z0-9 ,.()/-]/g, "");
  // The bars stretch to the page's width; the labels are HTML, so they never stretch with them.
  return `<svg role="img" aria-label="${safeTitle}" viewBox="0 0 ${width} ${height}" class="chart" preserveAspectRatio="none">` +
    `<title>${safeTitle}</title>${rects}</svg>` +
    `<div class="axis"><span>${first}</span><span>highest ${Math.round(max)}</span><span>${last}</span></div>`;
}

/** The last `days` UTC days ending with `to`, oldest first. */
export function lastDays(to: string, days: number): string[] {
  const end = Date.parse(`${to}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}
