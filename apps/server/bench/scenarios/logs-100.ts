/**
 * logs-100: 100 `logAppended(requestId)` subscribers (graphql-ws, one connection each, all in
 * this process) on one busy request (5,000 files of 4 KiB, LOCAL_COPY: one log entry per file).
 * Delivery latency = receipt time − the entry's `at` (set by the database when it is stored;
 * same machine, same clock). Reference: the same request watched by a single subscriber, so the
 * ratio shows what fanning out to 100 costs.
 */
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { KiB, makeSmallFiles, settle } from '../lib/files';
import type { Scenario } from '../lib/scenario';
import { assertSucceeded, BenchServer } from '../lib/server';
import { percentile, ratioOf, summarize } from '../lib/stats';

/** Math.max(...xs) overflows the stack for 500,000 values. */
function maxOf(xs: number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

const SUB = `subscription($id: ID!) { logAppended(requestId: $id) { id at level message } }`;
const FINAL = /^request (succeeded|partially succeeded|failed|cancelled)/;

interface Watch {
  latencies: number[];
  delivered: number;
  seconds: number;
}

async function watchRequest(server: BenchServer, control: Client, subscribers: Client[], target: string): Promise<Watch> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const id = await server.stage({ method: 'LOCAL_COPY', items: [{ source: 'logsrc', target }] });
  const disposers: (() => void)[] = [];
  const allFinal = Promise.all(
    subscribers.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          disposers.push(
            c.subscribe<{ logAppended: { at: string; message: string } }>(
              { query: SUB, variables: { id } },
              {
                next: (msg) => {
                  const e = msg.data?.logAppended;
                  if (!e) return reject(new Error(JSON.stringify(msg.errors)));
                  latencies.push(Date.now() - Date.parse(e.at));
                  if (FINAL.test(e.message)) resolve();
                },
                error: reject,
                complete: () => undefined,
              },
            ),
          );
        }),
    ),
  );
  const done = await server.waitFinished(control, id);
  assertSucceeded(done);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    allFinal,
    new Promise(
      (_, reject) =>
        (timer = setTimeout(() => reject(new Error('the final log entry did not reach every subscriber within 60 s')), 60_000)),
    ),
  ]);
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  for (const d of disposers) d();
  return { latencies, delivered: latencies.length, seconds };
}

export const logs100: Scenario = {
  name: 'logs-100',
  description: '100 logAppended subscribers on one busy request (target delivery p99 < 250 ms)',
  async run(ctx) {
    const files = ctx.quick ? 500 : 5000;
    const subscribers = 100;
    const server = await BenchServer.start('logs-100', { env: ctx.serverEnv, nodeArgs: ctx.serverNodeArgs });
    const clients: Client[] = [];
    try {
      await makeSmallFiles(path.join(server.archive, 'logsrc'), files, 4 * KiB);
      const control = await server.ws();
      for (let i = 0; i < subscribers; i++) clients.push(await server.ws());
      const many: Watch[] = [];
      const one: Watch[] = [];
      const runs = Math.min(ctx.runs, 3);
      for (let r = 0; r < runs; r++) {
        for (const which of r % 2 === 0 ? ['many', 'one'] : ['one', 'many']) {
          await settle();
          const w = await watchRequest(server, control, which === 'many' ? clients : clients.slice(0, 1), `runs/${which}-${r}`);
          (which === 'many' ? many : one).push(w);
          ctx.log(
            `  ${which === 'many' ? `${subscribers} subscribers` : '1 subscriber  '} run ${r}: ${w.delivered} deliveries in ${w.seconds.toFixed(1)} s, ` +
              `p50 ${percentile(w.latencies, 50).toFixed(0)} ms, p99 ${percentile(w.latencies, 99).toFixed(0)} ms, max ${maxOf(w.latencies).toFixed(0)} ms`,
          );
        }
      }
      await control.dispose();
      const p = (ws: Watch[], q: number) => summarize(ws.map((w) => percentile(w.latencies, q)));
      const p99 = p(many, 99);
      return {
        rows: [
          {
            scenario: 'logs-100',
            metric: `delivery p50, ${files} files`,
            unit: 'ms',
            ours: p(many, 50),
            ref: { name: '1 subscriber', summary: p(one, 50) },
            ratio: ratioOf(p(many, 50), p(one, 50), false),
          },
          {
            scenario: 'logs-100',
            metric: `delivery p99, ${subscribers} subscribers`,
            unit: 'ms',
            ours: p99,
            ref: { name: '1 subscriber', summary: p(one, 99) },
            ratio: ratioOf(p99, p(one, 99), false),
            target: { text: 'p99 < 250 ms', met: p99.median < 250 },
            note: 'latency from LogEntry.at (stored) to receipt; entries are buffered up to one progress flush before they are stored',
          },
          {
            scenario: 'logs-100',
            metric: 'request time while watched',
            unit: 's',
            ours: summarize(many.map((w) => w.seconds)),
            ref: { name: '1 subscriber', summary: summarize(one.map((w) => w.seconds)) },
            ratio: ratioOf(summarize(many.map((w) => w.seconds)), summarize(one.map((w) => w.seconds)), false),
          },
        ],
        raw: {
          files,
          subscribers,
          many: many.map((w) => ({
            delivered: w.delivered,
            seconds: w.seconds,
            p50: percentile(w.latencies, 50),
            p99: percentile(w.latencies, 99),
            max: maxOf(w.latencies),
          })),
          one: one.map((w) => ({
            delivered: w.delivered,
            seconds: w.seconds,
            p50: percentile(w.latencies, 50),
            p99: percentile(w.latencies, 99),
            max: maxOf(w.latencies),
          })),
        },
      };
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
      await server.stop();
      await server.cleanup();
    }
  },
};
