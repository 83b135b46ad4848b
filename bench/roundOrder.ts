/**
 * The order the benchmark's servers take turns in, round by round. Rotating one order (a b c d,
 * b c d a, …) keeps every server behind the same neighbour in all but one round, so whatever a
 * server leaves behind (its collector finishing, its sockets closing) always lands on the same
 * next one. A Williams design (a balanced Latin square) puts every server first equally often and
 * behind every other server equally often over one cycle of rounds.
 */

/** One cycle of orders of `count` servers (indices): `count` orders when even, twice that when odd. */
export function balancedOrders(count: number): number[][] {
  if (!Number.isInteger(count) || count < 1) throw new Error('balancedOrders needs 1 or more');
  // First order 0, 1, n-1, 2, n-2, …; each next order adds 1 to every index (mod n).
  const first: number[] = [0];
  for (let low = 1, high = count - 1; first.length < count; ) {
    first.push(low++);
    if (first.length < count) first.push(high--);
  }
  const orders = Array.from({ length: count }, (_, shift) =>
    first.map((index) => (index + shift) % count),
  );
  // With an odd count a pair's two directions are not both covered until the orders run backwards too.
  return count % 2 === 0 ? orders : [...orders, ...orders.map((order) => [...order].reverse())];
}

/** The order of round `round` (0-based): the design's orders in turn, starting over after a cycle. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const orders = balancedOrders(items.length);
  const order = orders[round % orders.length] ?? [];
  return order.map((index) => items[index] as T);
}
