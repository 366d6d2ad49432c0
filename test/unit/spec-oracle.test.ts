// Differential test: our generated validators must reach the same verdict
// (valid / invalid) as the official runtime-spec JSON Schemas on
//   - every example in the official schema/test/{config,state,features}/{good,bad},
//   - our config corpus in test/fixtures/configs/{good,bad},
//   - a few inline state and features documents,
// except for the deliberate differences listed in KNOWN_DIFFERENCES, where the
// test pins the exact divergence instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { officialValidators } from './official-schemas.ts';
import { validateConfig, validateFeatures, validateState } from '../../src/spec/validate.ts';
import { parseSpec, SpecError } from '../../src/spec/load.ts';

const REPO = join(import.meta.dirname, '../..');
const REFERENCE = join(REPO, '../shared/reference/runtime-spec');
const OFFICIAL = join(REFERENCE, 'schema');
const FIXTURES = join(REPO, 'test/fixtures/configs');
const skip = existsSync(join(OFFICIAL, 'config-schema.json')) ? false : `official schemas not found under ${OFFICIAL}`;

type Kind = 'config' | 'state' | 'features';
const ours: Record<Kind, (doc: unknown) => string[]> = {
  config: validateConfig,
  state: validateState,
  features: validateFeatures,
};

/**
 * Case id -> why our verdict differs from the official schema's. `oursValid`
 * is our verdict; the official one is the opposite.
 */
const KNOWN_DIFFERENCES: Record<string, { oursValid: boolean; why: string }> = {
  'official:config/bad/freebsd-vnet-disable.json': {
    oursValid: true,
    why: 'FreeBSD-only case: runts checks only that other platforms\' sections are objects',
  },
  'fixture:good/rootfs-propagation-rslave.json': {
    oursValid: true,
    why: 'runc accepts r-prefixed rootfsPropagation and Docker/CRI callers write "rslave"/"rshared"',
  },
  'fixture:bad/annotations-empty-key-number.json': {
    oursValid: false,
    why: 'the official map pattern ".{1,}" leaves a value under the empty key unchecked; ours requires strings for every key',
  },
  'inline:state/created-without-pid': {
    oursValid: false,
    why: 'runtime.md: pid is REQUIRED when status is created or running (Linux); the official schema does not check it',
  },
  'inline:features/null-properties': {
    oursValid: true,
    why: 'features.md: every property except ociVersionMin/Max MAY be null; the official schema rejects null',
  },
  'inline:features/memory-policy-unknown-mode': {
    oursValid: false,
    why: 'features-linux.md defines linux.memoryPolicy.modes; the official schema does not describe memoryPolicy at all',
  },
};

interface Case {
  id: string;
  kind: Kind;
  doc: unknown;
  /** What the file's location says (good/bad dir); undefined for inline cases. */
  labelled?: boolean;
}

