import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable } from '../../src/cli/table.ts';
import { parseSignal } from '../../src/container/signals.ts';
import { jsonLineToText } from '../../src/log.ts';
import { nowRfc3339Nano } from '../../src/container/create.ts';
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

test('help documents every flag of every command', () => {
  for (const c of COMMANDS) {
    const text = commandHelp(c);
    for (const f of c.flags) if (!f.hidden) assert.ok(text.includes(`--${f.name}`), `${c.name} --${f.name}`);
  }
  const top = mainHelp();
  for (const f of GLOBAL_FLAGS) if (!f.hidden) assert.ok(top.includes(`--${f.name}`), f.name);
  for (const c of COMMANDS) assert.ok(top.includes(c.name));
});
