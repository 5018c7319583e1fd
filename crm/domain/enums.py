"""Enumerations stored as their string values (portable across SQLite and PostgreSQL)."""

from __future__ import annotations

from enum import StrEnum


class MunicipalityLevel(StrEnum):
    STATE = "state"
    DISTRICT = "district"
    INDEPENDENT_CITY = "independent-city"
    MUNICIPALITY = "municipality"


class OrganisationKind(StrEnum):
    MEMBER = "member"
    COUNCIL = "council"
    ADMINISTRATION = "administration"
    NETWORK = "network"
    PUBLIC_BODY = "public-body"
    FUNDER = "funder"
    OTHER = "other"


class Salutation(StrEnum):
    FRAU = "frau"
    HERR = "herr"
    NEUTRAL = "neutral"
    NONE = "none"


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    MOBILE = "mobile"
    FAX = "fax"
    WEB = "web"
    POSTAL = "postal"
    MESSENGER = "messenger"


class ContactLabel(StrEnum):
    WORK = "work"
    PRIVATE = "private"
    OTHER = "other"


class InteractionKind(StrEnum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"
    EVENT = "event"
    OTHER = "other"


class EventKind(StrEnum):
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    FACHTAGUNG = "fachtagung"
    NETWORK_MEETING = "network-meeting"
    OTHER = "other"


class AttendeeStatus(StrEnum):
    INVITED = "invited"
    REGISTERED = "registered"
    ATTENDED = "attended"
    CANCELLED = "cancelled"
