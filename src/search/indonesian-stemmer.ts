/**
 * Indonesian stemmer for the search index.
 *
 * FTS5 ships no Indonesian stemmer, so both the indexed text (title, lead,
 * body) and user queries are reduced to stems here, in JavaScript, with the
 * same function. Because the same function runs on both sides, an imperfect
 * stem is harmless as long as it is *consistent*: every affixed form of a
 * word must land on the same stem as its root.
 *
 * The algorithm follows the confix-stripping idea of Nazief–Adriani (as
 * refined in the "enhanced confix stripping" papers): peel inflectional
 * suffixes, then a derivational suffix, then up to three derivational
 * prefixes (with nasal recoding such as meny+V → s, men+V → t), checking a
 * root list after every step and backtracking over suffix choices. Those
 * algorithms rely on a full dictionary (~30k roots). We only embed a compact
 * list of frequent roots, so for words whose root is not in the list we fall
 * back to a conservative rule-based guess (see `guessStem`) that refuses to
 * leave implausible stems behind; this is what keeps names and loanwords
 * such as "putin", "kosmodrom" or "jakarta" intact.
 */
import { LRUCache } from "lru-cache";

const MIN_STEM = 3;
const MAX_PREFIXES = 3;

/**
 * Frequent roots, weighted toward news vocabulary. Besides real roots this
 * also lists frequent words that *look* affixed but are not (or whose
 * "root" would change the meaning badly): names (maluku, kediri), loanwords
 * (diplomat, periode) and lexicalised derivations (ketua, pertama, berita).
 * A word found here is never stemmed further.
 *
 * Deliberately absent: short words that equal another root minus -an/-kan/-i
 * (e.g. "maka" vs "makan", "selat" vs "selatan", "mula" vs "mulai"), because
 * the root check runs on the most-stripped candidate first and would stop
 * there.
 */
