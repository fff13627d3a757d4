"""Every dataset loader against a local server serving small fixture files in the real
formats (npz, gzip IDX, pickled CIFAR batches in tar.gz, JSON): shapes and dtypes, the
same arrays real Keras's loader parses from the same files, the cache reused with the
server gone, corrupted and dropped downloads, and the offline error."""
import gzip
import hashlib
import importlib
import io
import json
import os
import pickle
import shutil
import tarfile

import numpy as np
import pytest

import layerwise
from layerwise.datasets import sources
from local_server import serve

RNG = np.random.default_rng(0)


def _idx(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(
        d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype("uint8").tobytes())


def _ragged(count: int, vocabulary: int) -> np.ndarray:
    array = np.empty(count, dtype=object)
    array[:] = [RNG.integers(1, vocabulary, size=RNG.integers(2, 9)).tolist()
                for _ in range(count)]
    return array


def _cifar_tar(path, folder: str, members: dict) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            data = pickle.dumps(content, protocol=4)
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def _cifar_batch(count: int, label_keys: tuple) -> dict:
    batch = {b"data": RNG.integers(0, 256, size=(count, 3072)).astype("uint8")}
    for key in label_keys:
        batch[key.encode()] = RNG.integers(0, 10, size=count).tolist()
    return batch


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    np.savez(root / "mnist.npz", x_train=RNG.integers(0, 256, (6, 28, 28)).astype("uint8"),
             y_train=RNG.integers(0, 10, 6).astype("uint8"),
             x_test=RNG.integers(0, 256, (3, 28, 28)).astype("uint8"),
             y_test=RNG.integers(0, 10, 3).astype("uint8"))
    for prefix, count in (("train", 5), ("t10k", 2)):
        (root / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(
            _idx(RNG.integers(0, 10, count), 2049))
        (root / f"{prefix}-images-idx3-ubyte.gz").write_bytes(
            _idx(RNG.integers(0, 256, (count, 28, 28)), 2051))
    batches = {f"data_batch_{i}": _cifar_batch(2, ("labels",)) for i in range(1, 6)}
    batches["test_batch"] = _cifar_batch(3, ("labels",))
    _cifar_tar(root / "cifar-10-python.tar.gz", "cifar-10-batches-py", batches)
    _cifar_tar(root / "cifar-100-python.tar.gz", "cifar-100-python", {
        "train": _cifar_batch(4, ("fine_labels", "coarse_labels")),
        "test": _cifar_batch(2, ("fine_labels", "coarse_labels"))})
    np.savez(root / "imdb.npz", x_train=_ragged(12, 40), y_train=RNG.integers(0, 2, 12),
             x_test=_ragged(8, 40), y_test=RNG.integers(0, 2, 8))
    np.savez(root / "reuters.npz", x=_ragged(15, 30), y=RNG.integers(0, 46, 15))
    np.savez(root / "boston_housing.npz", x=RNG.normal(size=(20, 13)), y=RNG.normal(size=20))
    np.savez(root / "california_housing.npz", x=RNG.normal(size=(30, 8)),
             y=RNG.normal(size=30).astype("float32"))
    for name in ("imdb_word_index.json", "reuters_word_index.json"):
        (root / name).write_text(json.dumps({"the": 1, "a": 2, "movie": 3}))
    return root


@pytest.fixture
def server(fixtures, tmp_path, monkeypatch):
    """Serves the fixtures; datasets download from it into a fresh KERAS_HOME, checked
    against the fixtures' own sha256."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    for name in sources.SOURCES:
        digest = hashlib.sha256((fixtures / name).read_bytes()).hexdigest()
        monkeypatch.setitem(sources.SOURCES, name, sources.Source(
            sources.SOURCES[name].origin, digest))
    with serve(str(fixtures)) as url:
        monkeypatch.setenv(sources.ORIGIN_VARIABLE, url)
        yield url, tmp_path / "home" / "datasets"


def _keras_load(module_name: str, monkeypatch, local_path: str, **kwargs):
    """Real Keras's loader parsing the file our loader downloaded."""
    module = importlib.import_module(f"keras.src.datasets.{module_name}")
    monkeypatch.setattr(module, "get_file", lambda *a, **k: local_path)
    return module.load_data(**kwargs)


def _assert_same(ours, theirs):
    for a, b in zip(ours, theirs):
        for x, y in zip(a, b):
            assert x.dtype == y.dtype and x.shape == y.shape
            if x.dtype == object:
                assert [list(s) for s in x] == [list(s) for s in y]
            else:
                np.testing.assert_array_equal(x, y)


def test_mnist(server, monkeypatch):
    _, cache = server
    ours = layerwise.datasets.mnist.load_data()
    (x_train, y_train), (x_test, y_test) = ours
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8 and y_test.shape == (3,)
    _assert_same(ours, _keras_load("mnist", monkeypatch, str(cache / "mnist.npz")))


def test_fashion_mnist(server, monkeypatch):
    _, cache = server
    ours = layerwise.datasets.fashion_mnist.load_data()
    assert ours[0][0].shape == (5, 28, 28) and ours[1][1].shape == (2,)
    folder = cache / "fashion-mnist"
    files = iter(["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                  "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"])
    module = importlib.import_module("keras.src.datasets.fashion_mnist")
    monkeypatch.setattr(module, "get_file", lambda *a, **k: str(folder / next(files)))
    _assert_same(ours, module.load_data())


def test_cifar10(server, monkeypatch):
    _, cache = server
    ours = layerwise.datasets.cifar10.load_data()
    (x_train, y_train), (x_test, y_test) = ours
    assert x_train.shape == (10, 32, 32, 3) and y_train.shape == (10, 1)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    # Keras's loader pre-sizes the training set for the real 5 x 10,000 images, so compare
    # with its batch reader on each file of the small fixture instead.
    from keras.src.datasets.cifar import load_batch
    folder = cache / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    parts = [load_batch(str(folder / f"data_batch_{i}")) for i in range(1, 6)]
    np.testing.assert_array_equal(
        x_train, np.concatenate([x for x, _ in parts]).transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[:, 0], np.concatenate([y for _, y in parts]))
    keras_x_test, keras_y_test = load_batch(str(folder / "test_batch"))
    np.testing.assert_array_equal(x_test, keras_x_test.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_test[:, 0], keras_y_test)
    assert y_test.dtype == np.uint8


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100(server, monkeypatch, label_mode):
    _, cache = server
    ours = layerwise.datasets.cifar100.load_data(label_mode)
    assert ours[0][0].shape == (4, 32, 32, 3) and ours[0][1].shape == (4, 1)
    _assert_same(ours, _keras_load("cifar100", monkeypatch,
                                   str(cache / "cifar-100-python-target"), label_mode=label_mode))
    with pytest.raises(ValueError, match="label_mode"):
        layerwise.datasets.cifar100.load_data("medium")


@pytest.mark.parametrize("kwargs", [{}, {"num_words": 20, "skip_top": 3},
                                    {"maxlen": 8, "start_char": None, "oov_char": None},
                                    {"index_from": 0, "seed": 5}])
def test_imdb(server, monkeypatch, kwargs):
    _, cache = server
    ours = layerwise.datasets.imdb.load_data(**kwargs)
    assert ours[0][0].dtype == object
    _assert_same(ours, _keras_load("imdb", monkeypatch, str(cache / "imdb.npz"), **kwargs))
    assert layerwise.datasets.imdb.get_word_index() == {"the": 1, "a": 2, "movie": 3}


@pytest.mark.parametrize("kwargs", [{}, {"num_words": 10, "test_split": 0.4},
                                    {"maxlen": 6, "oov_char": None}])
def test_reuters(server, monkeypatch, kwargs):
    _, cache = server
    ours = layerwise.datasets.reuters.load_data(**kwargs)
    _assert_same(ours, _keras_load("reuters", monkeypatch, str(cache / "reuters.npz"), **kwargs))
    assert len(layerwise.datasets.reuters.get_label_names()) == 46
    assert layerwise.datasets.reuters.get_word_index()["movie"] == 3


@pytest.mark.parametrize("name, kwargs", [("boston_housing", {}),
                                          ("boston_housing", {"test_split": 0.5, "seed": 1}),
                                          ("california_housing", {}),
                                          ("california_housing", {"version": "small"})])
def test_housing(server, monkeypatch, name, kwargs):
    _, cache = server
    ours = getattr(layerwise.datasets, name).load_data(**kwargs)
    _assert_same(ours, _keras_load(name, monkeypatch, str(cache / f"{name}.npz"), **kwargs))
    with pytest.raises(ValueError, match="test_split"):
        getattr(layerwise.datasets, name).load_data(test_split=1.0)


def test_cache_is_reused_with_the_server_gone(fixtures, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    digest = hashlib.sha256((fixtures / "mnist.npz").read_bytes()).hexdigest()
    monkeypatch.setitem(sources.SOURCES, "mnist.npz",
                        sources.Source(sources.SOURCES["mnist.npz"].origin, digest))
    with serve(str(fixtures)) as url:
        monkeypatch.setenv(sources.ORIGIN_VARIABLE, url)
        first = layerwise.datasets.mnist.load_data()
    # The server is down now: the cached, verified file is used.
    again = layerwise.datasets.mnist.load_data()
    _assert_same(first, again)


def test_a_file_keras_already_cached_is_used(fixtures, tmp_path, monkeypatch):
    home = tmp_path / "keras_home"
    (home / "datasets").mkdir(parents=True)
    shutil.copy(fixtures / "boston_housing.npz", home / "datasets" / "boston_housing.npz")
    monkeypatch.setenv("KERAS_HOME", str(home))
    digest = hashlib.sha256((fixtures / "boston_housing.npz").read_bytes()).hexdigest()
    monkeypatch.setitem(sources.SOURCES, "boston_housing.npz",
                        sources.Source("http://127.0.0.1:9/unreachable", digest))
    (x_train, _), _ = layerwise.datasets.boston_housing.load_data()
    assert x_train.shape == (16, 13)


def test_corrupted_download_is_detected_and_removed(server, monkeypatch):
    _, cache = server
    monkeypatch.setitem(sources.SOURCES, "mnist.npz",
                        sources.Source(sources.SOURCES["mnist.npz"].origin, "f" * 64))
    with pytest.raises(ValueError, match="corrupted"):
        layerwise.datasets.mnist.load_data()
    assert not os.path.exists(cache / "mnist.npz")
    assert not [f for f in os.listdir(cache) if f.startswith("mnist")]


def test_dropped_connection_is_an_error_and_leaves_no_file(server, monkeypatch):
    url, cache = server
    monkeypatch.setenv(sources.ORIGIN_VARIABLE, url + "/drop")
    with pytest.raises(OSError, match="put it at"):
        layerwise.datasets.boston_housing.load_data()
    assert not [f for f in os.listdir(cache) if f.startswith("boston")]


def test_offline_error_names_the_file_and_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(sources.ORIGIN_VARIABLE, "http://127.0.0.1:9")
    with pytest.raises(OSError) as error:
        layerwise.datasets.mnist.load_data()
    message = str(error.value)
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in message
    assert os.path.join(str(tmp_path / "home"), "datasets", "mnist.npz") in message


def test_a_tampered_pickle_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo unsafe",))
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"data": Evil()}))
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        sources.load_pickle(str(path))
