import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stemText, stemWord } from '../../src/search/indonesian-stemmer';

const REQUIRED: Array<[string, string]> = [
  ['persenjataan', 'senjata'],
  ['bersenjata', 'senjata'],
  ['senjata', 'senjata'],
  ['menembakkan', 'tembak'],
  ['tembakan', 'tembak'],
  ['ditembak', 'tembak'],
  ['pembangunan', 'bangun'],
  ['dibangun', 'bangun'],
  ['membangun', 'bangun'],
  ['pendidikan', 'didik'],
  ['mendidik', 'didik'],
  ['pelajaran', 'ajar'],
  ['mempelajari', 'ajar'],
  ['pekerjaan', 'kerja'],
  ['bekerja', 'kerja'],
  ['penjualan', 'jual'],
  ['pemilihan', 'pilih'],
  ['dilaporkan', 'lapor'],
  ['mengatakan', 'kata'],
  ['pertemuan', 'temu'],
  ['berbicara', 'bicara'],
  ['melakukan', 'laku'],
  ['persediaan', 'sedia'],
  ['pengiriman', 'kirim'],
  ['pemimpin', 'pimpin'],
  ['kemenangan', 'menang'],
  ['membantu', 'bantu'],
  ['bantuan', 'bantu'],
  ['menyerang', 'serang'],
];

const UNTOUCHED = ['rusia', 'putin', 'jakarta', 'kosmodrom', 'ukraina', 'indonesia', 'beijing', 'berlin', 'bali', 'medan'];

test('required stems', () => {
  for (const [word, stem] of REQUIRED) assert.equal(stemWord(word), stem, word);
});

test('roots are fixed points', () => {
  for (const [, stem] of REQUIRED) assert.equal(stemWord(stem), stem, stem);
});

test('names and unaffixed loanwords are left alone', () => {
  for (const w of UNTOUCHED) assert.equal(stemWord(w), w);
});

test('nasal recoding, confixes and backtracking', () => {
  const cases: Array<[string, string]> = [
    ['mempersenjatai', 'senjata'],
    ['penembakan', 'tembak'],
    ['memukul', 'pukul'],
    ['memakan', 'makan'],
    ['meminta', 'minta'],
    ['menulis', 'tulis'],
    ['mengirim', 'kirim'],
    ['mengambil', 'ambil'],
    ['menyanyi', 'nyanyi'],
    ['menyatakan', 'nyata'],
    ['mengebom', 'bom'],
    ['mengeluarkan', 'keluar'],
    ['dimulai', 'mulai'],
    ['menjadi', 'jadi'],
    ['berikan', 'beri'],
    ['memberikan', 'beri'],
    ['kebijakan', 'bijak'],
    ['diketahui', 'tahu'],
    ['mengetahui', 'tahu'],
    ['dimakan', 'makan'],
    ['pemerintahan', 'perintah'],
    ['memperhatikan', 'hati'],
    ['mempunyai', 'punya'],
  ];
  for (const [word, stem] of cases) assert.equal(stemWord(word), stem, word);
});

test('inflectional endings that are part of the root survive', () => {
  assert.equal(stemWord('masalah'), 'masalah');
  assert.equal(stemWord('bermasalah'), 'masalah');
  assert.equal(stemWord('masalahnya'), 'masalah');
  assert.equal(stemWord('bertanya'), 'tanya');
  assert.equal(stemWord('bertemu'), 'temu');
  assert.equal(stemWord('bekerjalah'), 'kerja');
  assert.equal(stemWord('pembangunannya'), 'bangun');
});

test('unknown roots: affixed forms still agree with each other', () => {
  // "ledak", "gusur" style roots work through the rule-based fallback too.
  const stem = stemWord('meledakkan');
  assert.equal(stemWord('ledakan'), stem);
  // -si loanwords keep their ending with or without the di-/meng- prefix.
  assert.equal(stemWord('memproduksi'), stemWord('produksi'));
  assert.equal(stemWord('diinvasi'), 'invasi');
});

test('stemWord leaves short, numeric and non-Latin tokens alone', () => {
  assert.equal(stemWord(''), '');
  assert.equal(stemWord('di'), 'di');
  assert.equal(stemWord('covid19'), 'covid19');
  assert.equal(stemWord('2024'), '2024');
  assert.equal(stemWord('москва'), 'москва');
  assert.equal(stemWord('MENEMBAKKAN'), 'tembak');
});

test('stemText folds, tokenizes and stems', () => {
  assert.equal(stemText('Pérsénjataan RUSIA, 2024: menembakkan!'), 'senjata rusia 2024 tembak');
  assert.equal(stemText('ｐｅｒｓｅｎｊａｔａａｎ'), 'senjata');
  assert.equal(stemText(''), '');
  assert.equal(stemText('  ...  '), '');
  assert.equal(stemText('COVID-19  di\nJakarta'), 'covid 19 di jakarta');
});

test('stemText splits hyphenated words and handles reduplication', () => {
  assert.equal(stemText('mata-mata'), 'mata mata');
  assert.equal(stemText('berlari-lari'), 'lari lari');
  assert.equal(stemText('tembak-menembak'), 'tembak tembak');
  assert.equal(stemText('memukul-mukul'), 'pukul pukul');
  // Only a hyphen joins a reduplication; a space does not.
  assert.equal(stemText('memukul mukul'), 'pukul mukul');
});

test('cache stays correct when flooded with distinct words', () => {
  for (let i = 0; i < 60_000; i++) stemWord(`kata${i}`);
  for (let i = 0; i < 60_000; i++) stemWord(`me${String.fromCharCode(97 + (i % 26))}nulis${i % 1000}`);
  assert.equal(stemWord('persenjataan'), 'senjata');
  assert.equal(stemWord('kata59999'), 'kata59999');
});

test('a stem is a piece of its word, with at most its first letter restored', () => {
  // The snippet builder relies on this to skip stemming words that cannot match (snippet.ts, Matcher.cores).
  const roots = ['tulis', 'pukul', 'sapu', 'kirim', 'ajar', 'senjata', 'tembak', 'nanti', 'ubah', 'rusak', 'lapor', 'kerja', 'gelar', 'bakatari', 'rimuna', 'syarat', 'fitnah', 'vonis'];
  const prefixes = ['', 'me', 'mem', 'men', 'meng', 'menge', 'meny', 'pe', 'pem', 'pen', 'peng', 'peny', 'per', 'ber', 'be', 'ter', 'te', 'di', 'ke', 'se', 'memper', 'diper', 'keber', 'mempe'];
  const suffixes = ['', 'kan', 'an', 'i', 'nya', 'lah', 'kah', 'pun', 'ku', 'mu', 'kannya', 'annya', 'ilah'];
  const words = new Set<string>();
  for (const root of roots) {
    for (const prefix of prefixes) for (const suffix of suffixes) words.add(prefix + root + suffix);
    // Recoded forms: the prefix swallowed the root's first letter.
    for (const prefix of ['me', 'pe']) for (const nasal of ['m', 'n', 'ng', 'ny']) words.add(prefix + nasal + root.slice(1));
  }
  for (const word of words) {
    const stem = stemWord(word);
    assert.ok(word.includes(stem.slice(1)), `${word} → ${stem}`);
  }
});
