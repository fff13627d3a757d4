"""`plot_model`: the layer graph of a model drawn with matplotlib alone (no Graphviz, no pydot).

The graph is laid out by longest-path layering: a layer sits one rank below the deepest
layer feeding it, layers of one rank side by side. Every box is a patch whose `gid` is the
layer's name and every arrow a patch whose `gid` is "source->target", so a drawing can be
checked through its own artists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from layerwise.engine.input_layer import InputLayer

__all__ = ["plot_model", "model_to_dot", "model_graph"]


@dataclass
class GraphBox:
    """One box of the drawing: a layer (or a nested model drawn whole)."""
    name: str
    class_name: str
    output_shape: Any = None
    dtype: Any = None
    activation: str | None = None
    trainable: bool = True


@dataclass
class ModelGraph:
    """Boxes by name, and arrows as (source name, target name), in graph order."""
    boxes: dict[str, GraphBox] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)


def _activation_name(layer: Any) -> str | None:
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "__name__", type(activation).__name__)


def _box(layer: Any, output_shape: Any) -> GraphBox:
    return GraphBox(layer.name, type(layer).__name__, output_shape,
                    getattr(layer, "dtype", None), _activation_name(layer),
                    bool(getattr(layer, "trainable", True)))


# utils is a leaf below models/, so models are recognised by what they hold, not by class.
def _is_functional(layer: Any) -> bool:
    return hasattr(layer, "_nodes") and hasattr(layer, "outputs")


def _is_sequential(layer: Any) -> bool:
    return hasattr(layer, "_layers") and hasattr(layer, "pop") and not _is_functional(layer)


def _is_graph_model(layer: Any) -> bool:
    return _is_functional(layer) or _is_sequential(layer)


def model_graph(model: Any, expand_nested: bool = False) -> ModelGraph:
    """The boxes and arrows `plot_model` draws for `model`."""
    graph = ModelGraph()
    _add_model(graph, model, expand_nested)
    return graph


def _add_model(graph: ModelGraph, model: Any, expand_nested: bool) -> tuple[list[str], list[str]]:
    """Add `model`'s layers; returns the names arrows enter by and leave from."""
    if _is_sequential(model):
        return _add_sequential(graph, model, expand_nested)
    if _is_functional(model):
        return _add_functional(graph, model, expand_nested)
    raise TypeError("plot_model: expected a Sequential or Functional model (a subclassed model "
                    f"has no layer graph to draw). Received: {type(model).__name__}")


def _add_layer(graph: ModelGraph, layer: Any, output_shape: Any,
               expand_nested: bool) -> tuple[list[str], list[str]]:
    if expand_nested and _is_graph_model(layer):
        return _add_model(graph, layer, expand_nested)
    graph.boxes[layer.name] = _box(layer, output_shape)
    return [layer.name], [layer.name]


def _add_sequential(graph: ModelGraph, model: Any, expand_nested: bool):
    entry: list[str] = []
    previous: list[str] = []
    shape = None
    for layer in model._layers:
        if isinstance(layer, InputLayer):
            shape = tuple(layer.batch_shape)
        else:
            try:
                shape = tuple(layer.compute_output_shape(shape)) if shape is not None else None
            except Exception:  # a layer that cannot say its shape is drawn without one
                shape = None
        enters, leaves = _add_layer(graph, layer, shape, expand_nested)
        graph.edges.extend((source, target) for source in previous for target in enters)
        entry = entry or enters
        previous = leaves
    return entry, previous


def _add_functional(graph: ModelGraph, model: Any, expand_nested: bool):
    leaves_of: dict[int, list[str]] = {}
    entry: list[str] = []
    for tensor in model.inputs:
        layer = tensor._keras_history[0]
        enters, leaves = _add_layer(graph, layer, tuple(tensor.shape), expand_nested)
        leaves_of[id(layer)] = leaves
        entry.extend(enters)
    for node in model._nodes:
        if node.is_input:
            continue
        outputs = node.outputs if isinstance(node.outputs, (list, tuple)) else [node.outputs]
        shapes = [tuple(output.shape) for output in outputs if hasattr(output, "shape")]
        enters, leaves = _add_layer(graph, node.layer,
                                    shapes[0] if len(shapes) == 1 else shapes, expand_nested)
        for tensor in node.input_tensors:
            for source in leaves_of.get(id(tensor._keras_history[0]), []):
                graph.edges.extend((source, target) for target in enters
                                   if (source, target) not in graph.edges)
        leaves_of[id(node.layer)] = leaves
    exits = [name for tensor in model.outputs
             for name in leaves_of.get(id(tensor._keras_history[0]), [])]
    return entry, exits


def layered_positions(graph: ModelGraph) -> dict[str, tuple[int, int]]:
    """(rank, place within the rank) of every box: rank = longest path from a source."""
    rank = {name: 0 for name in graph.boxes}
    # Edges come in graph order (a source is added before its targets), so one pass in
    # insertion order of targets settles every rank.
    for name in graph.boxes:
        for source, target in graph.edges:
            if target == name:
                rank[name] = max(rank[name], rank[source] + 1)
    places: dict[int, int] = {}
    positions = {}
    for name in graph.boxes:
        positions[name] = (rank[name], places.get(rank[name], 0))
        places[rank[name]] = places.get(rank[name], 0) + 1
    return positions


