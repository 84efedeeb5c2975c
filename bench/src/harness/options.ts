import type { RunMode, Suite, Workload } from "./types.js";

/** The command-line options of `pnpm bench`. */
export interface Options {
  readonly mode: RunMode;
  /** Interleaved rounds per workload; default 3 (quick) or 5 (full). */
  readonly rounds: number;
  /** `true` when `--rounds` was given (it then overrides a suite's or a workload's own `rounds`). */
  readonly roundsGiven: boolean;
  /** Case-insensitive substrings; a workload runs when its suite name or id contains any. */
  readonly filters: readonly string[];
  /** Case-insensitive substrings selecting implementations; the baseline always runs. */
  readonly impls: readonly string[];
  /** Write a V8 CPU profile of every child to results/profiles/. */
  readonly profile: boolean;
  /** Only list the suites, workloads and implementations. */
  readonly list: boolean;
  readonly help: boolean;
}

/** The usage text. */
export const usage = `usage: pnpm bench [-- options]
  --quick           short runs: 3 rounds of 0.1 s per child (default; ≈ 73 s of CPU for the protocol suite)
  --full            long runs: 5 rounds of 2 s per child after 1 s of warm-up
  --filter <text>   only workloads whose suite name or id contains <text> (repeatable)
  --impl <text>     only implementations whose name contains <text>, plus each baseline (repeatable)
  --rounds <n>      interleaved rounds per workload
  --profile         write a CPU profile of every child to results/profiles/ (node --cpu-prof)
  --list            list suites, workloads and implementations, run nothing
  --help            this text`;

/**
 * The interleaved rounds of one workload: `--rounds` when given, else the workload's own count
 * for the mode, else its suite's, else the mode's default.
 */
export function roundsOf(
  options: Pick<Options, "mode" | "rounds" | "roundsGiven">,
  suite: Pick<Suite, "rounds">,
  workload: Pick<Workload, "rounds">,
): number {
  if (options.roundsGiven) return options.rounds;
  return workload.rounds?.[options.mode] ?? suite.rounds?.[options.mode] ?? options.rounds;
}

/**
 * The order in which round `round` (from 1) runs the implementations: as listed in odd rounds,
 * reversed in even ones (A B C, C B A, A B C, …). The first and the last trade places, so an
 * effect of the place in a round (a fresh process that follows another one's exit; the host's
 * state drifting within a round) no longer always favours or hurts the baseline, which the list
 * puts first; the middle one of an odd count stays in the middle, between the two.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 1 ? [...items] : [...items].reverse();
}

/** Parses `argv` (without node and the script); throws on anything unknown. */
export function parseOptions(argv: readonly string[]): Options {
  let mode: RunMode = "quick";
  let rounds: number | undefined;
  const filters: string[] = [];
  const impls: string[] = [];
  let profile = false;
  let list = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--":
        break;
      case "--quick":
        mode = "quick";
        break;
      case "--full":
        mode = "full";
        break;
      case "--filter":
        filters.push(value().toLowerCase());
        break;
      case "--impl":
        impls.push(value().toLowerCase());
        break;
      case "--rounds": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new Error("--rounds needs a positive integer");
        rounds = n;
        break;
      }
      case "--profile":
        profile = true;
        break;
      case "--list":
        list = true;
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}\n${usage}`);
    }
  }
  return {
    mode,
    rounds: rounds ?? (mode === "quick" ? 3 : 5),
    roundsGiven: rounds !== undefined,
    filters,
    impls,
    profile,
    list,
    help,
  };
}
