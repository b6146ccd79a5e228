"""The notebooks run clean, top to bottom, on the venv's kernel, and print the published numbers."""

import sys
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CELL_TIMEOUT = 120  # seconds a cell may take; the first extraction loads the spaCy pipeline
_PROBE = "import sys as _sys, evidextract as _ev\nprint(_sys.executable, _ev.__file__)"


def _run(name: str) -> str:
    """Execute a notebook as committed; return the text of its outputs."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), \
        f"{name} is committed with outputs"
    notebook.cells.append(nbformat.v4.new_code_cell(_PROBE))  # which kernel ran it
    nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    executable, package = notebook.cells[-1].outputs[0]["text"].split()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(package).resolve().parents[1] == NOTEBOOKS.parent  # this checkout
    parts = []
    for cell in notebook.cells[:-1]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts += [output.get("text", ""), data.get("text/plain", ""),
                      data.get("text/html", "")]
            parts += [f"<{mime}>" for mime in data if mime.startswith("image/")]
    return "\n".join(parts)


def test_notebooks_metafor_examples_reproduce_bcg():
    text = _run("03_metafor_examples.ipynb")
    assert "pooled RR 0.49 (95% CI 0.34 to 0.70)" in text
    assert "14 of 14 published figures reproduced" in text
    assert "Random-Effects Model (k = 13; tau^2 estimator: REML)" in text
    assert "-0.7145  0.1798  -3.9744  <.0001  -1.0669  -0.3622" in text
    assert "<image/png>" in text  # the forest plot was drawn


def test_notebooks_tour_reads_extracts_and_shows_the_seeds():
    text = _run("01_tour.ipynb")
    assert "12 records read, status: {'ok': 12}" in text
    assert "6.8 ± 2.2 (range, 0–10)<span" in text  # highlighted in its abstract by show()
    assert "-3.71 (95% confidence interval [CI]: -5.29 to -2.00" in text  # estimates()


def test_notebooks_pain_scores_pool_the_seed_studies():
    text = _run("02_pain_scores.ipynb")
    assert "Random-Effects Model (k = 2; tau^2 estimator: REML)" in text
    assert "-2.1426  0.4169  -5.1392  <.0001  -2.9597  -1.3254" in text  # metafor 3.8
    assert "pooled SMD -2.14 (95% CI -2.96 to -1.33)" in text
    assert "corrections: 0" in text
    assert "<image/png>" in text
