"""The example operations in schema/operations run on demo data without errors."""

from __future__ import annotations

from pathlib import Path

import pytest

OPERATIONS = sorted(
    (Path(__file__).resolve().parents[2] / "schema" / "operations").glob("*.graphql")
)


@pytest.mark.parametrize("path", OPERATIONS, ids=[p.stem for p in OPERATIONS])
def test_example_operation_runs_on_demo_data(gql, path):
    """Each operation, with its default variables, answers data and no errors (as admin)."""
    data = gql.data("admin", path.read_text(encoding="utf-8"))
    assert data
    assert all(value is not None for value in data.values())
