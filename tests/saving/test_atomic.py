"""Atomic saves: a killed save never costs the old file, and its leftovers are cleaned up."""
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import layerwise as keras
from layerwise.saving import atomic


def build_model(units=256):
    model = keras.Sequential([keras.layers.Dense(units, input_shape=(units,)),
                              keras.layers.Dense(units)])
    model.compile("adam", "mse")
    return model


def leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def a_dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_failed_save_removes_its_temporary_file(tmp_path):
    target = tmp_path / "model.weights.h5"
    with pytest.raises(RuntimeError):
        with atomic.atomic_write(target) as temporary:
            with open(temporary, "wb") as file:
                file.write(b"partial")
            raise RuntimeError("disk full")
    assert os.listdir(tmp_path) == []


def test_a_save_removes_stale_temporaries_of_its_own_target_and_nothing_else(tmp_path):
    target = tmp_path / "model.weights.h5"
    dead = a_dead_pid()
    stale = [f".model.weights.h5.{atomic._HOST}-{dead}.abcd1234.tmp",
             ".model.weights.h5.old_name.tmp"]  # the pattern before writers were named
    kept = [f".model.weights.h5.{atomic._HOST}-{os.getpid()}.abcd1234.tmp",  # live writer
            f".model.weights.h5.0123abcd-{dead}.abcd1234.tmp",  # another host's, recent
            f".other.weights.h5.{atomic._HOST}-{dead}.abcd1234.tmp",  # another target
            ".model.weights.h5.tmp", "notes.txt", "model.weights.h5.bak"]
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"x")
    past = atomic._PROCESS_START - 60
    os.utime(tmp_path / ".model.weights.h5.old_name.tmp", (past, past))
    model = build_model(8)
    model.save_weights(target)
    assert sorted(os.listdir(tmp_path)) == sorted(kept + ["model.weights.h5"])

    # A load cleans up too; an old-pattern file newer than this process is left alone.
    (tmp_path / ".model.weights.h5.new_name.tmp").write_bytes(b"x")
    (tmp_path / stale[0]).write_bytes(b"x")
    model.load_weights(target)
    assert sorted(os.listdir(tmp_path)) == sorted(
        kept + ["model.weights.h5", ".model.weights.h5.new_name.tmp"])


_SAVER = textwrap.dedent("""
    import os, sys
    import numpy as np
    import layerwise as keras
    import layerwise.saving.keras_archive, layerwise.saving.weights_h5  # noqa: F401

    def build_model(units=256):
        model = keras.Sequential([keras.layers.Dense(units, input_shape=(units,)),
                                  keras.layers.Dense(units)])
        model.compile("adam", "mse")
        return model

    # JAX is not started here, so each save runs in a fresh fork (a cheap new process).
    for line in sys.stdin:
        generation, target = line.split()
        pid = os.fork()
        if pid == 0:
            model = build_model()
            print("ready", os.getpid(), flush=True)
            for step in range(10**9):
                value = int(generation) * 1000 + step
                model.set_weights([np.full(w.shape, value, w.dtype)
                                   for w in model.get_weights()])
                if target.endswith(".keras"):
                    model.save(target)
                else:
                    model.save_weights(target)
        os.waitpid(pid, 0)
        print("reaped", flush=True)
""")


def _read_back(path, check_folder):
    """Load a copy of `path` (loading the original would clean its folder up)."""
    copy = os.path.join(check_folder, os.path.basename(path))
    shutil.copyfile(path, copy)
    if path.endswith(".keras"):
        weights = keras.saving.load_model(copy).get_weights()
    else:
        model = build_model()
        model.load_weights(copy)
        weights = model.get_weights()
    values = {float(value) for array in weights for value in np.unique(array)}
    assert len(values) == 1, "a torn file mixing two saves"
    return values.pop()


def test_saves_killed_at_random_moments_never_lose_the_old_file(tmp_path):
    folder, check_folder = tmp_path / "models", tmp_path / "check"
    folder.mkdir()
    check_folder.mkdir()
    targets = [str(folder / "model.keras"), str(folder / "model.weights.h5")]
    first = build_model()
    first.set_weights([np.full(w.shape, -1.0, w.dtype) for w in first.get_weights()])
    first.save(targets[0])
    first.save_weights(targets[1])
    # A private JAX cache makes each fresh process build its model quickly.
    environment = dict(os.environ, JAX_PLATFORMS="cpu",
                       LAYERWISE_CACHE_DIR=str(tmp_path / "cache"))
    saver = subprocess.Popen([sys.executable, "-c", _SAVER], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=environment)
    rng = random.Random(0)
    left_behind = []
    last_read = {target: -1.0 for target in targets}
    try:
        for kill in range(20):
            target = targets[kill % 2]
            saver.stdin.write(f"{kill + 1} {target}\n")
            saver.stdin.flush()
            word, pid = saver.stdout.readline().split()
            assert word == "ready"
            time.sleep(rng.uniform(0.0, 0.3))
            os.kill(int(pid), signal.SIGKILL)
            assert saver.stdout.readline().strip() == "reaped"
            after = _read_back(target, check_folder)  # the old file, or a complete new one
            assert after == last_read[target] or after // 1000 == kill + 1
            last_read[target] = after
            left_behind.append(len(leftovers(folder)))
    finally:
        saver.stdin.close()
        saver.kill()
        saver.wait()
    assert max(left_behind) >= 1  # kills did land in the middle of writes
    build_model().save(targets[0])
    first.save_weights(targets[1])
    assert leftovers(folder) == []
    assert sorted(os.listdir(folder)) == ["model.keras", "model.weights.h5"]
