"""A tag change is a change: it bumps the record's version for optimistic locking."""

from __future__ import annotations

from typing import Any

import pytest

from crm.errors import ConflictError
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput


def test_tagging_a_person_bumps_its_version(app: Any) -> None:
    before = app.people.create(PersonInput(full_name="Erika Musterfrau"))
    after = app.people.set_tags(before.uid, ["Presse"])
    assert after.version > before.version
    assert app.people.get(before.uid).version == after.version


def test_an_edit_from_before_a_tag_change_is_a_conflict(app: Any) -> None:
    before = app.people.create(PersonInput(full_name="Erika Musterfrau"))
    app.people.set_tags(before.uid, ["Presse"])
    with pytest.raises(ConflictError):
        app.people.update(before.uid, {"notes": "mine"}, expected_version=before.version)
    assert app.people.get(before.uid).notes == ""


def test_unchanged_tags_keep_the_version(app: Any) -> None:
    tagged = app.people.set_tags(app.people.create(PersonInput(full_name="A B")).uid, ["x"])
    assert app.people.set_tags(tagged.uid, ["x"]).version == tagged.version


def test_tagging_an_organisation_bumps_its_version(app: Any) -> None:
    before = app.organisations.create(OrganisationInput(name="Verein Brücke", kind="member"))
    after = app.organisations.set_tags(before.uid, ["Presse"])
    assert after.version > before.version
    with pytest.raises(ConflictError):
        app.organisations.update(before.uid, {"notes": "mine"},
                                 expected_version=before.version)
