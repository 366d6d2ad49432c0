import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable } from '../../src/cli/table.ts';
import { parseSignal } from '../../src/container/signals.ts';
import { jsonLineToText } from '../../src/log.ts';
import { nowRfc3339Nano, rfc3339Nano } from '../../src/container/create.ts';
import { parseDuration } from '../../src/container/events.ts';
import { COMMANDS, commandHelp, mainHelp, GLOBAL_FLAGS } from '../../src/cli/main.ts';

test('list table matches runc tabwriter layout', () => {
  const out = formatTable([
    ['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'],
    ['t1', '2116', 'created', '/tmp/rb', '2026-11-23T16:30:20.063355491Z', 'root'],
  ]);
  assert.equal(
    out,
    'ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n' +
      't1          2116        created     /tmp/rb     2026-11-23T16:30:20.063355491Z   root\n',
  );
});

test('signals: numbers, names with or without SIG, any case', () => {
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('KILL'), 9);
  assert.equal(parseSignal('SIGKILL'), 9);
  assert.equal(parseSignal('sigterm'), 15);
  assert.equal(parseSignal('RTMIN+1'), 35);
  assert.throws(() => parseSignal('FOO'), /unknown signal "FOO"/);
});

test('text log lines follow logrus key=value layout', () => {
  const line = jsonLineToText('{"level":"error","time":"2026-01-01T00:00:00Z","msg":"bad \\"thing\\"","id":"c1"}');
  assert.equal(line, 'time="2026-01-01T00:00:00Z" level=error msg="bad \\"thing\\"" id=c1\n');
});

test('created timestamps are RFC 3339 with sub-second digits in UTC', () => {
  assert.match(nowRfc3339Nano(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
});

test('rfc3339Nano agrees with Date for leap years, century rules, month ends and the epoch; trailing zeros go', () => {
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
  const samples = [0, 1, 999, 86_399_999, 86_400_000, Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(1900, 2, 1), Date.UTC(2100, 1, 28, 12), Date.UTC(2024, 11, 31, 23, 59, 59)];
  for (let ms = Date.UTC(1969, 0, 1); ms < Date.UTC(2401, 0, 1); ms += 7_919_993_377) samples.push(ms);
  for (const ms of samples) assert.equal(rfc3339Nano(ms, 0), iso(ms), `epoch ms ${ms}`);
  assert.equal(rfc3339Nano(Date.UTC(2026, 10, 23, 1, 2, 3, 450), 120_000), '2026-11-23T01:02:03.45012Z');
  assert.equal(rfc3339Nano(Date.UTC(2026, 10, 23, 1, 2, 3), 7), '2026-11-23T01:02:03.000000007Z');
});

test('help documents every flag of every command', () => {
  for (const c of COMMANDS) {
    const text = commandHelp(c);
    for (const f of c.flags) if (!f.hidden) assert.ok(text.includes(`--${f.name}`), `${c.name} --${f.name}`);
  }
  const top = mainHelp();
  for (const f of GLOBAL_FLAGS) if (!f.hidden) assert.ok(top.includes(`--${f.name}`), f.name);
  for (const c of COMMANDS) assert.ok(top.includes(c.name));
});

test('events --interval durations parse as Go does, micro signs included', () => {
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1500\u00b5s'), 1.5);
  assert.equal(parseDuration('1500\u03bcs'), 1.5);
  assert.equal(parseDuration('2us'), 0.002);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('5'), null);
  assert.equal(parseDuration('1x'), null);
});
