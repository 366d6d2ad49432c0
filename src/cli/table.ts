// Go's text/tabwriter as runc's `list` configures it (minwidth 12, padding 3,
// blanks): every column but the last is as wide as its widest cell plus 3.
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Math.max(12, cell.length + 3))));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('') + '\n')
    .join('');
}
