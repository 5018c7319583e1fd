"""Preferences shared by the CLI, reports and the window, in one file in the config folder.

Each key and its default is declared once, in :class:`Preferences`. Window state does not
belong here; it lives in QSettings (ui/settings.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from crm.paths import user_config_dir

CONFIG_ENV = "BRUECKE_CONFIG"


@dataclass
class Preferences:
    staff_initials: str = ""
    language: str = "de"
    network_name: str = "Brücke – Landesnetzwerk der Migrant:innenorganisationen"
    logo_path: str = ""
    database: str = ""
    funder_text: str = ""
    funder_logo_path: str = ""
    retention_years: int = 3
    backup_folder: str = ""
    last_project_uid: str = ""  # the project the quick log offers first


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    return Path(override) if override else user_config_dir() / "config.json"


def load_preferences(path: Path | None = None) -> Preferences:
    """Read the preferences; a missing or broken file gives the defaults."""
    path = path or config_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Preferences()
    if not isinstance(raw, dict):
        return Preferences()
    known = {f.name: f.type for f in fields(Preferences)}
    values = {k: v for k, v in raw.items() if k in known and isinstance(v, (str, int))}
    try:
        return Preferences(**values)
    except TypeError:
        return Preferences()


def save_preferences(prefs: Preferences, path: Path | None = None) -> None:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(prefs), indent=2, ensure_ascii=False), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
