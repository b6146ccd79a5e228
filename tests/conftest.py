"""Shared fixtures: paths to the shared corpora and a matplotlib backend for tests."""

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
# EVIDEXTRACT_SHARED points elsewhere, e.g. from a git worktree that has no ../shared.
SHARED = Path(os.environ.get("EVIDEXTRACT_SHARED", ROOT.parent / "shared"))
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared_dir():
    """The ``../shared`` folder beside the repository (seeds, formats, eval, bench)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not found (set EVIDEXTRACT_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def data_dir():
    """``tests/data``."""
    return DATA


@pytest.fixture
def close_figures():
    """Close every matplotlib figure a test opened."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


# Generated examples are the same on every run (CI must not fail by chance); a longer,
# random search is `pytest --hypothesis-profile=explore`.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=2000, database=None)
settings.load_profile("ci")
