// dist/runts.js: the CLI itself is dist/lib/main.js (src/runts.ts), loaded
// with its V8 code cache like every other bundle, so that no command pays
// for compiling it (scripts/build.mjs).
import { join } from 'node:path';
import { loadLib } from './cli/lib-loader.js';

loadLib(join(__dirname, 'lib'), 'main');
