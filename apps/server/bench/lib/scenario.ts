import type { Row } from './stats';

export interface ScenarioContext {
  /** Smaller sizes and fewer runs, for smoke-testing the bench itself. */
  quick: boolean;
  /** Timed runs per side (ours and the reference alternate). */
  runs: number;
  /** Extra environment for the server under test (e.g. WORKER_CONCURRENCY=16 to try a setting). */
  serverEnv: Record<string, string>;
  /** Extra node flags for the server (e.g. --cpu-prof). */
  serverNodeArgs: string[];
  log(message: string): void;
}

export interface ScenarioResult {
  rows: Row[];
  /** Every measurement, for the JSON file. */
  raw: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/** Runs ours and the reference side by side, alternating which goes first (A B B A …) so drift hits both. */
export async function alternate(runs: number, ours: (run: number) => Promise<void>, ref: (run: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      await ours(i);
      await ref(i);
    } else {
      await ref(i);
      await ours(i);
    }
  }
}
