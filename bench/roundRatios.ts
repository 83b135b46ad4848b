/**
 * A throughput ratio round by round. The servers take turns within each round, so a round's two
 * figures were measured within a minute of each other, while the machine's speed drifts over a run
 * by more than the target's margin: the spread over rounds says whether a miss is the run's noise or holds
 * in every round.
 */

export interface RoundRatios {
  /** Each round's ratio, in round order. */
  ratios: number[];
  min: number;
  max: number;
  /** Rounds whose ratio reached `target`. */
  reached: number;
}

/** `numerator[i] / denominator[i]` for each round `i`; both lists must cover the same rounds. */
export function roundRatios(
  numerator: readonly number[],
  denominator: readonly number[],
  target: number,
): RoundRatios {
  if (numerator.length !== denominator.length || numerator.length === 0) {
    throw new Error(
      `roundRatios needs the same rounds on both sides (got ${numerator.length} and ${denominator.length})`,
    );
  }
  const ratios = numerator.map((value, round) => value / (denominator[round] as number));
  return {
    ratios,
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    reached: ratios.filter((ratio) => ratio >= target).length,
  };
}

/** "rounds 0.685–0.954, 1 of 4 at 0.9 or above": for the targets table. */
export function describeRoundRatios(spread: RoundRatios, target: number): string {
  const count = spread.ratios.length;
  return `rounds ${spread.min.toFixed(3)}–${spread.max.toFixed(3)}, ${spread.reached} of ${count} at ${target} or above`;
}
