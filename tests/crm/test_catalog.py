"""The German catalog is complete, and the committed .mo files match their .po sources."""

from __future__ import annotations

import re

from crm import i18n_tools
from crm.i18n import _, set_language


def test_german_catalog_is_complete() -> None:
    missing = i18n_tools.untranslated("de")
    assert missing == [], f"{len(missing)} untranslated strings, e.g. {missing[:10]}"


def test_compiled_catalogs_are_fresh() -> None:
    for language in i18n_tools.TRANSLATED:
        catalog = i18n_tools.read_catalog(language)
        mo = i18n_tools.po_path(language).with_suffix(".mo")
        assert mo.read_bytes() == i18n_tools.compiled_bytes(catalog), (
            f"{mo} is stale: run `python -m crm.i18n_tools compile`"
        )


def test_language_switch_changes_text() -> None:
    set_language("en")
    english = _("Persons")
    set_language("de")
    assert english == "Persons"
    assert _("Persons") == "Personen"


def test_translations_keep_their_placeholders() -> None:
    catalog = i18n_tools.read_catalog("de")
    broken = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"{\w*}", ids[-1]))
        if any(set(re.findall(r"{\w*}", s)) != wanted for s in strings if s):
            broken.append(ids[0])
    assert broken == []


def test_no_translation_call_hides_inside_an_f_string() -> None:
    """Babel cannot see _() inside f-strings on Python 3.11, so such text stays English."""
    import ast
    from pathlib import Path

    root = Path(i18n_tools.ROOT)
    hidden = []
    for folder in i18n_tools.SOURCE_DIRS:
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for sub in ast.walk(node):
                    if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
                            and sub.func.id in {"_", "ngettext", "pgettext", "N_"}):
                        hidden.append(f"{path.relative_to(root)}:{sub.lineno}")
    assert hidden == []
