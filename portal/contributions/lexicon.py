"""The word filter's lexicon: Indonesian (with the regional and street words
of Medan, Java and Sunda), political and identity slurs, and English.

Sources. The words were gathered from two MIT-licensed Indonesian lists,
`indonesian-badwords` (Dwi Rizki Irawan, github.com/drizki/indonesian-badwords,
src/dict.json) and `id-profanity-filter` (Side ID, 2025,
github.com/SideeID/id-profanity-filter, src/constants/regions/), and from
common knowledge of Indonesian usage; the English list is the previous
built-in one. Their noisy entries were left out (e.g. "bokap" = father,
"miskin" = poor, "cd", "biji"). Which words are kept, and whether a word
needs an insulting context, was decided on one half of a labelled set of
Indonesian tweets (see bench/wordfilter.py); nothing of that data set (its
tweets, abusive lexicon or slang dictionary, licensed CC BY-NC-SA 4.0) is
copied here.

Three kinds of entries:

- ABUSIVE: insults, obscenities and slurs that are abusive whatever the
  sentence; a whole word, a variant spelling or an inflected form counts.
- CONTEXTUAL: everyday words (anjing = dog, babi = pig, setan = devil...)
  that a consultation uses literally; they count only when written to hide
  them (a n j i n g, anjiiing, 4njing), or in an insulting frame ("dasar
  ...", "... lu", "kayak ...", "...!"), and never near a word of their literal
  use (peliharaan, daging, rabies, panggang...).
- PHRASES: several words that insult together (none of them alone does).

Abbreviations (anjg, bgst) are listed as spellings of their word in
SPELLINGS; repeated letters, leetspeak, masks and spacing are undone by the
matcher in `wordlist`, not listed.
"""

from __future__ import annotations

ABUSIVE = (
    # insults of intelligence and character
    "bajingan", "bangsat", "brengsek", "keparat", "bedebah", "biadab", "bejat", "kunyuk",
    "goblok", "goblog", "goblo", "tolol", "bego", "bloon", "dungu", "dongo", "dongok",
    "idiot", "sinting", "kampret", "sialan", "laknat", "bangke", "ngehe", "sontoloyo", "jahanam",
    "geblek", "kacrut", "sarap", "edan", "gembel", "jongos", "kacung", "penjilat", "bolot", "picek",
    "congor", "mampus", "modar", "bejad", "tai", "taik", "silit", "ganyang",
    # obscenities
    "kontol", "memek", "ngentot", "entot", "ngewe", "pepek", "peler", "jembut", "itil", "titit",
    "toket", "colmek", "ngocok", "sepong", "nyepong", "pejuh", "bokep", "coli",
    # sex work and gender slurs
    "lonte", "pelacur", "perek", "jablay", "pecun", "sundal", "bencong", "banci", "maho", "homok",
    # Javanese, Sundanese, Betawi and Minang street words
    "jancok", "jancuk", "dancok", "diancok", "jiancok", "asu", "asw", "cocot", "bacot", "matamu",
    "ndasmu", "raimu", "cangkemmu", "gathel", "nggateli", "belegug", "kehed", "pantek", "kimak",
    # Medan, Malay and Batak street words
    "pukimak", "pukimai", "cibai", "bodat", "kampang", "telaso",
    # political and identity slurs of Indonesian social media
    "cebong", "kecebong", "cebongers", "kampret", "kadrun", "kapir",
)

CONTEXTUAL = (
    "anjing", "babi", "monyet", "setan", "iblis", "tahi", "bodoh", "budek", "budeg",
    "sampah", "najis", "busuk", "celeng", "kampungan", "udik", "pantat", "onta", "homo",
)

