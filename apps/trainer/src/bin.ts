import { main } from './cli';

// Exit explicitly: idle worker threads (kernels, code sandbox) must not keep a finished command alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`paretopo: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
