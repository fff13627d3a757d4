"""Run bench workers in subprocesses, alternating engines, and summarise their medians.

Every measurement runs in a fresh process (`bench/worker.py`), so first-fit time includes
compiling, whole-process time includes interpreter start and imports, and peak resident
memory belongs to one engine alone. The parent only launches, times and collects.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable

__all__ = [
    "BENCH_DIR", "CacheFolders", "ENGINES", "ENGINE_TITLES", "PYTHON", "REPO_DIR",
    "RESULT_PREFIX", "SEQUENCE_ENGINES", "W3_ENGINES", "add_common_arguments", "engine_env", "engine_list",
    "fmt", "log", "machine_info", "markdown_table", "median", "print_machine", "ratio",
    "rotations", "run_process", "run_worker", "save_json", "summarise", "timed_repeats",
    "verdict",
]

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PYTHON = sys.executable
ENGINES = ("layerwise", "keras", "torch", "jax")
# `torch-default` is PyTorch with its own intra-op thread count (one per core) instead of
# the bench's single thread; not a default engine (it stalls badly on a busy W1), but W3
# measures both and holds layerwise to the faster one.
ENGINE_TITLES = {"layerwise": "layerwise", "keras": "Keras-JAX", "torch": "PyTorch",
                 "torch-default": "PyTorch (default threads)", "jax": "JAX reference"}
W3_ENGINES = ("layerwise", "keras", "torch", "torch-default", "jax")
# W4 and W5 (LSTM, Transformer): Keras, PyTorch at both thread counts and the JAX
# reference (engine_jax_sequence.py) are their peers.
SEQUENCE_ENGINES = ("layerwise", "keras", "torch", "torch-default", "jax")
RESULT_PREFIX = "BENCH_RESULT "
# What layerwise sets for its own cache (models/cache/compile_cache.py); Keras and the JAX
# reference get the same settings through JAX's environment variables.
JAX_CACHE_THRESHOLDS = {"JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
                        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1"}


def engine_env(engine: str, cache_dir: str | None) -> dict[str, str]:
    """The environment of one worker: the engine's compile cache points at `cache_dir`."""
    env = dict(os.environ)
    env["KERAS_BACKEND"] = "jax"
    for name in ("LAYERWISE_CACHE_DIR", "JAX_COMPILATION_CACHE_DIR", *JAX_CACHE_THRESHOLDS):
        env.pop(name, None)
    if engine == "layerwise":
        # layerwise turns JAX's persistent cache on by itself; we only choose the folder.
        env["LAYERWISE_CACHE_DIR"] = cache_dir or ""
    elif engine == "torch-default":
        env["BENCH_TORCH_THREADS"] = "0"  # engine_torch then leaves torch's default alone
    elif engine in ("keras", "jax") and cache_dir:
        env["JAX_COMPILATION_CACHE_DIR"] = cache_dir
        env.update(JAX_CACHE_THRESHOLDS)
    return env


def engine_list(argument: str | None, default: Iterable[str] = ENGINES) -> list[str]:
    """The `--engines` argument as a list, `default` when it was not given."""
    if not argument:
        return list(default)
    engines = argument.split(",")
    for engine in engines:
        if engine not in ENGINE_TITLES:
            raise ValueError(f"Invalid value for argument `--engines`. Expected names from "
                             f"{', '.join(ENGINE_TITLES)}. Received: {engine!r}")
    return engines


def run_process(command: list[str], env: dict[str, str] | None = None,
                cwd: str | Path | None = None, timeout: float = 600) -> tuple[float, str]:
    """Run a command to completion; return (wall seconds, stdout). Fails loudly on error."""
    start = time.perf_counter()
    completed = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                               timeout=timeout)
    wall = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"command failed ({completed.returncode}): {' '.join(command)}\n"
                           f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return wall, completed.stdout


