"""Failed saves leave old files intact; bad files give clear errors and no half-built models."""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import layerwise
from layerwise.saving import weights_h5

X = np.random.default_rng(2).normal(size=(4, 3)).astype("float32")


def make_model(units=2):
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(units),
                                  layerwise.layers.Dense(1)])
    model.compile("adam", "mse")
    model.train_on_batch(X, np.ones((4, 1), "float32"))
    return model


@pytest.fixture
def saved(tmp_path):
    model = make_model()
    path = tmp_path / "model.keras"
    model.save(path)
    return model, path


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".h5"])
def test_a_save_killed_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch, suffix):
    path = tmp_path / f"model{suffix}"
    make_model().save_weights(path) if suffix == ".weights.h5" else make_model().save(path)
    before = path.read_bytes()

    def dies_halfway(model, h5_file):
        h5_file.create_group("layers/half_written")
        raise Interrupted("killed while writing weights")

    def legacy_dies_halfway(group, model):
        group.create_group("half_written")
        raise Interrupted("killed while writing weights")

    monkeypatch.setattr(weights_h5, "write_weights", dies_halfway)
    from layerwise.saving import legacy_h5

    monkeypatch.setattr(legacy_h5, "_write_model_weights", legacy_dies_halfway)
    other = make_model(units=5)
    with pytest.raises(Interrupted):
        other.save_weights(path) if suffix == ".weights.h5" else other.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [path.name]  # no temporary file left behind


def test_a_model_that_cannot_be_serialized_does_not_touch_the_file(saved):
    _, path = saved
    before = path.read_bytes()

    class Opaque(layerwise.layers.Layer):
        def __init__(self, thing, **kwargs):
            super().__init__(**kwargs)
            self.thing = thing

        def call(self, inputs):
            return inputs

        def get_config(self):
            return {**super().get_config(), "thing": self.thing}

    model = layerwise.Sequential([layerwise.Input((3,)), Opaque(object())])
    with pytest.raises(TypeError, match="Cannot serialize"):
        model.save(path)
    assert path.read_bytes() == before


def test_truncated_archive_is_rejected(saved, tmp_path):
    _, path = saved
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(ValueError, match="truncated.keras.*not a complete zip"):
        layerwise.models.load_model(truncated)


def test_not_a_zip_and_missing_file_are_rejected(tmp_path):
    text = tmp_path / "text.keras"
    text.write_text("hello")
    with pytest.raises(ValueError, match="text.keras"):
        layerwise.models.load_model(text)
    with pytest.raises(ValueError, match="File not found"):
        layerwise.models.load_model(tmp_path / "absent.keras")


def rewrite_archive(source, target, drop=(), replace=None):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name not in drop:
                new.writestr(name, (replace or {}).get(name, old.read(name)))


def test_archive_without_config_is_rejected(saved, tmp_path):
    _, path = saved
    broken = tmp_path / "no_config.keras"
    rewrite_archive(path, broken, drop=("config.json",))
    with pytest.raises(ValueError, match="no_config.keras.*'config.json' is missing"):
        layerwise.models.load_model(broken)


def test_archive_with_bad_json_or_bad_weights_is_rejected(saved, tmp_path):
    _, path = saved
    bad_json = tmp_path / "bad_json.keras"
    rewrite_archive(path, bad_json, replace={"config.json": b"{not json"})
    with pytest.raises(ValueError, match="bad_json.keras.*not valid JSON"):
        layerwise.models.load_model(bad_json)
    bad_h5 = tmp_path / "bad_h5.keras"
    rewrite_archive(path, bad_h5, replace={"model.weights.h5": b"\x89HDF\r\n garbage"})
    with pytest.raises(ValueError, match="bad_h5.keras.*not a readable HDF5"):
        layerwise.models.load_model(bad_h5)


