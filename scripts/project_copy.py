"""A copy of the project to plant bugs or mutants in (scripts/planted_bugs.py, mutation.py).

Left out: environments and caches, and stores (`*.db`) lying about the worktree, but not the
stores the tests read as fixtures (tests/fixtures/release_0001/store.db): without them the
conversion tests fail whatever is planted, and every bug would count as caught.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
LEFT_OUT_NAMES = (".venv", ".git", "__pycache__", ".hypothesis", ".pytest_cache", "mutants")
STORE_SUFFIX = ".db"


def left_out(directory: str, names: list[str]) -> set[str]:
    """`shutil.copytree`'s `ignore`: the names in `directory` not to copy."""
    skipped = {name for name in names if name in LEFT_OUT_NAMES}
    if not Path(directory).resolve().is_relative_to(FIXTURES):
        skipped |= {name for name in names if name.endswith(STORE_SUFFIX)}
    return skipped


def copy_project(destination: Path) -> None:
    shutil.copytree(ROOT, destination, ignore=left_out, dirs_exist_ok=True)
