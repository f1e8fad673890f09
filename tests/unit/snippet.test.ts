import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnippet, escapeHtml } from '../../src/search/snippet';
import { buildFtsQuery } from '../../src/search/fts-query';

const MARK = { open: '<mark>', close: '</mark>' };

function terms(input: string): string[] {
  const q = buildFtsQuery(input);
  assert.ok(q);
  return q.terms;
}

test('escapes text but inserts markers raw', () => {
  const text = 'Tembakan <script>alert("x")</script> & \'kutip\'';
  const out = buildSnippet(text, terms('tembak script'), MARK);
  assert.equal(
    out,
    '<mark>Tembakan</mark> &lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; &amp; &#39;kutip&#39;',
  );
  assert.ok(!out.includes('<script>'));
});

test('escapeHtml covers the five special characters', () => {
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});

test('matches by stem and by prefix (on surface form or stem)', () => {
  const text = 'Rusia memamerkan persenjataan. Pasukan bersenjata menembakkan rudal.';
  assert.equal(
    buildSnippet(text, terms('senjata tembak'), MARK),
    'Rusia memamerkan <mark>persenjataan</mark>. Pasukan <mark>bersenjata</mark> <mark>menembakkan</mark> rudal.',
  );
  assert.equal(
    buildSnippet(text, terms('senja*'), MARK),
    'Rusia memamerkan <mark>persenjataan</mark>. Pasukan <mark>bersenjata</mark> menembakkan rudal.',
  );
  assert.equal(buildSnippet(text, terms('rud*'), MARK), 'Rusia memamerkan persenjataan. Pasukan bersenjata menembakkan <mark>rudal</mark>.');
});

test('folds case and diacritics when matching, keeps the original text', () => {
  assert.equal(buildSnippet('PÉRSÉNJATAAN baru', ['senjata'], MARK), '<mark>PÉRSÉNJATAAN</mark> baru');
});

test('picks the densest window and marks cuts with an ellipsis', () => {
  const filler = (n: number, w: string): string => Array.from({ length: n }, () => w).join(' ');
  const text = `${filler(40, 'lorem')} polisi menembak tersangka di Jakarta ${filler(40, 'ipsum')}`;
  const out = buildSnippet(text, terms('tembak jakarta'), { ...MARK, maxWords: 10 });
  assert.ok(out.startsWith('\u2026') && out.endsWith('\u2026'), out);
  assert.ok(out.includes('<mark>menembak</mark> tersangka di <mark>Jakarta</mark>'), out);
  assert.equal(out.replace(/\u2026/g, '').split(' ').length, 10);
});

test('distinct terms beat repeated ones', () => {
  const text = 'rusia rusia rusia rusia lorem lorem lorem lorem lorem lorem rusia ukraina damai';
  const out = buildSnippet(text, terms('rusia ukraina'), { ...MARK, maxWords: 3 });
  assert.equal(out, '\u2026<mark>rusia</mark> <mark>ukraina</mark> damai');
});

test('without matches the beginning is shown', () => {
  const text = 'satu dua tiga empat lima enam tujuh';
  assert.equal(buildSnippet(text, terms('zzz'), { ...MARK, maxWords: 3 }), 'satu dua tiga\u2026');
  assert.equal(buildSnippet(text, [], { ...MARK, maxWords: 100 }), text);
});

test('no ellipsis when the whole text fits; whitespace collapses', () => {
  assert.equal(buildSnippet('  Ledakan\n\n di   pasar.  ', ['ledak'], MARK), '<mark>Ledakan</mark> di pasar.');
});

test('reduplicated words highlight like the index stems them', () => {
  assert.equal(buildSnippet('Aksi memukul-mukul meja', terms('pukul'), MARK), 'Aksi <mark>memukul</mark>-<mark>mukul</mark> meja');
});

test('degenerate inputs', () => {
  assert.equal(buildSnippet('', ['a'], MARK), '');
  assert.equal(buildSnippet('<<>>', ['a'], MARK), '&lt;&lt;&gt;&gt;');
  assert.equal(buildSnippet('kata', ['kata'], { ...MARK, maxWords: 0 }), '<mark>kata</mark>');
});

test('a phrase is marked only where its words stand together, in order', () => {
  const text = 'Sebanyak 24 unit bus bertenaga surya tiba. Bus listrik pertama melayani rute kota; listrik padam kemarin.';
  assert.equal(
    buildSnippet(text, terms('"bus listrik"'), { ...MARK, maxWords: 40 }),
    'Sebanyak 24 unit bus bertenaga surya tiba. <mark>Bus</mark> <mark>listrik</mark> pertama melayani rute kota; listrik padam kemarin.',
  );
  // A prefix on the phrase's last word, and a lone word beside the phrase, still work.
  assert.equal(
    buildSnippet(text, terms('"bus list"* surya'), { ...MARK, maxWords: 40 }),
    'Sebanyak 24 unit bus bertenaga <mark>surya</mark> tiba. <mark>Bus</mark> <mark>listrik</mark> pertama melayani rute kota; listrik padam kemarin.',
  );
});
