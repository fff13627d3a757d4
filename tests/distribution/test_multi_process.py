"""Two processes on 127.0.0.1, 2 CPU devices each, train data-parallel as one.

Each worker (multiprocess_worker.py) joins with `distribution.initialize` and trains the
seed dropout model on its half of the rows, 4 rows per step (8 per global step). Both
must end with the same weights and History, equal to one process training on all rows
in the same global batches. Every wait is bounded; workers are killed on failure.
"""
import json
import socket
import time
from pathlib import Path

import numpy as np
import pytest

import layerwise as keras

from scenarios import ROWS, dropout_model, training_data
from workers import finish, start


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster")
    port = str(_free_port())
    workers = [start("multiprocess_worker.py", str(index), port,
                     str(folder / f"out{index}.npz"), str(folder), devices=2)
               for index in (0, 1)]
    try:
        outputs = [finish(worker, timeout=400) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    results = [np.load(folder / f"out{index}.npz") for index in (0, 1)]
    return folder, outputs, results


# The cluster's global batches as rows of the whole data: process 0's rows i..i+4, then
# process 1's, for i = 0, 4, 8, ...
_GLOBAL_ORDER = np.concatenate([np.concatenate([np.arange(start, start + 4),
                                                ROWS // 2 + np.arange(start, start + 4)])
                                for start in range(0, ROWS // 2, 4)])


def _one_process_run():
    """All rows in one process, in the cluster's global batches."""
    x, y = training_data()
    model = dropout_model()
    history = model.fit(x[_GLOBAL_ORDER], y[_GLOBAL_ORDER], batch_size=8, epochs=3,
                        shuffle=False, verbose=0)
    return model, history.history


def test_both_processes_end_equal_to_one_process_on_all_rows(cluster):
    _, _, results = cluster
    model, history = _one_process_run()
    weights = model.get_weights()
    assert json.loads(str(results[0]["devices"])) == json.loads(str(results[1]["devices"]))
    assert len(json.loads(str(results[0]["devices"]))) == 4
    for result in results:
        for index, expected in enumerate(weights):
            np.testing.assert_allclose(result[f"arr_{index}"], expected, atol=1e-5, rtol=1e-5)
        logged = json.loads(str(result["history"]))
        for name, values in history.items():
            np.testing.assert_allclose(logged[name], values, atol=1e-5, rtol=1e-5)
    for index in range(len(weights)):
        np.testing.assert_array_equal(results[0][f"arr_{index}"], results[1][f"arr_{index}"])
    assert str(results[0]["history"]) == str(results[1]["history"])


def test_predict_gives_each_process_its_rows_and_evaluate_the_global_logs(cluster):
    _, _, results = cluster
    model, _ = _one_process_run()
    x, y = training_data()
    half = ROWS // 2
    for index, result in enumerate(results):
        mine = slice(index * half, (index + 1) * half)
        np.testing.assert_allclose(result["predictions"], model.predict(x[mine], verbose=0),
                                   atol=1e-5, rtol=1e-5)
        np.testing.assert_allclose(result["evaluation"], model.evaluate(x, y, verbose=0),
                                   atol=1e-5, rtol=1e-5)


def test_only_process_zero_reports_and_writes_checkpoints_and_streams_are_refused(cluster):
    folder, outputs, results = cluster
    assert "Epoch 3/3" in outputs[0]
    assert "Epoch" not in outputs[1]
    assert (folder / "from_0.weights.h5").exists()
    for result in results:  # a generator would feed each process's programs other values
        assert "not on data given batch by batch" in str(result["refusal"])
    assert not (folder / "from_1.weights.h5").exists()


@pytest.mark.slow
def test_keras_in_two_processes_takes_the_same_global_batches():
    """Real Keras, two processes each fitting its half with batch_size=4 (per process),
    trains as one process does on all rows in our global batches."""
    port = str(_free_port())
    workers = [start("keras_multiprocess_worker.py", str(index), port, devices=2)
               for index in (0, 1)]
    try:
        outputs = [finish(worker, timeout=400) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    reports = [json.loads(line[len("REPORT"):]) for output in outputs
               for line in output.splitlines() if line.startswith("REPORT")]
    x, y = training_data()
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
    model.compile("sgd", "mse")
    history = model.fit(x[_GLOBAL_ORDER], y[_GLOBAL_ORDER], batch_size=8, epochs=2,
                        shuffle=False, verbose=0)
    assert len(reports) == 2
    for report in reports:
        np.testing.assert_allclose(report["history"]["loss"], history.history["loss"],
                                   atol=1e-5, rtol=1e-5)
        for expected, actual in zip(model.get_weights(), report["weights"], strict=True):
            np.testing.assert_allclose(actual, expected, atol=1e-5, rtol=1e-5)


def test_a_missing_peer_fails_after_the_timeout_naming_the_coordinator():
    port = _free_port()
    began = time.monotonic()
    lonely = start("lonely_worker.py", str(port), "6", devices=2)
    try:
        listening = _listening_addresses(port, lonely, wait=60)
        output, _ = lonely.communicate(timeout=60)
    finally:
        if lonely.poll() is None:
            lonely.kill()
    assert lonely.returncode == 1, output
    assert time.monotonic() - began >= 6
    assert f"coordinated at 127.0.0.1:{port} within 6 seconds" in output
    assert "joined a cluster" not in output
    # The coordinator listened on the address it was given, not on every interface.
    assert listening == {"127.0.0.1"}


def _listening_addresses(port: int, process, wait: float) -> set[str]:
    """Local addresses with a socket listening on `port` (Linux /proc), polled while
    `process` runs, for `wait` seconds at most."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and process.poll() is None:
        found = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            if not Path(table).exists():
                continue
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, local_port = local.split(":")
                if state == "0A" and int(local_port, 16) == port:
                    found.add(_address(address))
        if found:
            return found
        time.sleep(0.2)
    return set()


def _address(hex_address: str) -> str:
    """A /proc/net address as text; an IPv4 address mapped into IPv6 as the IPv4 one."""
    if hex_address.startswith("0000000000000000FFFF0000"):
        hex_address = hex_address[-8:]
    if len(hex_address) == 8:  # IPv4, little-endian
        return ".".join(str(int(hex_address[i:i + 2], 16)) for i in (6, 4, 2, 0))
    return "ipv6:" + hex_address  # all zeros: every interface