def test_zip_bomb_is_rejected(saved, tmp_path):
    _, path = saved
    bomb = tmp_path / "bomb.keras"
    rewrite_archive(path, bomb)
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("assets/huge.bin", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(80):  # 80 MiB of zeros, compressed to a few hundred KiB
                member.write(chunk)
    with pytest.raises(ValueError, match="decompression bomb"):
        layerwise.models.load_model(bomb)


def with_weights_edit(path, target, edit):
    with zipfile.ZipFile(path) as archive:
        raw = io.BytesIO(archive.read("model.weights.h5"))
    with h5py.File(raw, "a") as h5_file:
        edit(h5_file)
    rewrite_archive(path, target, replace={"model.weights.h5": raw.getvalue()})


def test_missing_variable_is_named(saved, tmp_path):
    _, path = saved
    broken = tmp_path / "missing.keras"
    with_weights_edit(path, broken, lambda f: f.__delitem__("layers/dense_1/vars/1"))
    with pytest.raises(ValueError, match=r"missing.keras.*\n.*Layer '.*' \(group 'layers/dense_1/vars'\): "
                                         r"variable\(s\) 'bias' \(dataset "
                                         r"layers/dense_1/vars/1\) missing"):
        layerwise.models.load_model(broken)


def test_wrong_shape_names_layer_variable_and_both_shapes(saved, tmp_path):
    model, path = saved
    wrong = tmp_path / "wrong.weights.h5"
    make_model(units=5).save_weights(wrong)
    before = model.get_weights()
    with pytest.raises(ValueError) as error:
        model.load_weights(wrong)
    message = str(error.value)
    assert "wrong.weights.h5" in message
    assert f"Layer '{model.layers[0].name}': variable 'kernel' has shape (3, 2)" in message
    assert "file holds shape (3, 5)" in message
    # Nothing was assigned: not even the layers whose shapes matched.
    for old, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, now)


def test_skip_mismatch_warns_and_loads_the_rest(saved, tmp_path):
    model, _ = saved
    other = make_model(units=5)
    other.layers[1].set_weights([np.full((5, 1), 3.0), np.full((1,), 4.0)])
    path = tmp_path / "other.weights.h5"
    other.save_weights(path)
    with pytest.warns(UserWarning, match="skip_mismatch"):
        model.load_weights(path, skip_mismatch=True)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0].shape, (3, 2))


def test_loading_a_wrong_kind_of_file(saved, tmp_path):
    model, path = saved
    with pytest.raises(ValueError, match="File format not supported"):
        layerwise.models.load_model(tmp_path / "model.pt")
    weights = tmp_path / "only.weights.h5"
    model.save_weights(weights)
    legacy_named = tmp_path / "only_weights.h5"
    legacy_named.write_bytes(weights.read_bytes())
    with pytest.raises(ValueError, match="No model config found"):
        layerwise.models.load_model(legacy_named)
    truncated = tmp_path / "cut.weights.h5"
    truncated.write_bytes(weights.read_bytes()[:200])
    with pytest.raises(ValueError, match="cut.weights.h5.*not a readable HDF5"):
        model.load_weights(truncated)
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        model.save_weights(tmp_path / "weights.h5")


def test_external_links_in_weight_files_are_refused(saved, tmp_path):
    model, _ = saved
    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as h5_file:
        h5_file.create_dataset("secret", data=np.zeros((3, 2), "float32"))
    path = tmp_path / "linked.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "a") as h5_file:
        del h5_file["layers/dense/vars/0"]
        h5_file["layers/dense/vars/0"] = h5py.ExternalLink(str(outside), "secret")
    with pytest.raises(ValueError, match="Not allowed.*ExternalLink"):
        model.load_weights(path)


def test_lambda_is_refused_under_safe_mode(tmp_path):
    offset = 2.0
    model = layerwise.Sequential([
        layerwise.Input((3,)), layerwise.layers.Dense(2),
        layerwise.layers.Lambda(lambda x: x * 3.0 + offset, name="times_three")])
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match=r"lambda.keras.*'times_three'.*safe_mode=False"):
        layerwise.models.load_model(path)
    loaded = layerwise.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ValueError, match="safe_mode=False"):
        layerwise.models.model_from_json(model.to_json())
    config = model.get_config()
    with pytest.raises(ValueError, match="safe_mode"):
        layerwise.Sequential.from_config(config)


