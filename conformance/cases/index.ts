// Every case, in the order the table lists them.
import type { Case } from '../case.ts';
import { cgroupCases } from './cgroups.ts';
import { deviceCases } from './devices.ts';
import { hookCases } from './hooks.ts';
import { lifecycleCases } from './lifecycle.ts';
import { mountCases } from './mounts.ts';
import { namespaceCases } from './namespaces.ts';
import { processCases } from './process.ts';
import { securityCases } from './security.ts';
import { sysctlCases } from './sysctl.ts';

export const ALL_CASES: Case[] = [
  ...lifecycleCases,
  ...hookCases,
  ...processCases,
  ...securityCases,
  ...mountCases,
  ...deviceCases,
  ...sysctlCases,
  ...namespaceCases,
  ...cgroupCases,
];
