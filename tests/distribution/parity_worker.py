"""Describes `keras.distribution` (real Keras, JAX backend) or ours, for the name-parity
test: the same calls on both, their results and error messages printed as JSON.

Run as: python parity_worker.py keras|layerwise, with 4 forced CPU devices.
"""
import json
import os
import sys

import numpy as np

if sys.argv[1] == "keras":
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
else:
    import layerwise as keras

distribution = keras.distribution
facts = {}


def record(name, function):
    """The result of `function()`, or the type and message of the error it raised."""
    try:
        facts[name] = function()
    except Exception as error:  # noqa: BLE001 - the error is the fact
        facts[name] = {"error": type(error).__name__, "message": str(error),
                       "value_error": isinstance(error, ValueError)}


def public(obj):
    return sorted(name for name in dir(obj) if not name.startswith("_"))


facts["module"] = public(distribution)
for cls in ("DeviceMesh", "TensorLayout", "LayoutMap", "DataParallel", "ModelParallel"):
    facts[f"attributes {cls}"] = public(getattr(distribution, cls))
devices = distribution.list_devices()
record("list_devices", lambda: devices)
record("list_devices cpu", lambda: distribution.list_devices("cpu"))
record("get_device_count", distribution.get_device_count)

mesh = distribution.DeviceMesh((2, 2), ["batch", "model"], devices)
record("mesh", lambda: [list(mesh.shape), list(mesh.axis_names), mesh.devices.tolist(), repr(mesh),
                        dict(mesh.backend_mesh.shape)])
record("mesh wrong names", lambda: distribution.DeviceMesh((2, 2), ["a"], devices))
record("mesh wrong shape", lambda: distribution.DeviceMesh((3, 2), ["a", "b"], devices))
layout = distribution.TensorLayout([None, "model"], mesh)
record("layout", lambda: [list(layout.axes), repr(layout), str(layout.backend_layout.spec)])
record("layout unknown axis", lambda: distribution.TensorLayout(["x"], mesh))

layout_map = distribution.LayoutMap(mesh)
layout_map["dense.*kernel"] = (None, "model")
layout_map["dense.*bias"] = ("model",)
layout_map["exact/kernel"] = distribution.TensorLayout(("model", None))
record("map get", lambda: [list(layout_map["dense_1/kernel"].axes),
                           list(layout_map.get("dense/bias").axes),
                           list(layout_map["exact/kernel"].axes),
                           repr(layout_map["exact/kernel"].device_mesh)])
record("map misses", lambda: [layout_map["other"], layout_map.get("x/dense/kernel"),
                              layout_map["dense/kernel/extra"]])
record("map keys", lambda: [list(layout_map.keys()), len(layout_map)])
record("map duplicate", lambda: layout_map.__setitem__("dense.*bias", ("model",)))
record("map bad value", lambda: layout_map.__setitem__("w", 5))
layout_map["d.*"] = ("model", None)
record("map two matches", lambda: layout_map["dense/kernel"])
record("map pop", lambda: [list(layout_map.pop("d.*").axes), len(layout_map)])

dense = keras.layers.Dense(16, name="d1")
dense.build((None, 8))
data_parallel = distribution.DataParallel()
record("data parallel", lambda: [
    list(data_parallel.device_mesh.shape), list(data_parallel.device_mesh.axis_names),
    data_parallel.batch_dim_name, data_parallel.num_model_replicas,
    data_parallel.num_processes, data_parallel.data_shard_id, data_parallel.auto_shard_dataset,
    list(data_parallel.get_data_layout((8, 3)).axes),
    list(data_parallel.get_variable_layout(dense.kernel).axes),
    data_parallel.get_tensor_layout("x"), repr(data_parallel)])
record("data parallel devices", lambda: list(
    distribution.DataParallel(devices=devices[:2]).device_mesh.shape))
record("data parallel mesh", lambda: distribution.DataParallel(device_mesh=mesh).batch_dim_name)

model_map = distribution.LayoutMap(mesh)
model_map["d1/kernel"] = (None, "model")
model_map["activation"] = ("batch", None)
model_parallel = distribution.ModelParallel(layout_map=model_map, batch_dim_name="batch")
record("model parallel", lambda: [
    model_parallel.batch_dim_name, model_parallel.num_model_replicas,
    list(model_parallel.get_data_layout((8, 3, 2)).axes),
    list(model_parallel.get_variable_layout(dense.kernel).axes),
    list(model_parallel.get_variable_layout(dense.bias).axes),
    list(model_parallel.get_tensor_layout("activation").axes),
    model_parallel.get_tensor_layout("other"), repr(model_parallel)])
record("model parallel default batch axis",
       lambda: distribution.ModelParallel(layout_map=model_map).batch_dim_name)
record("model parallel without map", lambda: distribution.ModelParallel())


def scoped():
    seen = [distribution.distribution()]
    with data_parallel.scope():
        seen.append(distribution.distribution() is data_parallel)
    seen.append(distribution.distribution())
    distribution.set_distribution(model_parallel)
    seen.append(distribution.distribution() is model_parallel)
    distribution.set_distribution(None)
    return seen


record("scope", scoped)
record("distribute_tensor", lambda: [
    str(t.sharding.spec) + str(sorted({s.data.shape for s in t.addressable_shards}))
    for t in [distribution.distribute_tensor(np.ones((4, 4)), distribution.TensorLayout(
        ("batch", None), mesh))]])


def fit(rows, batch_size):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    history = model.fit(rng.random((rows, 8)), rng.random((rows, 1)), batch_size=batch_size,
                        epochs=1, verbose=0, shuffle=False)
    return "trained" if history.history["loss"] else None


distribution.set_distribution(data_parallel)
for rows, batch_size in ((48, 12), (48, 10), (44, 8), (42, 8), (50, 5)):
    record(f"fit rows={rows} batch_size={batch_size}", lambda: fit(rows, batch_size))
keras.utils.set_random_seed(1)
small = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
small.compile("sgd", "mse")
for rows, batch_size in ((48, 12), (48, 10), (42, 8)):
    inputs, targets = np.ones((rows, 8), np.float32), np.ones((rows, 1), np.float32)
    record(f"predict rows={rows} batch_size={batch_size}", lambda: list(
        small.predict(inputs, batch_size=batch_size, verbose=0).shape))
    record(f"evaluate rows={rows} batch_size={batch_size}", lambda: round(float(
        small.evaluate(inputs, targets, batch_size=batch_size, verbose=0)), 5))
print("FACTS" + json.dumps(facts, default=repr))
