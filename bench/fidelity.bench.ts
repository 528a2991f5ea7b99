// Timing fidelity: are the TTFT and latency we report the model's? A neutral server
// (bench/support/fixed-latency-server.mjs, plain node:http, its own process) answers every chat
// completion with its first token at 150 ms and its last byte at 200 ms, and records those
// instants on its own clock. The built CLI (dist/cli.js, a fresh process per case) runs 1,000
// requests (`run --dataset`, one row per request) at C = 1, 10, 50, 100, and a single first call
// in a fresh process. Printed side by side: reported p50/p95/max against the server's truth, the
// per-call error, the first call's error and wall ÷ ideal (⌈N/C⌉ × latency; wallMs starts after
// the CLI's start-up and tokenizer preload).
// `--runs N` repeats each level N times (fresh processes each time) and adds a line of medians:
// on a shared 2-core machine one run's wall ÷ ideal moves by ±0.03.
//   npm run build && flock /tmp/pp-bench.lock npx tsx bench/fidelity.bench.ts [--requests 1000] [--concurrency 1,10,50,100] [--runs 1] [--first-calls 3] [--floors fetch,http,http-socket,sdk-fetch,sdk-http] [--cpu-prof DIR] [--dump DIR]
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const LATENCY_MS = 200;
const FIRST_TOKEN_MS = 150;
const CLI = path.join(__dirname, '../dist/cli.js');

interface Truth {
  prompt: string;
  receivedAt: number;
  firstTokenAt: number;
  endAt: number;
}
interface Reported {
  ok: boolean;
  ttftMs: number | null;
  latencyMs: number;
  queuedMs: number;
  retryWaitMs: number;
  attempts: number;
  error: { kind: string; message: string } | null;
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'support/fixed-latency-server.mjs')], {
    env: { ...process.env, LATENCY_MS: String(LATENCY_MS), FIRST_TOKEN_MS: String(FIRST_TOKEN_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).url));
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { url, child };
}

/** Runs the CLI in a fresh process; resolves with its parsed --json output. */
function cli(args: string[], cwd: string, url: string, nodeArgs: string[] = []): Promise<{ results: Reported[]; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
      cwd,
      env: { ...process.env, OPENAI_BASE_URL: `${url}/v1`, OPENAI_API_KEY: 'sk-bench', PROMPT_PROFILER_HISTORY: 'on' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`cli exited ${code}: ${err.slice(-2000)}`));
      }
    });
  });
}

/**
 * The floors: clients without the engine at the same concurrency (bench/support): bare fetch and
 * bare node:http (what the machine and that HTTP client add), and the OpenAI SDK over either
 * (what the SDK adds, and what our choice of HTTP client saves).
 */
const FLOORS = {
  'fetch': { label: 'bare fetch        ', args: ['support/floor-client.mjs', 'fetch'] },
  'http': { label: 'bare node:http    ', args: ['support/floor-client.mjs', 'http'] },
  // The same, its clock started as ours is: when the request goes on its socket.
  'http-socket': { label: 'node:http @socket ', args: ['support/floor-client.mjs', 'http-socket'] },
  'sdk-fetch': { label: 'SDK over fetch    ', args: ['support/sdk-client.ts', 'fetch'] },
  'sdk-http': { label: 'SDK over node:http', args: ['support/sdk-client.ts', 'http'] },
} as const;
type Floor = keyof typeof FLOORS;

