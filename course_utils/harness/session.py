"""The notebook harness: recording results and fixing seeds.

A notebook calls ``record("test_accuracy", acc)``. The value is shown in the notebook and
stored in the cell's output under a course-specific MIME type, from which the runner
(``python -m course_utils run``) and the tests read it back after papermill has executed the
notebook.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Mapping
from typing import Any

import numpy as np

RESULT_MIME = "application/vnd.course-result+json"


def _plain(value: Any) -> Any:
    """Turn numpy and tensor values into JSON-friendly Python ones."""
    if hasattr(value, "numpy") and callable(value.numpy):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record(name: str, value: Any) -> None:
    """Record one key result of the notebook (a number, string, list or dict)."""
    value = _plain(value)
    json.dumps(value)  # fail here, with the name, rather than in the runner
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"result {name!r} is not a finite number: {value}")
    shown = f"{value:.4f}" if isinstance(value, float) else repr(value)
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({RESULT_MIME: {"name": name, "value": value}, "text/plain": f"recorded {name} = {shown}"}, raw=True)
            return
    except ImportError:  # pragma: no cover - IPython is a dependency
        pass
    print(f"recorded {name} = {shown}")


def results_from_notebook(nb: Mapping) -> dict[str, Any]:
    """Collect every value recorded in an executed notebook (the later of two wins)."""
    found: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {}) if isinstance(output, Mapping) else {}
            if RESULT_MIME in data:
                item = data[RESULT_MIME]
                if isinstance(item, str):
                    item = json.loads(item)
                found[item["name"]] = item["value"]
    return found


def seed_everything(seed: int = 42) -> None:
    """Fix Python's, NumPy's and TensorFlow's seeds (via ``keras.utils.set_random_seed``)."""
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)


def setup_notebook(fast: bool = False, seed: int = 42) -> bool:
    """The first lines of every notebook: resolve fast mode, fix seeds, record the mode.

    Returns the effective fast mode (the ``FAST`` parameter or ``COURSE_FAST=1``).
    """
    from course_utils.harness.config import fast_mode

    fast = fast_mode(fast)
    seed_everything(seed)
    _figure_dpi()
    record("fast_mode", fast)
    return fast


def _figure_dpi() -> None:
    """``COURSE_FIGURE_DPI`` (set for the runs whose outputs are stored) sets the figures' resolution."""
    dpi = os.environ.get("COURSE_FIGURE_DPI")
    if dpi:
        import matplotlib

        matplotlib.rcParams["figure.dpi"] = float(dpi)
