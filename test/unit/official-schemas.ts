// The official runtime-spec schemas (draft-04, in ../shared/reference), compiled
// with ajv-draft-04: the oracle our own schemas and documents are checked by.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ajvDraft04 from 'ajv-draft-04';

export const OFFICIAL = join(import.meta.dirname, '../..', '../shared/reference/runtime-spec/schema');

export type Kind = 'config' | 'state' | 'features';

/** Compiles the official draft-04 schemas once, as the runtime-spec repo ships them. */
export function officialValidators(): Record<Kind, (doc: unknown) => boolean> {
  // A CommonJS module: the default import is module.exports, whose .default is the class.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  for (const file of readdirSync(OFFICIAL).filter((f) => f.endsWith('.json'))) {
    // Some refs are written "defs.json#definitions/x", which is not a JSON
    // pointer; normalise to "#/definitions" (in memory only).
    const text = readFileSync(join(OFFICIAL, file), 'utf8').replaceAll('#definitions', '#/definitions');
    const schema = JSON.parse(text) as Record<string, unknown>;
    // The files carry no id; give each one so that "defs.json#/..." resolves.
    schema.id = `https://oci.invalid/schema/${file}`;
    ajv.addSchema(schema);
  }
  const get = (file: string) => {
    const v = ajv.getSchema(`https://oci.invalid/schema/${file}`);
    if (!v) throw new Error(`official ${file} did not compile`);
    return (doc: unknown) => v(doc) as boolean;
  };
  return { config: get('config-schema.json'), state: get('state-schema.json'), features: get('features-schema.json') };
}

