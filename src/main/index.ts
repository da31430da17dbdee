import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDesktopApp } from './app';

// The bundle lives in out/main; the preload and renderer are built next to it.
startDesktopApp({ bundleDir: path.dirname(fileURLToPath(import.meta.url)) });
