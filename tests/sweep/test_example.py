"""examples/sweep_learning_rates.py runs (two epochs) and writes its plot."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_learning_rate_sweep_example_writes_its_plot(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    plot = tmp_path / "sweep.png"
    env = {**os.environ, "SWEEP_EPOCHS": "2", "SWEEP_PLOT": str(plot),
           "PYTHONPATH": str(REPO), "JAX_PLATFORMS": "cpu"}
    completed = subprocess.run([sys.executable, str(REPO / "examples" / "sweep_learning_rates.py")],
                               env=env, cwd=tmp_path, capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert any(line.startswith("best learning rate:") for line in lines)
    # The table: a header and one row per learning rate.
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["variant"])
    assert [line.split()[0] for line in lines[header + 1:header + 21]] == \
        [str(i) for i in range(20)]
    assert plot.exists() and plot.stat().st_size > 10_000
