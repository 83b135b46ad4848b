import { describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../../src/delivery/deliveryQueue.js';

function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('DeliveryQueue', () => {
  it('posts a review once while it is queued or underway, and again after', async () => {
    const queue = new DeliveryQueue(1);
    const posts: string[] = [];
    const first = gate();
    const running = queue.deliver('R1', async () => {
      posts.push('R1');
      await first.opened;
    });
    const queued = queue.deliver('R2', async () => {
      posts.push('R2');
    });
    expect(queue.isUnderway('R1')).toBe(true);
    expect(queue.isUnderway('R2')).toBe(true);
    expect(queue.queued).toBe(1);
    expect(await queue.deliver('R1', async () => posts.push('R1 again'))).toBe(false);
    expect(await queue.deliver('R2', async () => posts.push('R2 again'))).toBe(false);
    first.open();
    expect(await running).toBe(true);
    expect(await queued).toBe(true);
    expect(posts).toEqual(['R1', 'R2']);
    expect(queue.isUnderway('R1')).toBe(false);
    expect(await queue.deliver('R1', async () => posts.push('R1 later'))).toBe(true);
    expect(posts).toEqual(['R1', 'R2', 'R1 later']);
  });

  it('lets the next review go when a posting fails', async () => {
    const queue = new DeliveryQueue(1);
    const failing = queue.deliver('R1', async () => {
      throw new Error('Slack is down');
    });
    const next = queue.deliver('R2', async () => {});
    await expect(failing).rejects.toThrow('Slack is down');
    expect(await next).toBe(true);
    expect(queue.isUnderway('R1')).toBe(false);
  });

  it('once stopping, lets the running posting finish but starts no other', async () => {
    const queue = new DeliveryQueue(1);
    const posts: string[] = [];
    const first = gate();
    const running = queue.deliver('R1', async () => {
      posts.push('R1 started');
      await first.opened;
      posts.push('R1 finished');
    });
    const queued = queue.deliver('R2', async () => posts.push('R2'));
    queue.stopStarting();
    expect(queue.stopping).toBe(true);
    expect(await queue.deliver('R3', async () => posts.push('R3'))).toBe(false);
    first.open();
    expect(await running).toBe(true);
    expect(await queued).toBe(false);
    expect(posts).toEqual(['R1 started', 'R1 finished']);
    expect(queue.queued).toBe(0);
    expect(queue.isUnderway('R2')).toBe(false);
  });
});
