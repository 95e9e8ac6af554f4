import { inspect } from 'node:util';
import { REDACTED } from '../http/redact.js';

/**
 * Makes `util.inspect` and `toString()` of a result object show `[redacted]` for the given credential fields.
 * The fields stay ordinary properties: the caller asked for them and may read or serialise them on purpose.
 */
export function hideFromInspect<T extends object>(value: T, fields: readonly (keyof T & string)[]): T {
  const view = (): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const field of fields) if (copy[field] !== undefined) copy[field] = REDACTED;
    return copy;
  };
  Object.defineProperty(value, inspect.custom, {
    value: (_depth: number, options: Parameters<typeof inspect>[1]) => inspect(view(), options),
    enumerable: false,
  });
  Object.defineProperty(value, 'toString', { value: () => JSON.stringify(view()), enumerable: false });
  return value;
}
