"""CSV and XLSX contact lists: encoding, delimiter and header detection, column mapping.

Column presets recognise the exports of Google Contacts, Outlook (English and German
headers) and Thunderbird by their header names, never by position. A mapping is
``{column index: field}``; fields are the keys of :data:`FIELDS`, plus numbered pairs
``email@1`` / ``email_label@1`` (and phone, postal, web) for Google's "Phone 1 - Value" and
"Phone 1 - Label" columns, whose label decides the kind of a number.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime

from crm.i18n import N_
from crm.io import ContactRecord, Point, ReadResult, UnreadableFileError
from crm.search.normalize import fold

FIELDS: dict[str, str] = {
    "": N_("(ignore)"),
    "full_name": N_("Name"),
    "given_name": N_("Given name"),
    "middle_name": N_("Middle name"),
    "family_name": N_("Family name"),
    "salutation": N_("Salutation"),
    "organisation": N_("Organisation"),
    "department": N_("Department"),
    "title": N_("Title"),
    "email": N_("E-mail"),
    "email_2": N_("E-mail 2"),
    "email_3": N_("E-mail 3"),
    "phone": N_("Phone"),
    "phone_2": N_("Phone 2"),
    "phone_home": N_("Phone (private)"),
    "mobile": N_("Mobile"),
    "fax": N_("Fax"),
    "street": N_("Street"),
    "street_2": N_("Street (line 2)"),
    "postcode": N_("Postcode"),
    "city": N_("City"),
    "country": N_("Country"),
    "home_street": N_("Street (private)"),
    "home_postcode": N_("Postcode (private)"),
    "home_city": N_("City (private)"),
    "home_country": N_("Country (private)"),
    "web": N_("Website"),
    "notes": N_("Notes"),
    "tags": N_("Tags"),
    "birthday": N_("Birthday"),
    "birth_year": N_("Birth year"),
    "birth_month": N_("Birth month"),
    "birth_day": N_("Birth day"),
    "uid": N_("ID (uid)"),
}

_GOOGLE = {
    "name": "full_name", "given name": "given_name", "first name": "given_name",
    "additional name": "middle_name", "middle name": "middle_name",
    "family name": "family_name", "last name": "family_name", "name prefix": "salutation",
    "organization 1 name": "organisation", "organization name": "organisation",
    "organization 1 title": "title", "organization title": "title",
    "organization 1 department": "department", "organization department": "department",
    "notes": "notes", "group membership": "tags", "labels": "tags", "birthday": "birthday",
}
_OUTLOOK = {
    "title": "salutation", "first name": "given_name", "middle name": "middle_name",
    "last name": "family_name", "company": "organisation", "department": "department",
    "job title": "title", "business street": "street", "business street 2": "street_2",
    "business city": "city", "business postal code": "postcode",
    "business country region": "country", "home street": "home_street",
    "home city": "home_city", "home postal code": "home_postcode",
    "home country region": "home_country", "business fax": "fax",
    "business phone": "phone", "business phone 2": "phone_2", "home phone": "phone_home",
    "mobile phone": "mobile", "e mail address": "email", "e mail 2 address": "email_2",
    "e mail 3 address": "email_3", "notes": "notes", "web page": "web",
    "categories": "tags", "birthday": "birthday",
    # German Outlook
    "anrede": "salutation", "vorname": "given_name", "weitere vornamen": "middle_name",
    "nachname": "family_name", "firma": "organisation", "abteilung": "department",
    "position": "title", "strasse geschaftlich": "street", "strasse geschaftlich 2": "street_2",
    "ort geschaftlich": "city", "postleitzahl geschaftlich": "postcode",
    "land region geschaftlich": "country", "strasse privat": "home_street",
    "ort privat": "home_city", "postleitzahl privat": "home_postcode",
    "land region privat": "home_country", "fax geschaftlich": "fax",
    "telefon geschaftlich": "phone", "telefon geschaftlich 2": "phone_2",
    "telefon privat": "phone_home", "mobiltelefon": "mobile", "e mail adresse": "email",
    "e mail 2 adresse": "email_2", "e mail 3 adresse": "email_3", "notizen": "notes",
    "webseite": "web", "kategorien": "tags", "geburtstag": "birthday",
}
_THUNDERBIRD = {
    "first name": "given_name", "last name": "family_name", "display name": "full_name",
    "primary email": "email", "secondary email": "email_2", "work phone": "phone",
    "home phone": "phone_home", "fax number": "fax", "mobile number": "mobile",
    "home address": "home_street", "home city": "home_city", "home zipcode": "home_postcode",
    "home country": "home_country", "work address": "street", "work address 2": "street_2",
    "work city": "city", "work zipcode": "postcode", "work country": "country",
    "job title": "title", "department": "department", "organization": "organisation",
    "web page 1": "web", "birth year": "birth_year", "birth month": "birth_month",
    "birth day": "birth_day", "notes": "notes",
    # German Thunderbird
    "vorname": "given_name", "nachname": "family_name", "anzeigename": "full_name",
    "primare e mail adresse": "email", "sekundare e mail adresse": "email_2",
    "tel dienstlich": "phone", "tel privat": "phone_home", "fax nummer": "fax",
    "mobil tel nr": "mobile", "privat adresse": "home_street", "privat ort": "home_city",
    "privat plz": "home_postcode", "privat land": "home_country",
    "dienstlich adresse": "street", "dienstlich adresse 2": "street_2",
    "dienstlich ort": "city", "dienstlich plz": "postcode", "dienstlich land": "country",
    "arbeitstitel": "title", "abteilung": "department", "organisation": "organisation",
    "webseite 1": "web", "geburtsjahr": "birth_year", "geburtsmonat": "birth_month",
    "geburtstag": "birth_day", "notizen": "notes",
}
_GENERIC = {
    "name": "full_name", "vollstandiger name": "full_name", "full name": "full_name",
    "vorname": "given_name", "given name": "given_name", "first name": "given_name",
    "nachname": "family_name", "familienname": "family_name", "last name": "family_name",
    "surname": "family_name", "anrede": "salutation", "organisation": "organisation",
    "organization": "organisation", "firma": "organisation", "verein": "organisation",
    "company": "organisation", "institution": "organisation", "funktion": "title",
    "position": "title", "rolle": "title", "titel": "title", "job title": "title",
    "e mail": "email", "email": "email", "mail": "email", "e mail adresse": "email",
    "telefon": "phone", "phone": "phone", "tel": "phone", "telefonnummer": "phone",
    "mobil": "mobile", "handy": "mobile", "mobile": "mobile", "mobiltelefon": "mobile",
    "fax": "fax", "strasse": "street", "street": "street", "adresse": "street",
    "plz": "postcode", "postleitzahl": "postcode", "zip": "postcode", "ort": "city",
    "stadt": "city", "city": "city", "land": "country", "country": "country",
    "webseite": "web", "website": "web", "homepage": "web", "url": "web",
    "notizen": "notes", "notiz": "notes", "notes": "notes", "bemerkung": "notes",
    "tags": "tags", "schlagworte": "tags", "kategorien": "tags", "gruppen": "tags",
    "geburtstag": "birthday", "birthday": "birthday", "uid": "uid", "id": "uid",
    "family name": "family_name", "salutation": "salutation", "title": "title",
    "e mail 2": "email_2", "postanschrift": "street", "postal address": "street",
    "schlagworter": "tags",
}
PRESETS: dict[str, dict[str, str]] = {
    "google": _GOOGLE, "outlook": _OUTLOOK, "thunderbird": _THUNDERBIRD,
}
# Headers only one program writes: they decide which preset a file gets.
_SIGNATURES = {
    "google": {"e mail 1 value", "phone 1 value", "organization 1 name", "organization name",
               "group membership", "labels", "given name", "file as"},
    "outlook": {"e mail address", "business phone", "job title", "company",
                "e mail adresse", "telefon geschaftlich", "firma", "position",
                "e mail display name", "anzeigename e mail"},
    "thunderbird": {"primary email", "display name", "work phone", "mobile number",
                    "primare e mail adresse", "anzeigename", "tel dienstlich",
                    "mobil tel nr"},
}
_PAIR = re.compile(r"^(e mail|phone|address|website) (\d+) (value|label|type|formatted)$")
_PAIR_FIELD = {"e mail": "email", "phone": "phone", "address": "postal", "website": "web"}


def header_key(text: str) -> str:
    return fold(text.replace("ß", "ss"))


# -- bytes → text ------------------------------------------------------------------------------

def decode_bytes(data: bytes, source: str = "") -> tuple[str, str]:
    """The text and the name of its encoding; binary data raises UnreadableFileError."""
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
            (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, name in boms:
        if data.startswith(bom):
            return data.decode(name), name
    sample = data[:4000]
    if sample.count(b"\x00") * 4 >= len(sample) > 0:
        odd = sample[1::2].count(b"\x00")
        even = sample[0::2].count(b"\x00")
        for name, ok in (("utf-16-le", odd > even * 3), ("utf-16-be", even > odd * 3)):
            if ok:
                try:
                    text = data.decode(name)
                except UnicodeDecodeError:
                    break
                if _looks_binary(text):
                    break
                return text, name
    if b"\x00" in sample:
        raise UnreadableFileError("binary_file", source)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # ~15 ms to import: only for odd encodings

    best = from_bytes(data).best()
    if best is None or _looks_binary(str(best)):
        raise UnreadableFileError("binary_file", source)
    if best.encoding.replace("_", "").replace("-", "").lower() in _WESTERN:
        # Short German texts are often guessed as a related code page (cp1250, cp775 …);
        # Windows-1252 (a superset of ISO-8859-1's letters) is what Excel and Outlook write.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "iso-8859-1"
    return str(best), best.encoding


_WESTERN = {"cp1250", "cp1252", "cp1254", "cp1257", "cp775", "cp850", "cp437", "cp858",
            "latin1", "iso88591", "iso885915", "iso88592", "iso88599", "iso885913",
            "macroman", "maclatin2", "cp1258", "iso885916", "iso88594", "iso885914",
            "iso885910", "iso88593", "macturkish", "maciceland"}


def _looks_binary(text: str) -> bool:
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > len(sample) * 0.02


# -- text → rows -----------------------------------------------------------------------------

def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ",", -1.0
    for candidate in (";", ",", "\t"):
        counts = [len(next(csv.reader([line], delimiter=candidate))) - 1 for line in lines]
        if not counts or max(counts) == 0:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) / len(counts) * (1 + min(common, 20) / 20)
        if common > 0 and score > best_score:
            best, best_score = candidate, score
    return best


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [row for row in reader]


def xlsx_rows(data: bytes, source: str = "") -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any damage means: not readable
        raise UnreadableFileError("bad_xlsx", source, str(exc)) from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- headers and mappings ----------------------------------------------------------------------

def _known_headers() -> set[str]:
    known = set(_GENERIC)
    for preset in PRESETS.values():
        known |= set(preset)
    return known


def has_header(rows: list[list[str]]) -> bool:
    if not rows:
        return False
    first = [header_key(c) for c in rows[0]]
    known = _known_headers()
    if any(c in known or _PAIR.match(c) for c in first if c):
        return True
    first_data = any("@" in c or sum(ch.isdigit() for ch in c) >= 5 for c in rows[0])
    later = rows[1:20]
    later_data = any("@" in c or sum(ch.isdigit() for ch in c) >= 5 for r in later for c in r)
    return not first_data and later_data


def detect_preset(headers: Sequence[str]) -> str:
    keys = {header_key(h) for h in headers}
    scores = {name: len(keys & sig) for name, sig in _SIGNATURES.items()}
    name, score = max(scores.items(), key=lambda item: item[1])
    return name if score >= 2 else "generic"


def mapping_for(headers: Sequence[str], preset: str) -> dict[int, str]:
    table = PRESETS.get(preset, {})
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        pair = _PAIR.match(key)
        if pair and preset in ("google", "generic"):
            kind, number, part = pair.groups()
            base = _PAIR_FIELD[kind]
            suffix = "_label" if part in ("label", "type") else ""
            mapping[index] = f"{base}{suffix}@{number}"
            continue
        field = table.get(key) or (_GENERIC.get(key) if preset == "generic" else None)
        if field and field not in mapping.values():
            mapping[index] = field
    return mapping


def guess_without_header(rows: list[list[str]]) -> dict[int, str]:
    """Columns of a file without a header row, by what their values look like."""
    width = max((len(r) for r in rows[:50]), default=0)
    mapping: dict[int, str] = {}
    texts: list[int] = []
    for index in range(width):
        values = [r[index].strip() for r in rows[:50] if index < len(r) and r[index].strip()]
        if not values:
            continue
        if sum("@" in v for v in values) > len(values) / 2:
            mapping[index] = "email" if "email" not in mapping.values() else "email_2"
        elif sum(bool(re.fullmatch(r"[+0-9 ()/.-]{6,}", v)) for v in values) > len(values) / 2:
            mapping[index] = "phone" if "phone" not in mapping.values() else "mobile"
        else:
            texts.append(index)
    for index, field in zip(texts, ("full_name", "organisation", "title"), strict=False):
        mapping[index] = field
    return mapping


# -- rows → records --------------------------------------------------------------------------

def _salutation(text: str) -> str:
    key = fold(text).rstrip(".")
    return {"herr": "herr", "mr": "herr", "frau": "frau", "mrs": "frau", "ms": "frau",
            "fr": "frau", "hr": "herr"}.get(key, "")


def _tags(text: str) -> list[str]:
    parts = re.split(r"\s*(?::::|;|,)\s*", text)
    return [p.strip() for p in parts if p.strip() and not p.strip().startswith("*")]


def _address(values: dict[str, str], prefix: str) -> str:
    street = ", ".join(v for v in (values.get(f"{prefix}street", ""),
                                   values.get(f"{prefix}street_2", "")) if v)
    place = " ".join(v for v in (values.get(f"{prefix}postcode", ""),
                                 values.get(f"{prefix}city", "")) if v)
    country = values.get(f"{prefix}country", "")
    if country.lower() in ("deutschland", "germany", "de"):
        country = ""
    return ", ".join(v for v in (street, place, country) if v)


def _pair_points(values: dict[str, str]) -> list[Point]:
    points: list[Point] = []
    for key, value in values.items():
        if "@" not in key or "_label@" in key or not value:
            continue
        base, number = key.split("@")
        label_text = fold(values.get(f"{base}_label@{number}", ""))
        label = "private" if "home" in label_text or "privat" in label_text else "work"
        kind = base
        if base == "phone":
            if "mobil" in label_text or "cell" in label_text:
                kind = "mobile"
            elif "fax" in label_text:
                kind = "fax"
        for part in value.split(" ::: "):
            text = ", ".join(x.strip() for x in part.splitlines() if x.strip())
            points.append(Point(kind, text, label, "*" in label_text))
    return points


def record_from_row(row: list[str], mapping: dict[int, str], line: int) -> ContactRecord:
    values: dict[str, str] = {}
    for index, field in mapping.items():
        if field and index < len(row) and row[index].strip():
            values[field] = row[index].strip()
    record = ContactRecord("line", line)
    record.full_name = values.get("full_name", "")
    record.given_name = " ".join(v for v in (values.get("given_name", ""),
                                             values.get("middle_name", "")) if v)
    record.family_name = values.get("family_name", "")
    record.salutation = _salutation(values.get("salutation", ""))
    record.organisation = values.get("organisation", "")
    record.department = values.get("department", "")
    record.title = values.get("title", "")
    record.notes = values.get("notes", "")
    record.tags = _tags(values.get("tags", ""))
    record.uid = values.get("uid", "")
    record.birthday = values.get("birthday", "") or "-".join(
        values.get(k, "") for k in ("birth_year", "birth_month", "birth_day")).strip("-")
    simple = (("email", "email", "work"), ("email_2", "email", "work"),
              ("email_3", "email", "work"), ("phone", "phone", "work"),
              ("phone_2", "phone", "work"), ("phone_home", "phone", "private"),
              ("mobile", "mobile", "work"), ("fax", "fax", "work"), ("web", "web", "work"))
    for field, kind, label in simple:
        if values.get(field):
            record.points.append(Point(kind, values[field], label))
    record.points.extend(_pair_points(values))
    for prefix, label in (("", "work"), ("home_", "private")):
        postal = _address(values, prefix)
        if postal:
            record.points.append(Point("postal", postal, label))
    return record


def read_table(data: bytes, source: str = "", *, fmt: str = "csv", preset: str | None = None,
               mapping: dict[int, str] | None = None, delimiter: str | None = None,
               header: bool | None = None) -> ReadResult:
    """Read a CSV or XLSX file; everything not given is detected."""
    if not data.strip():
        raise UnreadableFileError("empty_file", source)
    encoding = ""
    if fmt == "xlsx":
        rows = xlsx_rows(data, source)
        delimiter = ""
    else:
        text, encoding = decode_bytes(data, source)
        delimiter = delimiter or sniff_delimiter(text)
        rows = csv_rows(text, delimiter)
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    rows = [r for _n, r in numbered]
    if not rows:
        raise UnreadableFileError("empty_file", source)
    with_header = has_header(rows) if header is None else header
    columns = rows[0] if with_header else [f"{i + 1}" for i in range(max(map(len, rows)))]
    body = rows[1:] if with_header else rows
    lines = [n for n, _r in numbered[1:]] if with_header else [n for n, _r in numbered]
    if mapping is None:
        if with_header:
            preset = preset or detect_preset(columns)
            mapping = mapping_for(columns, preset)
        else:
            preset, mapping = "generic", guess_without_header(body)
    records = [record_from_row(row, mapping, line)
               for line, row in zip(lines, body, strict=True)]
    return ReadResult(records, [], format=fmt, encoding=encoding, delimiter=delimiter,
                      has_header=with_header, mapping_name=preset or "custom",
                      columns=list(columns), mapping=dict(mapping), preview=body[:20])
