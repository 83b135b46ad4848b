import { afterEach, describe, expect, it, vi } from 'vitest';
import { runScript } from '../../bench/script.js';

describe('runScript', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('says a failure in one line, named by the script, and sets exit code 1', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    await runScript('bench:example', async () => {
      throw new Error('--pairs needs a positive whole number');
    });
    expect(stderr).toHaveBeenCalledWith('bench:example: --pairs needs a positive whole number\n');
    expect(process.exitCode).toBe(1);
  });

  it('leaves the exit code alone when the script succeeds', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    let ran = false;
    await runScript('bench:example', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(stderr).not.toHaveBeenCalled();
    expect(process.exitCode).toBeUndefined();
  });
});
