"""EinsumDense: a dense layer whose product is any einsum of the input with its kernel.

`EinsumDense("abc,cde->abde", output_shape=(None, 4, 5), bias_axes="de")` maps
(batch, steps, 6) inputs to (batch, steps, 4, 5): the kernel has shape (6, 4, 5), its
sizes read off the equation, the input shape and `output_shape`.
"""
from __future__ import annotations

import re
from typing import Any, NamedTuple

import jax

from layerwise import activations, constraints, initializers, regularizers
from layerwise.engine.layer import Layer
from layerwise.layers.flat_matmul import einsum_as_matmul


class EinsumShapes(NamedTuple):
    """What an equation, bias axes and shapes determine."""

    kernel: tuple
    bias: tuple | None
    output: tuple  # with the batch axis
    kernel_input_axes: list  # kernel axes contracted with the input (its fan in)
    kernel_output_axes: list  # kernel axes that reach the output (its fan out)


def analyze_einsum(equation: str, bias_axes: str | None, input_shape: tuple,
                   output_shape: tuple) -> EinsumShapes:
    """Kernel, bias and output shapes of an EinsumDense (batch axis first in shapes).

    Supported equations are `in,kernel->out` with letters only, or with a leading `...`
    on the input and the output standing for the leading axes of the input.
    """
    match = re.fullmatch(r"(\.\.\.)?([a-zA-Z]+),([a-zA-Z]+)->(\.\.\.)?([a-zA-Z]+)", equation)
    if match is None or bool(match.group(1)) != bool(match.group(4)):
        raise ValueError(
            "Invalid einsum equation for EinsumDense. Expected the form 'ab,bc->ac' or "
            f"'...b,bc->...c'. Received: equation={equation!r}")
    ellipsis, input_letters, kernel_letters, _, output_letters = match.groups()
    input_shape, output_shape = tuple(input_shape), tuple(output_shape)
    if ellipsis:
        leading = len(input_shape) - len(input_letters)
        full_output = input_shape[:leading] + output_shape
    else:
        leading = 0
        full_output = input_shape[:1] + output_shape
    if len(input_shape) != leading + len(input_letters):
        raise ValueError(
            f"EinsumDense: the equation {equation!r} expects inputs of rank "
            f"{len(input_letters)}. Received: input_shape={input_shape}")
    if len(full_output) != leading + len(output_letters):
        raise ValueError(
            f"EinsumDense: the equation {equation!r} has {len(output_letters)} output axes, "
            f"which does not fit output_shape={output_shape}")
    input_sizes = dict(zip(input_letters, input_shape[leading:]))
    output_sizes = dict(zip(output_letters, full_output[leading:]))
    for letter, size in output_sizes.items():
        if letter in input_sizes and size is not None and input_sizes[letter] is not None \
                and size != input_sizes[letter]:
            raise ValueError(
                f"EinsumDense: output_shape gives axis '{letter}' size {size}, but the input "
                f"has size {input_sizes[letter]} there. Received: output_shape={output_shape}")
    kernel, input_axes, output_axes = [], [], []
    for axis, letter in enumerate(kernel_letters):
        if letter in input_sizes:
            kernel.append(input_sizes[letter])
            input_axes.append(axis)
        elif letter in output_sizes:
            kernel.append(output_sizes[letter])
            output_axes.append(axis)
        else:
            raise ValueError(
                f"EinsumDense: kernel axis '{letter}' of {equation!r} is in neither the input "
                "nor the output.")
        if kernel[-1] is None:
            raise ValueError(
                f"EinsumDense: the size of kernel axis '{letter}' of {equation!r} is unknown. "
                f"Received: input_shape={input_shape}, output_shape={output_shape}")
    bias = None
    if bias_axes:
        missing = [letter for letter in bias_axes if letter not in output_letters]
        if missing:
            raise ValueError(
                f"EinsumDense: bias_axes {bias_axes!r} name axes {missing} that are not in "
                f"the output {output_letters!r} of {equation!r}")
        # The bias covers the output's axes from its first biased one, broadcasting (size 1)
        # on the unbiased ones among them.
        first = min(output_letters.index(letter) for letter in bias_axes)
        bias = tuple(output_sizes[letter] if letter in bias_axes else 1
                     for letter in output_letters[first:])
    return EinsumShapes(tuple(kernel), bias, full_output, input_axes, output_axes)


def _with_fan_axes(initializer: Any, input_axes: list, output_axes: list) -> Any:
    """A variance-scaling initializer told which kernel axes are its fans (as Keras does),
    keeping its concrete seed so the draws stay those of the original."""
    if not isinstance(initializer, initializers.VarianceScaling) or (
            initializer.input_axes is not None and initializer.output_axes is not None):
        return initializer
    config = initializer.get_config()
    config.update(seed=initializer.seed, input_axes=input_axes, output_axes=output_axes)
    return type(initializer).from_config(config)


class EinsumDense(Layer):
    """`activation(einsum(equation, inputs, kernel) + bias)`.

    Args:
        equation: e.g. "ab,bc->ac" or "abc,cde->abde"; the first input letter (or `...`)
            is the batch.
        output_shape: the output shape without the batch axis (an int for rank 1); None
            entries take the input's size.
        bias_axes: output letters that get a bias; None for no bias.
    """

    def __init__(self, equation: str, output_shape: Any, activation: Any = None,
                 bias_axes: str | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, lora_rank: int | None = None,
                 lora_alpha: float | None = None, **kwargs: Any):
        kwargs.pop("quantization_config", None)
        kwargs.pop("gptq_unpacked_column_size", None)
        super().__init__(**kwargs)
        if lora_rank:
            raise NotImplementedError(f"EinsumDense '{self.name}': `lora_rank` is not "
                                      "supported yet.")
        if not isinstance(equation, str):
            raise TypeError(f"Invalid value for argument `equation` of EinsumDense "
                            f"'{self.name}'. Expected a string. Received: equation={equation!r}")
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) \
            else tuple(output_shape)
        self.activation = activations.get(activation)
        self.bias_axes = bias_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.full_output_shape: tuple | None = None

    def build(self, input_shape: tuple) -> None:
        shapes = analyze_einsum(self.equation, self.bias_axes, input_shape,
                                self.partial_output_shape)
        self.full_output_shape = shapes.output
        self.kernel = self.add_weight(
            name="kernel", shape=shapes.kernel,
            initializer=_with_fan_axes(self.kernel_initializer, shapes.kernel_input_axes,
                                       shapes.kernel_output_axes),
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if shapes.bias is not None:
            self.bias = self.add_weight(
                name="bias", shape=shapes.bias, initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def call(self, inputs: jax.Array) -> jax.Array:
        outputs = einsum_as_matmul(self.equation, inputs, self.kernel.value)
        if self.bias is not None:
            outputs = outputs + self.bias.value
        return self.activation(outputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return analyze_einsum(self.equation, self.bias_axes, input_shape,
                              self.partial_output_shape).output

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }
