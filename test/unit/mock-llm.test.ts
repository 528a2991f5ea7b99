// The real CLI, as a process, against a third-party OpenAI-compatible server nobody here wrote:
// @dwmkerr/mock-llm from npm (a devDependency), started on an ephemeral port with its own rules.
// It streams without usage, puts errors inside a 200 stream (its documented behaviour for any
// rule with status ≥ 400 when the client streams), and answers unknown paths with an express
// 404 `{"error":"Not Found","message":…,"status":404}`, a body that is not OpenAI's.
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { getEncoding } from 'js-tiktoken';

const ROOT = path.resolve(__dirname, '../..');
const o200k = getEncoding('o200k_base');

/** One mock-llm rule: a path regex, a JMESPath match, and the reply (a JSON template). */
function rule(match: string, status: number, content: unknown) {
  return { path: '/v1/chat/completions', method: 'POST', match, response: { status, content: JSON.stringify(content) } };
}

const RULES = {
  streaming: { chunkSize: 8, chunkIntervalMs: 1 },
  // Last match wins.
  rules: [
    rule('@', 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: '{{jmes request body.model}}',
      choices: [{ message: { role: 'assistant', content: '{{jmes request body.messages[-1].content}}' }, finish_reason: 'stop' }],
    }),
    rule("contains(body.messages[-1].content, 'error-401')", 401, {
      error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    }),
    rule("contains(body.messages[-1].content, 'error-detail')", 503, { detail: 'Model is still loading, try again in 30 s' }),
  ],
};

describe('the CLI against @dwmkerr/mock-llm (a third-party OpenAI-compatible server)', function () {
  this.timeout(60_000);
  let server: ChildProcess;
  let port: number;
  let cwd: string;

  before(async () => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-mock-llm-'));
    fs.writeFileSync(path.join(cwd, 'mock-llm.json'), JSON.stringify(RULES));
    server = spawn(process.execPath, [path.join(__dirname, 'support/mock-llm-server.cjs'), path.join(cwd, 'mock-llm.json')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^PORT (\d+)$/m.exec(out);
        if (m) resolve(Number(m[1]));
      });
      server.once('exit', (code) => reject(new Error(`mock-llm exited (${code}): ${out}`)));
    });
    fs.writeFileSync(
      path.join(cwd, 'prompt-profiler.json'),
      JSON.stringify({
        providers: {
          mock: { type: 'openai-compatible', baseURL: `http://127.0.0.1:${port}/v1` },
          // The common mistake: the base URL without /v1.
          nov1: { type: 'openai-compatible', baseURL: `http://127.0.0.1:${port}` },
        },
        prices: { 'mock:gpt-4o-mini': { input: 1, output: 2 } },
      }),
    );
  });
  after(() => {
    server?.kill('SIGTERM');
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  /** The CLI as users run it: its own process, its own stdout, stderr and exit code. */
  async function cli(prompt: string, model: string, ...flags: string[]) {
    fs.writeFileSync(path.join(cwd, 'p.prompt'), prompt);
    // tsx's loader for require() and import() both: the engine import()s its providers and runner on first use.
    const args = ['--import', path.join(ROOT, 'node_modules/tsx/dist/loader.mjs'), path.join(ROOT, 'src/cli/main.ts'), 'run', 'p.prompt', '--model', model, '--no-cache', ...flags];
    const env = { PATH: process.env.PATH, HOME: cwd, PROMPT_PROFILER_HISTORY: 'off' };
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd, env });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }

  /** stderr holds our progress lines only: no SDK console output, no stack. */
  function assertOnlyProgress(stderr: string) {
    for (const line of stderr.split('\n').filter(Boolean)) assert.match(line, /^\[1\/1\] /, `unexpected stderr: ${stderr}`);
  }

  it('a stream without usage: exit 0, the answer, tokens counted locally (≈, per field), an estimated cost', async () => {
    const prompt = 'Say hello to the fox in the garden.';
    const r = await cli(prompt, 'mock:gpt-4o-mini', '--json');
    assert.equal(r.code, 0, r.stderr);
    assertOnlyProgress(r.stderr);
    const [res] = JSON.parse(r.stdout).results;
    assert.equal(res.output, prompt); // mock-llm echoes the last message
    assert.equal(res.finishReason, 'stop');
    // Reference counts from js-tiktoken: OpenAI's chat framing (4 per message + 3 priming).
    const input = 4 + o200k.encode(prompt).length + 3;
    const output = o200k.encode(prompt).length;
    assert.deepEqual(res.usage, { inputTokens: input, outputTokens: output, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: true, estimatedFields: ['inputTokens', 'outputTokens'] });
    assert.equal(res.cost.total, (input * 1 + output * 2) / 1e6);
    assert.equal(res.cost.estimated, true);
    assert.equal(res.error, null);
    const table = await cli(prompt, 'mock:gpt-4o-mini');
    assert.ok(table.stdout.split('\n')[2].includes(`≈ ${input}/${output}`), table.stdout);
    assert.match(table.stdout.split('\n')[2], /≈ \$0\.0000\d+/);
  });

  it('an in-stream error (HTTP 200, data: {"error":…}) keeps its kind', async () => {
    let r = await cli('error-401 please', 'mock:gpt-4o-mini', '--json');
    assert.equal(r.code, 1);
    assertOnlyProgress(r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).results[0].error, {
      kind: 'auth',
      message: 'mock: the server reported an error mid-stream (invalid_api_key): Incorrect API key provided.',
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
    });
  });

  it('an in-stream error in FastAPI shape ({"detail":…}, no "error" key) is a server error with its message', async () => {
    const r = await cli('error-detail please', 'mock:gpt-4o-mini', '--json');
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout).results[0].error, {
      kind: 'server',
      message: 'mock: the server reported an error mid-stream: Model is still loading, try again in 30 s',
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
    });
  });

  it('an HTTP 404 with a non-OpenAI body (base URL without /v1): its message, the URL and the fix', async () => {
    const r = await cli('hello', 'nov1:gpt-4o-mini', '--json');
    assert.equal(r.code, 1);
    assertOnlyProgress(r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).results[0].error, {
      kind: 'bad_request',
      message: `nov1: request rejected (404) at http://127.0.0.1:${port}/chat/completions: Not Found: Cannot POST /chat/completions Hint: OpenAI-compatible servers usually serve under /v1: try the base URL http://127.0.0.1:${port}/v1.`,
      status: 404,
      url: `http://127.0.0.1:${port}/chat/completions`,
    });
  });
});