function floor(kind: Floor, url: string, n: number, c: number): Promise<{ latencies: number[]; wallMs: number }> {
  const [script, transport] = FLOORS[kind].args;
  const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, script), url, String(n), String(c), transport], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${kind} floor client exited ${code}`))));
  });
}

const truth = async (url: string): Promise<Truth[]> => (await fetch(`${url}/__truth`)).json() as Promise<Truth[]>;
const reset = async (url: string) => void (await fetch(`${url}/__reset`, { method: 'POST' }));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const f = (n: number) => n.toFixed(1).padStart(7);

async function main() {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '1,10,50,100' },
      'first-calls': { type: 'string', default: '3' },
      'cpu-prof': { type: 'string' },
      dump: { type: 'string' },
      floors: { type: 'string', default: 'fetch,http,sdk-fetch,sdk-http' },
      runs: { type: 'string', default: '1' },
    },
  });
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  const n = Number(values.requests);
  const levels = values.concurrency.split(',').map(Number);
  const floors = values.floors.split(',').filter(Boolean) as Floor[];
  for (const k of floors) if (!(k in FLOORS)) throw new Error(`--floors: unknown "${k}" (${Object.keys(FLOORS).join(', ')})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-fidelity-'));
  fs.writeFileSync(path.join(dir, 'first.prompt'), 'Say something short.\n');
  fs.writeFileSync(path.join(dir, 'row.prompt'), 'Row {{i}}: say something short.\n');
  fs.writeFileSync(path.join(dir, 'rows.jsonl'), Array.from({ length: n }, (_, i) => JSON.stringify({ i }) + '\n').join(''));
  const { url, child } = await startServer();
  const model = ['--model', 'openai:gpt-4o-mini', '--no-cache', '--json'];
  try {
    console.log(`server: first token at ${FIRST_TOKEN_MS} ms, last byte at ${LATENCY_MS} ms (its own clock); node ${process.version}, ${os.cpus().length} cores`);
    console.log('\nfirst call of a fresh CLI process (start-up, tokenizer load, first connection):');
    console.log('  reported ttft / latency      server ttft / latency      error ttft / latency');
    for (let k = 0; k < Number(values['first-calls']); k++) {
      await reset(url);
      const out = await cli(['run', 'first.prompt', ...model], dir, url);
      const [t] = await truth(url);
      const r = out.results[0]!;
      if (!r.ok || !t) throw new Error(`first call failed: ${r.error?.message}`);
      const st = t.firstTokenAt - t.receivedAt;
      const sl = t.endAt - t.receivedAt;
      console.log(`  ${f(r.ttftMs!)} / ${f(r.latencyMs)} ms   ${f(st)} / ${f(sl)} ms   ${f(r.ttftMs! - st)} / ${f(r.latencyMs - sl)} ms`);
    }

    console.log(`\n${n} requests, one fresh CLI process per level (\`run --dataset\`), latency in ms:`);
    console.log('    C │ reported p50    p95    max │ server p50    p95    max │ |error| p95    max │ queued p95 │ wall ÷ ideal │ p95 ok?');
    const runs = Math.max(1, Number(values.runs));
    const within = (reportedP95: number, serverP95: number) => Math.abs(reportedP95 - serverP95) <= Math.max(10, 0.05 * serverP95);
    const median = (xs: number[]) => pct(xs, 50);
    for (const c of levels) {
      const ideal = Math.ceil(n / c) * LATENCY_MS;
      const cliRuns: { p95Gap: number; errorP95: number; wall: number }[] = [];
      const floorRuns = new Map<Floor, { p95Gap: number; errorP95: number; wall: number }[]>(floors.map((k) => [k, []]));
      for (let run = 0; run < runs; run++) {
        await reset(url);
        const prof = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`, `--cpu-prof-name=cli-C${c}-${run + 1}.cpuprofile`] : [];
        const out = await cli(['run', 'row.prompt', '--dataset', 'rows.jsonl', '--rows', String(n), '--concurrency', String(c), ...model], dir, url, prof);
        const records = await truth(url);
        const byPrompt = new Map(records.map((t) => [t.prompt, t]));
        const failed = out.results.filter((r) => !r.ok);
        if (failed.length) throw new Error(`C=${c}: ${failed.length} failed (${failed[0]!.error?.message})`);
        const reported = out.results.map((r) => r.latencyMs);
        const server = records.map((t) => t.endAt - t.receivedAt);
        const errors = out.results.map((r, i) => {
          const t = byPrompt.get(`Row ${i}: say something short.`);
          if (!t) throw new Error(`no server record for row ${i}`);
          return Math.abs(r.latencyMs - (t.endAt - t.receivedAt));
        });
        if (values.dump) {
          fs.writeFileSync(path.join(values.dump, `C${c}-${run + 1}.json`), JSON.stringify({ results: out.results, truth: records, wallMs: out.wallMs }));
        }
        const p95r = pct(reported, 95);
        const p95s = pct(server, 95);
        for (const kind of floors) {
          await reset(url);
          const bare = await floor(kind, url, n, c);
          const bareTruth = (await truth(url)).map((t) => [t.prompt, t.endAt - t.receivedAt] as const);
          const byRow = new Map(bareTruth);
          const bareErrors = bare.latencies.map((l, i) => Math.abs(l - byRow.get(`Row ${i}: say something short.`)!));
          const bareP95s = pct(bareTruth.map(([, l]) => l), 95);
          const bareP95 = pct(bare.latencies, 95);
          floorRuns.get(kind)!.push({ p95Gap: bareP95 - bareP95s, errorP95: pct(bareErrors, 95), wall: bare.wallMs / ideal });
          console.log(
            `  ${String(c).padStart(3)} │ floor: ${FLOORS[kind].label} ${f(pct(bare.latencies, 50))}${f(bareP95)}${f(Math.max(...bare.latencies))} │ |error| p95 ${f(pct(bareErrors, 95))} max ${f(Math.max(...bareErrors))} │ wall ÷ ideal ${(bare.wallMs / ideal).toFixed(3)} │ ${within(bareP95, bareP95s) ? 'yes' : 'NO'}`,
          );
        }
        cliRuns.push({ p95Gap: p95r - p95s, errorP95: pct(errors, 95), wall: out.wallMs / ideal });
        console.log(
          `  ${String(c).padStart(3)} │ ${f(pct(reported, 50))}${f(p95r)}${f(Math.max(...reported))} │ ${f(pct(server, 50))}${f(p95s)}${f(Math.max(...server))} │ ${f(pct(errors, 95))}${f(Math.max(...errors))} │ ${f(pct(out.results.map((r) => r.queuedMs), 95))}    │ ${(out.wallMs / ideal).toFixed(3).padStart(8)}     │ ${within(p95r, p95s) ? 'yes' : 'NO'}`,
        );
      }
      if (runs > 1) {
        const line = (label: string, xs: { p95Gap: number; errorP95: number; wall: number }[]) =>
          console.log(
            `  ${String(c).padStart(3)} │ median of ${runs}, ${label}: p95 − server p95 ${f(median(xs.map((x) => x.p95Gap)))} │ |error| p95 ${f(median(xs.map((x) => x.errorP95)))} │ wall ÷ ideal ${median(xs.map((x) => x.wall)).toFixed(3)}`,
          );
        for (const [kind, xs] of floorRuns) line(`floor ${FLOORS[kind].label.trim()}`, xs);
        line('CLI', cliRuns);
      }
    }
  } finally {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
