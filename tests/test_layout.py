"""The test tree itself: pytest imports test modules by their file name (no packages), so two
test files with one name make the whole run stop at collection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_every_test_module_has_a_name_of_its_own():
    """No two ``test_*.py`` files anywhere under tests/ share a file name."""
    names = Counter(path.name for path in Path(__file__).parent.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
