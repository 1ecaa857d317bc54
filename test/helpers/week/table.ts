import { WEEK_START } from './scenario';

/** formatTable lays rows out in aligned columns, cutting long cells, for the test's printout. */
export function formatTable(header: string[], rows: string[][], maxCell = 90): string {
  const cut = (cell: string) => (cell.length > maxCell ? `${cell.slice(0, maxCell - 1)}…` : cell);
  const all = [header, ...rows].map((row) => row.map(cut));
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...all.slice(1).map(line)].join('\n');
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Mon'];

/** weekTime writes a time of the week as "Thu 15:08". */
export function weekTime(t: number): string {
  const date = new Date(t * 1000);
  const day = DAYS[Math.floor((t - WEEK_START) / 86400)] ?? '?';
  return `${day} ${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}
