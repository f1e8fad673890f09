import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Database } from 'sqlite3';
import { buildFtsQuery, foldText } from '../../src/search/fts-query';
import { stemText } from '../../src/search/indonesian-stemmer';

// The compiled test may live outside the project (tsc --outDir /tmp/...),
// where walking up from __dirname finds no node_modules; retry from the cwd.
function loadSqlite3(): typeof import('sqlite3') {
  try {
    return createRequire(__filename)('sqlite3');
  } catch {
    return createRequire(path.join(process.cwd(), 'index.js'))('sqlite3');
  }
}

let db: Database;

function run(sql: string, params: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, params, (err) => (err ? reject(err) : resolve())));
}

function all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
}

const ARTICLES: Array<[number, string, string, string]> = [
  [1, 'Persenjataan baru Rusia', 'Kremlin memamerkan persenjataan', 'Pasukan bersenjata berparade di Moskwa.'],
  [2, 'Polisi menembakkan gas air mata', 'Aparat menembak ke udara', 'Tembakan terdengar di Jakarta.'],
  [3, 'Kim Jong Un meninjau kosmodrom', 'Pemimpin Korea Utara', 'Peluncuran roket dari kosmodrom.'],
  [4, 'Jong dan Kim bertemu', 'Dua tokoh', 'Pertemuan berlangsung singkat.'],
  [5, 'Pembangunan jalan tol', 'Pemerintah membangun jalan', 'Proyek pembangunan dilanjutkan.'],
];

async function search(input: string): Promise<number[] | null> {
  const q = buildFtsQuery(input);
  if (!q) return null;
  const rows = await all<{ rowid: number }>('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid', [q.match]);
  return rows.map((r) => r.rowid);
}

before(async () => {
  db = new (loadSqlite3().Database)(':memory:');
  await run('CREATE VIRTUAL TABLE t USING fts5(title, lead, body)');
  for (const [id, title, lead, body] of ARTICLES) {
    await run('INSERT INTO t(rowid, title, lead, body) VALUES (?, ?, ?, ?)', [
      id,
      stemText(title),
      stemText(lead),
      stemText(body),
    ]);
  }
});

after(() => new Promise<void>((resolve) => db.close(() => resolve())));

/** Runs the expression through FTS5; rejects on any syntax error. */
async function assertValidFts(match: string): Promise<void> {
  await all('SELECT rowid FROM t WHERE t MATCH ?', [match]);
}

test('foldText lowercases and strips diacritics', () => {
  assert.equal(foldText('Pérsénjataan ÀÉÎÕÜ'), 'persenjataan aeiou');
  assert.equal(foldText('ＴＥＭＢＡＫ ﬁ'), 'tembak fi');
  assert.equal(foldText('İstanbul'), 'istanbul');
});

test('plain words are stemmed, quoted and ANDed', () => {
  assert.deepEqual(buildFtsQuery('Persenjataan Rusia'), {
    match: '"senjata" AND "rusia"',
    terms: ['persenjataan', 'rusia'],
  });
});

test('phrases, curly quotes and prefixes', () => {
  assert.equal(buildFtsQuery('"kim jong"')?.match, '"kim jong"');
  assert.equal(buildFtsQuery('\u201CKim Jong\u201D un')?.match, '"kim jong" AND "un"');
  // Prefix terms are folded but not stemmed.
  assert.deepEqual(buildFtsQuery('Senja*'), { match: '"senja"*', terms: ['senja*'] });
  assert.equal(buildFtsQuery('"kim jo"*')?.match, '"kim jo"*');
  assert.equal(buildFtsQuery('"persenjataan rusia"')?.match, '"senjata rusia"');
});

test('NOT needs a positive term', () => {
  assert.equal(buildFtsQuery('putin -rusia')?.match, '"putin" NOT "rusia"');
  assert.equal(buildFtsQuery('putin NOT rusia')?.match, '"putin" NOT "rusia"');
  assert.equal(buildFtsQuery('a b -c -"d e"')?.match, '("a" AND "b") NOT ("c" OR "d e")');
  assert.deepEqual(buildFtsQuery('putin -rusia')?.terms, ['putin']);
  assert.equal(buildFtsQuery('-rusia'), null);
  assert.equal(buildFtsQuery('-rusia -"kim jong"'), null);
});

test('OR binds adjacent positive terms', () => {
  assert.equal(buildFtsQuery('a OR b c')?.match, '("a" OR "b") AND "c"');
  assert.equal(buildFtsQuery('a OR b OR c')?.match, '("a" OR "b" OR "c")');
  // lowercase "or" is just a word
  assert.equal(buildFtsQuery('a or b')?.match, '"a" AND "or" AND "b"');
  assert.equal(buildFtsQuery('OR a OR')?.match, '"a"');
});

