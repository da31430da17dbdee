#!/usr/bin/env node
// The CLI runs from TypeScript sources through tsx, so `npx medbench` works right after `npm ci`
// with no build step and never runs stale compiled code.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
