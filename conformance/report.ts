// The results: a table (case | one column per runtime) with totals, and
// conformance/results.json. Only runts decides the exit status.
import { writeFileSync } from 'node:fs';

export type Outcome = 'PASS' | 'FAIL' | 'SKIP' | 'XFAIL' | 'XPASS';

export interface CaseResult {
  outcome: Outcome;
  ms: number;
  /** Why it failed or was skipped; the xfail reason for XFAIL/XPASS. */
  detail?: string;
}

/** case name -> runtime name -> result */
export type Results = Map<string, Map<string, CaseResult>>;

export function printTable(results: Results, runtimes: string[], out: (line: string) => void): void {
  const names = [...results.keys()];
  const w = Math.max(4, ...names.map((n) => n.length));
  const col = 6;
  const row = (c: string, cells: string[]): string => `${c.padEnd(w)} | ${cells.map((x) => x.padEnd(col)).join(' | ')}`;
  out(row('case', runtimes));
  out(`${'-'.repeat(w)}-|-${runtimes.map(() => '-'.repeat(col)).join('-|-')}`);
  for (const n of names) out(row(n, runtimes.map((r) => results.get(n)?.get(r)?.outcome ?? '-')));
  out(`${'-'.repeat(w)}-|-${runtimes.map(() => '-'.repeat(col)).join('-|-')}`);
  for (const o of ['PASS', 'FAIL', 'SKIP', 'XFAIL', 'XPASS'] as Outcome[]) {
    out(row(`total ${o}`, runtimes.map((r) => String(names.filter((n) => results.get(n)?.get(r)?.outcome === o).length))));
  }
}

export function printDetails(results: Results, runtimes: string[], out: (line: string) => void): void {
  for (const rt of runtimes) {
    const lines = [...results].filter(([, m]) => ['FAIL', 'XPASS'].includes(m.get(rt)?.outcome ?? '')).map(([n, m]) => `  ${n}: ${m.get(rt)!.outcome} ${m.get(rt)!.detail ?? ''}`);
    if (lines.length > 0) {
      out(`\n${rt}: failures${rt === 'runts' ? '' : ' (informational)'}`);
      lines.forEach((l) => out(l));
    }
  }
}

export function writeJson(file: string, results: Results, meta: Record<string, unknown>): void {
  const cases: Record<string, Record<string, CaseResult>> = {};
  for (const [n, m] of results) cases[n] = Object.fromEntries(m);
  writeFileSync(file, `${JSON.stringify({ ...meta, cases }, null, 2)}\n`);
}
