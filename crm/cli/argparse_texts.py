"""argparse's own messages (usage, errors, help headings) through Brücke's catalog.

argparse looks its texts up with ``gettext.gettext``, which follows the process's locale
and knows nothing of Brücke's ``--lang`` or its catalog: the German command line said
"error: the following arguments are required" among German messages. :func:`translate`
points argparse at :mod:`crm.i18n`; the texts below are argparse's own (Python 3.11),
listed so that extraction puts them in the catalog. A text another Python words
differently simply stays English.
"""

from __future__ import annotations

import argparse

from crm.i18n import N_, _, ngettext

TEXTS = (
    N_("usage: "),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
    N_("can't open '%(filename)s': %(error)s"),
)


def translate() -> None:
    """Let argparse translate through Brücke's catalog (in the language set now and later:
    argparse looks the functions up each time it formats a text)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