const ROOT_LIST = `
abad abadi abai absen acara ada adat adik adil adopsi adu aduk agama agenda agresi agung ahli air ajak ajar aju
akal akar akhir akibat akrab akses aksi aktif aktivis aktivitas aku akun akurat alam alamat alas alat
alih alir alokasi alun aman amanat amandemen amat ambang ambil ambruk ampun amuk anak ancam andai andal aneh
anggap anggota anggur angin angka angkasa angkat angkut aniaya anjlok anjur antar antara antisipasi antre anulir
api apa apresiasi april arah arsip arti artis arus asah asal asap asing asli aspirasi asrama asuh asuransi
atas atase atlet atur awak awal awan awas ayah ayat
babak badai badan bagai bagi bagus bahagia bahan bahas bahasa bahaya bahu baik baja bakar bakti baku balai balap
balas balik balita bandara banding bandit bangga bangkai bangkit bangkrut bangsa bangun banjir bantah bantai
banting bantu banyak bapak barak barang barat baris baru basis batal batas baterai batik batu bawa bawah bawang
bayang bayar bayi bea beban bebas beda bedah bekal bekas bekasi bela belah belakang belanda belanja beli belok
belum benah benar bencana benci benda bendera bendung bengkak bengkel benih bensin bentrok bentuk bentur benua
berangkat berani berantas berapa beras berat beres beri berita berkas berlin bersih besar besi besok betul biasa
biaya bibit bicara bidan bidang bidik bijak bilang bilik bimbing bina binasa bincang bingkai bingung bintang
bisa bisik bisnis blokir bobol bocah bocor bodoh bohong boikot bola boleh bolos bom bongkar borong bos bosan
botol buah buang buat budaya budi bujet bujuk buka bukan bukit bukti buku bulan bulat bulu bumi bunga bunuh
bunyi buram buron buru buruh buruk burung busuk buta butuh
cabai cabang cabut cacat cadang cair cakap cakup calo calon camat campak campur canang candu cangkok cantum
capai cara cari catat cegah cegat cek cekal celah celaka celana cemar cemas cemooh cengkeram cepat cerah cerai
cerdas cerita cermat cerna cetak cicil cina cincin cinta cipta cium coba cocok corak cuaca cukai cukup cukur
culik cuma curah curang curi curiga
dada dadak daerah daftar dagang daging dahsyat dahulu dakwa dalam dalang damai dampak damping dana danau dapat
dapur darah darat darurat dasar data datang daya debat dedikasi defisit dekat deklarasi delegasi demo demokrasi
demonstrasi denda dendam dengar dentum depan deras deret derita dermaga desa desain desak detik dewan dewasa
dialog diam digital dikte dimensi dinas dinasti dinding dingin dini diplomasi diplomat direksi direktur
dirgantara diri disiplin diskusi distribusi divisi doa dobrak dokter dokumen dompet dongeng dongkrak dorong dosa
dosen drama dua duduk duga duka dukung dulu dunia dusta duta
edar edukasi efek ejek ekonomi ekor eksekusi ekspansi eksploitasi ekspor ekstradisi elak elit emas emban embargo
embun embus empat endap energi enggan erat esok evakuasi evaluasi
fakta faktor fasilitas fatwa festival fitnah fokus forum fosil foto fungsi
gabung gading gagah gagal gagas gaib gaji galak galang gali gambar gambut gampang ganas gandeng ganggu ganjal
ganti gantung garam garap garis garuda gawat gedung gelang gelap gelar gelisah gelombang gelora gema gemar
gembira gembok gempa gempur gemuk gencar gencat gendong genggam gengsi genjot gerak gerbang gerebek gereja
gerilya gerobak gertak getar giat gigi gigit gila gilir gizi golok golong goncang goreng gores gosok gotong
gratis gubernur gudang gugat gugur gula gulir gumpal guna guncang gunung guru gusur guyur
habis hadap hadiah hadir hafal hajar hak hakim hal halal halaman halang halus hambat hambur hamil hampar hampir hancur
hangat hangus hantam hanya hanyut hapus haram harap harga hari harimau harta harus hasil hasut hati haus hebat
heboh hela hemat hendak henti heran hias hibur hidup hijau hijrah hilang hilir himpun hina hindar hirup hitung
hormat hubung hujan hukum hulu huni hutan
ibadah ibu ide identitas ikan ikat ikhlas iklan iklim ikut ilegal ilmu imam iman imbang imbau impor imun incar
indah industri inflasi informasi ingat ingin ingkar injak insiden inspeksi instruksi intai integrasi inti
intimidasi invasi investasi investigasi iring isi isolasi istana istirahat istri isu isyarat izin
jabat jadi jadwal jaga jagung jajah jajar jaket jaksa jalan jalin jalur jambret jamin jamu janda jangka janji
jantung jarah jarak jaring jasa jatah jatuh jauh jawab jebak jebol jeda jejak jelang jelas jemaah jembatan
jemput jemur jenazah jengkel jenis jerat jerit jeruji jiplak jiwa jodoh jorok jual juang juara judul jujur
jumlah jumpa jurang juru jurus
kabar kabinet kabupaten kabur kacau kaget kait kaji kaki kala kalah kali kalimat kamar kambing kamp kampanye
kampung kandidat kandung kantong kantor kapal kapas kapten karang karantina karcis karet kartu karya kasar kasih
kasus kata kawal kawan kawasan kawat kawin kaya kayu kebal kebun kebut kecam kecewa kecil kecoh kedai kediri
kejagung kejam kejar keju kejut kekal kelahi kelas keliling keliru kelola kelompok keluar keluarga keluh kemas
kembali kembang kembar kemudi kemudian kemuka kena kenal kenang kencang kendala kendali kendara kendur kental
kenya kepala kepung kera kerap keras kereta kerikil kering kerja kertas kesal kesan ketat ketik ketika ketua
ketuk khawatir khianat khotbah khusus kiat kibar kikis kilang kilat kimia kini kira kirim kisah kisruh kita
klaim klarifikasi klub koalisi kode kokoh kolaborasi kolam komandan komentar komisi kompak kompromi komunikasi
kondisi konfirmasi konflik konser konsumsi kontak kontrak kontrol koordinasi kopi korban korek koreksi korupsi
kosong kota kritik kuasa kuat kubur kuda kuku kuli kuliah kulit kumpul kumuh kunci kunjung kunyah kuota kupas
kurang kurir kursi kurung kurus kutip kutub kutuk
labuh lacak ladang lagu lahan lahap lahir lajang laju laksana laku lalai lalu lama laman lambang lambat lampau
lampir lampu lancar landa langgar langit langka langkah langsung lanjut lantai lantik lapang lapar lapor lapuk
larang laras lari laris latar latih laut lawan lawat layak layan lebih lebur leceh ledak lega lekas lekat lelang
lemah lembaga lembut lempar lengah lengkap lengser lenyap lepas lereng lestari lesu letak letih letus lewat
libat libur licin lihat lilit lima lindas lindung lingkar lingkung lingkup lintas lipat liput lirik lobi logam
logistik lokal lokasi lolos lomba lompat lonjak lontar lorong luar luas lucut luka lulus lumbung lumpuh lumpur
lunas luncur lupa luput lurah lurus
maaf mabuk macam macet madu mahal mahasiswa mahkamah mahkota main maju makam makan maki maklum makmur makna
maksimal maksud malam malang malu maluku mampir mampu mandek mandi mandiri manfaat mangkir mangsa manis mantan
mantap manusia marah markas martabat masa masak masalah masih masjid maskapai massa masuk masyarakat mata matang
mati mau mayat media medis mekah mekanisme mekar melati melayu menang menantu menara menit mentah menteri merah
merdeka mereka mesin metode milik milisi militer minat minggu minta minum minyak mirip misi miskin mitra mobil
mobilisasi modal modern modus mogok mohon molor moral mosi motif motor muak muat muda mudah mufakat muka mulai
mulia mulus muncul mundur muntah murah murid murka musik musim musnah musuh musyawarah mutakhir mutasi
nafkah naik nakal nalar nama nanti nasib nasihat nasional naskah negara negeri negosiasi nekat nelayan nenek
netral niaga niat nikah nikmat nilai nomor normal nuklir nyala nyaman nyanyi nyata nyawa nyeri
obat objek olah ombak omong ongkos operasi opini orang organisasi otak otomatis otonomi
pacar pacu padam padat padi padu pagar pagi pahala paham pahit pahlawan pajak pakai pakar paket paksa palsu palu
pamer panas pancing pandang pandemi panen panggil panggung panik panitia panjang pantai pantas pantau pantul
papar parade parah parkir partai paru pasang pasar pasien pasif pasok pasrah pasti pasukan patok patroli patuh
pecah pecat pedas pedoman peduli pegang pegawai pekan pekat pelan pelihara peluang peluk peluru pemilu pena
penalti pendam pendek pendeta pening penjara pentas penting penuh perabot perahu perak peran perancis perang
perangkat peras perdana perempuan pergi perih periksa peringkat perintah periode perisai peristiwa perkara
perkasa perlu pernah persen persero personel perspektif pertama pertamina perwira pesan pesat pesawat peserta
pesisir pesta peta petak petik petir piala pidana pidato pihak pijak pikir pikul pilih pimpin pinang pindah
pinggir pingsan pinjam pintar pintu piring pisah pisau pita pokok polemik polisi politik pompa pondok populer
posisi potensi potong prajurit presiden pribadi prihatin prinsip produk produksi profesi program prosedur proses
protes provinsi proyek publik pucat pudar puji pukul pulang pulau pulih puluh punah puncak pungut punya pupuk
pura pusat pusing pustaka putar putih putri putus
racun radikal ragam ragu rahasia raih raja rajin rakit rakus rakyat ramai rambah rambu rampas rampung rancang
rangka rangkul rangsang ranjau rantai ranting rapat rapi rapuh rasa rasio rata rawan rawat raya razia reaksi
realisasi rebah rebut reda redaksi redam redup reformasi regu rekam rekomendasi rekonstruksi rekrut relawan
relokasi remaja rembuk rencana rendah rentan renung repot resah resap resmi respons restu retak retas rezim ribu
ribut ricuh rilis rinci rindu ringan ringkus rintang rintis riset risiko riuh riwayat robek roboh rokok rombak
ronda ruang ruas rudal rugi rumah rumit rumus runding runtuh rupa rusak rusuh rute
sabar sabotase sabu sadap sadar sadis sah saham saing saji sakit sakral saksi salah salin salju salur sama samar
sambung sambut sampah sampai sandar sandera sandi sanding sangat sangka sangkal sangsi sanksi santai santun sapa
sapu saraf saran sarana sarang saring sarjana sasar satu satwa sawit sayang sayap sebab sebar sebut sedang
sederhana sedia sedih sedot segar segel segera segi sehat sejahtera sejak sejarah sejuk sekali sekarang sekat
sekolah sekretaris sektor sekutu sela selam selamat selang selatan seleksi selenggara selesai selidik selimut
seloroh selundup seluruh semangat semarak sembah sembelih sembuh sembunyi semen sempat sempit semprot sempurna
semua senam senang senat sendat sendiri sengaja senggol sengketa sengsara senior senjata sensor sentak sentuh
sepak sepakat sepeda sepi seragam serah serang serap serasi serbu seret serikat serius serta sertifikat seru
sesal sesat sesuai setia setor setuju sewa siaga siang siap siar siasat sibuk sidang sidik sikap sikat siksa
sikut silam silang silau simak simpan simpang simpati simpul singgah singgung singkat singkir sinyal sipil sirna
sisa sisir siswa sita situasi soal sobek sogok sokong sombong sopan sorak sorot sosial sosialisasi spanduk staf
status stok strategi suami suap suara suasana subsidi subur sudah sudut suka suku sulit sumbang sumber sumpah
suntik sunting sunyi suplai surat surut survei susah susul susun susut swasta syarat syukur
taat tabrak tabung tagih tahan tahap tahu tahun tajam takut tali tamat tambah tambal tambang tampak tampar
tampik tampil tampung tamu tanah tanam tanda tanding tangan tangga tanggal tanggap tangguh tanggung tangis
tangkap tangkis tani tanjung tantang tanya tapak tarif tarik taruh tata tawa tawan tawar tayang tebak tebal
tebus teduh tegak tegang tegas tegur tekad tekan teknik teknis teknologi tekuk telah telan telanjang telat
telepon televisi teliti teluk teman tembaga tembak tembok tembus tempa tempat tempel tempuh tempur temu tenaga
tenang tenda tendang tengah tenggelam tengok tentang tentara tenteram tentu tenun tepat tepis terang terbang
terbit terima terjang terjemah terlalu ternak terobos teror teroris tertib terus tetap tetapi tewas tiang tiba
tikam tiket tilang timbang timbul timbun timpa timpang tindak tindas tinggal tinggi tingkat tinjau tinju tipis
tipu tiru titik tiup tokoh tolak tolong tombak tonjol tonton topang total tradisi tragedi transportasi tuang
tubuh tuding tuduh tugas tuju tukar tulang tular tulis tumbang tumbuh tumpah tumpang tumpas tumpuk tunai tunda
tunggu tunjang tunjuk tuntas tuntut turis turun turut tutup tutur
uang ubah ucap udara ujar uji ujung ukur ulama ulang ulas ulur umpan umpat umum umur undang undur unggah unggul
ungkap ungkit ungsi unik unit unjuk untai untung upacara upah upaya urai urung urus usaha usang usia usir usul
usut utama utang utara utuh utus
vaksin
wabah waduk wajah wajar wajib wakaf wakil waktu walau walikota wanita warga waris warna warta wasit waspada
wawancara wewenang wibawa wilayah wisata wujud
yakin yatim yayasan
zakat zaman zona
`;

