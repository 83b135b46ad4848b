import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in `tests/support/`). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Read-only reference data, kept beside the repository (also in CI). */
export const sharedDir = path.resolve(repoRoot, '../shared');

export const sampleViewsDir = path.join(sharedDir, 'slack', 'sample-views');
export const webApiSpecPath = path.join(sharedDir, 'slack', 'web-api', 'slack_web_openapi_v2.json');
