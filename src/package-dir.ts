import * as path from 'node:path';

/**
 * This package's root folder (package.json, templates/, schemas/). It relies on this file sitting
 * directly in `src/`: its `__dirname` is then `src/` under ts-jest, `dist/` when built, and `dist/`
 * as well inside the CLI bundle (`dist/cli.bundle.js`, where every bundled file shares the bundle's
 * `__dirname`). A file deeper in `src/` must call this instead of using its own `__dirname`.
 */
export const PACKAGE_DIR = path.join(__dirname, '..');
