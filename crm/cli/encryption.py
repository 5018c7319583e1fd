"""Encryption at rest: ``encrypt -o NEW`` and ``decrypt -o NEW`` write an encrypted or a
plain copy of the database (SQLCipher, needs the optional sqlcipher3 package).

The passphrase comes from $BRUECKE_PASSPHRASE or, at a terminal, is asked for. The database
itself is never changed: replace it with the copy once the copy has been checked.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from crm.cli.context import CommandContext
from crm.cli.output import write, write_json
from crm.cli.parser import Subcommands
from crm.errors import DatabaseError, ValidationError
from crm.i18n import _


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    encrypt = commands.add("encrypt", _("write an encrypted copy of the database "
                                        "(passphrase from BRUECKE_PASSPHRASE or asked)"),
                           handler=encrypt_database)
    encrypt.add_argument("-o", "--output", metavar=_("FILE"), required=True,
                         help=_("the new encrypted database file"))
    decrypt = commands.add("decrypt", _("write an unencrypted copy of an encrypted database"),
                           handler=decrypt_database)
    decrypt.add_argument("-o", "--output", metavar=_("FILE"), required=True,
                         help=_("the new unencrypted database file"))


def encrypt_database(ctx: CommandContext) -> None:
    _copy(ctx, encrypt=True)


def decrypt_database(ctx: CommandContext) -> None:
    _copy(ctx, encrypt=False)


def _copy(ctx: CommandContext, *, encrypt: bool) -> None:
    from crm.cli.privacy import _database_file
    from crm.persistence import dialect
    from crm.persistence.database import open_database

    source = _database_file(ctx)
    target = Path(ctx.args.output).expanduser().resolve()
    if not source.is_file():
        raise DatabaseError("missing", str(source))
    dialect.require_sqlcipher(str(source))
    if target == source:
        raise DatabaseError("same_file", str(target))
    if target.exists():
        raise DatabaseError("output_exists", str(target))
    passphrase = _passphrase(confirm=encrypt)
    # Opened first: only a Brücke database (migrated to this version) is copied.
    db = open_database(source, passphrase=None if encrypt else passphrase)
    db.dispose()
    try:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise DatabaseError("cannot_create", str(target), str(exc)) from exc
    os.close(fd)
    try:
        dialect.export_database(str(source), str(target),
                                source_key=None if encrypt else passphrase,
                                target_key=passphrase if encrypt else None)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if ctx.json:
        write_json({"path": str(target), "encrypted": encrypt})
    elif encrypt:
        write(_("Wrote the encrypted copy {path}.").format(path=target))
    else:
        write(_("Wrote the unencrypted copy {path}.").format(path=target))


def _passphrase(*, confirm: bool) -> str:
    from crm.app import passphrase_from_env

    given = passphrase_from_env()
    if given:
        return given
    if not sys.stdin.isatty():
        raise ValidationError.single("passphrase", "required")
    import getpass

    first = getpass.getpass(_("Passphrase: "))
    if not first:
        raise ValidationError.single("passphrase", "required")
    if confirm and getpass.getpass(_("Repeat the passphrase: ")) != first:
        raise ValidationError.single("passphrase", "passphrases_differ")
    return first