const ROOTS: ReadonlySet<string> = new Set(ROOT_LIST.split(/\s+/).filter(Boolean));

const PARTICLES = ['lah', 'kah', 'tah', 'pun'] as const;
const POSSESSIVES = ['nya', 'ku', 'mu'] as const;

type Derivational = 'kan' | 'an' | 'i' | '';
/** `pe` is the nasal pe-/peN- family; `per` is kept apart because only the
 *  nasal family is incompatible with -kan (pe- forms nouns, -kan verbs). */
type Family = 'di' | 'ke' | 'se' | 'be' | 'te' | 'me' | 'pe' | 'per';

interface PrefixCut {
  family: Family;
  /** Possible remainders after removing the prefix, most likely first. More
   *  than one when nasal recoding is ambiguous (menulis → tulis, but
   *  menanti → nanti). */
  rests: string[];
}

function isVowel(ch: string | undefined): boolean {
  return ch === 'a' || ch === 'e' || ch === 'i' || ch === 'o' || ch === 'u';
}

function isConsonant(ch: string | undefined): boolean {
  return ch !== undefined && ch >= 'a' && ch <= 'z' && !isVowel(ch);
}

function oneOf(ch: string | undefined, set: string): boolean {
  return ch !== undefined && ch.length === 1 && set.includes(ch);
}

