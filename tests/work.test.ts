import { describe, expect, it } from 'vitest';
import { BackgroundWork, ConcurrencyLimit, InFlightCount, settlesWithin } from '../src/work.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, the rest in arrival order', async () => {
    const limit = new ConcurrencyLimit(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const tasks = Array.from({ length: 20 }, (_, index) =>
      limit.run(async () => {
        started.push(index);
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
        return index;
      }),
    );
    expect(limit.active).toBe(3);
    expect(limit.queued).toBe(17);
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(limit.active).toBe(0);
    expect(limit.queued).toBe(0);
  });

  it('gives a failed task’s turn to the next', async () => {
    const limit = new ConcurrencyLimit(1);
    const failed = limit.run(async () => {
      throw new Error('boom');
    });
    const next = limit.run(async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
    expect(limit.active).toBe(0);
  });

  it('works through a long queue', async () => {
    const limit = new ConcurrencyLimit(2);
    let done = 0;
    await Promise.all(
      Array.from({ length: 5000 }, () =>
        limit.run(async () => {
          await tick();
          done += 1;
        }),
      ),
    );
    expect(done).toBe(5000);
    expect(limit.queued).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow();
  });
});

describe('BackgroundWork and settlesWithin', () => {
  it('tracks running work until it settles, and drains within a timeout', async () => {
    const work = new BackgroundWork();
    let finish = () => {};
    const task = work.run(
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    expect(work.size).toBe(1);
    expect(await work.drain(20)).toBe(false);
    finish();
    await task;
    expect(work.size).toBe(0);
    expect(await work.drain(20)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('x')), 20)).toBe(true);
  });

  it('tells work waiting out a pause that a drain has begun', async () => {
    const work = new BackgroundWork();
    expect(work.stopping.aborted).toBe(false);
    const waited = work.run(
      () =>
        new Promise<boolean>((resolve) => {
          work.stopping.addEventListener('abort', () => resolve(true));
        }),
    );
    expect(await work.drain(1_000)).toBe(true);
    expect(await waited).toBe(true);
    expect(work.stopping.aborted).toBe(true);
  });
});

describe('InFlightCount', () => {
  it('drains at once when nothing is in flight, and when the last one leaves otherwise', async () => {
    const count = new InFlightCount();
    expect(await count.drain(10)).toBe(true);
    count.enter();
    count.enter();
    expect(count.size).toBe(2);
    let drained: boolean | undefined;
    const draining = count.drain(5_000).then((result) => {
      drained = result;
    });
    count.leave();
    await tick();
    expect(drained).toBeUndefined();
    count.leave();
    await draining;
    expect(drained).toBe(true);
    expect(count.size).toBe(0);
    count.leave();
    expect(count.size).toBe(0);
  });

  it('gives up draining after the timeout while something is still in flight', async () => {
    const count = new InFlightCount();
    count.enter();
    expect(await count.drain(20)).toBe(false);
    expect(count.size).toBe(1);
  });
});
