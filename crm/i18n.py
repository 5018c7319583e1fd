"""One gettext catalog for all of Brücke: CLI, errors, reports and the UI.

Source strings are English; German is the default language. Call :func:`set_language`
once at start (CLI option, config or UI setting); ``_`` and ``ngettext`` always use the
language currently set.
"""

from __future__ import annotations

import gettext as _gettext

from crm.paths import resource

DOMAIN = "bruecke"
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
LOCALE_DIR = resource("locale")

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Switch the catalog used by :func:`_` and :func:`ngettext`."""
    global _translations, _language
    if language not in LANGUAGES:
        raise ValueError(language)
    _language = language
    if language == "en":
        _translations = _gettext.NullTranslations()
    else:
        _translations = _gettext.translation(
            DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True
        )


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


set_language(DEFAULT_LANGUAGE)