def run_worker(engine: str, workload: str, options: dict[str, Any] | None = None,
               cache_dir: str | None = None, timeout: float = 600) -> dict[str, Any]:
    """One worker process; returns its result dict plus `process_s`, the parent's wall time."""
    command = [PYTHON, str(BENCH_DIR / "worker.py"), "--engine", engine, "--workload", workload]
    for key, value in (options or {}).items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    wall, stdout = run_process(command, env=engine_env(engine, cache_dir), timeout=timeout)
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"no result from {' '.join(command)}:\n{stdout[-3000:]}")
    result = json.loads(lines[-1][len(RESULT_PREFIX):])
    result["process_s"] = wall
    return result


def rotations(items: Iterable[str], repeats: int) -> Iterable[tuple[int, str]]:
    """(repeat, item) pairs, the order rotated each repeat so no engine always runs first."""
    items = list(items)
    for repeat in range(repeats):
        shift = repeat % len(items)
        for item in items[shift:] + items[:shift]:
            yield repeat, item


class CacheFolders:
    """Compile-cache folders: a fresh one per run ("empty") or one per engine ("warm")."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="layerwise-bench-"))
        self._count = 0

    def fresh(self) -> str:
        self._count += 1
        folder = self.root / f"empty-{self._count}"
        folder.mkdir()
        return str(folder)

    def warm(self, engine: str, workload: str) -> str:
        folder = self.root / f"warm-{engine}-{workload}"
        folder.mkdir(exist_ok=True)
        return str(folder)

    def discard(self, folder: str) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarise(runs: list[dict[str, Any]], keys: Iterable[str]) -> dict[str, Any]:
    """Median of each numeric key over runs; also the number of runs."""
    summary: dict[str, Any] = {"runs": len(runs)}
    for key in keys:
        summary[key] = median(run.get(key) for run in runs)
    return summary


def ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs == 0:
        return None
    return ours / theirs


def fmt(value: Any, unit: str = "") -> str:
    """A number with about three significant digits, or a dash when absent."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 100:
        text = f"{value:.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return text + unit


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return "PASS" if value <= limit else "FAIL"


def machine_info() -> dict[str, Any]:
    """nproc, CPU model and library versions, read without importing the libraries."""
    cpu_model = "unknown"
    flags = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu_model == "unknown":
                cpu_model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line.split(":", 1)[1]
    except OSError:
        pass
    simd = [f for f in ("avx2", "avx512f", "fma") if f" {f} " in f" {flags} "]
    versions = {}
    for package in ("jax", "jaxlib", "optax", "keras", "torch", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return {"nproc": os.cpu_count(), "cpu_model": cpu_model, "simd": simd,
            "python": platform.python_version(), "load_average": os.getloadavg(),
            "versions": versions}


def print_machine(info: dict[str, Any]) -> None:
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    print(f"machine: {info['nproc']} cpus, {info['cpu_model']} ({'/'.join(info['simd'])}), "
          f"python {info['python']}, load {tuple(round(x, 2) for x in info['load_average'])}")
    print(f"versions: {versions}")


def save_json(path: str | None, payload: dict[str, Any]) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(payload, indent=1, default=str))


def add_common_arguments(parser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and epochs: a smoke run in well under a minute")
    parser.add_argument("--repeats", type=int, default=None, help="runs per engine and mode")
    parser.add_argument("--engines", default=None,
                        help=f"comma-separated subset of {','.join(ENGINE_TITLES)} "
                             f"(default: {','.join(ENGINES)}; for w3, w4, w5 also "
                             f"torch-default)")
    parser.add_argument("--json", default=None, help="also write the raw results here")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed_repeats(function: Callable[[], Any], min_repeats: int = 5, max_repeats: int = 200,
                  budget_s: float = 1.5) -> list[float]:
    """Call `function` repeatedly (at least `min_repeats`, within about `budget_s`)."""
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < max_repeats and (len(times) < min_repeats
                                        or time.perf_counter() - started < budget_s):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times
