"""End to end: a Bidirectional LSTM over embedded tokens tells embedded Reber strings
from near misses, a classic LSTM benchmark (Hochreiter & Schmidhuber, 1997).

The embedded Reber grammar: `B`, then `T` or `P`, then a string of the Reber grammar
(the automaton below), then the same `T` or `P` again, then `E`. Half the negatives
break that long-range echo (`T ... P`); the others substitute one random symbol. Strings
are zero-padded at the end and masked (`mask_zero=True`).
"""
import numpy as np
import pytest

import layerwise

SYMBOLS = "BTPSXVE"  # token i + 1; 0 pads
# The Reber automaton: state -> [(symbol, next state)]; state 6 ends with E.
REBER = {0: [("B", 1)], 1: [("T", 2), ("P", 3)], 2: [("S", 2), ("X", 4)],
         3: [("T", 3), ("V", 5)], 4: [("X", 3), ("S", 6)], 5: [("P", 4), ("V", 6)],
         6: [("E", None)]}


def _reber(rng):
    state, text = 0, ""
    while state is not None:
        symbol, state = REBER[state][rng.integers(len(REBER[state]))]
        text += symbol
    return text


def _is_reber(text):
    state = 0
    for symbol in text:
        moves = dict(REBER.get(state, [])) if state is not None else {}
        if symbol not in moves:
            return False
        state = moves[symbol]
    return state is None


def _is_embedded_reber(text):
    return (len(text) > 4 and text[0] == "B" and text[-1] == "E" and text[1] in "TP"
            and text[-2] == text[1] and _is_reber(text[2:-2]))


def _embedded(rng):
    echo = "TP"[rng.integers(2)]
    return "B" + echo + _reber(rng) + echo + "E"


def _near_miss(rng):
    text = list(_embedded(rng))
    if rng.random() < 0.5:
        text[-2] = "P" if text[-2] == "T" else "T"  # the echo no longer matches
    else:
        position = rng.integers(len(text))
        text[position] = SYMBOLS[rng.integers(len(SYMBOLS))]
    return "".join(text)


def reber_dataset(n, length=24, seed=0):
    """`n` padded token sequences, half embedded Reber strings (label 1), half not."""
    rng = np.random.default_rng(seed)
    tokens, labels = np.zeros((n, length), "int32"), np.zeros(n, "float32")
    row = 0
    while row < n:
        wanted = row % 2 == 0
        text = _embedded(rng) if wanted else _near_miss(rng)
        if len(text) > length or _is_embedded_reber(text) != wanted:
            continue
        tokens[row, :len(text)] = [SYMBOLS.index(s) + 1 for s in text]
        labels[row] = wanted
        row += 1
    return tokens, labels


def test_the_grammar_rule():
    rng = np.random.default_rng(5)
    assert all(_is_embedded_reber(_embedded(rng)) for _ in range(50))
    assert _is_embedded_reber("BTBTXSETE") and not _is_embedded_reber("BTBTXSEPE")
    tokens, labels = reber_dataset(200)
    assert labels.mean() == 0.5 and np.all(tokens[labels == 1, 0] == 1)


@pytest.mark.slow
def test_bidirectional_lstm_learns_embedded_reber():
    layerwise.utils.set_random_seed(0)
    x, y = reber_dataset(3000, seed=0)
    x_val, y_val = reber_dataset(1000, seed=1)
    layers = layerwise.layers
    model = layerwise.Sequential([
        layerwise.Input((x.shape[1],), dtype="int32"),
        layers.Embedding(len(SYMBOLS) + 1, 16, mask_zero=True),
        layers.Bidirectional(layers.LSTM(32)),
        layers.Dense(1, activation="sigmoid")])
    model.compile(layerwise.optimizers.Adam(1e-2), "binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=20, validation_data=(x_val, y_val),
                        verbose=0)
    accuracy = history.history["val_accuracy"][-1]
    print(f"embedded Reber: validation accuracy {accuracy:.3f}")
    assert accuracy >= 0.9, history.history["val_accuracy"]
