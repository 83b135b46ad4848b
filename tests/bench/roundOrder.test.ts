import { describe, expect, it } from 'vitest';
import { balancedOrders, roundOrder } from '../../bench/roundOrder.js';

/** How many orders put `server` first, and how many run `b` right after `a` ("a>b"). */
function tally(orders: number[][]) {
  const first = new Map<number, number>();
  const behind = new Map<string, number>();
  for (const order of orders) {
    const [head] = order;
    if (head !== undefined) first.set(head, (first.get(head) ?? 0) + 1);
    order.slice(1).forEach((server, i) => {
      const pair = `${order[i]}>${server}`;
      behind.set(pair, (behind.get(pair) ?? 0) + 1);
    });
  }
  return { first, behind };
}

describe('balancedOrders', () => {
  it.each([2, 3, 4, 5, 6])(
    'with %i servers, each runs first and behind each other one equally often',
    (count) => {
      const orders = balancedOrders(count);
      expect(orders).toHaveLength(count % 2 === 0 ? count : 2 * count);
      for (const order of orders) expect([...order].sort()).toEqual([...Array(count).keys()]);
      const { first, behind } = tally(orders);
      const perCycle = orders.length / count;
      const servers = [...Array(count).keys()];
      for (const server of servers) expect(first.get(server)).toBe(perCycle);
      // Every ordered pair of two different servers, and nothing else.
      expect(behind.size).toBe(count * (count - 1));
      for (const a of servers) {
        for (const b of servers)
          expect(behind.get(`${a}>${b}`)).toBe(a === b ? undefined : perCycle);
      }
    },
  );

  it('unlike rotating one order, does not keep a server behind the same neighbour', () => {
    const rotated = [0, 1, 2, 3].map((shift) => [0, 1, 2, 3].map((i) => (i + shift) % 4));
    // Rotation: server 1 runs right behind server 0 in three of four rounds.
    expect(tally(rotated).behind.get('0>1')).toBe(3);
    expect(tally(balancedOrders(4)).behind.get('0>1')).toBe(1);
  });

  it('refuses a count below one', () => {
    expect(() => balancedOrders(0)).toThrow();
  });
});

describe('roundOrder', () => {
  it('takes the orders in turn and starts over after a cycle', () => {
    const servers = ['sqlite', 'postgres', 'bolt', 'ceiling'];
    const cycle = [0, 1, 2, 3].map((round) => roundOrder(servers, round));
    expect(cycle[0]).toEqual(['sqlite', 'postgres', 'ceiling', 'bolt']);
    expect(new Set(cycle.map((order) => order.join()))).toHaveProperty('size', 4);
    expect(roundOrder(servers, 4)).toEqual(cycle[0]);
    expect(roundOrder(['only'], 7)).toEqual(['only']);
  });
});