/**
 * The prefix rules of the confix-stripping literature, expressed as code.
 * Returns null when the word does not start with a removable prefix.
 */
function cutPrefix(w: string): PrefixCut | null {
  const c = (i: number): string | undefined => w[i];
  const x = c(2);

  if (w.startsWith('di')) return { family: 'di', rests: [w.slice(2)] };
  if (w.startsWith('ke')) return { family: 'ke', rests: [w.slice(2)] };
  if (w.startsWith('se')) return { family: 'se', rests: [w.slice(2)] };

  if (w.startsWith('be')) {
    if (w.startsWith('belajar')) return { family: 'be', rests: [w.slice(3)] };
    if (x === 'r') {
      // ber+V is ambiguous: berakhir → akhir, but beragam → ragam.
      if (isVowel(c(3))) return { family: 'be', rests: [w.slice(3), w.slice(2)] };
      if (isConsonant(c(3)) && c(3) !== 'r') return { family: 'be', rests: [w.slice(3)] };
      return null;
    }
    // be- only surfaces before C+er+C roots (bekerja, beserta).
    if (isConsonant(x) && !oneOf(x, 'rl') && c(3) === 'e' && c(4) === 'r' && isConsonant(c(5))) {
      return { family: 'be', rests: [w.slice(2)] };
    }
    return null;
  }

  if (w.startsWith('te')) {
    if (x === 'r') {
      if (isVowel(c(3))) return { family: 'te', rests: [w.slice(3), w.slice(2)] };
      if (isConsonant(c(3)) && c(3) !== 'r') return { family: 'te', rests: [w.slice(3)] };
      return null;
    }
    if (isConsonant(x) && x !== 'r' && c(3) === 'e' && c(4) === 'r' && isConsonant(c(5))) {
      return { family: 'te', rests: [w.slice(2)] };
    }
    return null;
  }

  if (w.startsWith('me')) {
    if (oneOf(x, 'lrwy') && isVowel(c(3))) return { family: 'me', rests: [w.slice(2)] };
    if (x === 'm') {
      const y = c(3);
      if (oneOf(y, 'bfv')) return { family: 'me', rests: [w.slice(3)] };
      // mempe- (mempelajari) and memp+other (mempunyai, memproduksi) keep the p.
      if (y === 'p') return { family: 'me', rests: [w.slice(3)] };
      // mem+V hides a lost p (memukul → pukul) or keeps an m (memakan → makan).
      if (isVowel(y) || (y === 'r' && isVowel(c(4)))) {
        return { family: 'me', rests: ['p' + w.slice(3), w.slice(2)] };
      }
      return null;
    }
    if (x === 'n') return cutNasalN(w, 'me');
    return null;
  }

  if (w.startsWith('pe')) {
    if (oneOf(x, 'wy') && isVowel(c(3))) return { family: 'pe', rests: [w.slice(2)] };
    if (x === 'r') {
      if (isVowel(c(3))) return { family: 'per', rests: [w.slice(3), w.slice(2)] };
      if (isConsonant(c(3)) && c(3) !== 'r') return { family: 'per', rests: [w.slice(3)] };
      return null;
    }
    if (x === 'm') {
      const y = c(3);
      if (oneOf(y, 'bfv')) return { family: 'pe', rests: [w.slice(3)] };
      if (isVowel(y) || (y === 'r' && isVowel(c(4)))) {
        return { family: 'pe', rests: ['p' + w.slice(3), w.slice(2)] };
      }
      return null;
    }
    if (x === 'n') return cutNasalN(w, 'pe');
    if (x === 'l') {
      if (w.startsWith('pelajar')) return { family: 'pe', rests: [w.slice(3)] };
      if (isVowel(c(3))) return { family: 'pe', rests: [w.slice(2)] };
      return null;
    }
    // pe+C for consonants that do not take a nasal (petani, pekerja, peserta).
    if (isConsonant(x) && !oneOf(x, 'rwylmn')) return { family: 'pe', rests: [w.slice(2)] };
    return null;
  }

  return null;
}

