/** A closed-loop load generator: `clients` loops, each sending its next request when the last one answered. */
import http from 'node:http';

export interface LoadResult {
  /** Latency of every answered request, ms. */
  latencies: number[];
  errors: number;
  firstError?: string;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  clients: number;
  durationMs: number;
  agent: http.Agent;
  headers?: Record<string, string>;
  /** Body of the n-th request of client c. */
  body(c: number, n: number): string;
  /** Checks an answer; returns an error message or null. Called with the parsed JSON. */
  check?(json: unknown): string | null;
}

export function post(url: string, agent: http.Agent, body: string, headers: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()));
          } catch {
            reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function closedLoop(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + o.durationMs;
  await Promise.all(
    Array.from({ length: o.clients }, async (_, c) => {
      for (let n = 0; performance.now() < end; n++) {
        const s = performance.now();
        try {
          const json = await post(o.url, o.agent, o.body(c, n), o.headers);
          const problem = o.check?.(json) ?? null;
          if (problem) {
            errors++;
            firstError ??= problem;
          } else latencies.push(performance.now() - s);
        } catch (e) {
          errors++;
          firstError ??= String(e);
        }
      }
    }),
  );
  return { latencies, errors, firstError, seconds: (performance.now() - t0) / 1000 };
}
