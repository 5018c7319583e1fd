"""Seed Thuringia's municipalities from the bundled Zensus 2022 and BKG data.

Seeded records get deterministic uids (UUID5 of the AGS) so that every database agrees on
them. Seeding adds what is missing and never touches a record a user has changed.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.domain import Municipality, MunicipalityLevel
from crm.paths import resource

AGS_NAMESPACE = uuid.UUID("6f1c3d2e-8a4b-5c6d-9e0f-1a2b3c4d5e6f")
STATE_AGS = "16"
STATE_NAME = "Thüringen"


def uid_for_ags(ags: str) -> str:
    return str(uuid.uuid5(AGS_NAMESPACE, f"ags:{ags}"))


@dataclass(frozen=True)
class SeedRecord:
    ags: str
    name: str
    level: MunicipalityLevel
    parent_ags: str | None
    population: int | None


def seed_records() -> list[SeedRecord]:
    """State, then districts and independent cities, then municipalities."""
    records = [SeedRecord(STATE_AGS, STATE_NAME, MunicipalityLevel.STATE, None, None)]
    cities: set[str] = set()
    with resource("thueringen", "thueringen_kreise.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            city = row["typ"].strip().lower().startswith("kreisfreie")
            if city:
                cities.add(row["ags"])
                level = MunicipalityLevel.INDEPENDENT_CITY
                name = row["name"]
            else:
                level = MunicipalityLevel.DISTRICT
                # "Landkreis Nordhausen", so that "Nordhausen" names the town.
                plain = row["name"]
                name = plain if plain.lower().endswith("kreis") else f"Landkreis {plain}"
            records.append(
                SeedRecord(row["ags"], name, level, STATE_AGS, int(row["einwohner_zensus2022"]))
            )
    path = resource("thueringen", "thueringen_gemeinden_zensus2022.csv")
    with path.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            # An independent city is one record: its district-level entry above.
            if row["kreis_ags"] in cities:
                continue
            records.append(
                SeedRecord(
                    row["ags"],
                    row["name"],
                    MunicipalityLevel.MUNICIPALITY,
                    row["kreis_ags"],
                    int(row["einwohner_zensus2022"] or 0) or None,
                )
            )
    return records


def seed_municipalities(session: Session) -> int:
    """Insert the seed records that are missing; return how many were added."""
    existing = {
        ags: mid
        for ags, mid in session.execute(select(Municipality.ags, Municipality.id))
        if ags is not None
    }
    existing_uids = set(session.scalars(select(Municipality.uid)))
    added = 0
    # Parents come before children in the seed, so one flush per level resolves their ids.
    for level in (MunicipalityLevel.STATE, None, MunicipalityLevel.MUNICIPALITY):
        batch: list[tuple[str, Municipality]] = []
        for record in seed_records():
            if (record.level is MunicipalityLevel.STATE) != (level is MunicipalityLevel.STATE):
                continue
            if (record.level is MunicipalityLevel.MUNICIPALITY) != (
                level is MunicipalityLevel.MUNICIPALITY
            ):
                continue
            uid = uid_for_ags(record.ags)
            if record.ags in existing or uid in existing_uids:
                continue
            parent_id = existing.get(record.parent_ags) if record.parent_ags else None
            batch.append((record.ags, Municipality(
                uid=uid,
                ags=record.ags,
                name=record.name,
                level=record.level,
                parent_id=parent_id,
                population=record.population,
            )))
        session.add_all([m for _, m in batch])
        session.flush()
        existing.update({ags: m.id for ags, m in batch})
        added += len(batch)
    return added
