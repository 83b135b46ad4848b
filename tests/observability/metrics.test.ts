import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { repoRoot } from '../support/paths.js';

/** The rows of the README's table of metrics: the text between its header and the next blank line. */
function readmeMetricsTable(): string {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('| metric ');
  if (start === -1) throw new Error('README.md has no table of metrics');
  const end = readme.indexOf('\n\n', start);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe("the README's table of metrics", () => {
  it('names every metric of ftrag’s own', async () => {
    const metrics = new Metrics();
    metrics.socketModeMetrics();
    const names = (await metrics.registry.getMetricsAsJSON())
      .map((metric) => metric.name)
      .filter((name) => name.startsWith('ftrag_'));
    expect(names).toContain('ftrag_requests_total');
    const table = readmeMetricsTable();
    const missing = names.filter((name) => !new RegExp(`\`${name}[{\`]`).test(table));
    expect(missing).toEqual([]);
  });

  it('lists the statuses ftrag_requests_total takes besides HTTP ones', () => {
    const row = readmeMetricsTable()
      .split('\n')
      .find((line) => line.includes('`ftrag_requests_total'));
    expect(row).toContain('`socket`');
    expect(row).toContain('`aborted`');
  });
});
