"""The domain model: SQLAlchemy 2 typed models and the rules that belong to them."""

from crm.domain.base import Base
from crm.domain.consent import Consent, ConsentPurpose, ConsentSource
from crm.domain.enums import (
    AttendeeStatus,
    ContactKind,
    ContactLabel,
    EventKind,
    InteractionKind,
    MunicipalityLevel,
    OrganisationKind,
    Salutation,
)
from crm.domain.events import Event, EventAttendee
from crm.domain.imports import ImportBatch, ImportedRecord, MergedUid
from crm.domain.interactions import FollowUp, Interaction, InteractionParticipant, Project
from crm.domain.municipality import Municipality
from crm.domain.organisation import Organisation
from crm.domain.person import ContactPoint, Person, Role
from crm.domain.staff import AuditEntry, DistributionList, StaffMember, Tag

__all__ = [
    "AttendeeStatus",
    "AuditEntry",
    "Base",
    "Consent",
    "ConsentPurpose",
    "ConsentSource",
    "DistributionList",
    "ContactKind",
    "ContactLabel",
    "ContactPoint",
    "Event",
    "EventAttendee",
    "EventKind",
    "FollowUp",
    "ImportBatch",
    "ImportedRecord",
    "Interaction",
    "InteractionKind",
    "InteractionParticipant",
    "MergedUid",
    "Municipality",
    "MunicipalityLevel",
    "Organisation",
    "OrganisationKind",
    "Person",
    "Project",
    "Role",
    "Salutation",
    "StaffMember",
    "Tag",
]
