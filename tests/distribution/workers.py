"""Running the distribution tests' worker scripts in subprocesses with forced CPU devices.

The pytest process keeps its single device: every multi-device run happens in a child
started here, bounded by a timeout and killed if it overruns.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def worker_environment(devices: int) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update({
        "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",
        "JAX_PLATFORMS": "cpu",
        "KERAS_BACKEND": "jax",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
    })
    return environment


def start(script: str, *arguments: str, devices: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(HERE / script), *arguments],
                            env=worker_environment(devices), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=str(ROOT))


def finish(process: subprocess.Popen, timeout: float) -> str:
    """The process's output once it ends; killed (and the test failed) after `timeout`."""
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"worker timed out after {timeout} s:\n{output[-3000:]}")
    assert process.returncode == 0, f"worker failed ({process.returncode}):\n{output[-3000:]}"
    return output


def run_json(script: str, *arguments: str, devices: int = 4, marker: str = "REPORT",
             timeout: float = 400) -> dict:
    """Run a worker that prints `marker` + JSON on one line; return the JSON."""
    output = finish(start(script, *arguments, devices=devices), timeout)
    for line in output.splitlines():
        if line.startswith(marker):
            return json.loads(line[len(marker):])
    raise AssertionError(f"no {marker} line in the worker's output:\n{output[-3000:]}")