test('punctuation-joined words become phrases', () => {
  assert.equal(buildFtsQuery('mata-mata')?.match, '"mata mata"');
  assert.equal(buildFtsQuery('title:foo')?.match, '"title foo"');
  assert.equal(buildFtsQuery('covid-19*')?.match, '"covid 19"*');
});

test('nothing searchable gives null', () => {
  for (const input of ['', '"', '""', '*', '(((', ')))', '😀🎉🔥', '- - -', 'OR', 'AND OR NOT', '^:*"()', '\u200B\u00A0']) {
    assert.equal(buildFtsQuery(input), null, JSON.stringify(input));
  }
});

const HOSTILE = [
  '"',
  '""',
  '*',
  '**senja',
  'senja**',
  'NEAR(a b)',
  'NEAR(a b, 3)',
  'a AND OR NOT',
  'a NOT',
  'NOT a',
  '(((',
  'a) OR (b',
  'title:foo',
  'title : foo',
  '{title lead}: foo',
  '- title:foo',
  '^x',
  '^',
  'a + b',
  '"unterminated phrase',
  'say "hi" OR "bye" -"x y"*',
  '\u201Ckutip\u201D \u00ABguillemets\u00BB',
  '😀',
  'emoji 😀 inside',
  'NOT NOT NOT',
  'OR OR OR a',
  '-',
  '--a',
  'a -',
  "it's o'clock",
  'a\u0000b',
  'ＮＥＡＲ（ａ　ｂ）',
  '\uD800broken surrogate',
  'ß Æ Ø ı İ ﬁ ½',
  'москва 北京 القاهرة',
  'a*b*c',
  'col:"x"*',
];

test('hostile inputs always produce valid FTS5 or null', async () => {
  for (const input of HOSTILE) {
    const q = buildFtsQuery(input);
    if (q) await assertValidFts(q.match);
  }
  assert.equal(buildFtsQuery('😀'), null);
  assert.equal(buildFtsQuery('NEAR(a b)')?.match, '"near a" AND "b"');
  assert.equal(buildFtsQuery('^x')?.match, '"x"');
  assert.equal(buildFtsQuery('a AND OR NOT')?.match, '"a"');
});

test('huge input is bounded', async () => {
  const q = buildFtsQuery('a '.repeat(5_000));
  assert.ok(q);
  assert.equal(q.match, '"a"');
  await assertValidFts(q.match);

  const words = Array.from({ length: 5_000 }, (_, i) => `kata${i}`).join(' ');
  const many = buildFtsQuery(words);
  assert.ok(many);
  assert.equal(many.terms.length, 32);
  await assertValidFts(many.match);

  const capped = buildFtsQuery(words, { maxTerms: 5 });
  assert.equal(capped?.terms.length, 5);
  assert.equal(buildFtsQuery(words, { maxTerms: 10_000 })?.terms.length, 128);

  // The cap counts phrase words too, and a cut phrase loses its prefix star.
  assert.equal(buildFtsQuery('"a b c d e"*', { maxTerms: 3 })?.match, '"a b c"');

  const long = buildFtsQuery('x'.repeat(1_000_000));
  assert.ok(long);
  assert.ok(long.match.length <= 10_002 + 2);
  await assertValidFts(long.match);
});

test('random garbage never breaks FTS5', async () => {
  const alphabet = ['a', 'b', 'OR', 'AND', 'NOT', 'NEAR', '"', '*', '-', '(', ')', ':', '^', '+', ' ', ' ', '{', '}', ',', '\u201C', '😀', 'é'];
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 500; i++) {
    let s = '';
    const len = 1 + rand(12);
    for (let k = 0; k < len; k++) s += alphabet[rand(alphabet.length)];
    const q = buildFtsQuery(s);
    if (q) await assertValidFts(q.match);
  }
});

test('affixed forms find each other through the stemmed index', async () => {
  assert.deepEqual(await search('senjata'), [1]);
  assert.deepEqual(await search('bersenjata'), [1]);
  assert.deepEqual(await search('tembak'), [2]);
  assert.deepEqual(await search('penembakan'), [2]);
  assert.deepEqual(await search('bangun'), [5]);
  assert.deepEqual(await search('senja*'), [1]);
  assert.deepEqual(await search('KOSMODROM'), [3]);
});

test('phrases, NOT and OR against the index', async () => {
  assert.deepEqual(await search('"kim jong"'), [3]);
  assert.deepEqual(await search('kim jong'), [3, 4]);
  assert.deepEqual(await search('kim -kosmodrom'), [4]);
  assert.deepEqual(await search('senjata OR tembak'), [1, 2]);
  assert.deepEqual(await search('title:kim'), []);
});
