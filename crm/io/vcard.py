"""vCard 2.1, 3.0 and 4.0: reading what address books write, writing 3.0 and 4.0.

The reader is deliberately lenient and our own (not vobject's): real files mix versions,
use vCard 2.1 quoted-printable with soft line breaks and ``CHARSET`` parameters, bare
2.1 type parameters (``TEL;WORK;VOICE``), Apple's ``item1.`` groups and inline photos.
Every card is read on its own, so one malformed card is reported and the others import.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from crm.io import (
    ContactRecord,
    Point,
    ReadIssue,
    ReadResult,
    RecordStream,
    UnreadableFileError,
)
from crm.io.tabular import decode_bytes

_SALUTATIONS = {"herr": "herr", "hr": "herr", "mr": "herr", "frau": "frau", "fr": "frau",
                "mrs": "frau", "ms": "frau", "miss": "frau"}
_SKIPPED = {"PHOTO", "LOGO", "SOUND", "KEY"}
_ORG_KINDS = {("KIND", "org"), ("KIND", "organization"), ("X-ABSHOWAS", "company")}
_POSTCODE = re.compile(r"^(\d{4,5})\s+(.+)$")


@dataclass
class Prop:
    group: str
    name: str
    params: dict[str, list[str]]
    value: str

    def types(self) -> set[str]:
        found = {t.lower() for v in self.params.get("TYPE", []) for t in v.split(",")}
        return found | {p.lower() for p in self.params.get("", [])}

    @property
    def preferred(self) -> bool:
        return "pref" in self.types() or "PREF" in self.params


# -- lines and cards ---------------------------------------------------------------------

def _physical_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _logical_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Unfold: a line starting with a space or tab continues the previous one; a vCard 2.1
    quoted-printable value ending in ``=`` continues on the next line (soft break)."""
    current: str | None = None
    start = 0
    for number, line in enumerate(lines, start=1):
        if current is not None and line[:1] in (" ", "\t"):
            current += line[1:]
            continue
        if current is not None and _soft_break(current):
            current = current[:-1] + line
            continue
        if current is not None:
            yield start, current
        current, start = line, number
    if current is not None:
        yield start, current


def _soft_break(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return line.endswith("=") and ("QUOTED-PRINTABLE" in head) and ":" in line


def _cards(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, list[tuple[int, str]], str]]:
    """(first line, the card's lines, problem code or "") per BEGIN:VCARD."""
    card: list[tuple[int, str]] | None = None
    start = 0
    depth = 0
    for number, line in lines:
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None and depth == 0:
                yield start, card, "card_not_closed"
            if card is not None and depth > 0:
                depth += 1
                continue
            card, start, depth = [], number, 0
            continue
        if card is None:
            continue
        if upper == "END:VCARD":
            yield start, card, ""
            card = None
            continue
        card.append((number, line))
    if card is not None:
        yield start, card, "card_not_closed"


# -- properties ------------------------------------------------------------------------------

def _split_unquoted(text: str, sep: str) -> list[str]:
    parts, buf, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_line(line: str) -> Prop | None:
    """``group.NAME;PARAM=x;BARE:value``; None if the line has no name and colon."""
    quoted = False
    colon = -1
    for index, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            colon = index
            break
    if colon <= 0:
        return None
    head, value = line[:colon], line[colon + 1:]
    pieces = _split_unquoted(head, ";")
    name = pieces[0].strip()
    group = ""
    if "." in name:
        group, name = name.rsplit(".", 1)
    if not re.fullmatch(r"[A-Za-z0-9-]+", name):
        return None
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        if "=" in piece:
            key, val = piece.split("=", 1)
            params.setdefault(key.strip().upper(), []).append(val.strip().strip('"'))
        elif piece.strip():
            params.setdefault("", []).append(piece.strip())
    return Prop(group, name.upper(), params, value)


def _charset(prop: Prop) -> str:
    values = prop.params.get("CHARSET")
    return values[0] if values else "utf-8"


def _decoded(prop: Prop) -> str:
    """The value with quoted-printable undone and its charset applied."""
    encoding = {e.upper() for e in prop.params.get("ENCODING", [])}
    encoding |= {p.upper() for p in prop.params.get("", [])} & {"QUOTED-PRINTABLE"}
    if "QUOTED-PRINTABLE" not in encoding:
        return prop.value
    raw = quopri.decodestring(prop.value.encode("latin-1", errors="replace"))
    for charset in (_charset(prop), "utf-8", "cp1252"):
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def _unescape(text: str) -> str:
    out, it = [], iter(text)
    for ch in it:
        if ch == "\\":
            nxt = next(it, "")
            out.append("\n" if nxt in ("n", "N") else nxt)
        else:
            out.append(ch)
    return "".join(out)


