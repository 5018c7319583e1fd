"""Fold text for search and sorting: case, accents, scripts and German spellings.

"Şahin" → "sahin", "Nguyễn Thị" → "nguyen thi", "Олена" → "olena", "Straße" → "strasse",
"O'Connor" → "oconnor". Every name is indexed in its folded Latin form and, where it holds
German umlauts, in the ae/oe/ue spelling too, so "muller" and "mueller" both find "Müller".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Letters that NFKD does not decompose into base letter + mark.
_SPECIAL = str.maketrans(
    {
        "ı": "i", "İ": "I", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
        "ð": "d", "Ð": "D", "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "þ": "th", "Þ": "TH", "ħ": "h", "ŋ": "n",
    }
)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
# Apostrophes and similar marks vanish inside words (O'Connor → oconnor).
_JOINERS = re.compile(r"['’‘`´ʼʻ·.]+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NOT_ASCII_DIGITS = re.compile(r"[^0-9]+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case Latin ASCII form of ``text``: words separated by single spaces."""
    if text.isascii():  # nothing to translate, decompose or transliterate: the same result
        return " ".join(_NON_WORD.sub(" ", _JOINERS.sub("", text.lower())).split())
    # Every step works character by character and a space stays a word break, so the
    # pieces between spaces fold on their own (and the same name parts recur: cached).
    return " ".join(f for piece in text.split(" ") if (f := _fold_piece(piece)))


@lru_cache(maxsize=1 << 16)
def _fold_piece(text: str) -> str:
    latin = anyascii(_strip_marks(text.translate(_SPECIAL)))
    latin = _JOINERS.sub("", latin.lower())
    return " ".join(_NON_WORD.sub(" ", latin).split())


def fold_variants(text: str) -> set[str]:
    """Every folded spelling of ``text``: plain, and German ae/oe/ue where umlauts occur."""
    variants = {fold(text)}
    if any(ch in text for ch in "äöüÄÖÜ"):
        variants.add(fold(text.translate(_GERMAN)))
    variants.discard("")
    return variants


def words(text: str) -> list[str]:
    return fold(text).split()


def sort_key(text: str) -> str:
    """Key for sorting names: folded, so Ş sorts with S and Ö with O."""
    return fold(text)[:200]


def digits(text: str) -> str:
    if text.isascii():  # (the same as below: only 0-9 are ASCII digits)
        return _NOT_ASCII_DIGITS.sub("", text)
    return "".join(ch for ch in text if ch.isdigit())
