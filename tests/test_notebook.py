"""The quickstart notebook runs from top to bottom and shows the seed chain."""

import nbformat
from nbclient import NotebookClient

from conftest import ROOT


def test_quickstart_notebook_executes_and_finds_the_chain():
    notebook = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    outputs = "".join(
        output.get("data", {}).get("text/plain", "") + output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "Dupilumab" in outputs and "IL4" in outputs and "acquired reactive perforating" in outputs
    assert not any(
        output.get("output_type") == "error"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
