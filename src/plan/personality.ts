// linux.personality -> the persona value for personality(2), or null.
//
// config-linux.md: "domain" (REQUIRED) is LINUX or LINUX32, and for "flags"
// "currently no flag values are supported", so every flag is refused rather
// than dropped: a config that asks for one (ADDR_NO_RANDOMIZE, say) would
// otherwise run without it. (runc 1.1.5, installed beside runts for
// comparison, predates the field and ignores it altogether.) The persona is
// set for the init and for every exec: it is the container's, not a
// process's.
import type { Personality } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';

/** PER_LINUX and PER_LINUX32 from <sys/personality.h>. */
export const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };

export function planPersonality(p: Personality | undefined, problems: Problems): number | null {
  if (p === undefined) return null;
  let ok = true;
  (p.flags ?? []).forEach((f, i) => {
    problems.config(pointer('linux', 'personality', 'flags', i), `unknown flag "${f}" (the runtime-spec supports no personality flags)`);
    ok = false;
  });
  if (p.domain === undefined) {
    problems.config(pointer('linux', 'personality', 'domain'), 'required (LINUX or LINUX32)');
    return null;
  }
  const value = PERSONALITY_DOMAINS[p.domain];
  if (value === undefined) {
    problems.config(pointer('linux', 'personality', 'domain'), `unknown domain "${p.domain}" (expected LINUX or LINUX32)`);
    return null;
  }
  return ok ? value : null;
}
