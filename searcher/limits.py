"""Every bound on input and work, in one place.

`searcher serve` is reachable by anyone, and a dump can hold anything: each number here caps what
one request, one record or one document can cost.  The API's OpenAPI schema, the CLI's option
checks, the engines' request bodies and the README's limits table all read these names; none of
them spells a number out again.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- queries (API and CLI) --------------------------------------------------------------------
MAX_QUERY_CHARS = 200  # what the API accepts; longer is a 422
PARSE_MAX_QUERY_CHARS = 1000  # what the parser reads of any string (library callers); rest is cut
MAX_PAGE_SIZE = 50
MAX_PAGE = 20  # with MAX_PAGE_SIZE: at most 1,000 results deep; deep paging is a scraper's game
CLI_MAX_PAGE_SIZE = 100
CLI_MAX_PAGE = 10_000  # the CLI is the operator's own tool, but an absurd offset still aborts

# Zero-result recovery (recovery.py) tries leaving out each word in turn: one count per word,
# so only for queries of at most this many words; longer ones go straight to "any word".
RELAX_MAX_WORDS = 6
# A vocalised query (vocalised.py) re-orders this many top results by agreement with its marks.
RERANK_WINDOW = 50

# -- filters and facets (filters.py, facets.py) -------------------------------------------------
MAX_FILTER_VALUES = 20  # values of `tag` and `filter` together in one request
# A tag or a declared field's value: longer ones are not indexed (Elasticsearch's `ignore_above`,
# which the template sets to this; the embedded engine skips them alike), so a longer filter
# value could never match and is refused.
MAX_KEYWORD_CHARS = 256
MAX_FILTERABLE_FIELDS = 16  # keyword fields a deployment may declare (SEARCHER_FILTERABLE)
MAX_FACET_FIELDS = 8  # fields one request may ask counts for
MAX_FACET_VALUES = 20  # values per facet in a response: the most frequent
# Values each engine counts per facet before the top MAX_FACET_VALUES are picked in Python (by
# count, then value): the engines break ties their own way, so they are asked for more.
FACET_CANDIDATES = 200
# How long a server process trusts what an Elasticsearch/OpenSearch index declares filterable
# (read from its mapping) before reading it again: a reindex may have changed it.
DECLARED_CACHE_SECONDS = 30

# -- typos and suggestions (typos.py, suggest.py, dictionary.py) --------------------------------
TYPO_MIN_EDIT_LETTERS = 5  # a word this long tolerates one edit; shorter: only the confusions
TYPO_MAX_WORDS = 6  # longer queries are not corrected (each word costs a dictionary walk)
TYPO_ALTERNATIVES = 3  # close spellings tried per word
# "Did you mean" is offered when the query finds at most this many documents...
DID_YOU_MEAN_AT_MOST = 2
# ...and the close spelling finds at least this many times more (and at least one more).
DID_YOU_MEAN_RATIO = 5
SUGGEST_MIN_PREFIX = 2  # letters typed before suggestions start: one letter matches everything
SUGGEST_MAX_SIZE = 20  # `size` of /suggest
# Words each process keeps in its suggestion dictionary (the most frequent; the rest are words
# no reader types, or typos): bounds its memory whatever the index holds.
DICTIONARY_MAX_WORDS = 300_000
# How old a cluster index's dictionary may get before it is read again (the embedded engine
# sees every commit at once).
DICTIONARY_MAX_AGE_SECONDS = 60

# -- snippets ---------------------------------------------------------------------------------
# Only the first this-many characters of a field are analysed for a snippet, as Elasticsearch's
# `index.highlight.max_analyzed_offset` does: one huge document must not stall every search that
# matches it.  Every engine uses the same bound, so they mark the same spans.
HIGHLIGHT_MAX_ANALYZED_CHARS = 100_000
SNIPPET_CHARS = 220

# -- searches against a server engine ---------------------------------------------------------
MAX_SEARCH_TIMEOUT_SECONDS = 60  # SEARCHER_SEARCH_TIMEOUT's ceiling; the default is 5
HEALTH_TIMEOUT_SECONDS = 1  # /health answers within about this, whatever the engine does

# -- records (dumps and the API) ----------------------------------------------------------------
# Deeper nesting than this in a record's extra fields is refused: the JSON encoders give up near
# 254 levels, and no real document needs more than a few.
MAX_RECORD_DEPTH = 32
# Words longer than this are not cached by the analyzer (no Arabic word comes close; a 1 MB
# "token" must not stay in memory), and the cache is cleared once it holds this many characters.
ANALYZER_CACHE_MAX_WORD_CHARS = 64
ANALYZER_CACHE_MAX_CHARS = 2_000_000

# -- writes (POST/DELETE /documents) ----------------------------------------------------------
MAX_DOCUMENTS_PER_POST = 500
# A request body is streamed and counted; past this many bytes it is a 413 and nothing is kept.
# The default; SEARCHER_MAX_BODY_BYTES sets another.  Checked after the key, which needs no body.
MAX_BODY_BYTES = 10 * 1024 * 1024
MIN_WRITE_KEY_CHARS = 16  # a shorter (or empty, or blank) SEARCHER_WRITE_KEY refuses to start

# -- connections (`searcher serve`, uvicorn) ----------------------------------------------------
# A connection must deliver a request's headers within this many seconds of opening (or of
# their first byte on a kept-alive connection); silent and slow-header sockets are closed.
HEADER_TIMEOUT_SECONDS = 10
KEEP_ALIVE_SECONDS = 5  # an idle kept-alive connection is closed after this
MAX_HEADER_BYTES = 16 * 1024  # request line plus headers; more is a 400
# Open connections plus requests in progress; beyond it new requests get a 503 at once.
MAX_CONNECTIONS = 256
MAX_ERROR_ECHO_CHARS = 80  # how much of a bad input a 422 message quotes back

# -- indexing (dumps, bulk requests, reindex) ------------------------------------------------
# Elasticsearch and OpenSearch refuse a longer _id (counted in UTF-8 bytes, not characters).
MAX_ID_BYTES = 512
# One bulk request carries at most this much JSON (as streaming_bulk's max_chunk_bytes); a larger
# document goes alone.  Indexing pressure on a node defaults to 10% of its heap, and several
# requests are in flight at once: 10 MB stays well inside a 1 GB node.
BULK_REQUEST_BYTES = 10 * 1024 * 1024
# Documents per bulk request unless --chunk-size says otherwise (BULK_REQUEST_BYTES still holds).
BULK_CHUNK_DOCUMENTS = 500
# A bulk request's timeout grows with its size: SEARCHER_REQUEST_TIMEOUT plus this per MiB.  A
# node analyses Arabic text at a few MB/s (one 20 MB body took 34 s on a 2-core test node), and a
# big document that outlasts a flat timeout is resent, and outlasts it again, until the run fails.
BULK_SECONDS_PER_MIB = 5
# A reindex's lease lives this long without a heartbeat (renewed every third of it while the run
# lives); after that another run may take over without --take-over.  SEARCHER_REINDEX_LEASE_SECONDS.
REINDEX_LEASE_SECONDS = 300

# -- caching ----------------------------------------------------------------------------------
CACHE_SECONDS = 60

# -- index layout (`index`, `reindex`; Elasticsearch/OpenSearch) ------------------------------
MAX_SHARDS = 1024  # Elasticsearch's own ceiling per index
MAX_REPLICAS = 32  # copies of each shard, each on another node: far beyond any real cluster


# -- the README's limits table (searcher/limits_table.py renders it; a test keeps it current) ---


@dataclass(frozen=True)
class Documented:
    name: str  # a constant above
    unit: str  # "characters", "bytes", "seconds", …; "" for a plain count
    what: str  # what it bounds
    beyond: str  # what happens past it
    setting: str = ""  # what changes it, if anything does


DOCUMENTED = (
    Documented("MAX_QUERY_CHARS", "characters", "`q` of `/search` and `/suggest`", "422"),
    Documented(
        "PARSE_MAX_QUERY_CHARS", "characters", "a query read by the parser", "the rest ignored"
    ),
    Documented("MAX_PAGE_SIZE", "", "`size` of `/search`", "422"),
    Documented("MAX_PAGE", "", "`page` of `/search`", "422"),
    Documented("CLI_MAX_PAGE_SIZE", "", "`searcher search --size`", "usage error (exit 2)"),
    Documented("CLI_MAX_PAGE", "", "`searcher search --page`", "usage error (exit 2)"),
    Documented(
        "RELAX_MAX_WORDS",
        "words",
        "a query that found nothing, relaxed one word at a time",
        "relaxed to any word at once",
    ),
    Documented(
        "RERANK_WINDOW",
        "results",
        "the top results a vocalised query re-orders",
        "later pages ranked as the engine ranks them",
    ),
    Documented(
        "MAX_FILTER_VALUES", "values", "`tag` and `filter` values of one search", "422 / exit 2"
    ),
    Documented(
        "MAX_KEYWORD_CHARS",
        "characters",
        "a tag or declared field value",
        "not indexed; as a filter, 422 / exit 2",
    ),
    Documented(
        "MAX_FILTERABLE_FIELDS",
        "fields",
        "keyword fields an index declares filterable",
        "refused",
        "`SEARCHER_FILTERABLE`",
    ),
    Documented("MAX_FACET_FIELDS", "fields", "`facets` of one search", "422 / exit 2"),
    Documented("MAX_FACET_VALUES", "values", "counts per facet", "the most frequent kept"),
    Documented(
        "FACET_CANDIDATES",
        "values",
        "values an engine counts per facet before the top ones are picked",
        "ties beyond it may differ by engine",
    ),
    Documented(
        "DECLARED_CACHE_SECONDS",
        "seconds",
        "how long `serve` trusts a cluster index's declared fields",
        "read again",
    ),
    Documented(
        "TYPO_MIN_EDIT_LETTERS",
        "letters",
        "the shortest word that tolerates any one edit",
        "only the Arabic confusions (ض/ظ, ق/ك, …)",
    ),
    Documented("TYPO_MAX_WORDS", "words", "a query corrected for typos", "not corrected"),
    Documented(
        "TYPO_ALTERNATIVES", "spellings", "close spellings tried per word", "the rarer dropped"
    ),
    Documented(
        "DID_YOU_MEAN_AT_MOST",
        "results",
        "a query that may get a `did_you_mean`",
        "none offered",
    ),
    Documented(
        "DID_YOU_MEAN_RATIO",
        "×",
        "how many more results a `did_you_mean` must find",
        "none offered",
    ),
    Documented(
        "SUGGEST_MIN_PREFIX", "letters", "`q` of `/suggest` before it suggests", "no suggestions"
    ),
    Documented("SUGGEST_MAX_SIZE", "", "`size` of `/suggest`", "422"),
    Documented(
        "DICTIONARY_MAX_WORDS",
        "words",
        "the suggestion dictionary a process keeps",
        "the rarest left out",
    ),
    Documented(
        "DICTIONARY_MAX_AGE_SECONDS",
        "seconds",
        "how stale a cluster index's suggestions may get",
        "read again",
    ),
    Documented(
        "HIGHLIGHT_MAX_ANALYZED_CHARS",
        "characters",
        "the start of a field analysed for its snippet",
        "not highlighted",
    ),
    Documented("SNIPPET_CHARS", "characters", "a snippet", "cut at a space, with …"),
    Documented(
        "MAX_SEARCH_TIMEOUT_SECONDS",
        "seconds",
        "`SEARCHER_SEARCH_TIMEOUT` (default 5, at most one retry)",
        "`serve` refuses to start",
    ),
    Documented(
        "HEALTH_TIMEOUT_SECONDS",
        "seconds",
        "waiting for the engine in `/health` (no retry)",
        "503 `engine unavailable`",
    ),
    Documented(
        "MAX_RECORD_DEPTH", "levels", "nesting in a record's fields", "rejected (422 in the API)"
    ),
    Documented(
        "ANALYZER_CACHE_MAX_WORD_CHARS", "characters", "a word the analyzer caches", "not cached"
    ),
    Documented("ANALYZER_CACHE_MAX_CHARS", "characters", "the analyzer's word cache", "cleared"),
    Documented("MAX_DOCUMENTS_PER_POST", "", "documents in one `POST /documents`", "413"),
    Documented(
        "MAX_BODY_BYTES",
        "bytes",
        "a `POST /documents` body, however it is sent",
        "413, nothing written",
        "`SEARCHER_MAX_BODY_BYTES`",
    ),
    Documented(
        "MIN_WRITE_KEY_CHARS",
        "characters",
        "the shortest `SEARCHER_WRITE_KEY`",
        "`serve` refuses to start",
    ),
    Documented(
        "HEADER_TIMEOUT_SECONDS",
        "seconds",
        "sending a request's headers",
        "connection closed",
    ),
    Documented("KEEP_ALIVE_SECONDS", "seconds", "an idle kept-alive connection", "closed"),
    Documented("MAX_HEADER_BYTES", "bytes", "a request line and headers", "400"),
    Documented(
        "MAX_CONNECTIONS",
        "",
        "connections plus requests in progress, per worker",
        "503 at once",
        "`--workers N` multiplies it",
    ),
    Documented("MAX_ERROR_ECHO_CHARS", "characters", "input quoted back in an error", "cut, …"),
    Documented("MAX_ID_BYTES", "bytes", "a document's id, in UTF-8", "rejected with the reason"),
    Documented(
        "BULK_REQUEST_BYTES",
        "bytes",
        "one bulk request to Elasticsearch/OpenSearch (and a chunk in memory)",
        "the next request; a bigger document goes alone",
    ),
    Documented(
        "BULK_CHUNK_DOCUMENTS",
        "documents",
        "one bulk request, by default",
        "the next request",
        "`--chunk-size`",
    ),
    Documented(
        "BULK_SECONDS_PER_MIB",
        "seconds",
        "added to a bulk request's timeout per MiB it carries",
        "the request is resent (counts stay exact), then the run stops",
        "`SEARCHER_REQUEST_TIMEOUT` is the base",
    ),
    Documented(
        "REINDEX_LEASE_SECONDS",
        "seconds",
        "a reindex lease without a heartbeat",
        "the next run takes it over",
        "`SEARCHER_REINDEX_LEASE_SECONDS`",
    ),
    Documented("CACHE_SECONDS", "seconds", "`Cache-Control` of `/search` and `/suggest`", "–"),
    Documented(
        "MAX_SHARDS", "", "`--shards` / `SEARCHER_SHARDS`", "usage error (exit 2) / refused"
    ),
    Documented(
        "MAX_REPLICAS", "", "`--replicas` / `SEARCHER_REPLICAS`", "usage error (exit 2) / refused"
    ),
)
