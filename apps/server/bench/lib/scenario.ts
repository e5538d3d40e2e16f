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