# Spellings people write instead of a word: abbreviations and regional forms (word -> its spellings).
SPELLINGS = {
    "anjing": ("anjg", "anjr", "ajg", "njing", "anying", "anjir", "anjay", "anjrit", "anjim", "ajig"),
    "bangsat": ("bgst", "bngst", "bangst", "bangsad", "bgsd", "bngsd"),
    "bajingan": ("bjngn", "bjgn", "bajingn"),
    "brengsek": ("brngsk", "brgsk", "brengsk"),
    "kontol": ("kntl", "kontl", "kontool"),
    "memek": ("mmk", "memk"),
    "goblok": ("gblk", "goblk", "gblg"),
    "tolol": ("tll", "tlol"),
    "keparat": ("kprt", "keprat"),
    "ngentot": ("ngntt", "ngentod", "ngentd", "ngtt", "kentot"),
    "jancok": ("jnck", "jncok", "jancik", "cuk", "jancuk"),
    "bego": ("bgo", "begok"),
    "bacot": ("bct", "bacod"),
    "kampret": ("kmprt", "kmpret"),
    "babi": ("bab1",),
    "tai": ("taek", "tayi"),
    "cebong": ("cebonk", "cebongs"),
    "pukimak": ("pukimae", "pukima", "pukimay"),
}

PHRASES = (
    "anak haram", "haram jadah", "haram jaddah", "otak udang", "sampah masyarakat", "cina kafir", "kafir laknat", "puki mak", "bani serbet", "bani onta", "kaum sumbu pendek",
    "otak kosong", "muka tembok", "kurang ajar", "cangkem asu", "otak micin", "otak dengkul",
    "anak kampang",
)

# Phrases in which a listed word is innocent.
INNOCENT_PHRASES = ("tai chi", "tai lalat", "haji bolot", "singo edan", "rujak banci")

ENGLISH = (
    "fuck", "fucker", "fucking", "fucked", "motherfucker", "shit", "bullshit", "bitch",
    "bastard", "asshole", "cunt", "dickhead", "whore", "slut", "retard", "nigger", "faggot",
)

# Words whose presence near a contextual word says it is meant literally.
LITERAL_CONTEXT = (
    # animals, pets and their care
    "peliharaan", "pelihara", "memelihara", "hewan", "binatang", "satwa", "ternak", "peternak", "peternakan",
    "kandang", "pakan", "rabies", "vaksin", "vaksinasi", "liar", "gonggong", "menggonggong", "jinak", "ras",
    "anakan", "lucu", "imut", "kucing", "ekor", "dokter", "klinik", "petshop", "pet", "shop", "steril", "sterilisasi",
    "penangkaran", "kebun", "hutan", "seekor", "mamalia", "primata", "kera", "spesies", "populasi", "gigitan", "digigit", "virus", "flu", "demam", "asf",
    # food (Medan's babi panggang Karo, saksang, sate)
    "daging", "panggang", "guling", "saksang", "sate", "lapo", "karo", "masakan", "makanan", "halal",
    "haram", "babat", "rumah", "lalat",
    # waste and the city's services
    "bank", "tempat", "buang", "membuang", "pembuangan", "pengelolaan", "pengolahan", "tps", "tpa", "tpst",
    "plastik", "organik", "daur", "ulang", "retribusi", "kebersihan", "angkut", "pengangkutan", "bakar",
    "menumpuk", "sungai", "selokan", "drainase", "limbah", "pilah", "memilah",
    # religion and stories
    "godaan", "bisikan", "tipu", "daya", "ayat", "surat", "quran", "alquran", "hadis", "hadits", "kitab",
    "cerita", "film", "dongeng",
)

# Words before a contextual word that make it an insult ("dasar babi", "kayak monyet").
INSULT_BEFORE = (
    "dasar", "dsr", "kayak", "kaya", "kek", "kyk", "kyak", "seperti", "spt", "macam", "mirip", "bagai",
    "bagaikan", "si", "hai", "hei", "woi", "woy", "oi", "heh", "otak", "muka", "mulut", "mukamu",
    "kalian", "lu", "lo", "loe", "elu", "elo", "lw", "kau", "engkau", "kamu", "ente", "situ",
    "kaum", "antek",
)

# Words after a contextual word that make it an insult ("anjing lu", "babi kalian").
INSULT_AFTER = (
    "lu", "lo", "loe", "elu", "elo", "lw", "kau", "engkau", "kamu", "km", "kalian", "klian", "ente",
    "situ", "luh", "kowe", "koe",
)

# Endings that inflect a word without changing its sense ("bangsatnya", "goblokin", "anjingmu").
SUFFIXES = ("nya", "mu", "lu", "lo", "ku", "lah", "kah", "in")
