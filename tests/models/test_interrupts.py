"""Ctrl-C at any moment of `fit` leaves a model that is readable, savable and trainable.

The compiled epoch consumes (donates) the weights it is given; these tests check that an
interrupt never leaves the model holding consumed arrays.
"""
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import layerwise as keras
from layerwise.models.interrupts import interrupts_deferred

_CHILD = textwrap.dedent(r"""
    import contextlib, io, os, sys, tempfile
    import numpy as np
    import layerwise as keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = (x[:, :1] + x[:, 1:2] > 0).astype("float32")

    def model():
        keras.utils.set_random_seed(3)
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
        m.compile(keras.optimizers.Adam(learning_rate=0.01), "binary_crossentropy",
                  metrics=["accuracy"])
        return m

    def trained_for(steps):
        # 3 batches of 32 per epoch, in order: whole epochs by fit, the rest by batch.
        m = model()
        if steps // 3:
            m.fit(x, y, epochs=steps // 3, shuffle=False, verbose=0)
        for batch in range(steps % 3):
            m.train_on_batch(x[32 * batch: 32 * batch + 32], y[32 * batch: 32 * batch + 32])
        return m

    folder = tempfile.mkdtemp()
    out = sys.stdout
    for attempt in range(int(sys.argv[1])):
        m = model()
        verbose = attempt % 2
        print("READY", flush=True, file=out)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                m.fit(x, y, epochs=10 ** 7, shuffle=False, verbose=verbose)
            print("FAIL fit ended without an interrupt", flush=True, file=out)
            continue
        except KeyboardInterrupt:
            pass
        weights = m.get_weights()
        steps = int(m.optimizer.iterations)
        problems = []
        if not all(np.all(np.isfinite(w)) for w in weights):
            problems.append("weights not finite")
        reference = trained_for(steps)
        for ours, expected in zip(weights, reference.get_weights()):
            if not np.allclose(ours, expected, rtol=1e-5, atol=1e-6):
                problems.append(f"weights differ from {steps} completed steps")
                break
        path = os.path.join(folder, f"m{attempt}.keras")
        m.save(path)
        loaded = keras.models.load_model(path)
        if not np.allclose(loaded.predict(x, verbose=0), m.predict(x, verbose=0)):
            problems.append("saved model predicts differently")
        history = m.fit(x, y, epochs=1, verbose=0)
        if not np.isfinite(history.history["loss"][0]):
            problems.append("training again gave a non-finite loss")
        print("FAIL " + "; ".join(problems) if problems else f"OK {steps} {verbose}",
              flush=True, file=out)
""")


@pytest.mark.parametrize("attempts", [8, pytest.param(30, marks=pytest.mark.slow)])
def test_sigint_at_random_moments_of_fit_leaves_a_usable_model(attempts, tmp_path):
    environment = dict(os.environ, LAYERWISE_CACHE_DIR=str(tmp_path / "cache"),
                       PYTHONUNBUFFERED="1")
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(attempts)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=environment)
    draw = random.Random(1234)
    results = []
    try:
        for _ in range(attempts):
            line = child.stdout.readline().strip()
            assert line == "READY", (line, child.stderr.read() if line == "" else "")
            # The first fit compiles for ~1 s; later ones reuse the program.
            threading.Event().wait(draw.uniform(0.0, 0.4))
            child.send_signal(signal.SIGINT)
            results.append(child.stdout.readline().strip())
    finally:
        child.kill()
        child.wait()
    failures = [r for r in results if not r.startswith("OK")]
    assert not failures, (failures, child.stderr.read()[-3000:])
    # The moments were spread: interrupts landed after different numbers of steps.
    assert len({r.split()[1] for r in results}) > attempts // 4


def test_interrupts_deferred_delivers_the_interrupt_after_the_block():
    order = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            order.append("block finished")
    assert order == ["block finished"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_two_threads_fitting_one_model_take_turns():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    errors = []

    def train():
        try:
            model.fit(x, y, epochs=20, verbose=0)
            model.predict(x, verbose=0)
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=train) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert int(model.optimizer.iterations) == 2 * 20 * 2
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())
