import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** A configuration problem: a bad file, flag or value. The message names the key and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config';
}

type Json = Record<string, unknown>;

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

// A flag value is JSON where it parses as JSON (numbers, booleans, null, arrays, objects), else the
// string itself, so `--lr 3e-4`, `--methods '["rloo"]'` and `--out runs/x` all do what they say.
function flagValue(raw: string): unknown {
  if (raw.includes(',') && !/^[[{"]/.test(raw)) return raw.split(',').map(flagValue);
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
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
 *
 * @param argv - arguments after the command name
 * @param booleans - flags without a value (e.g. `resume`)
 * @returns the nested overrides and the positional arguments
 * @throws ConfigError on a malformed flag
 * @example
 * parseFlags(['--lr', '3e-4', '--loss.betaKl=0.01', '--resume'], ['resume']);
 * // { overrides: { lr: 0.0003, loss: { betaKl: 0.01 }, resume: true }, positional: [] }
 */
export function parseFlags(argv: readonly string[], booleans: readonly string[] = []): { overrides: Json; positional: string[] } {
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
    let value: unknown;
    if (eq >= 0) value = flagValue(arg.slice(eq + 1));
    else if (booleans.includes(name) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) value = true;
    else value = flagValue(argv[++i]);
    // kebab-case flags map onto camelCase keys (`--prompts-per-step` = `promptsPerStep`).
    const path = name.split('.').map((k) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
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
  const { overrides, positional } = parseFlags(argv, booleans);
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
  return { config: resolveConfig(schema, mergeConfig(raw, overrides), what), positional, flags };
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
