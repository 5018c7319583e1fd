"""Where Brücke's files live: bundled resources, user data and config folders."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "bruecke"

# resources/ sits beside the crm package, both in a checkout and when installed.
RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """Return the path of a bundled resource file."""
    return RESOURCES_DIR.joinpath(*parts)


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return user_data_dir() / "bruecke.db"
