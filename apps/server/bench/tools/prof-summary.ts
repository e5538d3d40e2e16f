/**
 * `tsx bench/tools/prof-summary.ts <file.cpuprofile> [top]`: self time by function and by
 * package/file from a V8 CPU profile (node --cpu-prof), to see where a scenario spends its CPU.
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: prof-summary <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = (p.endTime - p.startTime) / 1000;

const group = (key: (n: Node) => string) => {
  const m = new Map<string, number>();
  for (const [id, us] of self) {
    const k = key(byId.get(id)!);
    m.set(k, (m.get(k) ?? 0) + us / 1000);
  }
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
};
const where = (url: string) => {
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('/dist/')) return `dist:${url.split('/dist/')[1]}`;
  return url || '(native)';
};
console.log(`profile ${total.toFixed(0)} ms wall`);
console.log('\nby package/file (self ms):');
for (const [k, v] of group((n) => (n.callFrame.url ? where(n.callFrame.url) : n.callFrame.functionName)))
  console.log(`  ${v.toFixed(0).padStart(7)}  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
console.log('\nby function (self ms):');
for (const [k, v] of group((n) => `${n.callFrame.functionName || '(anon)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber}`))
  console.log(`  ${v.toFixed(0).padStart(7)}  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
