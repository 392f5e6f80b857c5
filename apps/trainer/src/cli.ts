import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadRawConfig, resolveConfig } from './config/load';
import type { z } from 'zod';
import packageJson from '../package.json' with { type: 'json' };
import { describeFlags } from './config/help';
import { compareConfigSchema, demoConfigSchema, evalConfigSchema, reportFlagsSchema, sftConfigSchema, studyFlagsSchema, trainConfigSchema } from './config/schema';
import { runCompare } from './commands/compare';
import { runDemo } from './commands/demo';
import { runEval } from './commands/eval';
import { runReport } from './commands/report';
import { runSft } from './commands/sft';
import { runSftTinker } from './commands/sft-tinker';
import { runStudy, writeStudyOutputs } from './commands/study';
import { STUDY_FILES } from './study/folder';
import { resumeConfig, runTrain } from './commands/train';
import { Interrupted } from './run/interrupted';

const USAGE = `paretopo: ParetoPO reference trainer

usage: paretopo <command> [--config file.json|.yaml] [--key value ...]

commands:
  demo      warm start (SFT) + ParetoPO RL on arith, then the before/after table and a report
  sft       supervised warm start on the scripted teacher      (--env arith|kb --out DIR; --engine tinker …: a LoRA on the engine)
  train     RL with one method from a warm start               (--env --method --init DIR --out DIR; --resume --out DIR; --engine tinker …,
            also --env gsm8k|math500|hotpotqa)
  eval      a checkpoint or an OpenAI-compatible endpoint      (--env --checkpoint DIR | --endpoint URL --model M | --engine tinker … [--checkpoint DIR]
            [--api-key-file F, else $OPENAI_API_KEY] [--timeout-ms --deadline-ms --max-attempts])
  compare   methods × seeds, results.md/json and report.html   (--env --methods a,b --seeds N --out DIR)
  study     a pre-registered study from its spec file          (SPEC.json [--out WORKDIR] [--jobs 2] [--plan])
  report    report.html from run or compare folders            (DIR ... [--out report.html]);
            a study's results folder (it holds study.json): results.md/json and report.html again from its logs

Any config key is a flag: --lr 3e-4, --loss.betaKl 0.01, --reward.weights 0.6,0.4; values take the
type the key wants (--out 2025 is a folder name, --title "Run A, seed 1" one string).
paretopo <command> --help lists a command's flags with their defaults; paretopo --version.
Flags: --quiet (no progress bar), --resume (train), --plan (study: the runs and an estimated time). Ctrl-C or SIGTERM stops after the current step
and exits 130 (train and demo save a checkpoint first).`;

/** What each command's `--help` prints above its flags, and the schema the flags come from. */
const COMMANDS: Record<string, { usage: string; schema: z.ZodType; extra?: string[] }> = {
  demo: { usage: 'paretopo demo [--out DIR] [--sft.KEY V ...] [--train.KEY V ...]', schema: demoConfigSchema },
  sft: {
    usage: 'paretopo sft --env arith|kb --out DIR [--engine tinker --engine.url URL --engine.baseModel M] [--KEY V ...]',
    schema: sftConfigSchema,
    extra: ['(engine tinker: model.* and backend are not used; the LoRA of engine.baseModel is trained on the teacher traces)'],
  },
  train: {
    usage:
      'paretopo train --env arith|kb (--init DIR | --engine tinker --engine.url URL --engine.baseModel M [--init ENGINE_SFT_DIR]) --out DIR [--method M] [--KEY V ...] | paretopo train --env gsm8k|math500|hotpotqa --engine tinker … [--data.train FILE] --out DIR | paretopo train --resume --out DIR [--init DIR]',
    schema: trainConfigSchema,
    extra: ['--resume  continue the run in --out from its latest checkpoint, with its saved settings (--init only to point at a moved warm start)'],
  },
  eval: {
    usage: 'paretopo eval --env E (--checkpoint DIR | --endpoint URL --model M | --engine tinker --engine.url URL --engine.baseModel M [--checkpoint DIR]) [--KEY V ...]',
    schema: evalConfigSchema,
  },
  compare: { usage: 'paretopo compare --env arith|kb --out DIR [--methods a,b] [--seeds N] [--KEY V ...]', schema: compareConfigSchema },
  study: {
    usage: 'paretopo study SPEC.json [--out WORKDIR] [--jobs N] [--plan]',
    schema: studyFlagsSchema,
    extra: ['--plan  list every run with its state and an estimated time; run nothing'],
  },
  report: { usage: 'paretopo report DIR ... [--out report.html] [--title TEXT] | paretopo report STUDY_RESULTS_DIR', schema: reportFlagsSchema },
};

function commandHelp(command: string): string {
  const { usage, schema, extra = [] } = COMMANDS[command];
  return [`usage: ${usage}`, '', 'flags (also in --config file.json|.yaml):', ...describeFlags(schema).map((l) => `  ${l}`), ...extra.map((l) => `  ${l}`), '  --quiet  no progress bar', '  --help  this text'].join('\n');
}

