/**
 * ftrag registers one Bolt listener per kind of request (command, shortcut, view submission, block
 * action, event) and each routes by id to the listener of that id, one file each. Bolt runs every
 * registered listener's matchers on every request it receives; with one Bolt listener per id (18)
 * that was a sixth of a step submission's CPU time and a quarter of a slash command's
 * (docs/benchmarks.md).
 */

function escapeRegExp(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A Bolt id constraint matching exactly `ids`, or an id that starts with one of `prefixes`. */
export function idPattern(ids: Iterable<string>, prefixes: Iterable<string> = []): RegExp {
  const alternatives = [
    ...[...ids].map(escapeRegExp),
    ...[...prefixes].map((prefix) => `${escapeRegExp(prefix)}.*`),
  ];
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}
