// Token counting. Exact for OpenAI models (gpt-tokenizer, o200k_base / cl100k_base, OpenAI chat
// framing); labelled estimates elsewhere, replaced by a provider's exact count when one is wired.
//
//   const count = await countChatTokens(request, 'gpt-4o-mini');       // async, loads lazily
//   await loadTokenizer('gpt-4o'); countTextTokensSync(text, 'gpt-4o'); // sync after loading
//   await loadEncoding('o200k_base'); encodingFor('gpt-4o').count(text);
export {
  ENCODING_NAMES,
  TokenizerNotLoadedError,
  isEncodingLoaded,
  loadEncoding,
  loadedEncoding,
  requireEncoding,
  type Encoding,
  type EncodingName,
} from './encodings';
export {
  ANTHROPIC_ESTIMATE_FACTOR,
  DEFAULT_ENCODING,
  encodingNameFor,
  isAnthropicModel,
  normaliseModelName,
  openaiEncodingOf,
  tokenizerSpecFor,
  type TokenizerSpec,
} from './models';
export {
  ModelTokenizer,
  OPENAI_REPLY_PRIMING,
  OPENAI_TOKENS_PER_MESSAGE,
  OPENAI_TOKENS_PER_NAME,
  chatTokens,
  countChatTokens,
  countChatTokensSync,
  countTextTokens,
  countTextTokensSync,
  encodingFor,
  framedMessages,
  loadTokenizer,
  tokenizerFor,
  tokenizerIfLoaded,
  type FramedMessage,
} from './count';
export { TokenCounter, type CountOptions, type ExactTokenCounter, type TokenCounterOptions } from './counter';
