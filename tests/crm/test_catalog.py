"""The German catalog is complete, and the committed .mo files match their .po sources."""

from __future__ import annotations

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
