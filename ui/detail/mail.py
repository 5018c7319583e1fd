"""E-mail to many: the addresses go into BCC of mailto: links, a few dozen per link, so that
no address is visible to the others and no mail program chokes on a long URL."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

MAX_ADDRESSES = 50
MAX_URL_CHARS = 1800


def mailto_batches(addresses: Iterable[str], *, max_addresses: int = MAX_ADDRESSES,
                   max_chars: int = MAX_URL_CHARS) -> list[str]:
    """mailto:?bcc=… URLs holding every address once, each within both limits.

    Duplicates (ignoring case) and empty entries are dropped; the order is kept. A single
    address longer than ``max_chars`` still gets a URL of its own.
    """
    seen: set[str] = set()
    unique = []
    for address in addresses:
        clean = address.strip()
        if clean and clean.lower() not in seen:
            seen.add(clean.lower())
            unique.append(clean)
    urls: list[str] = []
    batch: list[str] = []
    for address in unique:
        candidate = [*batch, address]
        if batch and (len(candidate) > max_addresses or len(_url(candidate)) > max_chars):
            urls.append(_url(batch))
            candidate = [address]
        batch = candidate
    if batch:
        urls.append(_url(batch))
    return urls


def _url(addresses: list[str]) -> str:
    return "mailto:?bcc=" + ",".join(quote(a, safe="@+.-_!~*'") for a in addresses)