function tryParse(text: string): { ok: true; doc: unknown } | { ok: false } {
  try {
    return { ok: true, doc: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function officialCases(): { cases: Case[]; invalidJson: { id: string; kind: Kind; text: string }[] } {
  const cases: Case[] = [];
  const invalidJson: { id: string; kind: Kind; text: string }[] = [];
  for (const kind of ['config', 'state', 'features'] as const) {
    for (const label of ['good', 'bad'] as const) {
      const dir = join(OFFICIAL, 'test', kind, label);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
        const id = `official:${kind}/${label}/${file}`;
        const text = readFileSync(join(dir, file), 'utf8');
        const parsed = tryParse(text);
        if (parsed.ok) cases.push({ id, kind, doc: parsed.doc, labelled: label === 'good' });
        else invalidJson.push({ id, kind, text });
      }
    }
  }
  return { cases, invalidJson };
}

function fixtureCases(): Case[] {
  const cases: Case[] = [];
  for (const label of ['good', 'bad'] as const) {
    for (const file of readdirSync(join(FIXTURES, label)).filter((f) => f.endsWith('.json')).sort()) {
      const doc = JSON.parse(readFileSync(join(FIXTURES, label, file), 'utf8'));
      cases.push({ id: `fixture:${label}/${file}`, kind: 'config', doc, labelled: label === 'good' });
    }
  }
  return cases;
}

const STATE = { ociVersion: '1.3.0', id: 'c1', status: 'running', pid: 42, bundle: '/run/b' };
const FEATURES = { ociVersionMin: '1.0.0', ociVersionMax: '1.3.0' };
const inlineCases: Case[] = [
  { id: 'inline:state/running', kind: 'state', doc: STATE },
  { id: 'inline:state/stopped-pid-0', kind: 'state', doc: { ...STATE, status: 'stopped', pid: 0 } },
  { id: 'inline:state/creating-without-pid', kind: 'state', doc: { ...STATE, status: 'creating', pid: undefined } },
  { id: 'inline:state/created-without-pid', kind: 'state', doc: { ...STATE, status: 'created', pid: undefined } },
  { id: 'inline:state/unknown-status', kind: 'state', doc: { ...STATE, status: 'paused' } },
  { id: 'inline:state/missing-bundle', kind: 'state', doc: { ...STATE, bundle: undefined } },
  { id: 'inline:state/negative-pid', kind: 'state', doc: { ...STATE, pid: -1 } },
  { id: 'inline:state/annotation-number', kind: 'state', doc: { ...STATE, annotations: { a: 1 } } },
  { id: 'inline:features/minimal', kind: 'features', doc: FEATURES },
  { id: 'inline:features/missing-min', kind: 'features', doc: { ociVersionMax: '1.3.0' } },
  { id: 'inline:features/null-properties', kind: 'features', doc: { ...FEATURES, hooks: null, linux: { seccomp: null } } },
  { id: 'inline:features/unknown-namespace', kind: 'features', doc: { ...FEATURES, linux: { namespaces: ['net'] } } },
  { id: 'inline:features/bad-capability', kind: 'features', doc: { ...FEATURES, linux: { capabilities: ['cap_chown'] } } },
  { id: 'inline:features/unknown-seccomp-op', kind: 'features', doc: { ...FEATURES, linux: { seccomp: { operators: ['SCMP_CMP_IN'] } } } },
  { id: 'inline:features/cgroup-flag-string', kind: 'features', doc: { ...FEATURES, linux: { cgroup: { v2: 'yes' } } } },
  {
    id: 'inline:features/memory-policy-unknown-mode',
    kind: 'features',
    doc: { ...FEATURES, linux: { memoryPolicy: { modes: ['MPOL_RANDOM'] } } },
  },
];

let officialCache: Record<Kind, (doc: unknown) => boolean> | undefined;
const officialValidator = (kind: Kind) => (officialCache ??= officialValidators())[kind];

test('our validators agree with the official runtime-spec schemas', { skip }, (t) => {
  const official = { config: officialValidator('config'), state: officialValidator('state'), features: officialValidator('features') };
  const { cases: fromOfficial, invalidJson } = officialCases();
  const all = [...fromOfficial, ...fixtureCases(), ...inlineCases];
  let agree = 0;
  const disagreements: string[] = [];
  const differencesSeen = new Set<string>();
  for (const c of all) {
    const officialValid = official[c.kind](c.doc);
    const oursErrors = ours[c.kind](c.doc);
    const oursValid = oursErrors.length === 0;
    const known = KNOWN_DIFFERENCES[c.id];
    // The file's location must match the official verdict, or the oracle itself is off.
    if (c.labelled !== undefined && !known) {
      assert.equal(officialValid, c.labelled, `${c.id}: official schema says ${officialValid ? 'valid' : 'invalid'}`);
    }
    if (known) {
      differencesSeen.add(c.id);
      assert.equal(oursValid, known.oursValid, `${c.id}: expected our verdict ${known.oursValid} (${known.why})`);
      assert.equal(officialValid, !known.oursValid, `${c.id}: the official schema no longer differs; drop it from KNOWN_DIFFERENCES`);
      continue;
    }
    if (oursValid === officialValid) agree++;
    else disagreements.push(`${c.id}: official ${officialValid ? 'valid' : 'invalid'}, ours ${oursValid ? 'valid' : oursErrors.join('; ')}`);
  }
  assert.deepEqual(disagreements, []);
  assert.deepEqual([...differencesSeen].sort(), Object.keys(KNOWN_DIFFERENCES).sort(), 'every known difference is exercised');

  // Invalid JSON never reaches a schema: our loader must refuse it.
  for (const { id, kind, text } of invalidJson) {
    assert.throws(() => JSON.parse(text), id);
    if (kind === 'config') {
      assert.throws(() => parseSpec(text), (e: unknown) => e instanceof SpecError && e.message.startsWith('config.json: invalid JSON: '), id);
    }
  }
  const officialAgree = fromOfficial.filter((c) => !KNOWN_DIFFERENCES[c.id]).length;
  t.diagnostic(
    `${agree} cases agree (${officialAgree} from the official tests, ${agree - officialAgree} ours); ` +
      `${differencesSeen.size} known differences; ${invalidJson.length} invalid-JSON files rejected by the loader`,
  );
  assert.ok(agree >= 100, `only ${agree} cases compared`);
});

// Values that sit on either side of every bound and type the schemas check.
const PROBES: unknown[] = [
  'x', '', 'RLIMIT_X', 'nofile', 'c', 'z', 'MB:1', '2MB', '2mb', '0-3', '0;3',
  -1, 0, 1, 1.5, 511, 512, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32,
  2 ** 63, 2 ** 64, 2 ** 65, -(2 ** 63), -(2 ** 64),
  null, true, {}, [], ['x'], [1], { x: 1 },
];

type Path = (string | number)[];

function leafPaths(node: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (at.length > 0) out.push(at);
  if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) leafPaths(v, [...at, Array.isArray(node) ? Number(k) : k], out);
  }
  return out;
}

/** A copy of `doc` with the value at `path` replaced, or removed when `value` is REMOVE. */
const REMOVE = Symbol('remove');
function mutate(doc: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, any>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1]!;
  if (value !== REMOVE) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

test('every single-field mutation of the good fixtures gets the official verdict', { skip }, (t) => {
  const official = officialValidator('config');
  let compared = 0;
  const disagreements: string[] = [];
  for (const file of ['all-linux-fields.json', 'runc-spec.json']) {
    const base = JSON.parse(readFileSync(join(FIXTURES, 'good', file), 'utf8'));
    for (const path of leafPaths(base)) {
      for (const value of [REMOVE, ...PROBES]) {
        const doc = mutate(base, path, value);
        const officialValid = official(doc);
        const oursValid = validateConfig(doc).length === 0;
        compared++;
        if (officialValid !== oursValid) {
          const what = value === REMOVE ? 'removed' : `= ${JSON.stringify(value)}`;
          disagreements.push(`${file} /${path.join('/')} ${what}: official ${officialValid}, ours ${oursValid}`);
        }
      }
    }
  }
  assert.deepEqual(disagreements.slice(0, 20), []);
  t.diagnostic(`${compared} mutated configs, all agree`);
});