// Every argument must mean something: a stray word (a flag's value split off by the shell, a typo)
// is an error rather than silently ignored.
function noPositional(command: string, positional: readonly string[]): void {
  if (positional.length > 0) throw new ConfigError(`${command}: unexpected argument '${positional[0]}' (flags: paretopo ${command} --help)`);
}

/** Exit codes: 0 done, 1 failure, 2 bad usage or config, 130 interrupted (Ctrl-C). */
export const EXIT = { ok: 0, error: 1, usage: 2, interrupted: 130 } as const;

function interruptSignal(log: (s: string) => void): AbortSignal {
  const controller = new AbortController();
  // SIGTERM (a scheduler, `kill`, a container stop) is handled exactly as Ctrl-C.
  const stop = (name: string) => () => {
    if (controller.signal.aborted) {
      log(`second ${name}: exiting without waiting`);
      process.exit(EXIT.interrupted);
    }
    log(`${name}: stopping after the current step (train and demo save a checkpoint first; Ctrl-C again to exit at once)`);
    controller.abort();
  };
  process.on('SIGINT', stop('Ctrl-C'));
  process.on('SIGTERM', stop('SIGTERM'));
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
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`paretopo ${packageJson.version}\n`);
    return EXIT.ok;
  }
  // `--help` anywhere after a command prints that command's flags and never starts its work.
  if (command !== undefined && command in COMMANDS && (args.includes('--help') || args.includes('-h'))) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return EXIT.ok;
  }
  try {
    switch (command) {
      case 'sft': {
        const { config, positional } = loadConfig(sftConfigSchema, args, 'sft');
        noPositional('sft', positional);
        if (config.engine.name === 'tinker') await runSftTinker(config, { progress, log, signal: interruptSignal(log) });
        else await runSft(config, { progress, log, signal: interruptSignal(log) });
        return EXIT.ok;
      }
      case 'train': {
        const resume = args.includes('--resume');
        const { raw, positional } = loadRawConfig(trainConfigSchema, args.filter((a) => a !== '--resume'));
        noPositional('train', positional);
        let config;
        if (resume) {
          // The run's saved config is the truth: --resume needs only --out, and an explicit value that contradicts it is an error.
          if (typeof raw.out !== 'string' || raw.out === '') throw new ConfigError('resume: name the run folder with --out DIR (its settings come from DIR/config.json)');
          config = resumeConfig(raw.out, raw);
        } else config = resolveConfig(trainConfigSchema, raw, 'train');
        const result = await runTrain(config, { resume, signal: interruptSignal(log), progress, log });
        return result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
      }
      case 'eval': {
        const { config, positional } = loadConfig(evalConfigSchema, args, 'eval');
        noPositional('eval', positional);
        const row = await runEval(config, { log });
        process.stdout.write(`${JSON.stringify(row)}\n`);
        return EXIT.ok;
      }
      case 'compare': {
        const { config, positional } = loadConfig(compareConfigSchema, args, 'compare');
        noPositional('compare', positional);
        await runCompare(config, { progress, log, signal: interruptSignal(log), command: `paretopo compare ${args.join(' ')}` });
        return EXIT.ok;
      }
      case 'study': {
        const { config: flags, positional, flags: booleans } = loadConfig(studyFlagsSchema, args, 'study', ['plan']);
        if (positional.length !== 1) throw new ConfigError(`study: name exactly one spec file, e.g. docs/results/arith/study.json (got ${positional.length})`);
        await runStudy(positional[0], {
          out: flags.out,
          jobs: flags.jobs,
          plan: booleans.plan === true,
          progress,
          log,
          signal: interruptSignal(log),
          command: `paretopo study ${args.join(' ')}`,
        });
        return EXIT.ok;
      }
      case 'report': {
        const { config: flags, positional } = loadConfig(reportFlagsSchema, args, 'report');
        if (positional.length === 1 && existsSync(join(positional[0], STUDY_FILES.spec))) {
          if (flags.out !== undefined || flags.title !== undefined) throw new ConfigError("report: a study folder's outputs are written into it (--out and --title do not apply)");
          for (const f of writeStudyOutputs(positional[0])) log(`report: ${f}`);
          return EXIT.ok;
        }
        if (positional.length === 0) throw new ConfigError('report: name at least one run or compare folder');
        const out = await runReport(positional, { out: flags.out, title: flags.title });
        log(`report: ${out}`);
        return EXIT.ok;
      }
      case 'demo': {
        const { config, positional } = loadConfig(demoConfigSchema, args, 'demo');
        if (positional.length > 0) throw new ConfigError(`demo: unexpected argument '${positional[0]}' (flags: paretopo demo --help)`);
        await runDemo(config, { progress, log, signal: interruptSignal(log) });
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
