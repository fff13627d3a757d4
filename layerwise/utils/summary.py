"""`model.summary()`: Keras's table of layers, output shapes and parameter counts."""
from __future__ import annotations

import warnings
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


def _layers_in_range(model: Any, layer_range: Any) -> list:
    """The layers (and op calls) from the first name of `layer_range` to the second."""
    layers = list(getattr(model, "operations", model.layers))
    if layer_range is None:
        return layers
    if not isinstance(layer_range, (list, tuple)) or len(layer_range) != 2 or not all(
            isinstance(name, str) for name in layer_range):
        raise ValueError("Invalid value for argument `layer_range`. Expected a list or tuple "
                         f"of two layer names. Received: layer_range={layer_range!r}")
    names = [layer.name for layer in layers]
    for name in layer_range:
        if name not in names:
            raise ValueError(f"summary: `layer_range` names '{name}', which is not a layer "
                             f"of model '{model.name}'. Its layers are: {names}")
    first, last = (names.index(name) for name in layer_range)
    return layers[first:last + 1]


def _rows(model: Any, layer_range: Any = None) -> list[tuple[str, str, str]]:
    rows = []
    shapes = _layer_output_shapes(model)
    # Functional models list op calls (keras.ops.relu(x)) too, under Keras's op class name.
    for layer in _layers_in_range(model, layer_range):
        shape = shapes.get(id(layer))
        params = layer.count_params() if layer.built else 0
        class_name = layer.keras_class_identity()[1] if hasattr(
            layer, "keras_class_identity") else type(layer).__name__
        rows.append((f"{layer.name} ({class_name})",
                     "?" if shape is None else str(shape), f"{params:,}"))
    return rows


def _connections(model: Any) -> dict[int, str] | None:
    """Keras's "Connected to" cell of each layer of a branching Functional model:
    `layer[node][tensor]` for each input of each of the layer's calls in the model; None
    for a model whose layers form one chain (Keras leaves the column out)."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None:
        return None
    model_nodes = [node for node in nodes if not node.is_input]
    input_nodes = [tensor._keras_history[0]._inbound_nodes[0] for tensor in model.inputs]
    chain = len(input_nodes) == 1 and len({id(node.layer) for node in model_nodes}) == len(
        model_nodes)
    previous = input_nodes[0] if input_nodes else None
    for node in model_nodes:
        inputs = node.input_tensors
        if not chain or len(inputs) != 1 or not any(
                inputs[0] is output for output in previous.output_tensors):
            chain = False
            break
        previous = node
    if chain:
        return None
    relevant = {id(node) for node in model_nodes}
    cells = {}
    for layer in model.layers:
        names = [f"{tensor._keras_history[0].name}[{tensor._keras_history[1]}]"
                 f"[{tensor._keras_history[2]}]"
                 for node in layer._inbound_nodes if id(node) in relevant
                 for tensor in node.input_tensors]
        cells[id(layer)] = ", ".join(names) or "-"
    return cells


def _wrapped(text: str, width: int) -> list[str]:
    """`text` broken at spaces into lines of at most `width` characters (as rich does)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


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
                  show_trainable: bool = False, positions: Any = None,
                  expand_nested: bool = False, layer_range: Any = None) -> None:
    print_fn = print_fn or print
    if positions is not None:
        widths = _widths_from_positions(positions, line_length or 98)
    else:
        widths = [31, 22, 13] if line_length is None else _split(line_length)
    if expand_nested and any(hasattr(layer, "layers") and layer.layers
                             for layer in model.layers):
        warnings.warn("summary(expand_nested=True): layerwise lists nested models as one "
                      "row each; their inner layers are not expanded.", stacklevel=3)
    header = ("Layer (type)", "Output Shape", "Param #")
    rows = _rows(model, layer_range)
    connections = _connections(model)
    if connections is not None:
        header += ("Connected to",)
        # Keras's four columns for 76 characters (its width when not on a terminal).
        widths = [19, 17, 10, 17] if line_length is None and positions is None else \
            _split_four(line_length or 76)
        shown = _layers_in_range(model, layer_range)
        rows = [row + (connections[id(layer)],) for row, layer in zip(rows, shown)]
    for row in rows:  # the "Connected to" cells wrap instead
        widths[:3] = [max(w, len(cell)) for w, cell in zip(widths[:3], row[:3])]

    def line(left: str, middle: str, right: str, fill: str) -> str:
        return left + middle.join(fill * (w + 2) for w in widths) + right

    def cells(values, border: str) -> list[str]:
        columns = [_wrapped(str(value), width) for value, width in zip(values, widths)]
        height = max(len(column) for column in columns)
        printed = []
        for index in range(height):
            texts = [column[index] if index < len(column) else "" for column in columns]
            padded = [f" {text:>{width}} " if position == 2 else f" {text:<{width}} "
                      for position, (text, width) in enumerate(zip(texts, widths))]
            printed.append(border + border.join(padded) + border)
        return printed

    lines = [f'Model: "{model.name}"', line("┏", "┳", "┓", "━"), *cells(header, "┃"),
             line("┡", "╇", "┩", "━")]
    for index, row in enumerate(rows):
        lines.extend(cells(row, "│"))
        if index < len(rows) - 1:
            lines.append(line("├", "┼", "┤", "─"))
    lines.append(line("└", "┴", "┘", "─"))
    trainable = model.trainable_weights if model.built else []
    non_trainable = model.non_trainable_weights if model.built else []
    optimizer = getattr(model, "optimizer", None)
    optimizer_variables = (list(optimizer.variables) if optimizer is not None
                           and getattr(optimizer, "built", False) else None)
    # As Keras, the total counts a built optimizer's variables too.
    total = trainable + non_trainable + (optimizer_variables or [])
    lines.append(f" Total params: {_count(total):,} ({format_bytes(_bytes(total))})")
    lines.append(f" Trainable params: {_count(trainable):,} "
                 f"({format_bytes(_bytes(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} "
                 f"({format_bytes(_bytes(non_trainable))})")
    if optimizer_variables is not None:
        lines.append(f" Optimizer params: {_count(optimizer_variables):,} "
                     f"({format_bytes(_bytes(optimizer_variables))})")
    for text in lines:
        print_fn(text)


def _widths_from_positions(positions: Any, line_length: int) -> list[int]:
    """Column widths from the right edges of the columns, as fractions or characters."""
    edges = [float(p) for p in positions][:3]
    if len(edges) < 3:
        raise ValueError("Invalid value for argument `positions`. Expected at least three "
                         f"column positions. Received: positions={positions!r}")
    if edges[-1] <= 1:
        edges = [edge * line_length for edge in edges]
    first, second, third = (int(edge) for edge in edges)
    # Cell widths, without the padding spaces and borders Keras counts into each column.
    return [max(1, first - 3), max(1, second - first - 4), max(1, third - second - 3)]


def _split_four(line_length: int) -> list[int]:
    """Cell widths of the four columns at Keras's positions 0.3, 0.56, 0.74 and 1."""
    edges = [int(position * line_length) for position in (0.3, 0.56, 0.74)] + [line_length]
    widths = [edge - start - 3 for start, edge in zip([0] + edges[:-1], edges)]
    widths[2] -= 1  # the table's borders take one more character, from this column
    return widths


def _split(line_length: int) -> list[int]:
    return [int(line_length * 0.45) - 3, int(line_length * 0.33) - 3, int(line_length * 0.22) - 3]
