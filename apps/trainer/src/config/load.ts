import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** A configuration problem: a bad file, flag or value. The message names the key and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config';
}

export type Json = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads a configuration file: `.json`, or `.yaml` / `.yml`.
 *
 * @param path - the file
 * @returns its top-level object
 * @throws ConfigError when the file cannot be read, does not parse, or is not an object
 * @example
 * readConfigFile('configs/arith-train.json').env; // 'arith'
 */
export function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: cannot read ${path} (${(err as Error).message})`, { cause: err });
  }
  let value: unknown;
  try {
    value = /^\.ya?ml$/i.test(extname(path)) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config: ${path} does not parse (${(err as Error).message})`, { cause: err });
  }
  if (!isPlainObject(value)) throw new ConfigError(`config: ${path} must hold an object at the top level`);
  return value;
}

// A flag whose key has no schema to say its type (values inside `compare --train.*` records) is JSON
// where it parses as JSON, a comma list, or else the string itself.
function untypedFlagValue(raw: string): unknown {
  if (raw.includes(',') && !/^[[{"]/.test(raw)) return raw.split(',').map(untypedFlagValue);
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The zod definition fields this file reads (zod 4's `_zod.def`). */
interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  items?: z.ZodType[];
  defaultValue?: unknown;
  entries?: Record<string, string>;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/**
 * The schema without its default / optional / nullable / pipe wrappers: what a value must be.
 * @internal
 */
export function unwrapSchema(schema: z.ZodType): { schema: z.ZodType; nullable: boolean } {
  let at = schema;
  let nullable = false;
  for (;;) {
    const def = defOf(at);
    if (def.type === 'nullable') nullable = true;
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'readonly') && def.innerType) at = def.innerType;
    else if (def.type === 'pipe' && def.in) at = def.in;
    else return { schema: at, nullable };
  }
}

/**
 * The schema of the value at `path` inside an object schema, or undefined where the schema does
 * not say (an unknown key, or inside a record of unknown values).
 * @internal
 */
export function schemaAt(schema: z.ZodType, path: readonly string[]): z.ZodType | undefined {
  let at: z.ZodType | undefined = schema;
  for (const key of path) {
    if (at === undefined) return undefined;
    const def = defOf(unwrapSchema(at).schema);
    if (def.type === 'object') at = def.shape?.[key];
    else if (def.type === 'record') at = def.valueType;
    else return undefined;
  }
  return at;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

// A flag's text turned into the type its schema wants: strings stay strings (commas and digits
// included), numbers and booleans are parsed, lists and tuples split on commas. Text that is not of
// the wanted type passes through unchanged, so the schema's own error names the key and the value.
function typedFlagValue(raw: string, schema: z.ZodType | undefined): unknown {
  if (schema === undefined) return untypedFlagValue(raw);
  const { schema: inner, nullable } = unwrapSchema(schema);
  if (nullable && raw === 'null') return null;
  const def = defOf(inner);
  switch (def.type) {
    case 'string':
    case 'enum':
    case 'literal':
      return raw;
    case 'number':
    case 'int':
      return NUMBER.test(raw.trim()) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      if (raw.startsWith('[')) return untypedFlagValue(raw);
      return raw === '' ? [] : raw.split(',').map((part) => typedFlagValue(part, def.element));
    case 'tuple':
      if (raw.startsWith('[')) return untypedFlagValue(raw);
      return raw.split(',').map((part, i) => typedFlagValue(part, def.items?.[i]));
    default:
      return untypedFlagValue(raw);
  }
}

function setPath(target: Json, path: string[], value: unknown, flag: string): void {
  let at = target;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (next === undefined) at[key] = {};
    else if (!isPlainObject(next)) throw new ConfigError(`config: --${flag} sets a key inside ${key}, which is not an object`);
    at = at[key] as Json;
  }
  at[path[path.length - 1]] = value;
}

/**
 * Turns `--key value`, `--key=value`, `--a.b value` and bare `--flag` (true) into a nested object.
 * Positional arguments and the names in `booleans` (flags that never take a value) are returned apart.
 * With a schema, each value gets the type the schema wants at its key (a string stays a string,
 * commas and digits included; a boolean key alone means true, `--eval.test false` sets false);
 * without one, values are JSON where they parse and commas split lists.
 *
 * @param argv - arguments after the command name
 * @param booleans - flags without a value (e.g. `resume`)
 * @param schema - the command's schema, which types each value
 * @returns the nested overrides and the positional arguments
 * @throws ConfigError on a malformed flag
 * @example
 * parseFlags(['--lr', '3e-4', '--loss.betaKl=0.01', '--resume'], ['resume']);
 * // { overrides: { lr: 0.0003, loss: { betaKl: 0.01 }, resume: true }, positional: [] }
 */
export function parseFlags(
  argv: readonly string[],
  booleans: readonly string[] = [],
  schema?: z.ZodType,
): { overrides: Json; positional: string[] } {
  const overrides: Json = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!/^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*$/.test(name)) throw new ConfigError(`config: malformed flag ${arg}`);
    // kebab-case flags map onto camelCase keys (`--prompts-per-step` = `promptsPerStep`).
    const path = name.split('.').map((k) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
    let type = schema === undefined ? undefined : schemaAt(schema, path);
    // A bare value on an object key with a `name` sets that name: `--engine tinker` = `--engine.name tinker`.
    const named = type === undefined ? undefined : defOf(unwrapSchema(type).schema);
    if (named?.type === 'object' && named.shape?.name !== undefined) {
      path.push('name');
      type = named.shape.name;
    }
    // A boolean key takes `true` / `false` when one follows and means true alone.
    const isBoolean = type !== undefined && defOf(unwrapSchema(type).schema).type === 'boolean';
    const next = argv[i + 1];
    let value: unknown;
    if (eq >= 0) value = typedFlagValue(arg.slice(eq + 1), type);
    else if (booleans.includes(name) || next === undefined || next.startsWith('--') || (isBoolean && next !== 'true' && next !== 'false')) value = true;
    else value = typedFlagValue(argv[++i], type);
    setPath(overrides, path, value, name);
  }
  return { overrides, positional };
}

/**
 * Deep-merges plain objects (arrays and scalars of `b` replace those of `a`).
 *
 * @param a - base
 * @param b - overrides
 * @returns a new object
 * @example
 * mergeConfig({ loss: { epsLow: 0.2 } }, { loss: { betaKl: 0 } }); // { loss: { epsLow: 0.2, betaKl: 0 } }
 */
export function mergeConfig(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeConfig(out[k] as Json, v) : v;
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${[...issue.path, k].join('.')}'`).join(', ')}`;
    case 'invalid_value':
      return `${key}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${key}: ${issue.message}`;
  }
}

/**
 * Validates a raw configuration against a schema, with an error that lists every problem by key
 * (unknown keys, wrong types, values outside the allowed set) and the keys the schema allows.
 *
 * @param schema - one of the trainer's config schemas
 * @param raw - file contents merged with flags
 * @param what - the command, for the message
 * @returns the resolved configuration, defaults filled in
 * @throws ConfigError naming each bad key
 * @example
 * resolveConfig(trainConfigSchema, { env: 'arith', init: 'w', out: 'r', lrr: 1 }, 'train');
 * // ConfigError: train config: unknown key 'lrr' (allowed: env, seed, backend, …)
 */
export function resolveConfig<S extends z.ZodType>(schema: S, raw: Json, what: string): z.infer<S> {
  const res = schema.safeParse(raw);
  if (res.success) return res.data;
  const lines = res.error.issues.map(describeIssue);
  // A schema with a transform (train's per-environment budget) keeps its keys on the input side.
  const s = schema as unknown as { shape?: Record<string, unknown>; in?: { shape?: Record<string, unknown> } };
  const shape = s.shape ?? s.in?.shape;
  const allowed = shape ? ` (allowed keys: ${Object.keys(shape).join(', ')})` : '';
  throw new ConfigError(`${what} config: ${lines.join('; ')}${allowed}`);
}

/**
 * Loads a command's configuration: the optional file (`--config`), then the flags on top.
 *
 * @param schema - the command's schema
 * @param argv - the command's arguments
 * @param what - the command name
 * @param booleans - flags that take no value and are not config keys (returned in `flags`)
 * @returns the resolved config, the positional arguments and the extra boolean flags
 * @throws ConfigError on any problem
 * @example
 * loadConfig(trainConfigSchema, ['--env', 'arith', '--init', 'w', '--out', 'r'], 'train').config.steps; // 200 (arith's default budget)
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  argv: readonly string[],
  what: string,
  booleans: readonly string[] = [],
): { config: z.infer<S>; positional: string[]; flags: Record<string, boolean> } {
  const { raw, positional, flags } = loadRawConfig(schema, argv, booleans);
  return { config: resolveConfig(schema, raw, what), positional, flags };
}

/**
 * What {@link loadConfig} reads before validation: the config file (`--config`) with the flags on
 * top, holding only the keys given (`train --resume` fills the rest from the run's saved config).
 *
 * @param schema - the command's schema (types each flag's value)
 * @param argv - the command's arguments
 * @param booleans - flags that take no value and are not config keys (returned in `flags`)
 * @returns the explicit keys, the positional arguments and the extra boolean flags
 * @throws ConfigError on a malformed flag or an unreadable config file
 * @example
 * loadRawConfig(trainConfigSchema, ['--out', 'runs/a', '--lr', '1e-3']).raw; // { out: 'runs/a', lr: 0.001 }
 */
export function loadRawConfig(
  schema: z.ZodType,
  argv: readonly string[],
  booleans: readonly string[] = [],
): { raw: Json; positional: string[]; flags: Record<string, boolean> } {
  const { overrides, positional } = parseFlags(argv, booleans, schema);
  const flags: Record<string, boolean> = {};
  for (const b of booleans) {
    const key = b.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (key in overrides) {
      flags[b] = overrides[key] === true;
      delete overrides[key];
    }
  }
  let raw: Json = {};
  if (typeof overrides.config === 'string') raw = readConfigFile(overrides.config);
  else if (overrides.config !== undefined) throw new ConfigError('config: --config takes a file path');
  delete overrides.config;
  return { raw: mergeConfig(raw, overrides), positional, flags };
}

/**
 * The top-level keys whose values differ between two resolved configurations (compared as JSON).
 *
 * @param a - one config
 * @param b - the other
 * @returns the keys of `a` whose value in `b` differs
 * @example
 * configDifferences({ lr: 1e-3, steps: 5 }, { lr: 5e-4, steps: 5 }); // ['lr']
 */
export function configDifferences(a: object, b: object): string[] {
  const x = a as Json;
  const y = b as Json;
  return Object.keys(x).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}
