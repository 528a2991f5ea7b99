// A real redis-server for tests: 127.0.0.1 only, a free port, a temporary folder, no
// persistence (no RDB snapshots, no AOF), stopped (and its folder removed) by stop().
//
// redis-server comes from the Debian package `redis-server` (.ci/run installs it). Without it,
// `needRedisServer(this)` in a mocha `before` hook fails the suite when CI=true and marks it
// pending, with a message, elsewhere.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  dir: string;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

const INSTALL_HINT = 'install the Debian package: apt-get install redis-server';

/** Path of the redis-server binary (REDIS_SERVER overrides), or undefined when there is none. */
export function findRedisServer(): string | undefined {
  const explicit = process.env.REDIS_SERVER;
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * For a mocha `before` hook: the binary's path, or — when redis-server is missing — an error
 * under CI (CI=true) and a pending suite with a visible message elsewhere.
 */
export function needRedisServer(ctx: Mocha.Context): string {
  const bin = findRedisServer();
  if (bin) return bin;
  const message = `redis-server is not installed (${INSTALL_HINT})`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${message}: the Redis answer-cache tests cannot run, and CI must run them.`);
  }
  console.warn(`      ⚠ ${message}: the Redis tests below are pending.`);
  ctx.skip();
  throw new Error('unreachable');
}

/** A port that was free a moment ago (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Sends PING, resolves true on +PONG. */
function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts redis-server; `port` reuses a given port (to restart a stopped server). */
export async function startRedisServer(options: { port?: number; bin?: string } = {}): Promise<RedisServer> {
  const bin = options.bin ?? findRedisServer();
  if (!bin) throw new Error(`redis-server is not installed (${INSTALL_HINT})`);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOn(bin, port);
    } catch (err) {
      lastError = err as Error;
      if (options.port !== undefined) break; // a fixed port: no other to try
    }
  }
  throw lastError!;
}

async function startOn(bin: string, port: number): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-redis-'));
  const args = [
    '--bind', '127.0.0.1',
    '--port', String(port),
    '--protected-mode', 'yes',
    '--dir', dir,
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--databases', '1',
    '--logfile', '',
    '--loglevel', 'warning',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code) => {
      exited = code;
      live.delete(child);
      resolve();
    });
  });

  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
    removeDir();
  };

  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    if (await ping(port, 500)) {
      return { host: '127.0.0.1', port, url: `redis://127.0.0.1:${port}`, dir, pid: child.pid!, stop };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`redis-server did not start on 127.0.0.1:${port} (exit ${String(exited)}):\n${output.trim()}`);
}

/** redis-server --version, for messages. */
export function redisServerVersion(bin = findRedisServer()): string | undefined {
  if (!bin) return undefined;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return /v=(\S+)/.exec(r.stdout ?? '')?.[1];
}
