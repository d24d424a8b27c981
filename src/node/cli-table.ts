/** A plain text table: columns padded to their widest cell; the last column is never cut. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], paint: (row: number, text: string) => string = (_, text) => text): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map((row, index) => paint(index, line(row)))].join('\n') + '\n';
}
