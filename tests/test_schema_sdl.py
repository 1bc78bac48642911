"""The committed SDL and the README's example operations stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from sitecrew.cli.schema import schema_sdl

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = sorted((ROOT / "schema" / "operations").rglob("*.graphql"))


def test_committed_sdl_matches_the_code():
    """schema/schema.graphql equals the printed schema (run `sitecrew schema export`)."""
    committed = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), "schema drifted: run `sitecrew schema export`"


@pytest.mark.parametrize("path", OPERATIONS, ids=[p.stem for p in OPERATIONS])
def test_example_operation_is_valid_against_the_schema(path):
    """Every example operation parses and validates against the committed SDL."""
    schema = build_schema((ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8"))
    assert validate(schema, parse(path.read_text(encoding="utf-8"))) == []


def test_there_are_example_operations():
    """The README's tour has operations to show."""
    assert len(OPERATIONS) >= 5


def test_readme_shows_the_operations_exactly_as_committed():
    """A README block headed ``# schema/operations/…`` is that file, word for word."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n# (schema/operations/\S+)\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) >= 5
    for path, body in blocks:
        assert (ROOT / path).read_text(encoding="utf-8") == body, f"README differs from {path}"