/** men-/meng-/meny- and pen-/peng-/peny-, which share their recoding rules. */
function cutNasalN(w: string, family: 'me' | 'pe'): PrefixCut | null {
  const c = (i: number): string | undefined => w[i];
  const y = c(3);
  if (y === 'g') {
    const z = c(4);
    // menge-/penge- marks one-syllable roots (mengebom), but far more often
    // meng+k-root (mengeluarkan → keluar, mengenal → kenal), so try k first.
    if (z === 'e' && isConsonant(c(5))) {
      return { family, rests: ['k' + w.slice(4), w.slice(4), w.slice(5)] };
    }
    if (oneOf(z, 'ghqk')) return { family, rests: [w.slice(4)] };
    // meng+V: vowel-initial root (mengambil) or lost k (mengirim).
    if (isVowel(z)) return { family, rests: [w.slice(4), 'k' + w.slice(4)] };
    return null;
  }
  if (y === 'y' && isVowel(c(4))) {
    // meny+V: lost s (menyerang → serang) or an ny- root (menyanyi → nyanyi).
    return { family, rests: ['s' + w.slice(4), w.slice(2)] };
  }
  if (oneOf(y, family === 'me' ? 'cdjsz' : 'cdjz')) return { family, rests: [w.slice(3)] };
  // men+V: lost t (menembak → tembak) or an n- root (menanti → nanti).
  if (isVowel(y)) return { family, rests: ['t' + w.slice(3), w.slice(2)] };
  return null;
}

