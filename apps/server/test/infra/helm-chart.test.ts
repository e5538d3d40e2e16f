import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { EnvSchema } from '../../src/config/env';
import { REPO_ROOT } from '../../src/lib/paths';

/**
 * No Helm binary can run here, so the chart is checked statically: every non-template YAML parses,
 * values.yaml and every ci/*.yaml (merged over it, as `helm install -f` does) validate against
 * values.schema.json, templates reference only values that exist and keep their blocks balanced,
 * the environment they set is known to the server, and README.md documents every value.
 */
const CHART = path.join(REPO_ROOT, 'infra', 'helm', 'stagecoach');
type Values = Record<string, unknown>;

const read = (rel: string) => fs.readFileSync(path.join(CHART, rel), 'utf8');
const parseYaml = (text: string, where: string): unknown => {
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true });
  for (const d of docs) if (d.errors.length) throw new Error(`${where}: ${d.errors.map((e) => e.message).join('; ')}`);
  return docs[0]?.toJS() ?? null;
};
const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's merge of -f files: maps merge key by key, everything else (lists included) replaces. */
function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMap(v) && isMap(out[k]) ? merge(out[k], v) : v;
  return out;
}

/** Every key path in a values tree, maps descended (`storage.source.nfs.server`). */
function leafPaths(v: unknown, prefix = ''): string[] {
  if (!isMap(v) || Object.keys(v).length === 0) return prefix ? [prefix] : [];
  return Object.entries(v).flatMap(([k, child]) => leafPaths(child, prefix ? `${prefix}.${k}` : k));
}

const templateFiles = fs.readdirSync(path.join(CHART, 'templates')).map((f) => path.join('templates', f));
let values: Values;
let validate: ValidateFunction;

beforeAll(() => {
  values = parseYaml(read('values.yaml'), 'values.yaml') as Values;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  validate = ajv.compile(JSON.parse(read('values.schema.json')) as object);
});

const errorsOf = (v: unknown) => (validate(v) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));

