import type { DataSource } from "typeorm";
import { systemClock, type Clock } from "../clock";
import { refreshPlannerStatistics, timestampParam, withPageCache } from "../db/dialect";
import { writeTransaction } from "../db/write-lock";
import { ALL_KEYS, recordContentEvent } from "../events/content-events";
import { slugify } from "../lib/slug";
import { insertArticleRows, reserveArticleIds } from "../repositories/article.repository";
import { ensureAuthors } from "../repositories/author.repository";
import { ensureTags, insertArticleTagRows } from "../repositories/tag.repository";
import { reindexArticles } from "../search/search-index";

/**
 * Synthetic content for benchmarks: many articles with the shape of real ones (lengths, a few
 * prolific authors, a few very popular tags and a long tail), deterministic for a given seed.
 * Rows go in as multi-row INSERTs, a thousand articles per transaction; per-row ORM saves would
 * be two orders of magnitude too slow for the 5,000 articles/s target.
 */
export interface SyntheticOptions {
  articles: number;
  authors?: number;
  tags?: number;
  seed?: number;
  /** Dates spread over the three years before this; defaults to the start of the clock's current UTC day. */
  now?: Date;
  /** Stamps the rows' creation and the content events; the system clock by default. */
  clock?: Clock;
  onProgress?: (done: number, total: number) => void;
}

export interface SyntheticReport {
  articles: number;
  authors: number;
  tags: number;
  seconds: number;
  articlesPerSecond: number;
  /** Time spent in the search indexer, included in `seconds`. */
  indexSeconds: number;
}

/**
 * Small enough that a batch holds the database's writer for a fraction of a second, so a server
 * writing beside the generator waits briefly between batches instead of for a whole run.
 */
const ARTICLES_PER_TRANSACTION = 1_000;
const REINDEX_BATCH = 1_000;
const THREE_YEARS_MS = 3 * 365.25 * 24 * 3_600_000;

// Plain letters only, so every generated word is exactly one word for countWords().
const WORDS = (
  "yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga oleh sudah telah karena bisa lebih harus masih " +
  "saat kata ia mereka kami pemerintah presiden menteri warga masyarakat daerah kota provinsi kabupaten desa jalan harga beras " +
  "minyak pasar ekonomi politik partai calon pemilu suara kampanye hukum polisi pengadilan hakim jaksa kasus korupsi anggaran " +
  "pembangunan proyek infrastruktur jembatan bandara pelabuhan kereta banjir gempa longsor hujan cuaca musim kemarau petani " +
  "nelayan sekolah guru siswa mahasiswa kampus kesehatan rumah sakit dokter pasien vaksin program bantuan sosial keluarga anak " +
  "perempuan pemuda tenaga kerja pabrik industri investasi saham bank rupiah dolar inflasi pajak ekspor impor energi listrik " +
  "batu bara nikel tambang hutan laut pantai pulau wisata budaya festival musik film pertandingan tim pelatih pemain gol juara " +
  "liga turnamen teknologi digital internet aplikasi data keamanan militer tentara perbatasan sama negara asing luar negeri " +
  "hubungan dialog pertemuan kunjungan rapat kebijakan aturan rancangan dewan perwakilan rakyat komisi ketua wakil anggota " +
  "pejabat kepala dinas gubernur bupati wali camat lurah menyatakan mengatakan menjelaskan menilai menegaskan berharap meminta " +
  "mendorong menolak mendukung membahas mengusulkan meningkatkan menurunkan membangun memperbaiki melaporkan mencatat " +
  "menunjukkan baru besar kecil tinggi rendah penting utama nasional lokal global cepat lambat mahal murah aman sulit mudah " +
  "tahun bulan pekan hari pagi siang sore malam lalu depan kemarin sekitar hingga sejak setelah sebelum namun tetapi sehingga " +
  "bahkan terutama terhadap antara tentang menurut sebagai para banyak sejumlah beberapa seluruh setiap pihak upaya langkah " +
  "rencana target hasil dampak masalah solusi laporan survei penelitian kondisi situasi wilayah kawasan pusat ibu nusantara"
).split(" ");
const PLACES = "Jakarta Surabaya Makassar Medan Bandung Jayapura Ambon Kupang Manado Denpasar Pontianak Balikpapan Semarang Yogyakarta Palembang Sorong Ternate Mataram".split(" ");
const FIRST_NAMES = (
  "Andi Budi Citra Dewi Eka Fajar Gita Hendra Indah Joko Kartika Lestari Maya Nanda Oki Putri Rizky Sari Teguh Utami Wahyu " +
  "Yudi Zahra Agus Bayu Dimas Fitri Galih Hana Ilham Intan Kurnia Lukman Mega Nur Reza Rina Sinta Taufik Wulan Yoga Ayu Bima " +
  "Dian Erlangga Farah Gilang Hadi Irfan Jihan"
).split(" ");
const LAST_NAMES = (
  "Pratama Saputra Wijaya Santoso Hidayat Siregar Nasution Simanjuntak Lubis Harahap Sitompul Tanjung Rahman Kusuma Setiawan " +
  "Wibowo Susanto Gunawan Halim Purnomo Nugroho Siswanto Ramadhan Permana Maharani Anggraini Putra Utomo Hakim Rachmat " +
  "Sembiring Ginting Tarigan Manurung Pangaribuan Rumbiak Wenda Tabuni Latuconsina Pattiasina Mandagi Daeng Sompie Tuanakotta " +
  "Wattimena Kaunang Rangkuti Pardede Sinaga Purba"
).split(" ");
/** The head of the tag distribution: the desks a newsroom actually files under most. */
const POPULAR_TAGS = [
  "Politik", "Ekonomi", "Pemilu 2024", "Hukum", "Internasional", "Olahraga", "Sepak Bola", "Kesehatan", "Pendidikan",
  "Teknologi", "Lingkungan", "Bencana", "Jakarta", "Papua", "Sulawesi", "Kalimantan", "Bali", "Pariwisata", "Budaya", "Energi",
  "Transportasi", "Korupsi", "DPR", "Istana", "Pilkada", "Harga Pangan", "Infrastruktur", "Startup", "Perbankan", "Saham",
  "Properti", "Otomotif", "Kuliner", "Film", "Musik", "Gaya Hidup", "Cuaca", "Pertanian", "Perikanan", "Pertambangan", "Militer",
  "Kepolisian", "Timnas", "Liga 1", "ASEAN", "Timur Tengah", "IKN", "Haji", "Ramadan", "Mudik", "Banjir", "Gempa Bumi",
  "Stunting", "Kemiskinan", "Pajak", "Inflasi", "Rupiah", "Nikel", "Batu Bara", "Hilirisasi",
];
const ZONES = [
  { zone: "Asia/Jakarta", weight: 0.7 },
  { zone: "Asia/Makassar", weight: 0.2 },
  { zone: "Asia/Jayapura", weight: 0.1 },
];
const DRAFT_SHARE = 0.03;