/** Prefix/suffix pairs that never form a confix in Indonesian. */
function isDisallowedPair(family: Family, suffix: Derivational): boolean {
  switch (suffix) {
    case 'i':
      return family === 'be' || family === 'ke' || family === 'se';
    case 'kan':
      return family === 'ke' || family === 'se' || family === 'pe';
    case 'an':
      return family === 'di' || family === 'me' || family === 'te';
    default:
      return false;
  }
}

function stripEnding(w: string, endings: readonly string[]): string | null {
  for (const e of endings) {
    if (w.length - e.length >= MIN_STEM && w.endsWith(e)) return w.slice(0, -e.length);
  }
  return null;
}

interface Stage {
  base: string;
  suffix: Derivational;
}

/** Derivational-suffix candidates of a word, most stripped first. Both -kan
 *  and -an are offered for words ending in "kan" because the k may belong
 *  to the root (tembakan = tembak + an). */
function derivationalStages(word: string): Stage[] {
  const stages: Stage[] = [];
  if (word.length - 3 >= MIN_STEM && word.endsWith('kan')) stages.push({ base: word.slice(0, -3), suffix: 'kan' });
  if (word.length - 2 >= MIN_STEM && word.endsWith('an')) stages.push({ base: word.slice(0, -2), suffix: 'an' });
  else if (word.length - 1 >= MIN_STEM && word.endsWith('i')) stages.push({ base: word.slice(0, -1), suffix: 'i' });
  stages.push({ base: word, suffix: '' });
  return stages;
}

/**
 * The word with its inflectional endings (particle, then possessive)
 * progressively removed, least stripped first. Many frequent roots end in
 * what looks like a particle or possessive (masalah, langkah, perintah,
 * tanya, temu), so the unstripped reading is preferred whenever it leads to
 * a known root: "bermasalah" is ber+masalah, not ber+masa+lah.
 */
