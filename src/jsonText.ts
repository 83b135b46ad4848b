import type { z } from 'zod';

/**
 * `text` as JSON matching `schema` (the modal's private_metadata, a button's value: strings that
 * came back from Slack); null for anything else, malformed JSON included.
 */
export function parseJsonWith<Schema extends z.ZodType>(
  schema: Schema,
  text: string | undefined,
): z.output<Schema> | null {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
