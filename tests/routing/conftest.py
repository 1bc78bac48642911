"""Fixtures of real benchmark data for the solver tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import vrplib

SOLOMON_DIR = Path(__file__).resolve().parents[3] / "shared" / "vrp" / "solomon"


@pytest.fixture(scope="session")
def solomon_c101() -> dict:
    """Solomon's C101 (100 clustered customers, tight windows), read with vrplib."""
    path = SOLOMON_DIR / "C101.txt"
    if not path.exists():
        pytest.skip(f"Solomon instances not found in {SOLOMON_DIR}")
    return vrplib.read_instance(path, instance_format="solomon")


@pytest.fixture(scope="session")
def solomon_r201() -> dict:
    """Solomon's R201 (100 random customers, wide windows, long routes), read with vrplib."""
    path = SOLOMON_DIR / "R201.txt"
    if not path.exists():
        pytest.skip(f"Solomon instances not found in {SOLOMON_DIR}")
    return vrplib.read_instance(path, instance_format="solomon")
