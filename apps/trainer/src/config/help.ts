import type { z } from 'zod';
import { unwrapSchema } from './load';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  entries?: Record<string, string>;
  element?: z.ZodType;
  items?: z.ZodType[];
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

// What a value must be, in a few words: `number`, `arith|kb`, `number,number`, `list of grpo-acc|…`.
function typeWords(schema: z.ZodType): string {
  const { schema: inner, nullable } = unwrapSchema(schema);
  const def = defOf(inner);
  let words: string;
  switch (def.type) {
    case 'enum':
      words = Object.values(def.entries ?? {}).join('|');
      break;
    case 'array':
      words = `comma list of ${def.element ? typeWords(def.element) : 'values'}`;
      break;
    case 'tuple':
      words = (def.items ?? []).map(typeWords).join(',');
      break;
    case 'record':
      words = 'JSON object';
      break;
    default:
      words = def.type;
  }
  return nullable ? `${words} or null` : words;
}

function defaultOf(schema: z.ZodType): unknown {
  for (let at: z.ZodType | undefined = schema; at !== undefined; ) {
    const def = defOf(at);
    if (def.type === 'default') return def.defaultValue;
    if (def.type === 'optional') return undefined;
    at = def.innerType;
  }
  return undefined;
}

/**
 * One line per configuration key of a command (nested keys dotted), with the value's type and its
 * default; keys without a default are marked required. The `--help` of every command prints it.
 *
 * @param schema - a command's config schema
 * @returns the lines, e.g. `--lr  number (default 0.0005)`
 * @example
 * describeFlags(sftConfigSchema).find((l) => l.startsWith('--steps')); // '--steps  number (default 1500)'
 */
export function describeFlags(schema: z.ZodType): string[] {
  const lines: [string, string][] = [];
  const walk = (s: z.ZodType, prefix: string) => {
    const def = defOf(unwrapSchema(s).schema);
    for (const [key, child] of Object.entries(def.shape ?? {})) {
      const inner = defOf(unwrapSchema(child).schema);
      if (inner.type === 'object') {
        walk(child, `${prefix}${key}.`);
        continue;
      }
      const d = defaultOf(child);
      const optional = defOf(child).type === 'optional';
      const tail = d !== undefined ? `default ${JSON.stringify(d)}` : optional ? 'optional' : 'required';
      lines.push([`--${prefix}${key}`, `${typeWords(child)} (${tail})`]);
    }
  };
  walk(schema, '');
  const width = Math.max(...lines.map(([f]) => f.length));
  return lines.map(([flag, text]) => `${flag.padEnd(width)}  ${text}`);
}
