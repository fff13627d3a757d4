"""keras.distribution's names and behaviour, ours against real Keras 3.15's.

The parity check runs the same calls (parity_worker.py) under real Keras and under
layerwise, each in a subprocess with 4 forced CPU devices, and compares the results.
The rest runs here, on this process's single CPU device.
"""
import re

import jax
import numpy as np
import pytest

import layerwise
from layerwise import distribution
from layerwise.distribution.placement import Placement
from workers import run_json

# tf.data-only methods of Keras's distributions: layerwise takes no tf.data input.
_TF_DATA_ONLY = {"distribute_dataset", "distribute_tf_dataset"}


@pytest.fixture(scope="module")
def facts():
    return (run_json("parity_worker.py", "keras", marker="FACTS"),
            run_json("parity_worker.py", "layerwise", marker="FACTS"))


def test_public_names_match_keras(facts):
    keras_facts, our_facts = facts
    assert sorted(distribution.__all__) == keras_facts["module"]
    for key in keras_facts:
        if key.startswith("attributes "):
            missing = set(keras_facts[key]) - set(our_facts[key]) - _TF_DATA_ONLY
            assert not missing, (key, missing)


def _comparable(value):
    """Error messages that print a set of names: the set's order is the hash seed's."""
    if isinstance(value, dict) and "message" in value:
        return dict(value, message=re.sub(r"\{[^{}]*\}", "{...}", value["message"]))
    return value


@pytest.mark.parametrize("name", [
    "list_devices", "list_devices cpu", "get_device_count", "mesh", "mesh wrong names",
    "mesh wrong shape", "layout", "layout unknown axis", "map get", "map misses", "map keys",
    "map duplicate", "map bad value", "map two matches", "map pop", "data parallel",
    "data parallel devices", "model parallel", "model parallel default batch axis",
    "model parallel without map", "scope", "distribute_tensor",
    "fit rows=48 batch_size=12", "fit rows=44 batch_size=8"])
def test_same_results_and_errors_as_keras(facts, name):
    keras_facts, our_facts = facts
    assert _comparable(our_facts[name]) == _comparable(keras_facts[name])


@pytest.mark.parametrize("rows, batch_size", [(48, 10), (42, 8), (50, 5)])
def test_batches_the_data_axis_does_not_divide_fail_as_in_keras(facts, rows, batch_size):
    """Keras (JAX) lays each batch out as it comes and JAX refuses an uneven split, the
    partial last batch included (a ValueError); we refuse the same fits, up front."""
    keras_facts, our_facts = facts
    name = f"fit rows={rows} batch_size={batch_size}"
    assert keras_facts[name]["value_error"] and our_facts[name]["value_error"]
    assert "split evenly over the 4 devices" in our_facts[name]["message"]


@pytest.mark.parametrize("method", ["predict", "evaluate"])
def test_predict_and_evaluate_refuse_the_batches_keras_refuses(facts, method):
    keras_facts, our_facts = facts
    assert our_facts[f"{method} rows=48 batch_size=12"] == \
        keras_facts[f"{method} rows=48 batch_size=12"]
    for case in ("rows=48 batch_size=10", "rows=42 batch_size=8"):
        # Keras fails with JAX's IndivisibleError or a TypeError; we say which batch.
        assert "error" in keras_facts[f"{method} {case}"]
        assert our_facts[f"{method} {case}"]["error"] == "ValueError"
        assert "split evenly" in our_facts[f"{method} {case}"]["message"]


def test_layout_map_matches_whole_paths_as_keras_does():
    mesh = distribution.DeviceMesh((1,), ["model"], distribution.list_devices()[:1])
    layout_map = distribution.LayoutMap(mesh)
    layout_map["d1/kernel"] = (None, "model")
    layout_map[".*dense.*/bias"] = ("model",)
    assert layout_map["d1/kernel"].axes == (None, "model")
    assert layout_map["model/d1/kernel"] is None  # a search would match; Keras's fullmatch does not
    assert layout_map["block/dense_3/bias"].axes == ("model",)
    assert layout_map["block/dense_3/bias"].device_mesh is mesh
    del layout_map["d1/kernel"]
    assert list(layout_map) == [".*dense.*/bias"]


def test_a_slot_follows_its_variables_layout():
    devices = distribution.list_devices()[:1]
    mesh = distribution.DeviceMesh((1, 1), ["batch", "model"], devices)
    layout_map = distribution.LayoutMap(mesh)
    layout_map["d1/kernel"] = (None, "model")
    dense = layerwise.layers.Dense(4, name="d1")
    dense.build((None, 3))
    optimizer = layerwise.optimizers.Adam()
    optimizer.build(dense.trainable_variables)
    strategy = distribution.ModelParallel(layout_map=layout_map)
    placement = Placement(strategy, dense.trainable_variables, [], optimizer.variables)
    kernel_slots = [sharding.spec for variable, sharding in
                    zip(optimizer.variables, placement.optimizer) if "d1_kernel" in variable.path]
    assert [str(spec) for spec in kernel_slots] == ["P(None, 'model')"] * 2


def test_distribute_tensor_on_one_device_and_in_a_trace():
    mesh = distribution.DeviceMesh((1,), ["batch"], distribution.list_devices()[:1])
    layout = distribution.TensorLayout(("batch", None), mesh)
    placed = distribution.distribute_tensor(np.ones((2, 3), np.float32), layout)
    assert placed.sharding.spec == layout.backend_layout.spec
    traced = jax.jit(lambda t: distribution.distribute_tensor(t * 2, layout))(placed)
    np.testing.assert_array_equal(np.asarray(traced), 2 * np.ones((2, 3)))


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="set_distribution"):
        distribution.set_distribution("data_parallel")
    with pytest.raises(ValueError, match="batch_dim_name"):
        mesh = distribution.DeviceMesh((1,), ["batch"], distribution.list_devices()[:1])
        distribution.ModelParallel(layout_map=distribution.LayoutMap(mesh),
                                   batch_dim_name="rows")
    with pytest.raises(ValueError, match="num_processes"):
        distribution.initialize("127.0.0.1:1", num_processes="two", process_id=0)
    with pytest.raises(ValueError, match="2 jobs but num_processes is 3"):
        distribution.initialize("127.0.0.1:1,127.0.0.1:2", num_processes=3, process_id=0)
