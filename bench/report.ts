/** docs/benchmarks.md holds one section per script (bench, soak), each between markers. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../tests/support/paths.js';

const TITLE = '# Benchmarks';

const INTRO = `ftrag's performance under load, measured by the scripts in \`bench/\` (not part of
\`npm test\`). Each section says when and how it was measured; rerun the command to get figures
for your machine.`;

/** Replaces (or adds) the section between `<!-- name:start -->` and `<!-- name:end -->`. */
export function writeSection(file: string, name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n\n${markdown.trim()}\n\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `${TITLE}\n\n${INTRO}\n`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from !== -1 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
  formatMarkdown(file);
}

/** Biome formats Markdown too (tables get aligned): keep the written file as `npm test` wants it. */
function formatMarkdown(file: string): void {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const biome = require.resolve('@biomejs/biome/bin/biome');
  const result = spawnSync(process.execPath, [biome, 'format', '--write', file], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(
      `could not format ${file} with Biome: ${result.stderr || result.stdout}\n`,
    );
  }
}

/** The machine, in one line. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const memory = (os.totalmem() / 1024 ** 3).toFixed(0);
  return `Machine: ${model}, ${cpus.length} cores, ${memory} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}.`;
}
