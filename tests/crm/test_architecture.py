"""Layer rules: crm/ never loads Qt, ui/ never touches SQLAlchemy (plus import-linter)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_crm_loads_no_qt() -> None:
    code = (
        "import sys, crm, crm.app, crm.cli\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui'))]\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == ""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_ui_imports_no_sqlalchemy_and_writes_no_sql() -> None:
    offenders = []
    sql_words = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "PRAGMA ")
    for path in (ROOT / "ui").rglob("*.py"):
        imported = _imports(path)
        if any(m == "sqlalchemy" or m.startswith(("sqlalchemy.", "crm.persistence", "sqlite3"))
               for m in imported):
            offenders.append(f"{path}: imports SQL")
        text = path.read_text(encoding="utf-8")
        if any(word in text for word in sql_words):
            offenders.append(f"{path}: contains SQL text")
    assert offenders == []


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
