"""The dataset examples run end to end against local fixture files (no network)."""
import hashlib
import json
import pathlib
import runpy

import numpy as np
import pytest

from layerwise.datasets import sources
from local_server import serve

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def fixture_server(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    root = tmp_path / "www"
    root.mkdir()
    np.savez(root / "mnist.npz", x_train=rng.integers(0, 256, (64, 28, 28)).astype("uint8"),
             y_train=rng.integers(0, 10, 64).astype("uint8"),
             x_test=rng.integers(0, 256, (16, 28, 28)).astype("uint8"),
             y_test=rng.integers(0, 10, 16).astype("uint8"))

    def reviews(count):
        array = np.empty(count, dtype=object)
        array[:] = [rng.integers(1, 50, size=rng.integers(5, 30)).tolist() for _ in range(count)]
        return array
    np.savez(root / "imdb.npz", x_train=reviews(40), y_train=rng.integers(0, 2, 40),
             x_test=reviews(10), y_test=rng.integers(0, 2, 10))
    (root / "imdb_word_index.json").write_text(json.dumps(
        {f"word{i}": i for i in range(1, 60)}))
    for name in ("mnist.npz", "imdb.npz", "imdb_word_index.json"):
        digest = hashlib.sha256((root / name).read_bytes()).hexdigest()
        monkeypatch.setitem(sources.SOURCES, name,
                            sources.Source(sources.SOURCES[name].origin, digest))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EPOCHS", "1")
    with serve(str(root)) as url:
        monkeypatch.setenv(sources.ORIGIN_VARIABLE, url)
        yield


@pytest.mark.parametrize("example", ["mnist_mlp.py", "mnist_convnet.py",
                                     "text_classification.py"])
def test_example_runs(fixture_server, example, capsys):
    runpy.run_path(str(EXAMPLES / example), run_name="__main__")
    assert "accuracy" in capsys.readouterr().out
