import assert from 'node:assert/strict';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
describe('smoke', () => { it('tsx works', () => { assert.equal(encode('hello world').length, 2); }); });