def _split_escaped(text: str, sep: str) -> list[str]:
    parts, buf, it = [], [], iter(text)
    for ch in it:
        if ch == "\\":
            buf.append(ch + next(it, ""))
        elif ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [_unescape(p).strip() for p in parts]


# -- cards → records ---------------------------------------------------------------------------

def postal_from_adr(parts: list[str]) -> str:
    parts = (parts + [""] * 7)[:7]
    pobox, extended, street, city, _region, code, country = parts
    lines = [p for p in (street.replace("\n", ", "), extended, pobox) if p]
    place = " ".join(p for p in (code, city) if p)
    if place:
        lines.append(place)
    if country and country.strip().lower() not in ("deutschland", "germany", "de", "d"):
        lines.append(country)
    return ", ".join(lines)


def adr_from_postal(text: str) -> list[str]:
    """"Fischmarkt 1, 99084 Erfurt" → ["", "", "Fischmarkt 1", "Erfurt", "", "99084", ""]."""
    pieces = [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]
    for index in range(len(pieces) - 1, -1, -1):
        match = _POSTCODE.match(pieces[index])
        if match:
            street = ", ".join(pieces[:index])
            country = ", ".join(pieces[index + 1:])
            return ["", "", street, match.group(2), "", match.group(1), country]
    return ["", "", ", ".join(pieces), "", "", "", ""]


def _label(types: set[str]) -> str:
    if "home" in types:
        return "private"
    if types & {"work", "internet", "pref", "voice", "cell", "fax", ""} or not types:
        return "work"
    return "other" if "other" in types else "work"


def _phone_kind(types: set[str]) -> str:
    if types & {"cell", "mobile", "iphone"}:
        return "mobile"
    if "fax" in types:
        return "fax"
    return "phone"


def _apply(record: ContactRecord, prop: Prop, labels: dict[str, str]) -> None:
    name = prop.name
    value = _decoded(prop)
    types = prop.types()
    if prop.group and prop.group in labels:
        types.add(labels[prop.group].lower().strip("_$!<>"))
    if name == "FN":
        record.full_name = _unescape(value).strip()
    elif name == "N":
        parts = _split_escaped(value, ";") + [""] * 5
        record.family_name, given, additional, prefix = parts[0], parts[1], parts[2], parts[3]
        record.given_name = " ".join(p for p in (given, additional) if p)
        key = prefix.lower().rstrip(".")
        if key in _SALUTATIONS:
            record.salutation = _SALUTATIONS[key]
    elif name == "ORG":
        parts = [p for p in _split_escaped(value, ";") if p]
        if parts:
            record.organisation = parts[0]
            record.department = ", ".join(parts[1:])
    elif name == "TITLE" or (name == "ROLE" and not record.title):
        record.title = _unescape(value).strip()
    elif name == "EMAIL":
        _add(record, "email", _unescape(value), _label(types - {"internet"}), prop.preferred)
    elif name == "TEL":
        text = _unescape(value).strip()
        text = text[4:] if text.lower().startswith("tel:") else text
        _add(record, _phone_kind(types), text, _label(types), prop.preferred)
    elif name == "ADR":
        postal = postal_from_adr(_split_escaped(value, ";"))
        _add(record, "postal", postal, _label(types), prop.preferred)
    elif name == "URL":
        _add(record, "web", _unescape(value), _label(types), prop.preferred)
    elif name == "NOTE":
        note = _unescape(value).strip()
        record.notes = f"{record.notes}\n{note}".strip() if record.notes else note
    elif name == "CATEGORIES":
        record.tags.extend(t for t in _split_escaped(value, ",") if t)
    elif name == "BDAY":
        record.birthday = _unescape(value).strip()
    elif name == "UID":
        uid = _unescape(value).strip()
        record.uid = uid[9:] if uid.lower().startswith("urn:uuid:") else uid
    elif (name, value.strip().lower()) in _ORG_KINDS:
        record.is_organisation = True
    elif name in _SKIPPED:
        record.issue("photo_skipped")


def _add(record: ContactRecord, kind: str, value: str, label: str, preferred: bool) -> None:
    text = value.strip()
    if text:
        record.points.append(Point(kind, text, label, preferred))


def _card_record(number: int, lines: list[tuple[int, str]]) -> ContactRecord:
    record = ContactRecord("card", number)
    props: list[Prop] = []
    in_binary = False
    for line_number, line in lines:
        if not line.strip():
            in_binary = False
            continue
        prop = parse_line(line)
        if prop is None:
            if in_binary or re.fullmatch(r"[A-Za-z0-9+/=\s]+", line):
                continue  # base64 data of a vCard 2.1 photo without indentation
            record.issue("unreadable_line", line=line_number)
            return record
        in_binary = prop.name in _SKIPPED
        props.append(prop)
    labels = {p.group: _decoded(p) for p in props if p.name == "X-ABLABEL" and p.group}
    for prop in props:
        _apply(record, prop, labels)
    if record.is_organisation and not record.organisation:
        record.organisation = record.full_name
    if not (record.display_name() or record.organisation or record.emails()):
        record.issue("no_name")
    return record


