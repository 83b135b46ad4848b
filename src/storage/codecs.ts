import { z } from 'zod';
import { type Decision, VERDICTS, WARNING_CODES } from '../decision/types.js';
import { CorruptRowError } from './errors.js';
import {
  CONVERSATION_VISIBILITIES,
  DELIVERY_STATUSES,
  type DeliveryTarget,
  type PostedVerdict,
} from './repository.js';

export const deliveryTargetSchema: z.ZodType<DeliveryTarget> = z.object({
  channelId: z.string().nullable(),
  threadTs: z.string().nullable(),
  broadcast: z.boolean(),
  responseUrl: z.string().nullable(),
});

export const decisionSchema: z.ZodType<Decision> = z.object({
  verdict: z.enum(VERDICTS),
  headline: z.string(),
  rationale: z.array(z.string()),
  // Optional: decisions stored before the deciding lines were marked have none.
  decisive: z.array(z.number().int().min(0)).optional(),
  warnings: z.array(z.object({ code: z.enum(WARNING_CODES), message: z.string() })),
  nextSteps: z.array(z.string()),
  measure: z.array(z.string()),
  // Most specific shape first: an object schema drops keys it does not name, so a row with all
  // three options must not be read by a two-option shape. Rows stored before the prompt-against-RAG
  // shape existed still match one of the last two.
  tradeoffs: z.array(
    z.union([
      z.object({
        aspect: z.string(),
        prompt: z.string(),
        rag: z.string(),
        fineTuning: z.string().optional(),
      }),
      z.object({ aspect: z.string(), prompt: z.string(), fineTuning: z.string() }),
      z.object({ aspect: z.string(), rag: z.string(), fineTuning: z.string() }),
    ]),
  ),
  sources: z.array(z.object({ title: z.string(), url: z.string() })),
  rulesVersion: z.string(),
});

export const postedVerdictSchema: z.ZodType<PostedVerdict> = z.object({
  status: z.enum(['posted', 'sent-as-dm']),
  channelId: z.string(),
  messageTs: z.string(),
  threadTs: z.string(),
  channelError: z.string().nullable(),
});

export const deliveryStatusSchema = z.enum(DELIVERY_STATUSES);

export const conversationVisibilitySchema = z.enum(CONVERSATION_VISIBILITIES);

/** Parses JSON from a TEXT column and validates it; `where` names the row and column for errors. */
export function parseJsonColumn<T>(schema: z.ZodType<T>, text: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptRowError(`${where}: not valid JSON`, { cause: error });
  }
  return parseValue(schema, value, where);
}

export function parseValue<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new CorruptRowError(`${where}: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** BIGINT epoch milliseconds from either driver (node-postgres returns int8 as a string). */
export function millisToDate(value: number | string | bigint): Date {
  return new Date(Number(value));
}

/** COUNT(*) from either driver (node-postgres returns it as a string). */
export function toCount(value: number | string | bigint): number {
  return Number(value);
}