describe('Helm chart infra/helm/stagecoach', () => {
  it('parses every non-template YAML file', () => {
    const files = ['Chart.yaml', 'values.yaml', ...fs.readdirSync(path.join(CHART, 'ci')).map((f) => `ci/${f}`)];
    expect(files.filter((f) => f.startsWith('ci/')).length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(() => parseYaml(read(f), f), f).not.toThrow();
    const chart = parseYaml(read('Chart.yaml'), 'Chart.yaml') as Values;
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'stagecoach', type: 'application' });
    expect(String(chart.version)).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('validates values.yaml against values.schema.json', () => {
    expect(errorsOf(values)).toEqual([]);
  });

  it.each(fs.readdirSync(path.join(CHART, 'ci')))('validates ci/%s merged over values.yaml', (file) => {
    const over = parseYaml(read(`ci/${file}`), file) as Values;
    expect(errorsOf(merge(values, over))).toEqual([]);
  });

  it('rejects values the chart cannot render (the schema is not a rubber stamp)', () => {
    const bad = [
      merge(values, { storage: { source: { type: 'ceph' } } }),
      merge(values, { storage: { userArea: { type: 'nfs', nfs: { server: '' } } } }),
      merge(values, { api: { replicas: -1 } }),
      merge(values, { config: { allowedMethods: ['FTP_COPY'] } }),
      merge(values, { secrets: { sessionSecret: 'too-short' } }),
      merge(values, { ingress: { enabled: true, hosts: [{ host: 'x.example.org' }] } }),
      merge(values, { typoedTopLevelKey: true }),
    ];
    for (const v of bad) expect(errorsOf(v).length, JSON.stringify(v).slice(0, 80)).toBeGreaterThan(0);
  });

  it('references only values that exist in values.yaml', () => {
    const missing: string[] = [];
    for (const f of templateFiles) {
      for (const m of read(f).matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        const keys = m[1]!.slice(1).split('.');
        let node: unknown = values;
        for (const k of keys) {
          if (!isMap(node) || !(k in node)) {
            missing.push(`${f}: .Values.${keys.join('.')}`);
            break;
          }
          node = node[k];
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('keeps template blocks balanced', () => {
    for (const f of templateFiles) {
      const text = read(f).replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
      let depth = 0;
      for (const m of text.matchAll(/\{\{-?\s*(if|range|with|define|else|end)\b/g)) {
        if (m[1] === 'end') depth--;
        else if (m[1] !== 'else') depth++;
        expect(depth, `${f}: {{ end }} without an opening block`).toBeGreaterThanOrEqual(0);
      }
      expect(depth, `${f}: unclosed block`).toBe(0);
      expect(text.includes('\t'), `${f}: tab in YAML`).toBe(false);
    }
  });

  it('sets only environment variables the server knows', () => {
    const helpers = read('templates/_helpers.tpl');
    const known = new Set(Object.keys(EnvSchema.shape));
    for (const block of ['stagecoach.configData', 'stagecoach.secretData']) {
      const body = helpers.split(`{{- define "${block}" -}}`)[1]!.split('{{- end -}}')[0]!;
      const keys = [...body.matchAll(/^([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
      expect(keys.length).toBeGreaterThan(3);
      expect(keys.filter((k) => !known.has(k))).toEqual([]);
    }
    for (const f of ['templates/api-deployment.yaml', 'templates/worker-deployment.yaml']) expect(read(f)).toMatch(/- name: ROLE\n\s+value: (api|worker)/);
  });

  it('probes /healthz and /readyz and runs migrations as a pre-install/pre-upgrade hook', () => {
    for (const f of ['templates/api-deployment.yaml', 'templates/worker-deployment.yaml']) {
      const t = read(f);
      expect(t).toMatch(/livenessProbe:\s+httpGet: \{ path: \/healthz/);
      expect(t).toMatch(/readinessProbe:\s+httpGet: \{ path: \/readyz/);
    }
    const job = read('templates/migrate-job.yaml');
    expect(job).toContain('helm.sh/hook: pre-install,pre-upgrade');
    expect(job).toContain('command: ["node", "dist/cli.js", "migrate"]');
  });

  it('serves /metrics on a metrics port of its own that the Ingress never routes to', () => {
    expect(read('templates/_helpers.tpl')).toContain('METRICS_PORT: {{ .Values.metrics.port | quote }}');
    for (const f of ['templates/api-deployment.yaml', 'templates/worker-deployment.yaml']) {
      expect(read(f)).toMatch(/- name: metrics\n\s+containerPort: \{\{ \.Values\.metrics\.port \}\}/);
    }
    expect(read('templates/servicemonitor.yaml')).toMatch(/- port: metrics\n\s+path: \/metrics/);
    expect(read('templates/ingress.yaml')).not.toMatch(/metrics/);
    expect(errorsOf({ ...values, metrics: { ...(values.metrics as Values), port: 4000 } })).not.toEqual([]);
  });

  it('documents every value in README.md', () => {
    const readme = read('README.md');
    const undocumented = leafPaths(values).filter((p) => !readme.includes(`\`${p}\``));
    expect(undocumented).toEqual([]);
  });
});

describe('container image infra/docker/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'infra', 'docker', 'Dockerfile'), 'utf8');
  const ignore = fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('is multi-stage, deploys the server with pnpm and runs as a non-root user with a health check', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/pnpm --filter @stagecoach\/server deploy --prod/);
    expect(dockerfile).toMatch(/apps\/web\/dist/);
    const final = stages.at(-1)!;
    const user = [...final.matchAll(/^USER (\S+)/gm)].at(-1)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(final).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(final).toMatch(/^CMD \["node", "dist\/main.js"\]/m);
    // The runtime stage carries no build tooling.
    expect(final).not.toMatch(/pnpm install/);
  });

  it('copies only files that exist and that .dockerignore keeps in the build context', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)((?:\S+ )+)\S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/)).filter((s) => s !== '.');
    expect(sources.length).toBeGreaterThan(3);
    const ignored = (p: string) => ignore.some((pat) => !pat.startsWith('!') && new RegExp(`^${pat.replace(/\./g, '\\.').split('**/').map((part) => part.replace(/\*/g, '[^/]*')).join('(?:.*/)?')}(?:/|$)`).test(p));
    for (const s of sources) {
      expect(fs.existsSync(path.join(REPO_ROOT, s)), `${s} exists`).toBe(true);
      expect(ignored(s), `${s} is not ignored`).toBe(false);
    }
    for (const p of ['node_modules', 'apps/server/node_modules', '.git', '.tools', '.stagecoach', 'apps/server/dist']) expect(ignored(p), `${p} is ignored`).toBe(true);
  });
});
