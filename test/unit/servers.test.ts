// The servers people really point us at, played by the fake server: error bodies that are not
// OpenAI's, nested Anthropic errors, errors inside a 200 stream, zero usage, answers cut at the
// cap, hosts that ignore max_completion_tokens, a gateway's own cost, required headers, and the
// usual misconfigurations. Both vendors, through the real SDKs; exact messages, kinds and costs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { ProfilerEngine } from '../../src/core/engine';
import { firstLine, formatUsd } from '../../src/core/format';
import { compareGatewayCost, describeGatewayCost, PriceBook } from '../../src/core/pricing';
import { createProvider } from '../../src/core/providers';
import { estimateUsageLocally } from '../../src/core/providers/estimate';
import { outputTokensParam } from '../../src/core/providers/openai';
import type { ChatRequest, ProviderConfig, ProviderError, StreamEvent, Usage } from '../../src/core/types';
import { resolveFromEnv, loadConfig } from '../../src/cli/shared/config';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeEnv, runCli } from './support/cli';

const OUTPUT = 'The quick brown fox jumps over the lazy dog. It was not amused.';
const o200k = getEncoding('o200k_base');

async function collect(stream: AsyncIterable<StreamEvent>) {
  let text = '';
  let usage: Usage | undefined;
  let finish: string | undefined;
  let error: ProviderError | undefined;
  for await (const e of stream) {
    if (e.type === 'text') text += e.text;
    if (e.type === 'usage') usage = e.usage;
    if (e.type === 'finish') finish = e.reason;
    if (e.type === 'error') error = e.error;
  }
  return { text, usage, finish, error };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('servers people point it at (fake server scenarios, real SDKs)', function () {
  let fake: FakeLlm;
  const request = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model,
    messages: [{ role: 'user', content: 'Tell me about foxes.' }],
    maxOutputTokens: 200,
    ...extra,
  });
  // maxRetries 0: each scenario is one response, so the message is the server's first word.
  const local = (over: Partial<ProviderConfig> = {}) =>
    createProvider({ name: 'local', type: 'openai-compatible', baseURL: fake.openaiBaseURL, maxRetries: 0, ...over });
  const openai = (over: Partial<ProviderConfig> = {}) =>
    createProvider({ name: 'openai', type: 'openai', baseURL: fake.openaiBaseURL, apiKey: 'sk-test-openai', maxRetries: 0, ...over });
  const anthropic = (over: Partial<ProviderConfig> = {}) =>
    createProvider({ name: 'anthropic', type: 'anthropic', baseURL: fake.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 0, ...over });
  const chatURL = () => `${fake.openaiBaseURL}/chat/completions`;
  const messagesURL = () => `${fake.url}/v1/messages`;

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: OUTPUT, chunkTokens: 3 } } });
  });
  afterEach(() => {
    fake.reset();
    // reset() keeps profiles: undo what a test set.
    for (const model of ['gpt-4o-mini', 'claude-haiku-4-5', 'llama3.2', 'gw-model']) fake.setProfile(model, { output: OUTPUT, chunkTokens: 3 });
  });
  after(() => fake.close());

  describe('error bodies that are not OpenAI-shaped', () => {
    it('FastAPI {"detail": "…"} (string and validation list)', async () => {
      fake.setScenario({ kind: 'http_error', status: 404, body: { detail: 'Model llama9 not found' } });
      let r = await collect(local().stream(request('llama9')));
      assert.deepEqual(r.error, {
        kind: 'bad_request',
        message: `local: request rejected (404) at ${chatURL()}: Model llama9 not found`,
        status: 404,
        requestId: 'req_fake_0001',
        url: chatURL(),
      });
      fake.setScenario({
        kind: 'http_error',
        status: 422,
        body: { detail: [{ loc: ['body', 'messages'], msg: 'field required', type: 'value_error.missing' }, { msg: 'extra fields not permitted' }] },
      });
      r = await collect(local().stream(request('llama9')));
      assert.equal(r.error!.message, `local: request rejected (422) at ${chatURL()}: field required; extra fields not permitted`);
    });

    it('a gateway\'s {"status":"failure","message":"…"} and an express {"error":"Not Found","message":"…"}', async () => {
      fake.setScenario({ kind: 'http_error', status: 502, body: { status: 'failure', message: 'upstream provider timed out' } });
      let r = await collect(local().stream(request('m')));
      assert.equal(r.error!.kind, 'server');
      assert.equal(r.error!.message, `local: server error (502) at ${chatURL()}: upstream provider timed out`);
      fake.setScenario({ kind: 'http_error', status: 400, body: { error: 'Bad Request', message: 'unknown field "stream_options"', status: 400 } });
      r = await collect(local().stream(request('m')));
      assert.equal(r.error!.message, `local: request rejected (400) at ${chatURL()}: Bad Request: unknown field "stream_options"`);
    });

    it('a plain-text stack trace: whole in the message, one line in a table', async () => {
      const trace = 'Error: upstream exploded\n    at Router.handle (/app/router.js:12:3)\n    at next (/app/layer.js:95:5)';
      fake.setScenario({ kind: 'http_error', status: 500, rawBody: trace });
      const r = await collect(local().stream(request('m')));
      assert.equal(r.error!.message, `local: server error (500) at ${chatURL()}: ${trace}`);
      assert.equal(firstLine(r.error!.message), `local: server error (500) at ${chatURL()}: Error: upstream exploded …`);
    });

    it('Anthropic: the nested {"type":"error","message":{"type","message"}} of a router', async () => {
      fake.setScenario({ kind: 'http_error', status: 500, body: { type: 'error', message: { type: 'api_error', message: 'router: no upstream for claude-haiku-4-5' } } });
      const r = await collect(anthropic().stream(request('claude-haiku-4-5')));
      assert.equal(r.error!.kind, 'server');
      assert.equal(r.error!.message, `Anthropic: server error (500) at ${messagesURL()}: router: no upstream for claude-haiku-4-5`);
    });

    it('a secret echoed back by a server is redacted (key and secret headers)', async () => {
      fake.setScenario({ kind: 'http_error', status: 401, body: { detail: 'bad token sk-test-openai / helicone hk-secret-123' } });
      const r = await collect(openai({ headers: { 'Helicone-Auth': 'hk-secret-123' }, secretHeaders: ['Helicone-Auth'] }).stream(request('gpt-4o-mini')));
      assert.equal(r.error!.message, `OpenAI rejected the API key (401) at ${chatURL()}: bad token [redacted] / helicone [redacted]`);
    });
  });

  describe('errors inside a 200 stream keep their kind', () => {
    const cases: { vendor: 'openai' | 'anthropic'; payload: unknown; kind: string; message: string }[] = [
      {
        vendor: 'openai',
        payload: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } },
        kind: 'auth',
        message: 'OpenAI: the server reported an error mid-stream (invalid_api_key): Incorrect API key provided.',
      },
      {
        vendor: 'openai',
        payload: { error: { message: 'Rate limit reached for gpt-4o-mini.', type: 'requests', code: 'rate_limit_exceeded' } },
        kind: 'rate_limit',
        message: 'OpenAI: the server reported an error mid-stream (rate_limit_exceeded): Rate limit reached for gpt-4o-mini.',
      },
      {
        vendor: 'openai',
        payload: { error: { message: 'This model\'s maximum context length is 8192 tokens.', type: 'invalid_request_error', code: 'context_length_exceeded' } },
        kind: 'context_length',
        message: "OpenAI: the server reported an error mid-stream (context_length_exceeded): This model's maximum context length is 8192 tokens.",
      },
      {
        vendor: 'anthropic',
        payload: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
        kind: 'auth',
        message: 'Anthropic: the server reported an error mid-stream (authentication_error): invalid x-api-key',
      },
      {
        vendor: 'anthropic',
        payload: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } },
        kind: 'rate_limit',
        message: 'Anthropic: the server reported an error mid-stream (rate_limit_error): Number of request tokens has exceeded your per-minute rate limit',
      },
      {
        vendor: 'anthropic',
        payload: { type: 'error', message: { type: 'api_error', message: 'upstream closed' } },
        kind: 'server',
        message: 'Anthropic: the server reported an error mid-stream (api_error): upstream closed',
      },
    ];
    for (const c of cases) {
      it(`${c.vendor}: ${c.kind} — ${c.message.split(': ').pop()}`, async () => {
        fake.setScenario({ kind: 'mid_stream_error', afterChunks: 2, payload: c.payload });
        const provider = c.vendor === 'openai' ? openai() : anthropic();
        const r = await collect(provider.stream(request(c.vendor === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5')));
        assert.equal(r.error!.kind, c.kind);
        assert.equal(r.error!.message, c.message);
        assert.equal(r.error!.url, c.vendor === 'openai' ? chatURL() : messagesURL());
        assert.ok(r.text.length > 0 && OUTPUT.startsWith(r.text), 'the partial answer is kept');
      });
    }
  });

  describe("a gateway's bare stream: no `event:` lines, no blank line after the last event", () => {
    for (const vendor of ['openai', 'anthropic'] as const) {
      it(`${vendor}: the whole answer, its finish and the server's usage`, async () => {
        fake.setScenario({ kind: 'bare_frames' });
        const provider = vendor === 'openai' ? openai() : anthropic();
        const r = await collect(provider.stream(request(vendor === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5')));
        assert.equal(r.error, undefined);
        assert.equal(r.text, OUTPUT);
        assert.equal(r.finish, 'stop');
        assert.equal(r.usage!.estimated, false);
        const sent = fake.requests.at(-1)!.usage;
        assert.equal(r.usage!.outputTokens, vendor === 'openai' ? sent.completion_tokens : sent.output_tokens);
        assert.equal(r.usage!.outputTokens, o200k.encode(OUTPUT).length);
      });
    }
  });

  describe('a malformed SSE line', () => {
    for (const vendor of ['openai', 'anthropic'] as const) {
      it(`${vendor}: a server error, and the malformed event reaches our log, never stderr`, async () => {
        fake.setScenario({ kind: 'malformed', afterChunks: 1 });
        const logged: string[] = [];
        const log = (level: string, m: string) => logged.push(`${level}: ${m}`);
        const provider = vendor === 'openai' ? openai({ log }) : anthropic({ log });
        const written: string[] = [];
        const original = process.stderr.write.bind(process.stderr);
        const originalError = console.error;
        process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
        console.error = (...a: unknown[]) => written.push(a.join(' '));
        let r;
        try {
          r = await collect(provider.stream(request(vendor === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5')));
        } finally {
          process.stderr.write = original;
          console.error = originalError;
        }
        assert.deepEqual(written, []);
        assert.equal(r.error!.kind, 'server');
        const url = vendor === 'openai' ? chatURL() : messagesURL();
        const vendorName = vendor === 'openai' ? 'OpenAI' : 'Anthropic';
        assert.match(r.error!.message, new RegExp(`^${vendorName}: the server sent a malformed stream event \\(.+\\) \\(${url.replace(/[./]/g, '\\$&')}\\)\\.$`));
        const event =
          vendor === 'openai'
            ? /^\{"id":"chatcmpl-fake\d+","object":"chat\.completion\.chunk","choices":\[\{"index":0,"delta":\{"content":$/
            : /^\{"type":"content_block_delta","index":0,"delta":\{"type":"text_delta","text":$/;
        assert.equal(logged.length, 1, logged.join('\n'));
        const prefix = `error: ${vendor}: a stream event is not JSON: `;
        assert.ok(logged[0]!.startsWith(prefix), logged[0]);
        assert.match(logged[0]!.slice(prefix.length), event);
      });
    }
  });

  describe('misconfiguration gets a hint', () => {
    it('a base URL without /v1 (404 with the URL and the fix)', async () => {
      const r = await collect(local({ baseURL: fake.url }).stream(request('m')));
      assert.equal(r.error!.kind, 'bad_request');
      assert.equal(
        r.error!.message,
        `local: request rejected (404) at ${fake.url}/chat/completions: Invalid URL (POST /chat/completions) Hint: OpenAI-compatible servers usually serve under /v1: try the base URL ${fake.url}/v1.`,
      );
    });

    it('/v1 twice (OpenAI) and an Anthropic base URL ending in /v1', async () => {
      let r = await collect(local({ baseURL: `${fake.url}/v1/v1` }).stream(request('m')));
      assert.equal(
        r.error!.message,
        `local: request rejected (404) at ${fake.url}/v1/v1/chat/completions: Invalid URL (POST /v1/v1/chat/completions) Hint: the path has /v1 twice: drop one /v1 from the base URL.`,
      );
      r = await collect(anthropic({ baseURL: `${fake.url}/v1` }).stream(request('claude-haiku-4-5')));
      assert.equal(
        r.error!.message,
        `Anthropic: request rejected (404) at ${fake.url}/v1/v1/messages: Invalid URL (POST /v1/v1/messages) Hint: the base URL ends in /v1, and the Anthropic client adds its own: drop /v1 from the base URL.`,
      );
    });

    it('connection refused names HOST:PORT, on both vendors', async () => {
      const port = await closedPort();
      let r = await collect(local({ baseURL: `http://127.0.0.1:${port}/v1` }).stream(request('m')));
      assert.deepEqual(r.error, {
        kind: 'network',
        message: `local: connection refused at 127.0.0.1:${port}: is the server running, and on that port?`,
        url: `http://127.0.0.1:${port}/v1/chat/completions`,
      });
      r = await collect(anthropic({ baseURL: `http://127.0.0.1:${port}` }).stream(request('claude-haiku-4-5')));
      assert.equal(r.error!.message, `Anthropic: connection refused at 127.0.0.1:${port}: is the server running, and on that port?`);
    });

    it('a base URL without a scheme is refused before anything is sent', async () => {
      const r = await collect(local({ baseURL: 'localhost:11434/v1' }).stream(request('m')));
      assert.deepEqual(r.error, {
        kind: 'config',
        message: 'local: the base URL "localhost:11434/v1" needs a scheme (http:// or https://): write "http://localhost:11434/v1".',
      });
      const a = await collect(anthropic({ baseURL: 'ftp://proxy' }).stream(request('claude-haiku-4-5')));
      assert.equal(a.error!.message, 'Anthropic: the base URL "ftp://proxy" needs a scheme (http:// or https://).');
      assert.equal(fake.requests.length, 0);
    });
  });

  describe('usage', () => {
    const prices = new PriceBook({});
    it('OpenAI side: zero usage while text streamed is counted locally, per field, and priced', async () => {
      fake.setProfile('gpt-4o-mini', { output: OUTPUT, zeroUsage: true });
      const req = request('gpt-4o-mini');
      const r = await collect(openai().stream(req));
      const inputTokens = 4 + o200k.encode('Tell me about foxes.').length + 3;
      assert.deepEqual(r.usage, {
        inputTokens,
        outputTokens: o200k.encode(OUTPUT).length,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
        estimated: true,
        estimatedFields: ['inputTokens', 'outputTokens'],
      });
      const cost = prices.cost('openai:gpt-4o-mini', r.usage!)!;
      assert.ok(Math.abs(cost.total - (inputTokens * 0.15 + o200k.encode(OUTPUT).length * 0.6) / 1e6) < 1e-15);
    });

    it('Anthropic side: 0/0 from a proxy becomes local counts, never $0', async () => {
      fake.setProfile('claude-haiku-4-5', { output: OUTPUT, zeroUsage: true });
      const req = request('claude-haiku-4-5');
      const r = await collect(anthropic().stream(req));
      const local = await estimateUsageLocally(req, OUTPUT);
      assert.ok(local.inputTokens > 0 && local.outputTokens > 0);
      assert.deepEqual(r.usage, { ...local, estimatedFields: ['inputTokens', 'outputTokens'] });
      const cost = prices.cost('anthropic:claude-haiku-4-5', r.usage!)!;
      assert.equal(cost.total, (local.inputTokens * 1 + local.outputTokens * 5) / 1e6);
    });

    it('only the missing field is estimated: a stream cut before message_delta keeps the exact input', async () => {
      fake.setScenario({ kind: 'truncate', afterChunks: 2, mode: 'end' });
      const req = request('claude-haiku-4-5');
      const r = await collect(anthropic().stream(req));
      const local = await estimateUsageLocally(req, r.text);
      assert.equal(r.error!.kind, 'stream_cut');
      assert.equal(r.usage!.inputTokens, fake.requests[0].usage.input_tokens);
      assert.equal(r.usage!.outputTokens, local.outputTokens);
      assert.deepEqual(r.usage!.estimatedFields, ['outputTokens']);
    });

    for (const vendor of ['openai', 'anthropic'] as const) {
      it(`${vendor}: finish reason "length" at the cap`, async () => {
        const model = vendor === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5';
        const r = await collect((vendor === 'openai' ? openai() : anthropic()).stream(request(model, { maxOutputTokens: 5 })));
        assert.equal(r.finish, 'length');
        assert.equal(r.usage!.outputTokens, 5);
        assert.equal(r.text, o200k.decode(o200k.encode(OUTPUT).slice(0, 5)));
      });
    }

    it('a compatible host that ignores max_completion_tokens gets max_tokens; OpenAI\'s own host gets the new name', async () => {
      fake.setProfile('llama3.2', { output: OUTPUT, ignoresMaxCompletionTokens: true });
      // `openai:` pointed at a local server through OPENAI_BASE_URL: max_tokens, so the cap holds.
      const viaEnv = await collect(openai().stream(request('llama3.2', { maxOutputTokens: 5 })));
      assert.equal(fake.requests[0].body.max_tokens, 5);
      assert.equal(fake.requests[0].body.max_completion_tokens, undefined);
      assert.equal(viaEnv.usage!.outputTokens, 5);
      assert.equal(viaEnv.finish, 'length');
      // Forcing the new name on that host shows what went wrong before: the cap is ignored.
      const forced = await collect(openai({ outputTokensParam: 'max_completion_tokens' }).stream(request('llama3.2', { maxOutputTokens: 5 })));
      assert.equal(fake.requests[1].body.max_completion_tokens, 5);
      assert.equal(forced.usage!.outputTokens, o200k.encode(OUTPUT).length);
      assert.equal(forced.finish, 'stop');
      assert.equal(outputTokensParam({}), 'max_completion_tokens');
      assert.equal(outputTokensParam({ baseURL: 'https://api.openai.com/v1' }), 'max_completion_tokens');
      assert.equal(outputTokensParam({ baseURL: 'https://openrouter.ai/api/v1' }), 'max_tokens');
      assert.equal(outputTokensParam({ baseURL: 'https://openrouter.ai/api/v1', outputTokensParam: 'max_completion_tokens' }), 'max_completion_tokens');
    });
  });

  describe("a gateway's own cost", () => {
    const prices = new PriceBook({});
    it('OpenRouter-style usage.cost, beside ours, a 5 % disagreement flagged', async () => {
      const req = request('gpt-4o-mini');
      const plain = await collect(openai().stream(req));
      const ours = prices.cost('openai:gpt-4o-mini', plain.usage!)!.total;
      fake.setProfile('gpt-4o-mini', { output: OUTPUT, gatewayCost: { usd: ours * 1.05, via: 'usage.cost' } });
      const r = await collect(openai().stream(req));
      assert.deepEqual(r.usage!.reportedCost, { usd: ours * 1.05, source: 'usage.cost' });
      const c = compareGatewayCost(r.usage!.reportedCost, prices.cost('openai:gpt-4o-mini', r.usage!)!.total)!;
      assert.deepEqual(c, { usd: ours * 1.05, source: 'usage.cost', oursUsd: ours, differencePercent: 5, disagrees: true });
    });

    for (const vendor of ['openai', 'anthropic'] as const) {
      it(`${vendor}: LiteLLM's x-litellm-response-cost header; within 1 % is agreement`, async () => {
        const model = vendor === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5';
        const provider = () => (vendor === 'openai' ? openai() : anthropic());
        const plain = await collect(provider().stream(request(model)));
        const ours = prices.cost(`${vendor}:${model}`, plain.usage!)!.total;
        const usd = Number((ours * 1.004).toPrecision(6));
        fake.setProfile(model, { output: OUTPUT, gatewayCost: { usd, via: 'header' } });
        const r = await collect(provider().stream(request(model)));
        assert.deepEqual(r.usage!.reportedCost, { usd, source: 'x-litellm-response-cost header' });
        const c = compareGatewayCost(r.usage!.reportedCost, ours)!;
        assert.equal(c.disagrees, false);
        assert.equal(c.differencePercent, Math.round(((usd - ours) / ours) * 1000) / 10);
      });
    }

    it('described beside ours with its source; no price of ours says so', () => {
      assert.equal(
        describeGatewayCost(compareGatewayCost({ usd: 0.000105, source: 'usage.cost' }, 0.0001)!),
        'gateway $0.000105 (usage.cost) vs ours $0.0001: +5.0 % — they disagree by more than 1 %',
      );
      assert.equal(describeGatewayCost(compareGatewayCost({ usd: 0.002, source: 'x-litellm-response-cost header' }, null)!), 'gateway $0.002 (x-litellm-response-cost header) vs ours: no price');
    });
  });

  describe('headers a gateway needs', () => {
    let cwd: string;
    beforeEach(() => {
      cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-headers-'));
    });
    afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

    const writeConfig = (providers: unknown) => fs.writeFileSync(path.join(cwd, 'prompt-profiler.json'), JSON.stringify({ providers }));

    it('without them: the gateway\'s own message; with headers and headersFromEnv from the config: answered', async () => {
      fake.setProfile('gw-model', { output: OUTPUT, requiredHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-api-key': 'pk-secret-9' } });
      const bare = await collect(local().stream(request('gw-model')));
      assert.equal(
        bare.error!.message,
        `local: request rejected (400) at ${chatURL()}: The gateway needs the header x-portkey-provider: openai.`,
      );
      writeConfig({
        gw: { type: 'openai-compatible', baseURL: fake.openaiBaseURL, headers: { 'x-portkey-provider': 'openai' }, headersFromEnv: { 'x-portkey-api-key': 'PORTKEY_API_KEY' } },
      });
      // The repository names the secret's variable and the URL: sent only when the user trusts its config.
      const untrusted = resolveFromEnv('gw', loadConfig(cwd), { PORTKEY_API_KEY: 'pk-secret-9' });
      assert.equal(untrusted.ok, false);
      assert.match(!untrusted.ok ? untrusted.error.message : '', /^Refused to send the header x-portkey-api-key \(from PORTKEY_API_KEY\) for gw to .* --trust-config/);
      const config = loadConfig(cwd, { trustConfig: true });
      const resolved = resolveFromEnv('gw', config, { PORTKEY_API_KEY: 'pk-secret-9' });
      if (!resolved.ok) assert.fail(resolved.error.message);
      assert.deepEqual(resolved.config.headers, { 'x-portkey-provider': 'openai', 'x-portkey-api-key': 'pk-secret-9' });
      assert.deepEqual(resolved.config.secretHeaders, ['x-portkey-api-key']);
      const r = await collect(createProvider(resolved.config).stream(request('gw-model')));
      assert.equal(r.error, undefined);
      assert.equal(r.text, OUTPUT);
      assert.equal(fake.requests[1].headers['x-portkey-api-key'], 'pk-secret-9');
      // The variable unset: said before anything is sent.
      const missing = resolveFromEnv('gw', config, {});
      assert.deepEqual(missing, {
        ok: false,
        error: { kind: 'config', message: 'Provider "gw" sends secret headers from the environment; not set: x-portkey-api-key (PORTKEY_API_KEY).' },
      });
    });

    it('the JSON Schema refuses a header map that is not strings, and an unknown output parameter', () => {
      writeConfig({ gw: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1', headers: { a: 1 }, outputTokensParam: 'max_output' } });
      assert.throws(() => loadConfig(cwd), (e: Error) => {
        assert.match(e.message, /providers\.gw\.headers\.a must be a string \(got 1\)\./);
        assert.match(e.message, /providers\.gw\.outputTokensParam must be one of "max_tokens", "max_completion_tokens" \(got "max_output"\)\./);
        return true;
      });
    });
  });

  describe('a local server serves one request at a time', () => {
    const prompt = { messages: [{ role: 'user' as const, content: 'Tell me about foxes.' }], maxOutputTokens: 50 };
    const engine = (config: Partial<ProviderConfig>) =>
      new ProfilerEngine({
        resolveProvider: () => ({ ok: true, config: { name: 'ollama', type: 'openai-compatible', baseURL: fake.openaiBaseURL, ...config } }),
      });

    it('loopback openai-compatible: one in flight by default (each repeat starts after the last ended)', async () => {
      fake.setProfile('llama3.2', { output: OUTPUT, ttftMs: 30 });
      const { results } = await engine({}).run(prompt, ['ollama:llama3.2'], { repeats: 3, concurrency: 8 });
      assert.ok(results.every((r) => r.ok));
      const reqs = [...fake.requests].sort((a, b) => a.seq - b.seq);
      for (let i = 1; i < reqs.length; i++) assert.ok(reqs[i].startedAt >= reqs[i - 1].endedAt!, `request ${i + 1} waited for ${i}`);
    });

    it('overridable: concurrency 3 sends all three before any answer ends', async () => {
      fake.setProfile('llama3.2', { output: OUTPUT, ttftMs: 150 });
      await engine({ concurrency: 3 }).run(prompt, ['ollama:llama3.2'], { repeats: 3, concurrency: 8 });
      const firstEnd = Math.min(...fake.requests.map((r) => r.endedAt!));
      assert.ok(fake.requests.every((r) => r.startedAt <= firstEnd));
      assert.equal(fake.requests.length, 3);
    });
  });

  describe('the CLI', () => {
    let cwd: string;
    beforeEach(() => {
      cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-servers-cli-'));
      fs.writeFileSync(path.join(cwd, 'p.prompt'), 'Tell me about foxes.');
    });
    afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

    it('zero usage: ≈ on tokens and cost in the table; --json says which fields were estimated', async () => {
      fake.setProfile('claude-haiku-4-5', { output: OUTPUT, zeroUsage: true });
      const env = fakeEnv(fake);
      const table = await runCli(['run', 'p.prompt', '--model', 'anthropic:claude-haiku-4-5', '--no-cache'], { cwd, env });
      assert.equal(table.code, 0);
      const local = await estimateUsageLocally({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Tell me about foxes.' }] }, OUTPUT);
      const usd = (local.inputTokens * 1 + local.outputTokens * 5) / 1e6;
      const row = table.stdout.split('\n')[2];
      assert.ok(row.includes(`≈ ${local.inputTokens}/${local.outputTokens}  ≈ ${formatUsd(usd)}`), row);
      assert.match(table.stdout, /≈: counted locally \(the server reported no usage, or zeros\); costs from those counts are estimates\./);
      const json = JSON.parse((await runCli(['run', 'p.prompt', '--model', 'anthropic:claude-haiku-4-5', '--no-cache', '--json'], { cwd, env })).stdout);
      assert.deepEqual(json.results[0].usage, {
        inputTokens: local.inputTokens,
        outputTokens: local.outputTokens,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        estimated: true,
        estimatedFields: ['inputTokens', 'outputTokens'],
      });
      assert.equal(json.results[0].cost.total, usd);
      assert.equal(json.results[0].cost.estimated, true);
    });

    it('truncation: "truncated at N tokens" in the table, counted, marked over the answer; finishReason in --json', async () => {
      fs.writeFileSync(path.join(cwd, 'p.prompt'), '---\nparameters:\n  max_tokens: 5\n---\nTell me about foxes.');
      const env = fakeEnv(fake);
      const table = await runCli(['run', 'p.prompt', '--model', 'openai:gpt-4o-mini', '--model', 'anthropic:claude-haiku-4-5', '--no-cache'], { cwd, env });
      assert.equal(table.code, 0);
      const rows = table.stdout.split('\n').slice(2, 4);
      for (const row of rows) assert.match(row, /truncated at 5 tokens$/);
      assert.match(table.stdout, /\n2 answers were cut at the max-tokens cap \(finish reason "length"\)\.\n/);
      assert.match(table.stdout, /── openai:gpt-4o-mini \(truncated at 5 tokens\) ──/);
      const json = JSON.parse((await runCli(['run', 'p.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache', '--json'], { cwd, env })).stdout);
      assert.equal(json.results[0].finishReason, 'length');
      assert.equal(json.results[0].truncated, true);
      const html = path.join(cwd, 'r.html');
      await runCli(['run', 'p.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache', '--html', 'r.html'], { cwd, env });
      assert.match(fs.readFileSync(html, 'utf8'), /<td class="text">truncated at 5 tokens<\/td>/);
    });

    it('a multi-line error is one row in the table and whole in --json; a cut stream prints its partial answer, marked', async () => {
      const trace = 'Error: upstream exploded\n    at Router.handle (/app/router.js:12:3)';
      const env = fakeEnv(fake);
      fake.setScenario({ kind: 'http_error', status: 400, rawBody: trace });
      const table = await runCli(['run', 'p.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache'], { cwd, env });
      assert.equal(table.code, 1);
      assert.match(table.stdout.split('\n')[2], new RegExp(`bad_request: OpenAI: request rejected \\(400\\) at ${chatURL().replace(/[./]/g, '\\$&')}: Error: upstream exploded …$`));
      fake.setScenario({ kind: 'http_error', status: 400, rawBody: trace });
      const json = JSON.parse((await runCli(['run', 'p.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache', '--json'], { cwd, env })).stdout);
      assert.deepEqual(json.results[0].error, { kind: 'bad_request', message: `OpenAI: request rejected (400) at ${chatURL()}: ${trace}`, status: 400, url: chatURL() });

      fake.setScenario({ kind: 'truncate', afterChunks: 2, mode: 'end' });
      const cut = await runCli(['run', 'p.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache'], { cwd, env });
      assert.equal(cut.code, 1);
      const partial = fake.requests.at(-1)!.replyText!;
      assert.ok(partial.length > 0);
      assert.match(cut.stdout, /stream_cut: OpenAI: the stream ended before the answer was finished\. \(partial answer below\)/);
      const kept = /── openai:gpt-4o-mini \(partial answer: stream_cut\) ──\n(.*)\n/.exec(cut.stdout)![1];
      assert.ok(kept.length > 0 && partial.startsWith(kept), kept);
    });

    it('--idle-timeout S cuts a stalled stream after S seconds; idleTimeoutSeconds in the config does too', async () => {
      const env = fakeEnv(fake);
      fake.setScenario({ kind: 'stall', afterChunks: 1 });
      const r = await runCli(['run', 'p.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache', '--idle-timeout', '0.2', '--json'], { cwd, env });
      assert.equal(r.code, 1);
      assert.deepEqual(JSON.parse(r.stdout).results[0].error, { kind: 'stream_cut', message: 'OpenAI: the stream stalled (no data for 0.2 s).' });
      fs.writeFileSync(path.join(cwd, 'prompt-profiler.json'), JSON.stringify({ idleTimeoutSeconds: 0.3 }));
      fake.setScenario({ kind: 'stall', afterChunks: 1 });
      const c = await runCli(['run', 'p.prompt', '--model', 'anthropic:claude-haiku-4-5', '--no-cache', '--json'], { cwd, env });
      assert.deepEqual(JSON.parse(c.stdout).results[0].error, { kind: 'stream_cut', message: 'Anthropic: the stream stalled (no data for 0.3 s).' });
      const bad = await runCli(['run', 'p.prompt', '--idle-timeout', 'soon'], { cwd, env });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--idle-timeout takes a number of seconds, 0 or more \(got "soon"\)\./);
    });

    it('a local server with several calls: the table says they were sent one at a time, and how to change it', async () => {
      fs.writeFileSync(path.join(cwd, 'prompt-profiler.json'), JSON.stringify({ providers: { ollama: { type: 'openai-compatible', baseURL: fake.openaiBaseURL } } }));
      const r = await runCli(['run', 'p.prompt', '--model', 'ollama:llama3.2', '--repeat', '2', '--no-cache'], { cwd, env: {} });
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /\nollama: a server on this machine, sent one request at a time so each call's time is its own \(set providers\.ollama\.concurrency to send more\)\.\n/);
      const reqs = [...fake.requests].sort((a, b) => a.seq - b.seq);
      assert.ok(reqs[1].startedAt >= reqs[0].endedAt!);
    });

    it("a gateway's cost is shown under the table, beside ours", async () => {
      const env = fakeEnv(fake);
      fake.setProfile('gpt-4o-mini', { output: OUTPUT, gatewayCost: { usd: 0.5, via: 'header' } });
      const r = await runCli(['run', 'p.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache'], { cwd, env });
      assert.match(r.stdout, /\nopenai:gpt-4o-mini: gateway \$0\.5 \(x-litellm-response-cost header\) vs ours \$[0-9.]+: \+[0-9.]+ % — they disagree by more than 1 %\n/);
    });
  });
});
