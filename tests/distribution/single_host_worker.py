"""Trains the seed dropout model on one device, then on 4 forced CPU devices under
DataParallel and ModelParallel, and prints what tests/distribution/test_data_parallel.py
checks, as JSON. Run with XLA_FLAGS=--xla_force_host_platform_device_count=4.
"""
import json

import jax

from layerwise import distribution
from scenarios import dropout_model, training_data

x, y = training_data()
report = {"devices": distribution.list_devices()}


def run(name: str, make=dropout_model) -> None:
    """Predict, train 3 epochs, evaluate: the numbers and the layouts afterwards."""
    model = make()
    before = model.predict(x, batch_size=8, verbose=0)
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, validation_data=(x[:16], y[:16]))
    epoch_programs = model._steps.train_epoch._jitted._cache_size()
    kernel = model.layers[0].kernel.value
    report[name] = {
        "predict_before": before.tolist(),
        "history": history.history,
        "epoch_programs": epoch_programs,
        "weights": [w.tolist() for w in model.get_weights()],
        "evaluate": model.evaluate(x, y, batch_size=8, verbose=0),
        "predict_after": model.predict(x, batch_size=8, verbose=0).tolist(),
        "kernel_spec": str(kernel.sharding.spec) if hasattr(kernel.sharding, "spec") else None,
        "kernel_shards": sorted({(str(s.device), s.data.shape) for s in kernel.addressable_shards}),
        "slot_specs": {v.path: str(v.value.sharding.spec) for v in model.optimizer.variables
                       if hasattr(v.value.sharding, "spec")},
        "step_program": _step_program(model),
    }


def _step_program(model) -> str:
    """The compiled text of one training step (the epoch scans this same step)."""
    steps = model._steps
    batch = (x[:8], y[:8], None)
    return steps.train_batch.lower(model._read_state(steps), batch).compile().as_text()


run("single")
distribution.set_distribution(distribution.DataParallel())
run("data_parallel")
try:
    dropout_model().fit(x, y, batch_size=12, epochs=1, verbose=0)  # 48 = 4 x 12: the tail
    report["batch_of_12"] = "trained"
except ValueError as error:
    report["batch_of_12"] = str(error)
try:
    dropout_model().fit(x, y, batch_size=10, epochs=1, verbose=0)
    report["batch_of_10"] = "trained"
except ValueError as error:
    report["batch_of_10"] = str(error)
try:
    dropout_model().fit(x[:44], y[:44], batch_size=8, epochs=1, verbose=0)
    report["tail_of_4"] = "trained"
except ValueError as error:
    report["tail_of_4"] = str(error)
try:
    dropout_model().fit(x[:42], y[:42], batch_size=8, epochs=1, verbose=0)
    report["tail_of_2"] = "trained"
except ValueError as error:
    report["tail_of_2"] = str(error)

mesh = distribution.DeviceMesh((2, 2), ["batch", "model"], distribution.list_devices())
layout_map = distribution.LayoutMap(mesh)
layout_map[".*d1/kernel"] = (None, "model")
layout_map[".*d1/bias"] = ("model",)
model_parallel = distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
distribution.set_distribution(model_parallel)
run("model_parallel")

# A distribution entered with scope() while the model is made stays the model's.
distribution.set_distribution(None)
with distribution.DataParallel(devices=distribution.list_devices()[:2]).scope():
    scoped = dropout_model()
scoped.fit(x, y, batch_size=8, epochs=1, verbose=0)
report["scoped_kernel_devices"] = len(scoped.layers[0].kernel.value.sharding.device_set)
report["jax_devices"] = jax.device_count()
print("REPORT" + json.dumps(report))
