"""Maintain the gettext catalog: extract strings from crm/ and ui/, update and compile.

    python -m crm.i18n_tools update   # extract, merge into every .po, compile .mo
    python -m crm.i18n_tools compile  # compile .mo from .po only
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from crm.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("crm", "ui")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
TRANSLATED = ("de",)


def extract() -> Catalog:
    """Every translatable string in the sources, with its locations."""
    catalog = Catalog(project="Brücke", charset="utf-8")
    for folder in SOURCE_DIRS:
        messages = extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=("Translators:",), strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in messages:
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)],
                        auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as fh:
        return read_po(fh, locale=language)


def compiled_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    for language in TRANSLATED:
        catalog = read_catalog(language)
        po_path(language).with_suffix(".mo").write_bytes(compiled_bytes(catalog))


def update() -> None:
    template = extract()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as fh:
        write_po(fh, template, omit_header=False, sort_output=True, width=100)
    for language in TRANSLATED:
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read_catalog(language)
        else:
            catalog = Catalog(locale=language, project="Brücke", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, width=100, ignore_obsolete=True)
    compile_all()


def merge(source: Path, language: str = "de") -> int:
    """Fill empty translations of the language's catalog from another .po file."""
    with source.open("rb") as fh:
        donor = read_po(fh, locale=language)
    catalog = read_catalog(language)
    filled = 0
    for message in donor:
        if not message.id or not message.string:
            continue
        entry = catalog.get(message.id, context=message.context)
        values = entry.string if entry and isinstance(entry.string, (list, tuple)) else [
            entry.string if entry else None]
        if entry is not None and (entry.fuzzy or not all(values)):
            entry.string = message.string
            entry.flags.discard("fuzzy")
            filled += 1
    with po_path(language).open("wb") as fh:
        write_po(fh, catalog, sort_output=True, width=100, ignore_obsolete=True)
    compile_all()
    return filled


def untranslated(language: str) -> list[str]:
    """Source strings that have no (non-fuzzy) translation in the language's catalog."""
    catalog = read_catalog(language)
    missing = []
    for message in extract():
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        strings = entry.string if entry else None
        values = strings if isinstance(strings, (list, tuple)) else [strings]
        if entry is None or entry.fuzzy or not all(values):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "merge":
        print(merge(Path(argv[1])))
    elif command == "missing":
        for language in TRANSLATED:
            for msgid in untranslated(language):
                print(f"{language}: {msgid}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