function inflectionalBases(word: string): string[] {
  const bases = [word];
  const noPossessive = stripEnding(word, POSSESSIVES);
  if (noPossessive) bases.push(noPossessive);
  const noParticle = stripEnding(word, PARTICLES);
  if (noParticle) {
    bases.push(noParticle);
    const neither = stripEnding(noParticle, POSSESSIVES);
    if (neither) bases.push(neither);
  }
  return bases;
}

/** Depth-first prefix removal that succeeds only on a known root. All
 *  alternatives of one level are checked before going deeper, so a direct
 *  hit (memakan → makan) beats a deeper accidental one. */
function findRoot(word: string, suffix: Derivational, depth: number, prev: Family | null): string | null {
  if (depth >= MAX_PREFIXES) return null;
  const cut = cutPrefix(word);
  if (!cut || cut.family === prev) return null;
  if (depth === 0 && isDisallowedPair(cut.family, suffix)) return null;
  const rests = cut.rests.filter((r) => r.length >= MIN_STEM);
  for (const r of rests) if (ROOTS.has(r)) return r;
  for (const r of rests) {
    const found = findRoot(r, suffix, depth + 1, cut.family);
    if (found) return found;
  }
  return null;
}

function syllables(w: string): number {
  let n = 0;
  let inVowel = false;
  for (const ch of w) {
    const v = isVowel(ch);
    if (v && !inVowel) n++;
    inVowel = v;
  }
  return n;
}

// Consonant clusters that can start an Indonesian (or loan) root.
const ONSET_CLUSTERS = new Set([
  'ny', 'ng', 'kh', 'sy', 'pr', 'tr', 'kr', 'gr', 'br', 'dr', 'fr', 'pl', 'bl', 'kl', 'gl', 'fl', 'sl',
  'sp', 'st', 'sk', 'sw', 'sm', 'sn', 'ps', 'ts', 'dw', 'tw',
]);

/** Whether an unverified remainder still looks like a root. Indonesian
 *  roots are almost always two syllables or more, which is what stops
 *  "bali" → "bal" or "medan" → "med". */
function isPlausibleStem(s: string): boolean {
  if (s.length < MIN_STEM || syllables(s) < 2) return false;
  if (isVowel(s[0]) || isVowel(s[1])) return true;
  return ONSET_CLUSTERS.has(s.slice(0, 2));
}

/**
 * Guess for words whose root is not in ROOT_LIST. Deliberately more timid
 * than the dictionary path:
 *  - -i and -kan are only removed together with a compatible prefix
 *    (bare "-i" words are mostly names and loans: bali, kediri, teori);
 *  - se- is never removed and ke- only as the ke-…-an confix, because names
 *    start with those far more often than unknown derivations do;
 *  - the first recoding alternative that leaves a plausible stem wins.
 */
function guessStem(word: string): string {
  let cur = word;
  for (const endings of [PARTICLES, POSSESSIVES]) {
    const cut = stripEnding(cur, endings);
    if (cut && isPlausibleStem(cut)) cur = cut;
  }

  const options: Derivational[] = [];
  if (cur.endsWith('kan')) options.push('kan');
  if (cur.endsWith('an')) options.push('an');
  else if (cur.endsWith('i')) options.push('i');
  options.push('');

  for (const suffix of options) {
    const base = suffix ? cur.slice(0, -suffix.length) : cur;
    if (base.length < MIN_STEM) continue;
    // -si is nearly always a loanword ending (evakuasi, invasi, produksi),
    // and -wan a suffix of its own (wartawan) or a personal name (Setiawan).
    if (suffix === 'i' && base.endsWith('s')) continue;
    if (suffix === 'an' && base.endsWith('w')) continue;
    const first = cutPrefix(base);
    // A prefix that cannot combine with this suffix means the ending is
    // part of the root (memakan is not me-…-an).
    if (suffix && first && isDisallowedPair(first.family, suffix)) continue;

    let stem = base;
    let stripped = 0;
    let prev: Family | null = null;
    while (stripped < MAX_PREFIXES) {
      const cut = cutPrefix(stem);
      if (!cut || cut.family === prev || cut.family === 'se') break;
      if (cut.family === 'ke' && (stripped > 0 || suffix !== 'an')) break;
      const next = cut.rests.find(isPlausibleStem);
      if (!next) break;
      stem = next;
      prev = cut.family;
      stripped++;
    }

    if ((suffix === 'i' || suffix === 'kan') && stripped === 0) continue;
    if (suffix && !isPlausibleStem(stem)) continue;
    return stem;
  }
  return cur;
}

