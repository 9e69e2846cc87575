"""What a site's search box expects, on every engine alike: filters, facets, newest first,
typo tolerance and suggestions (issue #13).

Each test runs on the embedded engine and on the Elasticsearch and OpenSearch nodes, over the
same news site (tests/site_corpus.py: real text, tags, dates, declared fields).  Expectations
come from the documents themselves, computed here in Python, never from an engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from searcher import dictionary, filters, recovery, suggest, typos
from searcher.engines import Engine, open_engine
from searcher.filters import FilterError
from searcher.limits import MAX_FACET_VALUES, MAX_KEYWORD_CHARS
from searcher.models import Document, SearchResponse
from searcher.query import parse
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES, loaded_engines
from tests.site_corpus import (
    ANALYSIS,
    DECLARED,
    DESK,
    ECONOMY,
    MOSCOW,
    NEWS,
    POLITICS,
    QURAN,
    RUSSIA,
    UKRAINE,
    USA,
    site_documents,
    when,
)

ENGINES = ["embedded", *(pytest.param(name, marks=pytest.mark.engines) for name in SERVER_ENGINES)]
DOCS = site_documents()
BY_ID = {doc.id: doc for doc in DOCS}


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """(engine, index) holding the news site, per engine name; `category` and `author`
    declared filterable when the index was created."""

    def load(engine: Engine, index: str) -> None:
        engine.create_index(index)
        assert all(item.ok for item in engine.bulk(index, DOCS))
        engine.refresh(index)

    yield from loaded_engines(request, tmp_path_factory, load, filterable=DECLARED)


def search(site, name: str, query: str = "", **options) -> SearchResponse:
    """Every result at once (the site is small) unless a page is asked for."""
    engine, index = site(name)
    wanted = filters.build(**options.pop("filters", {}))
    options.setdefault("size", 50)
    return engine.search(index, parse(query, engine.analyzer, wanted), **options)


def ids(response: SearchResponse) -> set[str]:
    return {hit.id for hit in response.hits}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # one tag
        ({"tags": [UKRAINE]}, lambda d: UKRAINE in d.tags),
        # several tags: any of them, or all of them
        ({"tags": [ECONOMY, USA]}, lambda d: ECONOMY in d.tags or USA in d.tags),
        (
            {"tags": [POLITICS, UKRAINE], "tags_match": "all"},
            lambda d: {POLITICS, UKRAINE} <= set(d.tags),
        ),
        # a tag given as field=value is the same filter
        ({"filters": [f"tags={RUSSIA}"]}, lambda d: RUSSIA in d.tags),
        # a declared field; two values of it: either; two fields: both
        ({"filters": [f"category={ANALYSIS}"]}, lambda d: d.model_extra["category"] == ANALYSIS),
        (
            {"filters": [f"category={ANALYSIS}", f"category={NEWS}", f"author={MOSCOW}"]},
            lambda d: d.model_extra.get("author") == MOSCOW,
        ),
        # dates, both ends inclusive: a bare `until` date runs to its last millisecond
        (
            {"since": "2025-12-02", "until": "2025-12-02"},
            lambda d: when(d) is not None and utc("2025-12-02") <= when(d) < utc("2025-12-03"),
        ),
        (
            {"since": "2025-12-03T08:00:00Z"},
            lambda d: when(d) is not None and when(d) >= utc("2025-12-03T08:00:00"),
        ),
        # until with no since: undated documents are not "before" anything
        ({"until": "2025-11-30"}, lambda d: when(d) is not None and when(d) < utc("2025-12-01")),
        # a time with a zone: 21:15 in Moscow is 18:15 UTC
        (
            {"since": "2025-12-02T18:15:00Z", "until": "2025-12-02T18:15:00Z"},
            lambda d: d.id == "n02",
        ),
        # everything together
        (
            {"tags": [POLITICS], "since": "2025-12-01", "filters": [f"author={DESK}"]},
            lambda d: (
                POLITICS in d.tags
                and when(d) is not None
                and when(d) >= utc("2025-12-01")
                and d.model_extra.get("author") == DESK
            ),
        ),
    ],
)
def test_filters_let_through_exactly_the_documents_they_name(site, name, given, expected) -> None:
    wanted = {doc.id for doc in DOCS if expected(doc)}
    assert wanted, "a filter that matches nothing proves nothing"
    # No words: every document the filters let through (a site's tag page).
    listed = search(site, name, filters=given)
    assert ids(listed) == wanted and listed.total == len(wanted)
    # With words: the query's own results, narrowed by the filters, ranked as without them.
    for query in ("بوتين", "الكرملين OR موسكو", "ٱلرَّحۡمَٰنِ"):
        plain = search(site, name, query)
        narrowed = search(site, name, query, filters=given)
        assert ids(narrowed) == ids(plain) & wanted
        scores = {hit.id: hit.score for hit in plain.hits}
        assert all(hit.score == scores[hit.id] for hit in narrowed.hits)  # filters never score


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize(
    "field",
    [
        "internal_note=ملاحظة داخلية سرية",  # a field the site did not declare
        "body=بوتين",  # the document's own text
        "url=https://example.org",
        "id=n01",
        "title=الكرملين",
    ],
)
def test_a_filter_on_a_field_the_index_does_not_declare_is_refused(site, name, field) -> None:
    engine, index = site(name)
    wanted = filters.build(filters=[field])
    with pytest.raises(FilterError, match=r"not filterable here.*declared author, category"):
        engine.search(index, parse("بوتين", engine.analyzer, wanted))


@pytest.mark.parametrize("name", ENGINES)
def test_what_the_index_declares_is_read_from_the_index(site, name) -> None:
    # A later process, whatever its own SEARCHER_FILTERABLE says, reads it from the index.
    engine, index = site(name)
    if name == "embedded":
        later = open_engine(Settings(engine=name, data_dir=engine.data_dir))  # type: ignore[attr-defined]
    else:
        later = open_engine(Settings(engine=name, url=engine.settings.url))  # type: ignore[attr-defined]
    try:
        assert later.declared_fields(index) == DECLARED
        narrowed = later.search(
            index, parse("", later.analyzer, filters.build(filters=[f"author={MOSCOW}"]))
        )
        assert narrowed.total == sum(d.model_extra.get("author") == MOSCOW for d in DOCS)
    finally:
        later.close()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"filters": ["category"]}, "a filter is field=value"),
        ({"filters": ["=x"]}, "a filter is field=value"),
        ({"tags": [""]}, "cannot be empty"),
        ({"tags": ["س" * (MAX_KEYWORD_CHARS + 1)]}, f"at most {MAX_KEYWORD_CHARS} characters"),
        ({"tags": [str(n) for n in range(21)]}, "at most 20 filter values"),
        ({"since": "yesterday"}, "since is a date"),
        ({"until": "2025-02-30"}, "until is a date"),
        ({"since": "2025-12-05", "until": "2025-12-01"}, "nothing can match"),
        ({"filters": ["published_at=2025-12-01"]}, "filtered with since and until"),
    ],
)
def test_malformed_filters_are_one_clear_line(given, message) -> None:
    with pytest.raises(FilterError, match=message):
        filters.build(**given)


@pytest.mark.parametrize("name", ENGINES)
def test_a_declared_field_holding_an_object_is_refused_like_a_keyword(site, name) -> None:
    engine, index = site(name)
    odd = Document(id="odd", body="نص", category={"اسم": "أخبار"})
    good = Document(id="good", body="نص", category=["أخبار", "تحليل"], author=7)
    items = engine.bulk(index, [odd, good])
    assert [item.ok for item in items] == [False, True]
    engine.refresh(index)
    try:
        found = search(site, name, filters={"filters": ["category=تحليل", "author=7"]})
        assert ids(found) == {"good"}  # lists and numbers are keywords as Elasticsearch reads them
    finally:
        engine.delete_document(index, "good")
        engine.refresh(index)


# -- facets --------------------------------------------------------------------------------------


def counted(docs: list[Document], field: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for doc in docs:
        values = doc.tags if field == "tags" else [doc.model_extra.get(field)]
        counts.update(v for v in values if v is not None)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return dict(ranked[:MAX_FACET_VALUES])


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize(
    ("query", "given"),
    [
        ("", {"since": "1970-01-01"}),  # every dated document
        ("بوتين", {}),
        ("ترامب OR الكرملين", {"tags": [POLITICS]}),
        ("", {"tags": [RUSSIA], "filters": [f"category={NEWS}"]}),
        ("الله", {}),
    ],
)
def test_facets_count_what_the_query_and_filters_match(site, name, query, given) -> None:
    response = search(site, name, query, filters=given, facets=("tags", "category", "author"))
    matched = [BY_ID[i] for i in ids(response)]
    assert matched, "facets of nothing prove nothing"
    for field in ("tags", "category", "author"):
        assert response.facets[field] == counted(matched, field)
        assert list(response.facets[field]) == list(counted(matched, field))  # same order


@pytest.mark.engines
@pytest.mark.parametrize("server", SERVER_ENGINES)
def test_facets_are_the_same_on_every_engine(site, server) -> None:
    for query, given in [
        ("", {"tags": [UKRAINE]}),
        ("المحادثات", {}),
        ("موسكو", {"since": "2025-12-02"}),
    ]:
        embedded = search(site, "embedded", query, filters=given, facets=("tags", "author"))
        cluster = search(site, server, query, filters=given, facets=("tags", "author"))
        assert embedded.facets == cluster.facets
        assert [list(f) for f in embedded.facets.values()] == [
            list(f) for f in cluster.facets.values()
        ]


@pytest.mark.parametrize("name", ENGINES)
def test_facets_keep_only_the_most_frequent_values(site, name) -> None:
    engine, index = site(name)
    words = sorted(set(" ".join(d.body for d in DOCS[:14]).split()))[: MAX_FACET_VALUES + 5]
    many = [
        Document(id=f"many-{i}", body="قائمة الوسوم", tags=words[: i + 1])
        for i in range(len(words))
    ]
    engine.bulk(index, many)
    engine.refresh(index)
    try:
        response = search(site, name, "الوسوم", facets=("tags",))
        assert response.facets["tags"] == counted(many, "tags")
        assert len(response.facets["tags"]) == MAX_FACET_VALUES
    finally:
        for doc in many:
            engine.delete_document(index, doc.id)
        engine.refresh(index)


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize("facet", ["internal_note", "body", "url", "published_at"])
def test_a_facet_on_a_field_the_index_does_not_declare_is_refused(site, name, facet) -> None:
    with pytest.raises(FilterError, match="no facet"):
        search(site, name, "بوتين", facets=(facet,))


# -- newest first --------------------------------------------------------------------------------


def date_key(hit_id: str) -> float:
    moment = when(BY_ID[hit_id])
    return float("-inf") if moment is None else moment.timestamp()


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize("query", ["", "بوتين", "ترامب OR بوتين OR الله", "الرئيس"])
def test_newest_first_ties_by_relevance_then_id(site, name, query) -> None:
    given = {} if query else {"tags": [POLITICS, RUSSIA, UKRAINE, QURAN]}  # no words: list them
    response = search(site, name, query, filters=given, sort="date")
    by_relevance = search(site, name, query, filters=given)
    assert ids(response) == ids(by_relevance) and response.total == by_relevance.total
    keys = [(-date_key(h.id), -h.score, h.id) for h in response.hits]
    assert keys == sorted(keys)
    assert response.hits[-1].id.startswith("quran") or query  # undated last


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize("sort", ["date", "relevance"])
@pytest.mark.parametrize("size", [1, 3, 7])
def test_walking_every_page_gives_each_result_once(site, name, sort, size) -> None:
    for query, given in [("", {"since": "1970-01-01"}), ("بوتين OR ترامب OR الله OR الكرملين", {})]:
        whole = search(site, name, query, filters=given, sort=sort)
        walked = []
        page = 1
        while True:
            part = search(site, name, query, filters=given, sort=sort, page=page, size=size)
            assert part.total == whole.total
            if not part.hits:
                break
            walked += [hit.id for hit in part.hits]
            page += 1
        assert walked == [hit.id for hit in whole.hits]  # no duplicates, no gaps, same order
        assert len(set(walked)) == whole.total


@pytest.mark.engines
@pytest.mark.parametrize("server", SERVER_ENGINES)
def test_engines_list_newest_first_alike(site, server) -> None:
    # No words: every score is 0, so the order is date, then id, on every engine.
    given = {"tags": [POLITICS, RUSSIA, UKRAINE, USA, ECONOMY, QURAN]}
    embedded = search(site, "embedded", filters=given, sort="date")
    cluster = search(site, server, filters=given, sort="date")
    assert [h.id for h in embedded.hits] == [h.id for h in cluster.hits]


# -- typos and did you mean ----------------------------------------------------------------------


def recover(site, name: str, query: str) -> SearchResponse:
    engine, index = site(name)
    return recovery.search(engine, index, parse(query, engine.analyzer), size=50)


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("بعظ", "بعض"),  # ض/ظ, a three-letter word: confusions apply to short words too
        ("الزي", "الذي"),  # ذ/ز
        ("حيس", "حيث"),  # ث/س
        ("منتسف", "منتصف"),  # ص/س
        ("كبل", "قبل"),  # ق/ك
        ("موسقو", "موسكو"),  # ك typed ق
        ("مسوول", "مسؤول"),  # the hamza's seat written as a plain waw
        ("مسول", "مسؤول"),  # the hamza left out
        ("الرايس", "الرئيس"),  # the hamza on an alef instead of its ya seat
        ("المفاوظات", "المفاوضات"),  # a confusion in a long word
        ("بوتبن", "بوتين"),  # one letter replaced, in a word of five letters
        ("الكررملين", "الكرملين"),  # one letter added
        ("الكرلمين", "الكرملين"),  # two letters swapped
    ],
)
def test_a_typo_finds_what_the_reader_meant(site, name, typed, meant) -> None:
    response = recover(site, name, typed)
    intended = recover(site, name, meant)
    assert intended.total and not intended.corrected and intended.did_you_mean is None
    assert response.corrected and response.did_you_mean == meant
    assert ids(response) == ids(intended)


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize(
    "typed",
    [
        "بوتن",  # four letters, one left out: too short for a general edit
        "زخرفش",  # no word of the site is a typo away
    ],
)
def test_what_is_not_a_known_typo_is_left_alone(site, name, typed) -> None:
    response = recover(site, name, typed)
    assert response.total == 0 and not response.corrected and response.did_you_mean is None


@pytest.mark.parametrize("name", ENGINES)
def test_did_you_mean_never_replaces_what_the_query_finds(site, name) -> None:
    engine, index = site(name)
    # One article misspells the name; the others spell it right.
    engine.bulk(index, [Document(id="typo", body="قال بوتبن إن المحادثات مثمرة")])
    engine.refresh(index)
    try:
        response = recover(site, name, "بوتبن")
        assert ids(response) == {"typo"} and not response.corrected  # what the reader typed
        assert response.did_you_mean == "بوتين"  # and what many more documents say
        assert recover(site, name, "بوتين").total >= 5 * response.total
    finally:
        engine.delete_document(index, "typo")
        engine.refresh(index)


@pytest.mark.parametrize("name", ENGINES)
def test_close_spellings_rank_below_the_words_as_typed(site, name) -> None:
    # «ترامب بوتبن»: no document holds both as typed.  Every result holds ترامب as typed; those
    # holding بوتين too are found through its close spelling, at a lower weight.
    response = recover(site, name, "ترامب بوتبن")
    assert response.corrected and response.did_you_mean == "ترامب بوتين"
    exact = recover(site, name, "ترامب بوتين")
    assert ids(response) == ids(exact)
    assert all(a.score < b.score for a, b in zip(response.hits, exact.hits, strict=True))


def test_typo_candidates() -> None:
    # (typed, what the generator must offer), by kind of typo.
    assert "بعض" in typos.confusions("بعظ")  # ض/ظ
    assert {"الذي", "الظي"} <= typos.confusions("الزي")  # ذ/ز/ظ
    assert "مسءول" in typos.confusions("مسول")  # a hamza left out (normalised: ء)
    assert "الرءيس" in typos.confusions("الرايس")  # ا for the hamza's seat
    assert "بوتين" in typos.edits("بوتبن")
    assert "الكرملين" in typos.edits("الكرلمين")  # a swap is one edit
    assert "بوتين" not in typos.confusions("بوتبن")  # ب/ي is no confusion
    assert "بوتين" not in typos.confusions("بوتن")  # nor is a ya added
    assert "باتن" not in typos.confusions("بوتن")  # nor و/ا: they are no hamza


# -- suggestions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("الرح", "الرحمن"),  # Uthmani ٱلرَّحۡمَٰنِ, as a reader writes it
        ("الص", "الصراط"),  # ٱلصِّرَٰطَ
        ("مسؤ", "مسؤول"),  # the hamza's seat kept, not the index's «مسءول»
        ("مسئ", "مسؤول"),  # typed with the other seat
        ("ذل", "ذلك"),  # Uthmani ذَٰلِكَ in standard spelling
        ("الصل", "الصلاة"),  # ٱلصَّلَوٰةَ: Uthmani وٰ is the standard ا
        ("يؤ", "يؤمنون"),  # يُؤۡمِنُونَ: the hamza on its seat
        ("كرم", "الكرملين"),  # after the article
        ("بوت", "بوتين"),
    ],
)
def test_suggestions_read_as_readers_write(site, name, typed, shown) -> None:
    engine, index = site(name)
    found = suggest.suggest(engine, index, engine.analyzer, typed)
    assert shown in found
    marks = set("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0671\u06e1\u0640")
    assert not any(marks & set(word) for word in found)


@pytest.mark.parametrize("name", ENGINES)
def test_suggestions_rank_by_how_many_documents_hold_the_word(site, name) -> None:
    engine, index = site(name)
    words = dictionary.of(engine, index)
    for typed in ("ال", "بو", "الم", "و"):
        found = (
            words.complete(engine.analyzer.terms(typed, stemmed=False)[0], 8)
            if len(typed) > 1
            else []
        )
        counts = [w.documents for w in found]
        assert counts == sorted(counts, reverse=True)
        for word in found:  # a word's count is the documents holding it, as the text says
            holding = sum(
                word.term in engine.analyzer.terms(d.title + " " + d.body, stemmed=False)
                for d in DOCS
            )
            assert word.documents == holding, word


@pytest.mark.engines
@pytest.mark.parametrize("server", SERVER_ENGINES)
def test_every_engine_builds_the_same_dictionary(site, server) -> None:
    embedded, cluster = site("embedded"), site(server)
    assert dictionary.of(*embedded).words == dictionary.of(*cluster).words
    for typed in ("الر", "مس", "بو", "الم", "وال"):
        assert suggest.suggest(*embedded, embedded[0].analyzer, typed) == suggest.suggest(
            *cluster, cluster[0].analyzer, typed
        )


@pytest.mark.parametrize("name", ENGINES)
def test_a_new_word_is_suggested_once_written(site, name) -> None:
    engine, index = site(name)
    assert suggest.suggest(engine, index, engine.analyzer, "زيلينس") == ["زيلينسكي"]
    engine.bulk(index, [Document(id="new", body="زيلينسكايا تزور كييف")])
    engine.refresh(index)
    try:
        assert "زيلينسكايا" in suggest.suggest(engine, index, engine.analyzer, "زيلينس")
    finally:
        engine.delete_document(index, "new")
        engine.refresh(index)
    assert suggest.suggest(engine, index, engine.analyzer, "زيلينس") == ["زيلينسكي"]


def test_a_bare_until_date_runs_to_its_last_millisecond() -> None:
    until = filters.build(until="2025-11-30").until
    assert until == filters.epoch_millis(utc("2025-12-01") - timedelta(milliseconds=1))