def test_keras_lambda_file_is_refused_before_anything_is_built(tmp_path):
    from keras_oracle import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x + 1.0)])
    path = tmp_path / "keras_lambda.keras"
    model.save(path)
    calls = []
    original = layerwise.saving.serialization._instantiate
    try:
        layerwise.saving.serialization._instantiate = lambda *a: calls.append(a)
        with pytest.raises(ValueError, match="bytecode"):
            layerwise.models.load_model(path)
    finally:
        layerwise.saving.serialization._instantiate = original
    assert calls == []
    loaded = layerwise.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), X + 1.0)
    ours = tmp_path / "ours_lambda.keras"
    loaded.save(ours)
    back = keras.saving.load_model(ours, safe_mode=False)
    np.testing.assert_allclose(back.predict(X, verbose=0), X + 1.0)


def test_unknown_class_gives_close_matches(saved, tmp_path):
    _, path = saved
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    config["config"]["layers"][1]["class_name"] = "Dence"
    broken = tmp_path / "typo.keras"
    rewrite_archive(path, broken, replace={"config.json": json.dumps(config)})
    with pytest.raises(ValueError, match="Could not locate class 'Dence'.*'Dense'"):
        layerwise.models.load_model(broken)


def test_bad_arguments(saved, tmp_path):
    model, _ = saved
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "model.pkl")
    with pytest.raises(ValueError, match="not supported"):
        model.save(tmp_path / "m.keras", include_optimizer=True, flavour="x")
    with pytest.raises(ValueError, match="by_name"):
        model.load_weights(tmp_path / "m.weights.h5", by_name=True)
    unbuilt = layerwise.Sequential([layerwise.layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        unbuilt.save_weights(tmp_path / "u.weights.h5")


@pytest.mark.parametrize("stored, expected", [
    (lambda shape: np.ones(shape, np.complex64) * (1 + 2j), r"complex values \(dtype complex64\)"),
    (lambda shape: np.full(shape, b"abc", dtype="S3"), r"non-numeric values \(dtype \|S3\)"),
])
def test_complex_or_string_weights_are_refused_naming_file_and_variable(
        saved, tmp_path, stored, expected):
    model, path = saved
    target = tmp_path / "odd.keras"

    def edit(h5_file):
        shape = h5_file["layers/dense/vars/0"].shape
        del h5_file["layers/dense/vars/0"]
        h5_file["layers/dense/vars/0"] = stored(shape)

    with_weights_edit(path, target, edit)
    before = [w.copy() for w in model.get_weights()]
    pattern = rf"odd.keras(.|\n)*variable 'kernel' cannot take the {expected}"
    with pytest.raises(ValueError, match=pattern):
        layerwise.models.load_model(target)
    with pytest.raises(ValueError, match=pattern):
        model.load_weights(target)
    for ours, theirs in zip(model.get_weights(), before):
        np.testing.assert_array_equal(ours, theirs)

    weights = tmp_path / "odd.weights.h5"
    model.save_weights(weights)
    with h5py.File(weights, "a") as h5_file:
        edit(h5_file)
    with pytest.raises(ValueError, match=rf"odd.weights.h5(.|\n)*'kernel' cannot take"):
        model.load_weights(weights)


def test_complex_weights_in_a_legacy_file_are_refused_naming_file_and_dataset(saved, tmp_path):
    model, _ = saved
    legacy = tmp_path / "odd.h5"
    model.save(legacy)
    with h5py.File(legacy, "a") as h5_file:
        # As Keras, datasets are named by the weight's path ("sequential/dense/kernel").
        kernel_path = model.layers[0].kernel.path
        group = h5_file[f"model_weights/{model.layers[0].name}/{kernel_path.rsplit('/', 1)[0]}"]
        shape = group["kernel"].shape
        del group["kernel"]
        group["kernel"] = np.ones(shape, np.complex64)
    with pytest.raises(ValueError, match=rf"odd.h5.*{model.layers[0].name}/kernel.*complex "):
        layerwise.models.load_model(legacy)
