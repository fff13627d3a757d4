"""`model.summary()`: Keras's table of layers, output shapes and parameter counts."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _count(variables: list) -> int:
    return int(sum(int(np.prod(v.shape)) for v in variables))


def _bytes(variables: list) -> int:
    return int(sum(int(np.prod(v.shape)) * v.dtype.itemsize for v in variables))


def format_bytes(size: int) -> str:
    """Sizes as Keras prints them: "100.00 B", "3.05 KB", "1.20 MB"."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def _rows(model: Any) -> list[tuple[str, str, str]]:
    rows = []
    shapes = _layer_output_shapes(model)
    # Functional models list op calls (keras.ops.relu(x)) too, under Keras's op class name.
    for layer in getattr(model, "operations", model.layers):
        shape = shapes.get(id(layer))
        params = layer.count_params() if layer.built else 0
        class_name = layer.keras_class_identity()[1] if hasattr(
            layer, "keras_class_identity") else type(layer).__name__
        rows.append((f"{layer.name} ({class_name})",
                     "?" if shape is None else str(shape), f"{params:,}"))
    return rows


def _layer_output_shapes(model: Any) -> dict[int, Any]:
    """Each layer's output shape, from the graph or by walking a built Sequential."""
    shapes: dict[int, Any] = {}
    nodes = getattr(model, "_nodes", None)
    if nodes is not None:
        for layer in getattr(model, "operations", model.layers):
            inbound = getattr(layer, "_inbound_nodes", [])
            if inbound:
                outputs = inbound[0].outputs
                shapes[id(layer)] = outputs.shape if hasattr(outputs, "shape") else [
                    o.shape for o in outputs]
        return shapes
    input_layer = getattr(model, "_input_layer", None)
    if input_layer is not None and model.built:
        shape = input_layer.batch_shape
        for layer in model.layers:
            shape = layer.compute_output_shape(shape)
            shapes[id(layer)] = shape
    return shapes


def print_summary(model: Any, line_length: int | None = None,
                  print_fn: Callable[[str], Any] | None = None,
                  show_trainable: bool = False) -> None:
    print_fn = print_fn or print
    widths = [31, 22, 13] if line_length is None else _split(line_length)
    header = ("Layer (type)", "Output Shape", "Param #")
    rows = _rows(model)
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]

    def line(left: str, middle: str, right: str, fill: str) -> str:
        return left + middle.join(fill * (w + 2) for w in widths) + right

    def cells(values, border: str) -> str:
        padded = [f" {values[0]:<{widths[0]}} ", f" {values[1]:<{widths[1]}} ",
                  f" {values[2]:>{widths[2]}} "]
        return border + border.join(padded) + border

    lines = [f'Model: "{model.name}"', line("┏", "┳", "┓", "━"), cells(header, "┃"),
             line("┡", "╇", "┩", "━")]
    for index, row in enumerate(rows):
        lines.append(cells(row, "│"))
        if index < len(rows) - 1:
            lines.append(line("├", "┼", "┤", "─"))
    lines.append(line("└", "┴", "┘", "─"))
    trainable = model.trainable_weights if model.built else []
    non_trainable = model.non_trainable_weights if model.built else []
    total = trainable + non_trainable
    lines.append(f" Total params: {_count(total):,} ({format_bytes(_bytes(total))})")
    lines.append(f" Trainable params: {_count(trainable):,} "
                 f"({format_bytes(_bytes(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} "
                 f"({format_bytes(_bytes(non_trainable))})")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        variables = optimizer.variables
        lines.append(f" Optimizer params: {_count(variables):,} "
                     f"({format_bytes(_bytes(variables))})")
    for text in lines:
        print_fn(text)


def _split(line_length: int) -> list[int]:
    return [int(line_length * 0.45) - 3, int(line_length * 0.33) - 3, int(line_length * 0.22) - 3]
