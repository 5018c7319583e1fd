"""Fonts for every script a contact's name may be written in, and right-to-left text.

DejaVu Sans (bundled under ``resources/fonts``) covers Latin with all diacritics (Turkish,
Polish, Vietnamese), Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic and Persian. It has
no Ethiopic or CJK letters: Ge'ez names (Amharic, Tigrinya) switch to the bundled Abyssinica
SIL, Chinese and Japanese ones to Droid Sans Fallback (both registered on first need). Hangul
syllables, Indic and Thai scripts are not covered: their letters print as empty boxes.

The fonts are registered *shapable*, so reportlab hands each word to HarfBuzz (uharfbuzz),
which joins Arabic letters and places Vietnamese stacked accents. HarfBuzz also reverses an
Arabic word into visual order; what it cannot do is the bidirectional algorithm across words.
:func:`visual` therefore orders the *words* of a line visually (python-bidi) while keeping the
letters of each right-to-left word in logical order for HarfBuzz.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from bidi import get_display
from bidi.mirror import MIRRORED
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeFragWord, shapeStr

from crm.paths import resource

FONT = "BrueckeSans"
FONT_BOLD = "BrueckeSans-Bold"
FONT_ETHIOPIC = "BrueckeEthiopic"
FONT_CJK = "BrueckeCJK"

_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
# Fonts for letters DejaVu lacks, in the order they are tried; registered on first need.
_FALLBACK_FILES = {FONT_ETHIOPIC: "AbyssinicaSIL-Regular.ttf",
                   FONT_CJK: "DroidSansFallbackFull.ttf"}

# Strong right-to-left letters: Hebrew, Arabic (with its supplements and presentation forms),
# Syriac, Thaana, N'Ko.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
# Anything that needs more than a plain drawString: combining marks HarfBuzz must place,
# right-to-left letters, and scripts from a fallback font (Ethiopic, CJK, Hangul, Indic …).
_COMPLEX = re.compile(
    "[\u0300-\u036f\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1100-\u11ff"
    "\u1200-\u139f\u1780-\u17ff\u2d80-\u2ddf\u2e80-\ua4cf\uab00-\uab2f\uac00-\ud7af"
    "\uf900-\ufaff\ufb1d-\ufdff\ufe70-\ufeff\uff00-\uffef\U00020000-\U0003ffff]"
)


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the bundled body fonts with reportlab once; return the body font's name."""
    _no_discretionary_ligatures()
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename)), shapable=True))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                  boldItalic=FONT_BOLD)
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT


def _no_discretionary_ligatures() -> None:
    """reportlab shapes words with HarfBuzz's "dlig" feature on, which turns "st" in a
    German word into a historical ligature; the default features dict is switched off once.
    """
    defaults = shapeFragWord.__defaults__
    if defaults and isinstance(defaults[0], dict):
        defaults[0]["dlig"] = False


@lru_cache(maxsize=1)
def _coverage() -> tuple[tuple[str, frozenset[int]], ...]:
    """Each font of the chain with the code points it has, body font first."""
    register_fonts()
    for name, filename in _FALLBACK_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename)), shapable=True))
    names = (FONT, *_FALLBACK_FILES)
    return tuple((name, frozenset(pdfmetrics.getFont(name).face.charToGlyph))
                 for name in names)


def font_for(char: str) -> str | None:
    """The fallback font for a letter the body font lacks (None: the body font has it, or
    no bundled font does and it prints as a box)."""
    code = ord(char)
    chain = _coverage()
    if code in chain[0][1]:
        return None
    for name, points in chain[1:]:
        if code in points:
            return name
    return None


def normalise(text: str | None) -> str:
    """NFC, so that "Nguyễn" typed with combining accents uses the precomposed glyphs."""
    return unicodedata.normalize("NFC", text or "")


def is_complex(text: str) -> bool:
    """True if the text needs shaping, reordering or a second font."""
    return _COMPLEX.search(text) is not None


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def is_rtl_paragraph(text: str) -> bool:
    """True if right-to-left letters are the majority: the text then reads, and aligns,
    from the right. A German sentence quoting an Arabic name stays left-to-right."""
    if not has_rtl(text):
        return False
    rtl = len(_RTL.findall(text))
    ltr = sum(1 for ch in text if ch.isalpha()) - rtl
    return rtl > ltr


