"""The program cache never runs what it did not write: signed entries, private folders."""
import collections
import json
import os
import pickle
import stat
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest

import layerwise as keras
from layerwise.models.cache import program_cache
from layerwise.models.cache import security as cache_security
from layerwise.models.cache import store as cache_store
from layerwise.models.steps import StepFunctions


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    """A fresh per-test key (the override the library honours) and fresh caches."""
    monkeypatch.setenv("LAYERWISE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
    monkeypatch.setattr(cache_security, "_warned", set())


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(program_cache, "_executable_dir", lambda: folder)
    return folder


def moons(n=96):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    return x, y


def seed_model(seed=0, units=4):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.layers.Dense(units, input_shape=(2,), activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


def train(seed=5, units=4):
    x, y = moons()
    model = seed_model(seed, units)
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    return history.history, model.get_weights()


def plain_result(monkeypatch, seed=5, units=4):
    """The same training on the plain jit path, which never touches the cache."""
    with monkeypatch.context() as patch:
        patch.setattr(StepFunctions, "fingerprint", lambda self: None)
        return train(seed, units)


def assert_same(result, expected):
    assert result[0] == expected[0]
    for ours, theirs in zip(result[1], expected[1]):
        np.testing.assert_array_equal(ours, theirs)


class WritesMarker:
    """Unpickling this runs `touch marker`: what an attacker would plant."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def stored_files(folder):
    return sorted(folder.glob("*.bin"))


def test_a_planted_entry_is_never_executed_and_the_numbers_are_unchanged(
        tmp_path, cache_folder, monkeypatch):
    expected = plain_result(monkeypatch)
    train(seed=1)  # stores the program; its file is the one an attacker would replace
    [entry] = stored_files(cache_folder)
    marker = tmp_path / "marker"
    evil = pickle.dumps(WritesMarker(marker))
    secret = cache_security.signing_key()
    body = len(b"{}").to_bytes(8, "big") + b"{}" + evil
    plants = {
        "the old format": b"layerwise-executable\n" + evil,
        "our magic, no valid signature": cache_store.MAGIC + b"\0" * 32 + body,
        "a bare pickle": evil,
    }
    # Even a correctly signed entry (a stolen key) cannot name os.system in its payload.
    assert cache_store.verified_parts(secret, _key_of(entry), entry.read_bytes()) is not None
    header = entry.read_bytes()[len(cache_store.MAGIC) + 32:]
    length = int.from_bytes(header[:8], "big")
    signed_body = header[:8 + length] + evil
    plants["a signed entry naming os.system"] = (
        cache_store.MAGIC + cache_security.signature(secret, cache_store.MAGIC + signed_body)
        + signed_body)
    for name, blob in plants.items():
        entry.write_bytes(blob)
        monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
        assert_same(train(), expected)
        assert not marker.exists(), name
    assert pickle.loads(evil) == 0 and marker.exists()  # the plant itself was live


def _key_of(entry):
    body = entry.read_bytes()[len(cache_store.MAGIC) + 32:]
    length = int.from_bytes(body[:8], "big")
    return json.loads(body[8:8 + length])["key"]


def test_a_tampered_entry_is_ignored_and_recompiled_with_identical_numbers(
        cache_folder, monkeypatch):
    expected = plain_result(monkeypatch)
    train(seed=1)
    [entry] = stored_files(cache_folder)
    original = entry.read_bytes()
    traced = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, duration, **details: traced.append(details.get("fun_name"))
        if event == "/jax/core/compile/jaxpr_trace_duration" else None)
    rng = np.random.default_rng(0)
    for position in [len(cache_store.MAGIC) + 3, len(cache_store.MAGIC) + 40,
                     *rng.integers(len(cache_store.MAGIC) + 32, len(original), 3)]:
        flipped = bytearray(original)
        flipped[position] ^= 0x10
        entry.write_bytes(bytes(flipped))
        monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
        traced.clear()
        assert_same(train(), expected)
        assert "_train_epoch" in traced  # recompiled, not loaded
    # Untouched, the same file is loaded without tracing: the checks above were real.
    entry.write_bytes(original)
    monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
    traced.clear()
    assert_same(train(), expected)
    assert "_train_epoch" not in traced


def test_an_entry_signed_for_another_key_is_ignored(cache_folder, monkeypatch):
    expected = plain_result(monkeypatch, units=5)
    train(seed=1, units=4)
    [four] = stored_files(cache_folder)
    train(seed=1, units=5)
    [five] = [path for path in stored_files(cache_folder) if path != four]
    five.write_bytes(four.read_bytes())  # validly signed, but for the other structure
    monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
    assert_same(train(units=5), expected)
    assert five.read_bytes() != four.read_bytes()  # recompiled and stored afresh


def test_an_entry_signed_with_another_users_key_is_ignored(tmp_path, cache_folder,
                                                           monkeypatch):
    expected = plain_result(monkeypatch)
    monkeypatch.setenv("LAYERWISE_CONFIG_DIR", str(tmp_path / "someone-else"))
    train(seed=1)
    monkeypatch.setenv("LAYERWISE_CONFIG_DIR", str(tmp_path / "config"))
    [entry] = stored_files(cache_folder)
    planted = entry.read_bytes()
    monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
    assert_same(train(), expected)
    assert entry.read_bytes() != planted


def test_folders_are_0700_and_files_0600_under_umask_002(tmp_path, monkeypatch):
    previous = os.umask(0o002)
    try:
        folder = tmp_path / "new" / "nested" / "cache"
        assert cache_security.private_folder(folder)
        for created in (tmp_path / "new", tmp_path / "new" / "nested", folder):
            assert stat.S_IMODE(created.stat().st_mode) == 0o700
        key = cache_security.signing_key()
        assert key is not None and len(key) == 32
        key_file = tmp_path / "config" / cache_security.KEY_FILE_NAME
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "config").stat().st_mode) == 0o700
        assert cache_security.signing_key() == key  # made once, then reused

        monkeypatch.setattr(program_cache, "_executable_dir", lambda: folder)
        train(seed=1)
        [entry] = stored_files(folder)
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600
        assert [path.name for path in folder.iterdir()] == [entry.name]  # no temporaries
    finally:
        os.umask(previous)


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_folder_others_can_write_is_refused_with_one_warning(tmp_path, monkeypatch, mode):
    expected = plain_result(monkeypatch)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, mode)
    previous = jax.config.jax_compilation_cache_dir
    jax.config.update("jax_compilation_cache_dir", str(shared))
    try:
        with pytest.warns(RuntimeWarning, match=str(shared)) as caught:
            result = train()
            monkeypatch.setattr(program_cache, "_programs", collections.OrderedDict())
            train(seed=2)
        assert len([w for w in caught if str(shared) in str(w.message)]) == 1
    finally:
        jax.config.update("jax_compilation_cache_dir", previous)
    assert_same(result, expected)
    assert not list(shared.rglob("*.bin"))


def test_a_key_file_others_can_read_is_refused(tmp_path, cache_folder, monkeypatch):
    key = cache_security.signing_key()
    key_file = tmp_path / "config" / cache_security.KEY_FILE_NAME
    os.chmod(key_file, 0o644)
    with pytest.warns(RuntimeWarning, match="key file"):
        assert cache_security.signing_key() is None
    expected = plain_result(monkeypatch)
    assert_same(train(), expected)  # runs uncached
    assert not stored_files(cache_folder)
    os.chmod(key_file, 0o600)
    assert cache_security.signing_key() == key


_IMPORT = textwrap.dedent("""
    import warnings
    warnings.simplefilter("always")
    import jax
    import layerwise
    print("CACHE", jax.config.jax_compilation_cache_dir)
""")


def test_jaxs_persistent_cache_is_not_enabled_in_a_folder_others_can_write(tmp_path):
    shared = tmp_path / "team-cache"
    shared.mkdir()
    os.chmod(shared, 0o777)
    environment = dict(os.environ, LAYERWISE_CACHE_DIR=str(shared), JAX_PLATFORMS="cpu",
                       LAYERWISE_CONFIG_DIR=str(tmp_path / "config"))
    environment.pop("JAX_COMPILATION_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", _IMPORT], capture_output=True, text=True,
                          env=environment, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "CACHE None" in done.stdout
    assert str(shared) in done.stderr and "others may write" in done.stderr

    private = tmp_path / "mine" / "jax"
    environment["LAYERWISE_CACHE_DIR"] = str(private)
    done = subprocess.run(["sh", "-c", f"umask 002 && {sys.executable} -c '{_IMPORT}'"],
                          capture_output=True, text=True, env=environment, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"CACHE {private}" in done.stdout
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert stat.S_IMODE(private.parent.stat().st_mode) == 0o700


def test_the_in_memory_cache_keeps_at_most_its_bound(cache_folder, monkeypatch):
    assert program_cache._MEMORY_LIMIT == 32
    monkeypatch.setattr(program_cache, "_MEMORY_LIMIT", 3)
    x, y = moons()
    for units in range(2, 8):  # six structures, one training program each
        seed_model(units=units).fit(x, y, epochs=1, batch_size=32, verbose=0)
        assert len(program_cache._programs) <= 3
    assert len(program_cache._programs) == 3
    assert len(stored_files(cache_folder)) == 6  # the disk keeps them (up to its own bound)


def test_trees_are_written_as_json_and_read_back_equal():
    from layerwise.models.steps import TrainState

    trees = [((1, 2), {}), TrainState([1, 2], [], [{"m": 3}], [(4, None)]),
             [None, {"b": [None], "a": 1}], {3: 1, 4: 2}, 7]
    for value in trees:
        treedef = jax.tree_util.tree_structure(value)
        assert cache_store.decode_tree(cache_store.encode_tree(treedef)) == treedef
    with pytest.raises(ValueError):
        cache_store.decode_tree(["namedtuple", "os", "system", []])
    Outside = collections.namedtuple("Outside", "a")
    with pytest.raises(cache_store.UnsupportedEntry):
        cache_store.encode_tree(jax.tree_util.tree_structure(Outside(1)))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a folder to another user needs root")
def test_a_folder_owned_by_someone_else_is_refused(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 54321, -1)
    with pytest.warns(RuntimeWarning, match=f"{theirs}.*owned by user id 54321"):
        assert not cache_security.private_folder(theirs)
    mine = tmp_path / "mine"
    assert cache_security.private_folder(mine)
