"""One process of real Keras's two-process data-parallel run (test_multi_process.py's
oracle). Run as: python keras_multiprocess_worker.py <process_id> <port>, 2 CPU devices.
"""
import json
import sys

import jax

jax.config.update("jax_cpu_collectives_implementation", "gloo")

import keras  # noqa: E402 - after the collectives setting, before any JAX computation

from scenarios import ROWS, training_data  # noqa: E402

process_id, port = int(sys.argv[1]), sys.argv[2]
keras.distribution.initialize(f"127.0.0.1:{port}", 2, process_id)
# Keras takes arrays in a cluster only when told that each process feeds its own part.
keras.distribution.set_distribution(keras.distribution.DataParallel(auto_shard_dataset=False))
x, y = training_data()
half = ROWS // 2
mine = slice(process_id * half, (process_id + 1) * half)
keras.utils.set_random_seed(1)
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
model.compile("sgd", "mse")
history = model.fit(x[mine], y[mine], batch_size=4, epochs=2, shuffle=False, verbose=0)
print("REPORT" + json.dumps({"history": history.history,
                             "weights": [w.tolist() for w in model.get_weights()]}))
