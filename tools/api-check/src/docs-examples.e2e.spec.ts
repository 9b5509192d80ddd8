import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerProcess, spawnLedger, workspaceRoot } from '@pos/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * docs/api.md's examples, run as written: each `http` block is sent to a fresh embedded ledger
 * in document order and its answer must be the `json` block after it (status, fields, values;
 * `"<name>"` is the host's own value, remembered for the requests after it).
 */
const DOC = join(workspaceRoot(), 'docs', 'api.md');

interface Example {
  readonly line: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly status: number;
  readonly answer: unknown;
}

/** Fenced blocks with their language and first line, indentation removed (a block may sit in a list item). */
const blocksOf = (markdown: string) =>
  [...markdown.matchAll(/^( *)```(\w*)\n([\s\S]*?)\n\1```$/gm)].map((m) => ({
    lang: m[2],
    line: markdown.slice(0, m.index).split('\n').length,
    text: m[3].split('\n').map((l) => l.slice(m[1].length)).join('\n'),
  }));

const examplesOf = (markdown: string): Example[] => {
  const blocks = blocksOf(markdown);
  const examples: Example[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.lang === 'json') throw new Error(`docs/api.md:${b.line}: a json block that answers no http request`);
    if (b.lang !== 'http') continue;
    const answer = blocks[++i];
    if (answer?.lang !== 'json') throw new Error(`docs/api.md:${b.line}: an http request without its json answer`);
    const [head, ...rest] = b.text.split('\n');
    const blank = rest.indexOf('');
    const headerLines = blank < 0 ? rest : rest.slice(0, blank);
    const [method, path] = head.split(' ');
    const [statusLine, ...answerLines] = answer.text.split('\n');
    examples.push({
      line: b.line,
      method,
      path,
      headers: Object.fromEntries(headerLines.map((h) => [h.slice(0, h.indexOf(':')).trim().toLowerCase(), h.slice(h.indexOf(':') + 1).trim()])),
      body: blank < 0 ? '' : rest.slice(blank + 1).join('\n'),
      status: Number(/^HTTP (\d{3})$/.exec(statusLine)?.[1]),
      answer: JSON.parse(answerLines.join('\n')),
    });
  }
  return examples;
};

const PLACEHOLDER = /^<(\w+)>$/;

/** The answer has exactly the documented fields and values; a placeholder takes the host's value. */
const expectAnswer = (documented: unknown, actual: unknown, at: string, values: Map<string, unknown>) => {
  const placeholder = typeof documented === 'string' ? PLACEHOLDER.exec(documented) : null;
  if (placeholder) {
    expect(typeof actual, at).toBe('string');
    values.set(placeholder[1], actual);
  } else if (Array.isArray(documented)) {
    expect(Array.isArray(actual) && actual.length, at).toBe(documented.length);
    documented.forEach((d, i) => expectAnswer(d, (actual as unknown[])[i], `${at}[${i}]`, values));
  } else if (documented !== null && typeof documented === 'object') {
    expect(actual !== null && typeof actual === 'object' ? Object.keys(actual).sort() : actual, at).toEqual(Object.keys(documented).sort());
    for (const [k, d] of Object.entries(documented)) expectAnswer(d, (actual as Record<string, unknown>)[k], `${at}.${k}`, values);
  } else expect(actual, at).toBe(documented);
};

const fill = (text: string, values: Map<string, unknown>, quoted: boolean) =>
  text.replace(quoted ? /"<(\w+)>"/g : /<(\w+)>/g, (whole, name: string) => {
    if (!values.has(name)) throw new Error(`${whole} is used before an answer gave it`);
    return quoted ? JSON.stringify(values.get(name)) : String(values.get(name));
  });

describe('docs/api.md', () => {
  let ledger: LedgerProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-docs-'));
    // The embedded default as a newcomer runs it: no checkpoint key configured, so the development one signs.
    ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024', LEDGER_CHECKPOINT_SIGNING_KEY: '' });
  });
  afterAll(async () => {
    await ledger?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('every example is a request and its answer', () => {
    const examples = examplesOf(readFileSync(DOC, 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const e of examples) expect([e.method, e.status], `docs/api.md:${e.line}`).toEqual([expect.stringMatching(/^(GET|POST)$/), expect.any(Number)]);
  });

  it('answers every example as documented, in order', async () => {
    const values = new Map<string, unknown>();
    for (const e of examplesOf(readFileSync(DOC, 'utf8'))) {
      const at = `docs/api.md:${e.line} ${e.method} ${e.path}`;
      const headers = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k, fill(v, values, false)]));
      const res = await fetch(`${ledger.url}${e.path}`, {
        method: e.method,
        headers: e.body ? { 'content-type': 'application/json', ...headers } : headers,
        body: e.body ? fill(e.body, values, true) : undefined,
      });
      const answer = await res.json();
      expect(res.status, `${at}: ${JSON.stringify(answer)}`).toBe(e.status);
      expectAnswer(e.answer, answer, at, values);
    }
  });
});
