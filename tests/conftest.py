"""Test-wide setup: real Keras, the oracle, runs on the JAX backend on the CPU."""
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

# Parallel workers (pytest-xdist) each get their own compile cache: tests that count cache
# hits and misses must not see programs another worker wrote a moment earlier.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and "LAYERWISE_CACHE_DIR" not in os.environ:
    _base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    os.environ["LAYERWISE_CACHE_DIR"] = str(_base / "layerwise" / f"jax-tests-{_worker}")