function stemUncached(word: string): string {
  if (ROOTS.has(word)) return word;
  const bases = inflectionalBases(word);
  // Suffix-only hits first (bantuan → bantu, berikan → beri).
  for (const base of bases) {
    for (const s of derivationalStages(base).reverse()) if (ROOTS.has(s.base)) return s.base;
  }
  // Then prefixes. Within one reading the most stripped stage goes first;
  // falling back to a less stripped one restores a suffix, which is the
  // backtracking step of the algorithm (dimulai fails as di+mula+i but
  // succeeds as di+mulai).
  for (const base of bases) {
    for (const s of derivationalStages(base)) {
      const found = findRoot(s.base, s.suffix, 0, null);
      if (found) return found;
    }
  }
  return guessStem(word);
}

// Bounded because the indexer pushes every token of ~100k articles through
// here. Least recently used out, so frequent words stay: a Map evicting its
// oldest key was a FIFO whose `keys().next()` walked every deleted entry still
// in the table, which made each eviction cost as much as stemming dozens of words.
const cache = new LRUCache<string, string>({ max: 50_000 });

/**
 * Stem one Indonesian word. Expects a folded (lowercase, diacritic-free)
 * token as produced by `foldText`; anything that is not purely a–z (digits,
 * other scripts) is returned lowercased but otherwise unchanged.
 */
export function stemWord(word: string): string {
  // Indexing stems every token of every article; nearly all are repeats, so ask the cache first.
  const hit = cache.get(word);
  if (hit !== undefined) return hit;
  const w = word.toLowerCase();
  const stem = w.length <= MIN_STEM || !/^[a-z]+$/.test(w) ? w : stemUncached(w);
  cache.set(word, stem);
  return stem;
}

/** Lowercase and strip diacritics (NFKD + drop combining marks), so that
 *  "Pérsénjataan" and full-width or ligature forms index like plain ASCII. */
export function foldText(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

const TOKEN_RE = /[\p{L}\p{N}]+/gu;
const HYPHENS = new Set(['-', '\u2010', '\u2011']);

/**
 * Whether `token` is the reduplicated tail of `prevToken` ("mukul" after
 * "memukul-") and should reuse its stem. The bare tail cannot be stemmed on
 * its own: the p that memukul lost is only recoverable from the prefixed
 * form. Both tokens must be folded; `separator` is the text between them.
 * Exported so the snippet builder highlights exactly what was indexed.
 */
export function inheritsStem(prevToken: string, separator: string, token: string): boolean {
  return (
    separator.length === 1 &&
    HYPHENS.has(separator) &&
    token.length >= MIN_STEM &&
    prevToken.length > token.length &&
    prevToken.endsWith(token)
  );
}

/**
 * Fold, tokenize and stem a text; the result (stems joined by single
 * spaces) is what goes into the FTS5 columns, and what query phrases are
 * built from.
 *
 * Hyphenated words are split into their parts, each stemmed; for partial
 * reduplication (memukul-mukul) the tail inherits the stem of the full
 * form, see `inheritsStem`.
 */
export function stemText(text: string): string {
  const folded = foldText(text);
  const out: string[] = [];
  let prevToken = '';
  let prevStem = '';
  let prevEnd = 0;
  for (const m of folded.matchAll(TOKEN_RE)) {
    const token = m[0];
    const start = m.index ?? 0;
    const stem = inheritsStem(prevToken, folded.slice(prevEnd, start), token) ? prevStem : stemWord(token);
    out.push(stem);
    prevToken = token;
    prevStem = stem;
    prevEnd = start + token.length;
  }
  return out.join(' ');
}
