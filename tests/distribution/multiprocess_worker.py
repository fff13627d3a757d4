"""One process of the two-process data-parallel test (tests/distribution/test_multi_process.py).

Run as: python multiprocess_worker.py <process_id> <port> <output.npz> <checkpoint folder>,
with 2 forced CPU devices. Trains the seed dropout model on its half of the data and
saves the final weights and the History.
"""
import json
import os
import sys

import numpy as np

import layerwise as keras
from layerwise import distribution

from scenarios import ROWS, dropout_model, training_data

process_id, port, output, checkpoints = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
distribution.initialize(f"127.0.0.1:{port}", 2, process_id,
                        initialization_timeout=60)
distribution.set_distribution(distribution.DataParallel())
x, y = training_data()
half = ROWS // 2
mine = slice(process_id * half, (process_id + 1) * half)
model = dropout_model()
if process_id == 1:  # an unseeded peer: it must still start from process 0's weights
    model.set_weights([weight + 1.0 for weight in model.get_weights()])
checkpoint = keras.callbacks.ModelCheckpoint(
    os.path.join(checkpoints, f"from_{process_id}.weights.h5"), save_weights_only=True)
history = model.fit(x[mine], y[mine], batch_size=4, epochs=3, shuffle=False, verbose=2,
                    callbacks=[checkpoint])
try:
    model.fit(((x[mine][:4], y[mine][:4]) for _ in range(2)), steps_per_epoch=2, verbose=0)
    refusal = "trained"
except NotImplementedError as error:
    refusal = str(error)
predictions = model.predict(x[mine], batch_size=4, verbose=0)
evaluation = model.evaluate(x[mine], y[mine], batch_size=4, verbose=0)
np.savez(output, *model.get_weights(), history=json.dumps(history.history),
         predictions=predictions, refusal=refusal, evaluation=np.asarray(evaluation),
         devices=json.dumps(distribution.list_devices()))
