"""The shared kernel: notebooks run in one kernel still start from an empty namespace."""

from __future__ import annotations

import json

import nbformat

from analysis.cycle.kernel import SharedKernel


def _notebook(path, *sources):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.cells[0].metadata["tags"] = ["parameters"]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def _outputs(path):
    cells = json.loads(path.read_text())["cells"]
    return [(["".join(o.get("text", "")) for o in c["outputs"]], c["execution_count"]) for c in cells]


def test_each_notebook_starts_from_an_empty_namespace_and_count_one(tmp_path):
    first = _notebook(tmp_path / "first.ipynb", "x = 0", "leaked = 41", "import json")
    second = _notebook(tmp_path / "second.ipynb", "x = 0", "print('leaked' in dir(), 'json' in dir(), x)")
    with SharedKernel(tmp_path, warm_up="import polars") as kernel:
        kernel.execute(first, tmp_path / "out" / "first.ipynb", {"x": "1"})
        kernel.execute(second, tmp_path / "out" / "second.ipynb", {"x": "2"})
        pid = kernel.manager.provisioner.process.pid
    outputs = _outputs(tmp_path / "out" / "second.ipynb")
    assert outputs[-1] == (["False False 2\n"], 3), outputs   # parameters injected, nothing left from `first`
    assert [count for _, count in outputs] == [1, 2, 3]
    try:
        import os
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive, "the kernel outlives its context"


def test_a_failing_cell_names_the_notebook_and_the_error(tmp_path):
    import pytest

    from analysis.cycle.kernel import NotebookFailed

    broken = _notebook(tmp_path / "broken.ipynb", "x = 0", "raise KeyError('missing column')")
    with SharedKernel(tmp_path) as kernel, pytest.raises(NotebookFailed) as failure:
        kernel.execute(broken, tmp_path / "out" / "broken.ipynb", {})
    assert failure.value.name == "broken.ipynb" and failure.value.ename == "KeyError"
    assert "missing column" in str(failure.value)
