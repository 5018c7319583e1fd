"""The index's words: what a typed prefix stands for, and which words are one typo away.

Both come from ``search_terms``, the plain list of every word in the index (see
:mod:`crm.persistence.dialect`), never from scanning records:

* A prefix of four or more letters becomes the list of words it starts (at most
  :data:`MAX_WORDS`); FTS5 then walks their doclists lazily and stops at the row limit,
  where a prefix query (``"erfurt"*``) would first merge every matching doclist. Shorter
  prefixes, and prefixes of very many words, are left to the FTS5 prefix indexes.
* One typo (insertion, deletion, substitution, swap of two neighbours) in a word of five
  or more letters: the words starting with the word's first or second letter are read once
  per index version and compared with ``rapidfuzz`` (optimal string alignment distance ≤ 1).
  The word is what the user has typed so far, so it is compared with the *starts* of the
  index's words one letter shorter, as long, and one letter longer: "nordhasu" → words
  starting "nordhaus", "nordhasuen" → "nordhausen". This keeps a swap of the first two
  letters and loses a wrong first letter.

On PostgreSQL with ``pg_trgm`` (migration 0008) the letter lists are not read: the server's
trigram index hands over the words that resemble the typed one (at most
:data:`MAX_TRIGRAM_WORDS`), and their starts are compared in the same way. Trigrams miss a
typo in the first three letters of a short word ("nrodh" shares one of six with "nordhausen"),
so the starts one typo away within those letters are spelled out and looked up too. Each
close start's words then come from one range lookup per start (all in one statement), and
the same rules as above pick words or prefixes: the results are those of the letter lists.
"""

from __future__ import annotations

import bisect
import threading

from sqlalchemy import Connection

from crm.persistence import dialect
from crm.search.query import Term

INDEXED_PREFIX = 3  # the FTS5 table keeps prefix indexes for 1 to 3 letters
MAX_WORDS = 100  # more words than this for one prefix: let FTS5 search the prefix itself
MAX_TYPO_TERMS = 32
_SMALL_GROUP = 8
_HIGH = "{"  # sorts after every character of a folded word
MAX_TRIGRAM_WORDS = 500
# pg_trgm's word similarity of a word with one typo stays at or above the threshold (0.3)
# unless the typo is in its first three letters (measured over all single edits of words
# of 5 to 14 letters); those starts are spelled out from the letters of folded words.
_LEADING = 3
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


class Vocabulary:
    """Word lookups for one database; the typo cache is valid for one index version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._letters: dict[str, list[str]] = {}
        self._prefixes: dict[tuple[str, int], list[str]] = {}

    def prefix(self, connection: Connection, prefix: str) -> list[Term]:
        """What ``prefix``* means: its words (maybe none), or the prefix itself."""
        if len(prefix) <= INDEXED_PREFIX:
            return [(prefix, True)]
        rows = connection.exec_driver_sql(
            dialect.search_sql(connection).terms_range,
            {"low": prefix, "high": prefix + _HIGH, "limit": MAX_WORDS + 1},
        ).all()
        if len(rows) > MAX_WORDS:
            return [(prefix, True)]
        return [(term, False) for (term,) in rows]

    def typos(self, connection: Connection, word: str, version: int) -> list[Term]:
        """Words (or prefixes of many words) one typo away from ``word`` as typed so far."""
        with self._lock:
            if version != self._version:
                self._letters.clear()
                self._prefixes.clear()
                self._version = version
            if dialect.has_trigram_index(connection):
                return self._server_typos(connection, word)
            terms: dict[str, bool] = {}
            for start in self._close_starts(connection, word):
                terms.update(self._words_starting(connection, start, word))
                if len(terms) >= MAX_TYPO_TERMS:
                    break
            return list(terms.items())[:MAX_TYPO_TERMS]

    def _server_typos(self, connection: Connection, word: str) -> list[Term]:
        """:meth:`typos` through the server's trigram index (PostgreSQL with pg_trgm)."""
        letters = list(dict.fromkeys(word[:2]))
        candidates = dialect.trigram_candidates(
            connection, word, [(letter, letter + _HIGH) for letter in letters],
            MAX_TRIGRAM_WORDS)
        size = len(word)
        choices = {w[:length] for w in candidates for length in (size - 1, size, size + 1)
                   if len(w) >= length}
        choices.update(s for s in _leading_edits(word) if s[:1] in letters)
        starts = _closest(word, choices)
        found = dialect.terms_starting(connection, starts, _HIGH, _SMALL_GROUP + 1)
        terms: dict[str, bool] = {}
        for start in starts:
            if start in found:
                terms.update(_group(start, found[start], word))
                if len(terms) >= MAX_TYPO_TERMS:
                    break
        return list(terms.items())[:MAX_TYPO_TERMS]

    def _close_starts(self, connection: Connection, word: str) -> list[str]:
        size = len(word)
        choices: set[str] = set()
        for letter in dict.fromkeys(word[:2]):
            for length in (size - 1, size, size + 1):
                choices.update(self._starts(connection, letter, length))
        return _closest(word, choices)

    def _words_starting(self, connection: Connection, start: str, word: str
                        ) -> dict[str, bool]:
        words = self._letter(connection, start[0])
        low = bisect.bisect_left(words, start)
        high = bisect.bisect_left(words, start + _HIGH, low)
        return _group(start, words[low:high], word)

    def _starts(self, connection: Connection, letter: str, length: int) -> list[str]:
        key = (letter, length)
        if key not in self._prefixes:
            self._prefixes[key] = sorted(
                {w[:length] for w in self._letter(connection, letter) if len(w) >= length}
            )
        return self._prefixes[key]

    def _letter(self, connection: Connection, letter: str) -> list[str]:
        if letter not in self._letters:
            sql = dialect.search_sql(connection)
            rows = connection.exec_driver_sql(
                sql.terms_range, {"low": letter, "high": letter + _HIGH, "limit": sql.no_limit},
            )
            self._letters[letter] = [w for (w,) in rows]
        return self._letters[letter]


def _closest(word: str, choices: set[str]) -> list[str]:
    """The ``choices`` one typo from ``word`` (not ``word`` itself), nearest length first."""
    choices.discard(word)
    from rapidfuzz import process  # imported on the first typo lookup, not at start-up
    from rapidfuzz.distance import OSA

    found = process.extract(word, list(choices), scorer=OSA.distance, score_cutoff=1,
                            limit=None)
    size = len(word)
    return sorted((start for start, _distance, _index in found),
                  key=lambda s: (abs(len(s) - size), s))


def _group(start: str, words: list[str], word: str) -> dict[str, bool]:
    """The words starting with ``start`` (or the prefix itself if there are many), except
    those the typed word already finds as a prefix."""
    if len(words) > _SMALL_GROUP:
        return {start: True}
    return {w: False for w in words if not w.startswith(word)}


def _leading_edits(word: str) -> set[str]:
    """Every string one edit from ``word`` that differs from it in its first letters."""
    edits: set[str] = set()
    for i in range(min(_LEADING, len(word))):
        head, rest = word[:i], word[i + 1:]
        edits.add(head + rest)  # deletion
        if rest:
            edits.add(head + rest[0] + word[i] + rest[1:])  # swap with the next letter
        for letter in _ALPHABET:
            edits.add(head + letter + rest)  # substitution
            edits.add(head + letter + word[i:])  # insertion
    edits.discard(word)
    return edits
