/*
 * Charts as inline SVG strings: no script, no network, and they print. Every label is escaped.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export const outcomeColours: Record<string, string> = {
  success: '#2f855a',
  error: '#c53030',
  denied: '#b7791f',
  invalid: '#6b46c1',
  aborted: '#718096',
};

/** Horizontal bars, one per row, longest first as given; the value text sits at the bar's end. */
export function horizontalBars(id: string, rows: readonly { label: string; value: number; text: string }[], colour = '#2b6cb0'): string {
  if (rows.length === 0) return `<p class="empty" id="${id}">Nothing to show.</p>`;
  const labelWidth = 220;
  const barWidth = 380;
  const rowHeight = 22;
  const max = Math.max(...rows.map((row) => row.value), Number.MIN_VALUE);
  const bars = rows
    .map((row, index) => {
      const y = index * rowHeight;
      const width = Math.max(1, Math.round((row.value / max) * barWidth));
      const label = row.label.length > 34 ? `${row.label.slice(0, 33)}…` : row.label;
      return (
        `<g class="bar" data-label="${escapeHtml(row.label)}" data-value="${row.value}">` +
        `<title>${escapeHtml(row.label)}: ${escapeHtml(row.text)}</title>` +
        `<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${width}" height="${rowHeight - 6}" fill="${colour}"/>` +
        `<text x="${labelWidth + width + 6}" y="${y + 15}">${escapeHtml(row.text)}</text></g>`
      );
    })
    .join('');
  const height = rows.length * rowHeight;
  return `<svg id="${id}" class="chart" role="img" viewBox="0 0 ${labelWidth + barWidth + 160} ${height}" width="100%" height="${height}">${bars}</svg>`;
}

/** Stacked columns over time, one per bucket, a segment per series. */
export function stackedColumns(
  id: string,
  buckets: readonly { label: string; values: Record<string, number> }[],
  series: readonly string[],
): string {
  if (buckets.length === 0) return `<p class="empty" id="${id}">No requests in this period.</p>`;
  const width = 760;
  const height = 220;
  const bottom = 30;
  const left = 44;
  const plot = height - bottom - 8;
  const totals = buckets.map((bucket) => series.reduce((sum, name) => sum + (bucket.values[name] ?? 0), 0));
  const max = Math.max(...totals, 1);
  const step = (width - left) / buckets.length;
  const columnWidth = Math.max(1, step * 0.8);
  const labelEvery = Math.ceil(buckets.length / 8);
  let body = `<line x1="${left}" y1="${8 + plot}" x2="${width}" y2="${8 + plot}" stroke="#999"/>`;
  body += `<text x="${left - 4}" y="14" text-anchor="end">${max}</text><text x="${left - 4}" y="${8 + plot}" text-anchor="end">0</text>`;
  buckets.forEach((bucket, index) => {
    const x = left + index * step;
    let y = 8 + plot;
    body += `<g class="column" data-bucket="${escapeHtml(bucket.label)}" data-total="${totals[index]}"><title>${escapeHtml(bucket.label)}: ${series
      .map((name) => `${name} ${bucket.values[name] ?? 0}`)
      .join(', ')}</title>`;
    for (const name of series) {
      const value = bucket.values[name] ?? 0;
      if (value === 0) continue;
      const segment = (value / max) * plot;
      y -= segment;
      body += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${columnWidth.toFixed(1)}" height="${segment.toFixed(1)}" fill="${outcomeColours[name] ?? '#888'}"/>`;
    }
    body += '</g>';
    if (index % labelEvery === 0) body += `<text x="${x.toFixed(1)}" y="${height - 10}">${escapeHtml(bucket.label)}</text>`;
  });
  const legend = series
    .map((name) => `<span class="key"><i style="background:${outcomeColours[name] ?? '#888'}"></i>${escapeHtml(name)}</span>`)
    .join(' ');
  return `<svg id="${id}" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="100%" height="${height}">${body}</svg><p class="legend">${legend}</p>`;
}
