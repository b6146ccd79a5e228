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
