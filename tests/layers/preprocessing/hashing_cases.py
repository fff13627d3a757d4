"""The Hashing, HashedCrossing and hashed-OOV lookup cases compared with Keras 3.15 (which
needs TensorFlow for them). `python hashing_cases.py OUT.json`, run where Keras and TensorFlow are installed,
records Keras's outputs and configs; tests/layers/preprocessing/test_hashing.py compares
layerwise with that record (and with Keras itself when TensorFlow is importable)."""
import json
import os
import sys

WORDS = ["A", "B", "C", "D", "E", "", "hello world", "ünïcödé", "x" * 20, "y" * 40,
         "a fairly long sentence that is longer than sixty-four bytes in all, surely", "z" * 300]
INTEGERS = [0, 1, -1, 7, 42, 1138, 2 ** 40, -(2 ** 40), 123456789]

CASES = [
    {"kind": "Hashing", "kwargs": {"num_bins": 3}, "inputs": {"values": [[w] for w in WORDS]}},
    {"kind": "Hashing", "kwargs": {"num_bins": 1000}, "inputs": {"values": WORDS}},
    {"kind": "Hashing", "kwargs": {"num_bins": 3, "mask_value": ""},
     "inputs": {"values": [["A"], ["B"], [""], ["C"], ["D"]]}},
    {"kind": "Hashing", "kwargs": {"num_bins": 3, "salt": [133, 137]},
     "inputs": {"values": [[w] for w in WORDS]}},
    {"kind": "Hashing", "kwargs": {"num_bins": 97, "salt": 133},
     "inputs": {"values": [WORDS[:6], WORDS[6:]]}},
    {"kind": "Hashing", "kwargs": {"num_bins": 50}, "inputs": {"values": INTEGERS,
                                                               "dtype": "int64"}},
    {"kind": "Hashing", "kwargs": {"num_bins": 50, "mask_value": 0},
     "inputs": {"values": [INTEGERS[:3], INTEGERS[3:6]], "dtype": "int32"}},
    {"kind": "Hashing", "kwargs": {"num_bins": 50}, "inputs": {"values": [1.5, -2.7, 3.0],
                                                               "dtype": "float32"}},
    {"kind": "Hashing", "kwargs": {"num_bins": 5, "output_mode": "one_hot"},
     "inputs": {"values": [[w] for w in WORDS[:5]]}},
    {"kind": "Hashing", "kwargs": {"num_bins": 5, "output_mode": "multi_hot"},
     "inputs": {"values": [WORDS[:4], WORDS[4:8]]}},
    {"kind": "Hashing", "kwargs": {"num_bins": 5, "output_mode": "count", "mask_value": "A"},
     "inputs": {"values": [["A", "B", "B", "C"], ["D", "E", "A", "A"]]}},
    {"kind": "HashedCrossing", "kwargs": {"num_bins": 5},
     "inputs": {"values": [["A", "B", "A", "B", "A"], [101, 101, 101, 102, 102]],
                "dtypes": [None, "int64"]}},
    {"kind": "HashedCrossing", "kwargs": {"num_bins": 1000},
     "inputs": {"values": [[[w] for w in WORDS[:6]], [[i] for i in INTEGERS[:6]],
                           [[w] for w in WORDS[6:]]], "dtypes": [None, "int32", None]}},
    {"kind": "HashedCrossing", "kwargs": {"num_bins": 7, "output_mode": "one_hot"},
     "inputs": {"values": [[3, 4, 5], [-1, 0, 2 ** 33]], "dtypes": ["int64", "int64"]}},
    {"kind": "HashedCrossing", "kwargs": {"num_bins": 4, "output_mode": "one_hot"},
     "inputs": {"values": [[["A"], ["B"]], [["C"], ["D"]]], "dtypes": [None, None]}},
    # Unknown tokens spread over several OOV ids: by floor modulo or FarmHash / SipHash.
    {"kind": "StringLookup", "kwargs": {"vocabulary": ["a", "b"], "num_oov_indices": 3},
     "inputs": {"values": [WORDS[:4], WORDS[4:8], WORDS[8:]]}},
    {"kind": "StringLookup", "kwargs": {"vocabulary": ["A", "B"], "num_oov_indices": 4,
                                        "salt": [5, 9]},
     "inputs": {"values": [WORDS[:6], WORDS[6:]]}},
    {"kind": "IntegerLookup", "kwargs": {"vocabulary": [1, 7], "num_oov_indices": 3},
     "inputs": {"values": INTEGERS[:-3], "dtype": "int64"}},
    {"kind": "IntegerLookup", "kwargs": {"vocabulary": [1, 7], "num_oov_indices": 5,
                                         "oov_method": "farmhash"},
     "inputs": {"values": INTEGERS[:-3], "dtype": "int64"}},
    {"kind": "IntegerLookup", "kwargs": {"vocabulary": [1, 7], "num_oov_indices": 5,
                                         "oov_method": "farmhash", "salt": 11},
     "inputs": {"values": INTEGERS[:-3], "dtype": "int64"}},
]


def run_keras(keras, numpy):
    """Keras's output (as lists), output shape and config for each case."""
    results = []
    for case in CASES:
        inputs = case["inputs"]
        layer = getattr(keras.layers, case["kind"])(**case["kwargs"])
        output = call_on_case(layer, case, numpy)
        results.append({"output": numpy.asarray(output).tolist(),
                        "config": layer.get_config()})
    return results


def call_on_case(layer, case, numpy):
    """`layer` applied to the case's inputs (HashedCrossing takes a tuple of features)."""
    inputs = case["inputs"]
    if case["kind"] == "HashedCrossing":
        return layer(tuple(numpy.array(v, dtype=d)
                           for v, d in zip(inputs["values"], inputs["dtypes"])))
    return layer(numpy.array(inputs["values"], dtype=inputs.get("dtype")))


MODEL_INPUTS = ([["a"], ["q"], ["zz"], [""]], [[1], [2], [3], [-4]])


def make_model(keras, numpy):
    """Hashing, HashedCrossing and a hashed-OOV StringLookup in one model, with weights
    fixed by formula so that both libraries hold the same."""
    word = keras.Input((1,), dtype="string", name="word")
    number = keras.Input((1,), dtype="int64", name="number")
    hashed = keras.layers.Hashing(num_bins=8, output_mode="one_hot", salt=3)(word)
    crossed = keras.layers.HashedCrossing(num_bins=6, output_mode="one_hot")([word, number])
    looked_up = keras.layers.StringLookup(vocabulary=["a", "b"], num_oov_indices=2,
                                          output_mode="multi_hot")(word)
    dense = keras.layers.Dense(2)
    output = dense(keras.layers.Concatenate()([hashed, crossed, looked_up]))
    model = keras.Model([word, number], output)
    dense.set_weights([numpy.linspace(-1, 1, 36).reshape(18, 2).astype("float32"),
                       numpy.array([0.5, -0.5], "float32")])
    return model


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import numpy
    import tensorflow

    model = make_model(keras, numpy)
    folder = os.path.dirname(sys.argv[1])
    model.save(os.path.join(folder, "hashing_model.keras"))
    # Keras's string layers take TensorFlow strings, not numpy unicode arrays.
    predictions = model([tensorflow.constant(MODEL_INPUTS[0]),
                         tensorflow.constant(MODEL_INPUTS[1], "int64")])
    with open(sys.argv[1], "w") as file:
        json.dump({"keras": keras.__version__, "results": run_keras(keras, numpy),
                   "model_predictions": numpy.asarray(predictions).tolist()}, file)
