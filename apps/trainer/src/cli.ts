import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, configDifferences, loadConfig, mergeConfig, parseFlags, resolveConfig } from './config/load';
import { compareConfigSchema, evalConfigSchema, sftConfigSchema, trainConfigSchema } from './config/schema';
import { runCompare } from './commands/compare';
import { runDemo } from './commands/demo';
import { runEval } from './commands/eval';
import { runReport } from './commands/report';
import { runSft } from './commands/sft';
import { runStudy, writeStudyOutputs } from './commands/study';
import { STUDY_FILES } from './study/folder';
import { readRunConfig, runTrain } from './commands/train';
import { Interrupted } from './run/interrupted';

const USAGE = `paretopo: ParetoPO reference trainer

usage: paretopo <command> [--config file.json|.yaml] [--key value ...]

commands:
  demo      warm start (SFT) + ParetoPO RL on arith, then the before/after table and a report
  sft       supervised warm start on the scripted teacher      (--env arith|kb --out DIR)
  train     RL with one method from a warm start               (--env --method --init DIR --out DIR [--resume])
  eval      a checkpoint or an OpenAI-compatible endpoint      (--env --checkpoint DIR | --endpoint URL --model M)
  compare   methods × seeds, results.md/json and report.html   (--env --methods a,b --seeds N --out DIR)
  study     a pre-registered study from its spec file          (SPEC.json [--out WORKDIR] [--jobs 2] [--plan])
  report    report.html from run or compare folders            (DIR ... [--out report.html]);
            a study's results folder (it holds study.json): results.md/json and report.html again from its logs

Any config key is a flag: --lr 3e-4, --loss.betaKl 0.01, --reward.weights 0.6,0.4.
Flags: --quiet (no progress bar), --resume (train), --plan (study: list the runs and an estimated time). Ctrl-C stops after the current step and exits
130 (train and demo save a checkpoint first).`;

/** Exit codes: 0 done, 1 failure, 2 bad usage or config, 130 interrupted (Ctrl-C). */
export const EXIT = { ok: 0, error: 1, usage: 2, interrupted: 130 } as const;

function interruptSignal(log: (s: string) => void): AbortSignal {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) {
      log('second Ctrl-C: exiting without waiting');
      process.exit(EXIT.interrupted);
    }
    log('Ctrl-C: stopping after the current step (train and demo save a checkpoint first; Ctrl-C again to exit at once)');
    controller.abort();
  });
  return controller.signal;
}

/**
 * Runs the `paretopo` command line.
 *
 * @param argv - arguments after the program name
 * @returns the exit code ({@link EXIT})
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const quiet = rest.includes('--quiet');
  const args = rest.filter((a) => a !== '--quiet');
  const progress = quiet ? (false as const) : undefined;
  try {
    switch (command) {
      case 'sft': {
        const { config } = loadConfig(sftConfigSchema, args, 'sft');
        await runSft(config, { progress, log, signal: interruptSignal(log) });
        return EXIT.ok;
      }
      case 'train': {
        const resume = args.includes('--resume');
        let { config } = loadConfig(trainConfigSchema, args.filter((a) => a !== '--resume'), 'train');
        if (resume) {
          // The run's saved config is authoritative; a flag that contradicts it is an error.
          const saved = resolveConfig(trainConfigSchema, readRunConfig(config.out), 'resume');
          const differs = configDifferences(config, saved);
          if (differs.length > 0) throw new ConfigError(`resume: ${differs.join(', ')} differ from the run's saved config in ${config.out}`);
          config = saved;
        }
        const result = await runTrain(config, { resume, signal: interruptSignal(log), progress, log });
        return result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
      }
      case 'eval': {
        const { config } = loadConfig(evalConfigSchema, args, 'eval');
        const row = await runEval(config, { log });
        process.stdout.write(`${JSON.stringify(row)}\n`);
        return EXIT.ok;
      }
      case 'compare': {
        const { config } = loadConfig(compareConfigSchema, args, 'compare');
        await runCompare(config, { progress, log, signal: interruptSignal(log), command: `paretopo compare ${args.join(' ')}` });
        return EXIT.ok;
      }
      case 'study': {
        const { overrides, positional } = parseFlags(args, ['plan']);
        const unknown = Object.keys(overrides).filter((k) => !['out', 'jobs', 'plan'].includes(k));
        if (unknown.length > 0) throw new ConfigError(`study: unknown flag --${unknown[0]} (allowed: --out, --jobs, --plan, --quiet)`);
        if (positional.length !== 1) throw new ConfigError(`study: name exactly one spec file, e.g. docs/results/arith/study.json (got ${positional.length})`);
        if (overrides.out !== undefined && typeof overrides.out !== 'string') throw new ConfigError('study: --out takes a folder');
        if (overrides.jobs !== undefined && !(Number.isInteger(overrides.jobs) && (overrides.jobs as number) >= 1)) {
          throw new ConfigError(`study: --jobs must be an integer ≥ 1 (got ${JSON.stringify(overrides.jobs)})`);
        }
        await runStudy(positional[0], {
          out: overrides.out as string | undefined,
          jobs: overrides.jobs as number | undefined,
          plan: overrides.plan === true,
          progress,
          log,
          signal: interruptSignal(log),
          command: `paretopo study ${args.join(' ')}`,
        });
        return EXIT.ok;
      }
      case 'report': {
        const { overrides, positional } = parseFlags(args);
        if (positional.length === 1 && existsSync(join(positional[0], STUDY_FILES.spec))) {
          if (Object.keys(overrides).length > 0) throw new ConfigError(`report: a study folder's outputs are written into it (--${Object.keys(overrides)[0]} does not apply)`);
          for (const f of writeStudyOutputs(positional[0])) log(`report: ${f}`);
          return EXIT.ok;
        }
        const unknown = Object.keys(overrides).filter((k) => k !== 'out' && k !== 'title');
        if (unknown.length > 0) throw new ConfigError(`report: unknown flag --${unknown[0]} (allowed: --out, --title)`);
        if (positional.length === 0) throw new ConfigError('report: name at least one run or compare folder');
        const out = await runReport(positional, { out: overrides.out as string | undefined, title: overrides.title as string | undefined });
        log(`report: ${out}`);
        return EXIT.ok;
      }
      case 'demo': {
        const { overrides } = parseFlags(args);
        await runDemo(mergeConfig({}, overrides), { progress, log, signal: interruptSignal(log) });
        return EXIT.ok;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        log(`paretopo: unknown command '${command}' (commands: demo, sft, train, eval, compare, study, report)`);
        return EXIT.usage;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      log(err.message);
      return EXIT.usage;
    }
    if (err instanceof Interrupted) {
      log(err.message);
      return EXIT.interrupted;
    }
    log(`paretopo ${command}: ${(err as Error).message}`);
    if (process.env.PARETOPO_DEBUG) log((err as Error).stack ?? '');
    return EXIT.error;
  }
}