def read_vcards(data: bytes, source: str = "") -> ReadResult:
    """Every card of a file; malformed cards become issues, not exceptions."""
    return open_vcards(data, source).read_all()


def open_vcards(data: bytes, source: str = "") -> RecordStream:
    """The file's cards, read one after the other as they are taken (an import checks and
    writes the first cards while the rest are still being read). A file that is not text or
    has no card at all raises :class:`UnreadableFileError` here, before any card is read."""
    if not data.strip():
        raise UnreadableFileError("empty_file", source)
    text, encoding = decode_bytes(data, source)
    cards = text.upper().count("BEGIN:VCARD")
    if not cards:
        raise UnreadableFileError("not_vcard", source)
    return RecordStream(_vcard_items(text), format="vcf", encoding=encoding, expected=cards)


def _vcard_items(text: str) -> Iterator[ContactRecord | ReadIssue]:
    for index, (_start, lines, problem) in enumerate(
            _cards(_logical_lines(_physical_lines(text))), start=1):
        if problem:
            yield ReadIssue("card", index, problem)
            continue
        record = _card_record(index, lines)
        fatal = [i for i in record.issues if i.code in ("unreadable_line", "no_name")]
        if fatal:
            yield from fatal
            continue
        yield record


# -- writing -------------------------------------------------------------------------------------

def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character (RFC 6350 3.2)."""
    out: list[str] = []
    current, size = "", 0
    limit = 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


@dataclass(frozen=True)
class CardData:
    """What a vCard says about one person or organisation (built by the export service)."""

    uid: str
    full_name: str
    given_name: str = ""
    family_name: str = ""
    salutation: str = ""
    organisation: str = ""
    title: str = ""
    points: tuple[Point, ...] = ()
    notes: str = ""
    tags: tuple[str, ...] = ()
    is_organisation: bool = False
    updated_at: datetime | None = None


_PREFIX = {"herr": "Herr", "frau": "Frau"}


def _type_param(version: str, types: list[str], preferred: bool) -> str:
    if version == "4.0":
        value = ",".join(types)
        pref = ";PREF=1" if preferred else ""
        return f";TYPE={value}{pref}" if value else pref
    if preferred:
        types = [*types, "pref"]
    return "".join(f";TYPE={t}" for t in types)


def _point_lines(point: Point, version: str) -> list[str]:
    label = {"private": "home", "work": "work"}.get(point.label, "")
    base = [label] if label else []
    if point.kind == "email":
        types = base if version == "4.0" else ["INTERNET", *base]
        return [f"EMAIL{_type_param(version, types, point.preferred)}:{escape(point.value)}"]
    if point.kind in ("phone", "mobile", "fax"):
        extra = {"phone": "voice", "mobile": "cell", "fax": "fax"}[point.kind]
        return [f"TEL{_type_param(version, [*base, extra], point.preferred)}:{point.value}"]
    if point.kind == "postal":
        parts = ";".join(escape(p) for p in adr_from_postal(point.value))
        return [f"ADR{_type_param(version, base, point.preferred)}:{parts}"]
    if point.kind == "web":
        return [f"URL{_type_param(version, base, point.preferred)}:{point.value}"]
    return [f"X-BRUECKE-{point.kind.upper()}:{escape(point.value)}"]


def card_text(card: CardData, version: str = "4.0") -> str:
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if card.is_organisation:
        lines.append("KIND:org" if version == "4.0" else "X-ABShowAs:COMPANY")
    lines.append(f"FN:{escape(card.full_name)}")
    if card.is_organisation:
        lines.append("N:;;;;")
    else:
        prefix = _PREFIX.get(card.salutation, "")
        lines.append(f"N:{escape(card.family_name)};{escape(card.given_name)};;"
                     f"{escape(prefix)};")
    if card.organisation:
        lines.append(f"ORG:{escape(card.organisation)}")
    if card.title:
        lines.append(f"TITLE:{escape(card.title)}")
    for point in card.points:
        lines.extend(_point_lines(point, version))
    if card.notes:
        lines.append(f"NOTE:{escape(card.notes)}")
    if card.tags:
        lines.append("CATEGORIES:" + ",".join(escape(t) for t in card.tags))
    uid = f"urn:uuid:{card.uid}" if version == "4.0" else card.uid
    lines.append(f"UID:{uid}")
    stamp = (card.updated_at or datetime.now(UTC)).astimezone(UTC)
    lines.append(f"REV:{stamp.strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def write_vcards(cards: Iterable[CardData], version: str = "4.0") -> str:
    return "".join(card_text(card, version) for card in cards)

