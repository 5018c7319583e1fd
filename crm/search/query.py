"""What the user typed, as folded words, and the tiers in which they are looked for.

Every input is safe: the text is folded to words of ``[0-9a-z]``, so quotes, ``*``, ``-``,
brackets, ``NEAR``/``OR`` and SQL fragments become plain words (or vanish); each word is
quoted in the MATCH expression, which is bound as a parameter.

Tiers, best first (a record is ranked by the first tier that finds it):

====  =====================  ===================================================
rank  tier                   every word matches …
====  =====================  ===================================================
6     exact name             a whole word of a name
5     name                   the start of a word of a name
4     current                the start of a word of the name, current roles,
                             organisations and places, contacts, tags, notes
3     any                    as 4, or of a former role
2-0   fuzzy name/current/any as 5-3, allowing one typo in words of 5+ letters
====  =====================  ===================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crm.persistence import dialect
from crm.search.documents import ARCHIVED
from crm.search.normalize import digits, fold, fold_variants

MAX_INPUT = 500  # characters looked at; more is pasted text, not a search
MAX_WORDS = 8
MAX_WORD = 40
MIN_FUZZY = 5  # words this long tolerate one typo
MIN_SUFFIX = 4  # digit strings this long also match the end of a phone number
_PHONE_LIKE = re.compile(r"[\s\d+()./\-]+")
_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")

NAME = ("name",)
CURRENT = ("name", "current", "contact", "other")
ANY = ("name", "current", "former", "contact", "other")
SUFFIX = ("suffix",)

Term = tuple[str, bool]  # (word, prefix?)
Groups = list[list[tuple[tuple[str, ...], str, bool]]]


@dataclass(frozen=True, slots=True)
class Word:
    text: str

    @property
    def suffix(self) -> str | None:
        """The reversed digits, looked up to find numbers that end with this word."""
        if self.text.isdigit() and len(self.text) >= MIN_SUFFIX:
            return self.text[::-1]
        return None

    @property
    def tolerates_typo(self) -> bool:
        return len(self.text) >= MIN_FUZZY and self.text.isalpha()


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    rank: int
    columns: tuple[str, ...]
    exact: bool = False
    fuzzy: bool = False

    @property
    def suffix(self) -> bool:
        return "contact" in self.columns


TIERS = (
    Tier("exact-name", 6, NAME, exact=True),
    Tier("name", 5, NAME),
    Tier("current", 4, CURRENT),
    Tier("any", 3, ANY),
    Tier("fuzzy-name", 2, NAME, fuzzy=True),
    Tier("fuzzy-current", 1, CURRENT, fuzzy=True),
    Tier("fuzzy-any", 0, ANY, fuzzy=True),
)


def parse(query: str) -> tuple[Word, ...]:
    """The distinct folded words of ``query`` (a phone number counts as one word)."""
    text = query[:MAX_INPUT]
    if _PHONE_LIKE.fullmatch(text):
        number = _phone_query(text)
        if len(number) >= 3:
            return (Word(number[:MAX_WORD]),)
    found: dict[str, None] = {}
    for word in fold(text).split():
        found.setdefault(word[:MAX_WORD], None)
        if len(found) == MAX_WORDS:
            break
    return tuple(Word(w) for w in found)


def _phone_query(text: str) -> str:
    """"+49 (0)361 23-45" → "4936123456"; "0049…" → "49…"; "0361 …" stays national."""
    number = digits(_TRUNK_ZERO.sub("", text))
    if text.lstrip().startswith("+"):
        return number
    return number[2:] if number.startswith("00") else number


@dataclass(frozen=True, slots=True)
class WordTerms:
    """What one query word stands for in the index (see :mod:`crm.search.vocabulary`)."""

    word: Word
    prefix: tuple[Term, ...]  # the word typed so far: its words, or the prefix itself
    suffix: tuple[Term, ...] = ()  # the reversed digits, likewise
    typos: tuple[Term, ...] = ()  # words one typo away (only looked up for fuzzy tiers)


def groups(tier: Tier, terms: Sequence[WordTerms]) -> Groups | None:
    """Per word, the ways it may match in ``tier`` (column set, term, prefix?).

    None when some word cannot match at all in this tier: no need to ask the index.
    """
    result: Groups = []
    for item in terms:
        if tier.exact:
            alternatives = [(item.word.text, False)]
        else:
            alternatives = list(item.prefix) + (list(item.typos) if tier.fuzzy else [])
        group = [(tier.columns, term, prefix) for term, prefix in alternatives]
        if tier.suffix:
            group += [(SUFFIX, term, prefix) for term, prefix in item.suffix]
        if not group:
            return None
        result.append(group)
    return result


def match_expression(tier: Tier, terms: Sequence[WordTerms], include_archived: bool,
                     engine: str = "sqlite") -> str | None:
    found = groups(tier, terms)
    if found is None:
        return None
    return dialect.fts_match_expression(
        found, exclude_flag=None if include_archived else ARCHIVED, engine=engine
    )


# -- ranking inside a tier ---------------------------------------------------------------

COLUMN_WEIGHTS = {"name": 1.0, "current": 0.8, "contact": 0.7, "other": 0.5, "former": 0.4}
EXACT, PREFIX, FUZZY = 1.0, 0.75, 0.5


def closeness(tier: Tier, terms: Sequence[WordTerms], columns: Mapping[str, str]) -> float:
    """How well the words match one record's columns, 0…1: per word the best of
    (whole word 1, start of a word .75, with a typo .5) × the column's weight, averaged."""
    if not terms:
        return 0.0
    padded = {c: f" {columns.get(c) or ''} " for c in (*tier.columns, "suffix")}
    total = 0.0
    for item in terms:
        word = item.word.text
        best = 0.0
        for column in tier.columns:
            text = padded[column]
            if f" {word} " in text:
                kind = EXACT
            elif f" {word}" in text:
                kind = PREFIX
            elif tier.fuzzy and any(_has(text, t, p) for t, p in item.typos):
                kind = FUZZY
            else:
                continue
            best = max(best, kind * COLUMN_WEIGHTS[column])
        if tier.suffix and item.word.suffix and f" {item.word.suffix}" in padded["suffix"]:
            best = max(best, PREFIX * COLUMN_WEIGHTS["contact"])
        total += best
    return total / len(terms)


def _has(text: str, term: str, prefix: bool) -> bool:
    return f" {term}" in text if prefix else f" {term} " in text


def same_words(words: Sequence[Word], name: str) -> bool:
    """The query is the whole name (in any order and spelling): "müller anna" = Anna Müller."""
    wanted = {w.text for w in words}
    return any(set(variant.split()) == wanted for variant in fold_variants(name))


def leads(item: WordTerms, name: str, fuzzy: bool) -> bool:
    """The name (as indexed) starts with the word, or with one of its typo expansions."""
    padded = f" {name} "
    return padded.startswith(f" {item.word.text}") or (
        fuzzy and any(padded.startswith(f" {t}" if p else f" {t} ") for t, p in item.typos))
