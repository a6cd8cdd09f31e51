// Summarises V8 CPU profiles (.cpuprofile: node --cpu-prof, or BENCH_CPU_PROF=<dir> of the benches)
// as text: the top functions by self time and by inclusive time, and self time by area (a file of
// src/, a package of node_modules, Node's internals, GC). Several files are added together.
// Run: npx tsx scripts/cpuprofile-summary.ts [--top 25] [--focus <regex on url or function>] file.cpuprofile…
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface Node {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
let top = 25;
let focus: RegExp | null = null;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--focus') focus = new RegExp(args[++i]);
  else files.push(args[i]);
}
if (!files.length) {
  console.error('usage: cpuprofile-summary [--top N] [--focus regex] file.cpuprofile…');
  process.exit(2);
}

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^.*?\/(src|bench|test|scripts)\//, '$1/');
const fnKey = (f: CallFrame) =>
  `${f.functionName || '(anonymous)'} ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
function area(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  const u = shortUrl(f.url);
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (pkg) return `npm ${pkg[1]}`;
  if (u.startsWith('node:')) return `node ${u.slice(5).split('/')[0]}`;
  return u;
}

const self = new Map<string, number>();
const incl = new Map<string, number>();
const areas = new Map<string, number>();
let total = 0;
let idle = 0;
for (const file of files) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000; // ms
    const leaf = byId.get(p.samples[i])!;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    // the stack, leaf first
    const stack: CallFrame[] = [];
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id))
      stack.push(byId.get(id)!.callFrame);
    const re = focus;
    if (re && !stack.some((f) => re.test(f.url) || re.test(f.functionName))) continue;
    total += dt;
    const lk = fnKey(leaf.callFrame);
    self.set(lk, (self.get(lk) ?? 0) + dt);
    areas.set(area(leaf.callFrame), (areas.get(area(leaf.callFrame)) ?? 0) + dt);
    const seen = new Set<string>();
    for (const f of stack) {
      const k = fnKey(f);
      if (seen.has(k) || k === '(root)') continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  }
}

const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
const table = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`  ${pct(v)} ${v.toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(
  `${files.length} profile(s): ${total.toFixed(0)} ms on CPU${focus ? ` in stacks matching ${focus}` : ''}, ${idle.toFixed(0)} ms idle`,
);
table('self time by area', areas, top);
table('self time by function', self, top);
table('inclusive time by function', incl, top);
