import assert from 'node:assert/strict';
import { findPromptBlocks, modelIdFromName, parseFrontMatter, parsePrompt } from '../../src/core/prompt';

describe('prompt files', () => {
  it('plain text is one user message', () => {
    const p = parsePrompt('Summarise this:\n\nhello world\n');
    assert.deepEqual(p.messages, [{ role: 'user', content: 'Summarise this:\n\nhello world' }]);
    assert.equal(p.system, undefined);
    assert.deepEqual(p.models, []);
  });

  it('reads front matter: models, system, parameters, sample variables', () => {
    const p = parsePrompt(
      [
        '---',
        'model: [openai:gpt-4o-mini, anthropic:claude-haiku-4-5]',
        'system: You are terse.',
        'parameters:',
        '  temperature: 0.2',
        '  max_tokens: 300',
        'sample:',
        '  city: Paris',
        '---',
        'Tell me about {{city}} and {{ country }}.',
      ].join('\n'),
    );
    assert.deepEqual(p.models, ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5']);
    assert.equal(p.system, 'You are terse.');
    assert.equal(p.temperature, 0.2);
    assert.equal(p.maxOutputTokens, 300);
    assert.deepEqual(p.messages, [{ role: 'user', content: 'Tell me about Paris and {{ country }}.' }]);
    assert.deepEqual(p.unresolved, ['country']);
    assert.equal(p.reference, undefined);
  });

  it('reads a reference answer for the judge from the front matter', () => {
    const p = parsePrompt(['---', 'reference: |', '  Paris is the capital of France.', '  It lies on the Seine.', '---', 'What is the capital of France?'].join('\n'));
    assert.equal(p.reference, 'Paris is the capital of France.\nIt lies on the Seine.');
    assert.deepEqual(p.messages, [{ role: 'user', content: 'What is the capital of France?' }]);
    for (const bad of ['reference: ""', 'reference: 42', 'reference: [a, b]']) assert.equal(parsePrompt(`---\n${bad}\n---\nHi`).reference, undefined, bad);
  });

  it('splits chat-style system:/user:/assistant: sections into messages', () => {
    const p = parsePrompt('system:\nBe kind.\n\nuser:\nHi\n\nassistant:\nHello!\n\nuser:\nHow are you?');
    assert.equal(p.system, 'Be kind.');
    assert.deepEqual(p.messages, [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How are you?' },
    ]);
  });

  it('understands dotprompt {{role}} markers and prompty model.parameters', () => {
    const p = parsePrompt('---\nmodel:\n  parameters:\n    max_tokens: 50\n---\n{{role "system"}}\nSys\n{{role "user"}}\nQ');
    assert.equal(p.system, 'Sys');
    assert.equal(p.maxOutputTokens, 50);
    assert.deepEqual(p.messages, [{ role: 'user', content: 'Q' }]);
  });

  it('finds ```prompt blocks in Markdown, else the whole file', () => {
    const md = '# Title\n\n```prompt\nfirst\n```\ntext\n~~~prompt\nsecond\nline\n~~~\n';
    assert.deepEqual(findPromptBlocks(md, 'notes.md'), [
      { startLine: 2, endLine: 5, text: 'first' },
      { startLine: 6, endLine: 10, text: 'second\nline' },
    ]);
    assert.deepEqual(findPromptBlocks('just text', 'a.md'), [{ startLine: 0, endLine: 1, text: 'just text' }]);
    assert.deepEqual(findPromptBlocks('just text', 'a.md', { fencedOnly: true }), []);
    assert.deepEqual(findPromptBlocks('x\ny', 'a.prompt'), [{ startLine: 0, endLine: 2, text: 'x\ny' }]);
    assert.deepEqual(findPromptBlocks('  \n', 'a.prompt'), []);
  });

  it("reads a VS Code prompt file's front matter: the model by its display name, the description", () => {
    const text = ['---', "description: 'Review the diff for security issues'", 'mode: agent', 'model: Claude Sonnet 4.5 (copilot)', '---', 'Review ${selection}.'].join('\n');
    const p = parsePrompt(text);
    assert.deepEqual(p.models, ['anthropic:claude-sonnet-4-5']);
    assert.deepEqual(p.messages, [{ role: 'user', content: 'Review ${selection}.' }]);
    assert.equal(parseFrontMatter('description: Review\nmodel: GPT-4o').description, 'Review');
    assert.deepEqual(parseFrontMatter('model: GPT-4o').models, ['openai:gpt-4o']);
    assert.equal(modelIdFromName('o3-mini'), 'openai:o3-mini');
    assert.equal(modelIdFromName('Gemini 2.5 Pro'), undefined, 'names of other families are not guessed');
  });

  it('a variable named like an Object property is not filled from the prototype', () => {
    assert.deepEqual(parsePrompt('Say {{constructor}}.').messages, [{ role: 'user', content: 'Say {{constructor}}.' }]);
  });
});