def visual(text: str) -> str:
    """One line in visual word order, each right-to-left word still in logical letter order.

    python-bidi reorders the whole line letter by letter; HarfBuzz would then reverse the
    letters of every Arabic word a second time. So each right-to-left word is turned back to
    logical order (and its mirrored brackets back to what was typed).
    """
    if not has_rtl(text):
        return text
    display = get_display(text, base_dir="R" if is_rtl_paragraph(text) else "L")
    return " ".join(_relogical(token) for token in display.split(" "))


def _relogical(token: str) -> str:
    if not has_rtl(token):
        return token
    return "".join(MIRRORED.get(ch, ch) for ch in reversed(token))


def fallback_markup(escaped: str) -> str:
    """Wrap runs of letters the body font lacks in their fallback font (escaped markup in,
    markup out; entities are ASCII and stay in the body font)."""
    if not is_complex(escaped):
        return escaped
    parts: list[str] = []
    for run, font in font_runs(escaped, None):
        parts.append(f'<font name="{font}">{run}</font>' if font else run)
    return "".join(parts)


def text_width(text: str, font: str, size: float) -> float:
    """Width of one line as it will print (shaped, with the Ethiopic font where needed)."""
    register_fonts()
    if not is_complex(text):
        return float(pdfmetrics.stringWidth(text, font, size))
    return sum(_run_width(run, run_font or font, size) for run, run_font in font_runs(text, font))


def _run_width(run: str, font: str, size: float) -> float:
    shaped = shapeStr(run, font, size)
    data = getattr(shaped, "__shapeData__", None)
    if data is None:
        return float(pdfmetrics.stringWidth(run, font, size))
    return float(sum(d.x_advance for d in data) * size / 1000)


def font_runs(line: str, font: str | None) -> list[tuple[str, str | None]]:
    """Split a line into runs of one font each: ``font`` wherever the body font has the
    character (spaces and punctuation included), a fallback font elsewhere.

    A word that mixes fonts would be shaped with its first font only, so a fallback run
    never swallows the space or bracket after it.
    """
    runs: list[tuple[str, str | None]] = []
    current: str | None = font
    start = 0
    for index, char in enumerate(line):
        wanted = font_for(char) or font
        if wanted != current:
            if index > start:
                runs.append((line[start:index], current))
            current, start = wanted, index
    if start < len(line):
        runs.append((line[start:], current))
    return runs


def shaped_runs(text: str, font: str, size: float) -> list[tuple[str | ShapedStr, str, float]]:
    """A line ready for ``canvas.drawString``: (text, font, width) runs, left to right.

    Plain text comes back as one unshaped run. Otherwise each run of one font is one shaped
    string, its words in visual order (so text extraction sees the whole run, as it does
    for Paragraphs); a space is shaped on its own, never inside a right-to-left word.
    """
    register_fonts()
    text = normalise(text)
    if not is_complex(text):
        return [(text, font, pdfmetrics.stringWidth(text, font, size))]
    result: list[tuple[str | ShapedStr, str, float]] = []
    for run, run_font in font_runs(visual(text), font):
        name = run_font or font
        shaped: ShapedStr | None = None
        width = 0.0
        for index, word in enumerate(run.split(" ")):
            pieces = ([" "] if index else []) + ([word] if word else [])
            for piece in pieces:
                part = shapeStr(piece, name, size, force=True)
                shaped = part if shaped is None else shaped + part
                width += _run_width(piece, name, size)
        if shaped is not None:
            result.append((shaped, name, width))
    return result


def draw_string(canvas: Any, x: float, y: float, text: str, font: str, size: float, *,
                align: str = "left") -> float:
    """Draw one line of user text on a canvas (shaped, reordered, fallback fonts); return
    its width. ``align``: "left" starts at x, "right" ends at x."""
    runs = shaped_runs(text, font, size)
    width = sum(w for _run, _font, w in runs)
    if align == "right":
        x -= width
    for run, run_font, run_width in runs:
        canvas.setFont(run_font, size)
        canvas.drawString(x, y, run)
        x += run_width
    return width