def _label(box: GraphBox, show_shapes: bool, show_dtype: bool, show_layer_names: bool,
           show_layer_activations: bool, show_trainable: bool) -> str:
    title = f"{box.name} ({box.class_name})" if show_layer_names else box.class_name
    lines = [title]
    if show_layer_activations and box.activation:
        lines.append(f"activation: {box.activation}")
    if show_shapes:
        lines.append(f"output shape: {box.output_shape if box.output_shape is not None else '?'}")
    if show_dtype:
        lines.append(f"dtype: {box.dtype}")
    if show_trainable:
        lines.append(f"trainable: {box.trainable}")
    return "\n".join(lines)


def plot_model(model: Any, to_file: Any = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200, show_layer_activations: bool = False,
               show_trainable: bool = False, **kwargs: Any):
    """Draw the layer graph of a Sequential or Functional model; returns the Figure.

    Args:
        to_file: where to save the picture (format from the extension); None saves nothing.
        rankdir: "TB" (top to bottom) or "LR" (left to right).
        expand_nested: draw the layers of nested models instead of one box per model.
    """
    # matplotlib is an optional dependency: imported only when a picture is asked for.
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: invalid value for argument `rankdir`. Expected 'TB' or "
                         f"'LR'. Received: rankdir={rankdir!r}")
    unknown = set(kwargs) - {"splines"}  # Graphviz's edge routing: nothing to route here
    if unknown:
        raise TypeError(f"plot_model: unexpected keyword arguments {sorted(unknown)}")
    graph = model_graph(model, expand_nested)
    positions = layered_positions(graph)
    labels = {name: _label(box, show_shapes, show_dtype, show_layer_names,
                           show_layer_activations, show_trainable)
              for name, box in graph.boxes.items()}
    width = max(max(len(line) for line in label.split("\n")) for label in labels.values()) * 0.09 + 0.4
    height = max(label.count("\n") + 1 for label in labels.values()) * 0.22 + 0.25
    ranks = max(rank for rank, _ in positions.values()) + 1
    breadth = max(place for _, place in positions.values()) + 1
    step_rank, step_place = (height * 1.8, width * 1.25) if rankdir == "TB" else (width * 1.4, height * 1.6)

    centres = {}
    for name, (rank, place) in positions.items():
        in_rank = sum(1 for other, _ in positions.values() if other == rank)
        offset = (place - (in_rank - 1) / 2) * step_place
        centres[name] = (offset, -rank * step_rank) if rankdir == "TB" else (rank * step_rank, -offset)

    extent_rank, extent_place = ranks * step_rank, breadth * step_place
    size = (extent_place, extent_rank) if rankdir == "TB" else (extent_rank, extent_place)
    figure = Figure(figsize=(max(size[0], 2.0), max(size[1], 1.5)), dpi=dpi)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    for name, (x, y) in centres.items():
        box = FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                             boxstyle="round,pad=0.02", facecolor="#e8f0fe", edgecolor="#3c4043",
                             linewidth=1.0, gid=name)
        axes.add_patch(box)
        axes.text(x, y, labels[name], ha="center", va="center", fontsize=8, gid=f"label:{name}")
    for source, target in graph.edges:
        (x0, y0), (x1, y1) = centres[source], centres[target]
        if rankdir == "TB":
            start, end = (x0, y0 - height / 2), (x1, y1 + height / 2)
        else:
            start, end = (x0 + width / 2, y0), (x1 - width / 2, y1)
        axes.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10,
                                       color="#3c4043", gid=f"{source}->{target}"))
    xs = [x for x, _ in centres.values()]
    ys = [y for _, y in centres.values()]
    axes.set_xlim(min(xs) - width, max(xs) + width)
    axes.set_ylim(min(ys) - height, max(ys) + height)
    if to_file is not None:
        figure.savefig(to_file, dpi=dpi)
    return figure


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False,
                 dpi: int = 200, subgraph: bool = False, show_layer_activations: bool = False,
                 show_trainable: bool = False, **kwargs: Any):
    """The layer graph as a `pydot.Dot` (needs pydot; `plot_model` does not)."""
    try:
        import pydot
    except ImportError as error:
        raise ImportError("model_to_dot needs pydot (`pip install pydot`, and the Graphviz "
                          "binaries to render it). plot_model draws without either.") from error
    graph = model_graph(model, expand_nested)
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=dpi)
    dot.set_node_defaults(shape="record")
    for name, box in graph.boxes.items():
        label = _label(box, show_shapes, show_dtype, show_layer_names, show_layer_activations,
                       show_trainable)
        dot.add_node(pydot.Node(name, label=label))
    for source, target in graph.edges:
        dot.add_edge(pydot.Edge(source, target))
    return dot
