import { describe, expect, it } from 'vitest';
import { previewSurfaces, runPreview } from '../../src/cli/preview.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdin: process.stdin,
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => err.push(text),
      readFile: async () => '',
    },
  };
}

describe('ftrag preview', () => {
  it('prints every modal step, the verdict, its thread reply and Home as Block Kit Builder links', async () => {
    const { out, io } = capture();
    expect(await runPreview([], io)).toBe(0);
    const text = out.join('');
    for (const name of [
      'Modal step 1 of 6: about',
      'Modal step 6 of 6: review',
      'Verdict message (channel)',
      'Verdict detail (thread reply)',
      'App Home',
    ])
      expect(text).toContain(name);
    const links = text.match(/https:\/\/app\.slack\.com\/block-kit-builder\/#\S+/g) ?? [];
    expect(links).toHaveLength(previewSurfaces().length);
    for (const link of links) {
      const payload = JSON.parse(decodeURIComponent(link.slice(link.indexOf('#') + 1)));
      expect(Array.isArray(payload.blocks)).toBe(true);
    }
  });

  it('shows the sample’s prompt answer chosen on the prompt step: one the checklist offers', () => {
    const step = previewSurfaces().find((surface) => surface.name.endsWith(': prompt'));
    expect(JSON.stringify(step?.payload)).toMatch(
      /"initial_option":\{"value":"scored-falls-short"/,
    );
  });

  it('--json prints the surfaces; anything else is a usage error', async () => {
    const json = capture();
    expect(await runPreview(['--json'], json.io)).toBe(0);
    expect(JSON.parse(json.out.join(''))).toHaveLength(previewSurfaces().length);
    const bad = capture();
    expect(await runPreview(['--nope'], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain('usage: ftrag preview');
  });
});
