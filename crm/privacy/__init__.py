"""Data protection (DSGVO): access requests, erasure, retention, and no network at all.

The submodules (:mod:`.access`, :mod:`.erasure`, :mod:`.retention`) work on a session;
:class:`crm.services.privacy.PrivacyService` is their face to the CLI and the window.

This package itself stays light: ``python -m crm`` imports it before anything else when
``BRUECKE_FORBID_NETWORK=1`` to install :func:`forbid_network`.
"""

from __future__ import annotations

import ipaddress
import sys
from typing import Any

FORBID_ENV = "BRUECKE_FORBID_NETWORK"
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_installed = False


class NetworkForbiddenError(PermissionError):
    """Brücke tried to reach another machine; it never should."""


def is_local_address(address: Any) -> bool:
    """Whether a socket address stays on this machine (Unix sockets, loopback)."""
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX path (or abstract name)
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a host name: resolving it would already leave the machine


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        if address is not None and not is_local_address(address):
            raise NetworkForbiddenError(f"network access blocked: {event}")
    elif event == "socket.getaddrinfo":
        host = args[0] if args else None
        if host not in (None, "") and not is_local_address((host, 0)):
            raise NetworkForbiddenError("network access blocked: socket.getaddrinfo")


def audit_hook() -> Any:
    """The hook itself (for tests: call it with an event and its arguments)."""
    return _audit_hook


def forbid_network() -> None:
    """Refuse every connection to another machine for the rest of the process.

    An audit hook cannot be removed again, which is the point: nothing loaded later
    (a library, a plug-in) can send personal data anywhere.
    """
    global _installed
    if _installed:
        return
    sys.addaudithook(_audit_hook)
    _installed = True