/** mulberry32: tiny, fast and good enough for test data; the same seed gives the same data. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^s. */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += 1 / Math.pow(i + 1, s);
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const capitalize = (w: string) => w[0].toUpperCase() + w.slice(1);

class TextGenerator {
  constructor(private readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  word(): string {
    return WORDS[Math.floor(this.random() * WORDS.length)];
  }

  /**
   * `count` words as sentences of 6–16 words; every token is one counted word. Built as an array
   * and joined once: `+=` on strings leaves rope nodes that cost more in GC than the text itself.
   */
  sentences(count: number): string {
    const tokens: string[] = new Array<string>(count);
    let t = 0;
    while (t < count) {
      const end = Math.min(count, t + this.int(6, 16));
      tokens[t] = capitalize(this.random() < 0.15 ? PLACES[Math.floor(this.random() * PLACES.length)].toLowerCase() : this.word());
      for (let i = t + 1; i < end; i++) tokens[i] = this.word();
      if (end - t > 4 && this.random() < 0.5) tokens[t + 2] += ",";
      tokens[end - 1] += ".";
      t = end;
    }
    return tokens.join(" ");
  }

  title(): string {
    const length = this.int(6, 14);
    const words: string[] = [];
    for (let i = 0; i < length; i++) words.push(i === 0 ? capitalize(this.word()) : this.random() < 0.1 ? PLACES[this.int(0, PLACES.length - 1)] : this.word());
    return words.join(" ");
  }
}

function authorNames(count: number, random: () => number): string[] {
  const combos: string[] = [];
  for (const first of FIRST_NAMES) for (const last of LAST_NAMES) combos.push(`${first} ${last}`);
  for (let i = combos.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [combos[i], combos[j]] = [combos[j], combos[i]];
  }
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(i < combos.length ? combos[i] : `${combos[i % combos.length]} ${Math.floor(i / combos.length) + 1}`);
  return names;
}

function tagNames(count: number, random: () => number): string[] {
  const names = POPULAR_TAGS.slice(0, count);
  const slugs = new Set(names.map((n) => slugify(n)));
  while (names.length < count) {
    let name = `${capitalize(WORDS[Math.floor(random() * WORDS.length)])} ${capitalize(WORDS[Math.floor(random() * WORDS.length)])}`;
    if (slugs.has(slugify(name))) name += ` ${names.length}`;
    if (slugs.has(slugify(name))) continue;
    slugs.add(slugify(name));
    names.push(name);
  }
  return names;
}

/** An article row before its id is known: ids are reserved inside the transaction that writes it. */
interface PendingArticle {
  slugBase: string;
  withImage: boolean;
  /** Every column of ARTICLE_ROW_COLUMNS after id, slug, ... in order, with the id-dependent ones left null. */
  row: unknown[];
  tagIds: number[];
  liveAt: unknown;
}

/**
 * Writes synthetic articles beside whatever else writes (a live server, an import): ids come
 * from the database inside each batch's transaction, authors and tags are created only when
 * missing, through the same repository functions as every other write.
 */
export async function generateSynthetic(dataSource: DataSource, options: SyntheticOptions): Promise<SyntheticReport> {
  const total = options.articles;
  const authorCount = options.authors ?? 500;
  const tagCount = options.tags ?? 1_000;
  const seed = options.seed ?? 1;
  for (const [name, value, min] of [["articles", total, 0], ["authors", authorCount, 1], ["tags", tagCount, 2]] as const) {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number of at least ${min}, got ${value}`);
  }
  const clock = options.clock ?? systemClock;
  const now = options.now ?? new Date(Math.floor(clock.now().getTime() / 86_400_000) * 86_400_000);
  const started = performance.now();
  const random = randomSource(seed);
  const text = new TextGenerator(random);

  const named = (names: string[]) => names.map((name) => ({ slug: slugify(name), name }));
  const authorNamesWanted = named(authorNames(authorCount, random));
  const tagNamesWanted = named(tagNames(tagCount, random));
  const { authorIds, tagIds } = await writeTransaction(dataSource, async (manager) => ({
    authorIds: (await ensureAuthors(manager, authorNamesWanted, clock.now())).ids,
    tagIds: (await ensureTags(manager, tagNamesWanted, clock.now())).ids,
  }));
  const pickAuthor = zipfSampler(authorIds.length, 0.6, random);
  const pickTag = zipfSampler(tagIds.length, 1.05, random);
  let indexMs = 0;
  // Random slugs land all over the unique index; a larger page cache (256 MiB) keeps those pages in memory.
  await withPageCache(dataSource, 262_144, async () => {
    for (let done = 0; done < total; ) {
      const batch = Math.min(ARTICLES_PER_TRANSACTION, total - done);
      const pending: PendingArticle[] = [];
      for (let i = 0; i < batch; i++) {
        const title = text.title();
        const lead = text.sentences(text.int(20, 40));
        const paragraphCount = text.int(6, 20);
        const paragraphs: string[] = new Array<string>(paragraphCount);
        let words = 0;
        for (let p = 0; p < paragraphCount; p++) {
          const n = text.int(30, 90);
          paragraphs[p] = text.sentences(n);
          words += n;
        }
        const body = paragraphs.join("\n\n");
        const draft = random() < DRAFT_SHARE;
        const zoneRoll = random();
        const zone = zoneRoll < ZONES[0].weight ? ZONES[0].zone : zoneRoll < ZONES[0].weight + ZONES[1].weight ? ZONES[1].zone : ZONES[2].zone;
        // Whole minutes, like the bylines.
        const publishedAt = new Date(Math.floor((now.getTime() - random() * THREE_YEARS_MS) / 60_000) * 60_000);
        const stamp = timestampParam(dataSource, publishedAt);
        const withImage = random() < 0.9;
        const authorId = authorIds[pickAuthor()];
        const tagsWanted = text.int(2, 5);
        const chosen = new Set<number>();
        while (chosen.size < Math.min(tagsWanted, tagIds.length)) chosen.add(tagIds[pickTag()]);
        pending.push({
          slugBase: slugify(title, 60),
          withImage,
          row: [title, lead, body, null, withImage ? title : null, draft ? "draft" : "published", draft ? null : stamp, zone, authorId, words, stamp, stamp],
          tagIds: [...chosen],
          // live_at given here spares the insert trigger a lookup per row (it only fills a NULL).
          liveAt: draft ? null : stamp,
        });
      }

      await writeTransaction(dataSource, async (manager) => {
        const ids = await reserveArticleIds(manager, pending.length);
        const articleRows: unknown[][] = [];
        const tagRows: { articleId: number; tagId: number; position: number; liveAt: unknown }[] = [];
        pending.forEach((article, i) => {
          const id = ids[i];
          const row = [id, `${article.slugBase}-${id}`, ...article.row];
          if (article.withImage) row[5] = `https://img.example.id/artikel/${id}.jpg`;
          articleRows.push(row);
          article.tagIds.forEach((tagId, position) => tagRows.push({ articleId: id, tagId, position, liveAt: article.liveAt }));
        });
        await insertArticleRows(manager, articleRows);
        await insertArticleTagRows(manager, tagRows);
        const indexStarted = performance.now();
        for (let i = 0; i < ids.length; i += REINDEX_BATCH) await reindexArticles(manager, ids.slice(i, i + REINDEX_BATCH));
        indexMs += performance.now() - indexStarted;
        recordContentEvent(manager, { type: "content.bulk", entity: "content", id: 0, slug: null, keys: [ALL_KEYS], occurredAt: clock.now() });
      });
      done += batch;
      options.onProgress?.(done, total);
    }
  });

  await refreshPlannerStatistics(dataSource);
  const seconds = (performance.now() - started) / 1_000;
  return {
    articles: total,
    authors: authorIds.length,
    tags: tagIds.length,
    seconds,
    articlesPerSecond: seconds > 0 ? total / seconds : 0,
    indexSeconds: indexMs / 1_000,
  };
}
