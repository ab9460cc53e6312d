/**
 * The forms an environment variable may take, as zod schemas: the app's own settings (`config.ts`)
 * and each git host's (`hosts/<host>/config.ts`) are read with them, so every variable is refused
 * the same way. An unset or empty variable takes its default.
 */
import { z } from 'zod';

export const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const whole = (min: number, max: number) =>
  optional(
    z.coerce
      .number({ error: `a whole number from ${min} to ${max}` })
      .int({ error: `a whole number from ${min} to ${max}` })
      .min(min, { error: `a whole number from ${min} to ${max}` })
      .max(max, { error: `a whole number from ${min} to ${max}` }),
  );

export const flag = optional(
  z.enum(['true', 'false', '1', '0'], { error: 'true or false (or 1 or 0)' }).transform((v) => v === 'true' || v === '1'),
);

export const url = optional(
  z
    .url({ protocol: /^https?$/, error: 'an absolute http(s) URL' })
    .transform((v) => v.replace(/\/$/, '')),
);

export const text = optional(z.string());
