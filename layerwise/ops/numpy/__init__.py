"""The numpy-style half of `keras.ops`, on `jax.numpy`, with Keras's signatures and dtypes.

Each theme lives in its own module; this file is the map of public names.
"""
from layerwise.ops.numpy.creation import (arange, array, bartlett, blackman, empty, empty_like,
                                          eye, full, full_like, geomspace, hamming, hanning,
                                          identity, kaiser, linspace, logspace, meshgrid, ones,
                                          ones_like, tri, zeros, zeros_like)
from layerwise.ops.numpy.elementwise import (
    abs, absolute, add, allclose, angle, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,
    arctanh, bitwise_and, bitwise_invert, bitwise_left_shift, bitwise_not, bitwise_or,
    bitwise_right_shift, bitwise_xor, cbrt, ceil, conj, conjugate, copy, cos, cosh, deg2rad,
    divide, divide_no_nan, equal, exp, exp2, expm1, fabs, floor, floor_divide, fmax, fmin, fmod,
    gcd, greater, greater_equal, heaviside, hypot, i0, imag, isclose, isfinite, isinf, isnan,
    isneginf, isposinf, isreal, lcm, ldexp, left_shift, less, less_equal, log, log1p, log2,
    log10, logaddexp, logaddexp2, logical_and, logical_not, logical_or, logical_xor, maximum,
    minimum, mod, multiply, nan_to_num, negative, nextafter, not_equal, power, rad2deg, real,
    reciprocal, right_shift, round, sign, signbit, sin, sinc, sinh, sqrt, square, subtract, tan,
    tanh, true_divide, trunc)
from layerwise.ops.numpy.products import (corrcoef, correlate, cross, dot, einsum, inner, kron,
                                          matmul, outer, slogdet, tensordot, trapezoid, vander,
                                          vdot)
from layerwise.ops.numpy.reductions import (
    all, amax, amin, any, argmax, argmin, average, count_nonzero, cumprod, cumsum, max, mean,
    median, min, nanargmax, nanargmin, nancumprod, nancumsum, nanmax, nanmean, nanmedian, nanmin,
    nanpercentile, nanprod, nanquantile, nanstd, nansum, nanvar, percentile, prod, ptp,
    quantile, std, sum, trace, var)
from layerwise.ops.numpy.shaping import (
    append, array_split, broadcast_to, clip, concatenate, diag, diagflat, diagonal, diff, dsplit,
    dstack, expand_dims, flip, fliplr, flipud, get_item, hsplit, hstack, moveaxis, ndim, pad,
    ravel, repeat, reshape, roll, rot90, select, size, split, squeeze, stack, swapaxes, take,
    take_along_axis, tile, transpose, tril, triu, unravel_index, view, vsplit, vstack, where)
from layerwise.ops.numpy.sorting import (argpartition, argsort, bincount, digitize, histogram,
                                         isin, nonzero, searchsorted, sort, unique, vectorize)

__all__ = [
    "abs", "absolute", "add", "all", "allclose", "amax", "amin", "angle", "any", "append",
    "arange", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
    "argmax", "argmin", "argpartition", "argsort", "array", "array_split", "average",
    "bartlett", "bincount", "bitwise_and", "bitwise_invert", "bitwise_left_shift",
    "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "blackman",
    "broadcast_to", "cbrt", "ceil", "clip", "concatenate", "conj", "conjugate", "copy",
    "corrcoef", "correlate", "cos", "cosh", "count_nonzero", "cross", "cumprod", "cumsum",
    "deg2rad", "diag", "diagflat", "diagonal", "diff", "digitize", "divide", "divide_no_nan",
    "dot", "dsplit", "dstack", "einsum", "empty", "empty_like", "equal", "exp", "exp2",
    "expand_dims", "expm1", "eye", "fabs", "flip", "fliplr", "flipud", "floor", "floor_divide",
    "fmax", "fmin", "fmod", "full", "full_like", "gcd", "geomspace", "get_item", "greater",
    "greater_equal", "hamming", "hanning", "heaviside", "histogram", "hsplit", "hstack",
    "hypot", "i0", "identity", "imag", "inner", "isclose", "isfinite", "isin", "isinf",
    "isnan", "isneginf", "isposinf", "isreal", "kaiser", "kron", "lcm", "ldexp", "left_shift",
    "less", "less_equal", "linspace", "log", "log10", "log1p", "log2", "logaddexp",
    "logaddexp2", "logical_and", "logical_not", "logical_or", "logical_xor", "logspace",
    "matmul", "max", "maximum", "mean", "median", "meshgrid", "min", "minimum", "mod",
    "moveaxis", "multiply", "nan_to_num", "nanargmax", "nanargmin", "nancumprod", "nancumsum",
    "nanmax", "nanmean", "nanmedian", "nanmin", "nanpercentile", "nanprod", "nanquantile",
    "nanstd", "nansum", "nanvar", "ndim", "negative", "nextafter", "nonzero", "not_equal",
    "ones", "ones_like", "outer", "pad", "percentile", "power", "prod", "ptp", "quantile",
    "rad2deg", "ravel", "real", "reciprocal", "repeat", "reshape", "right_shift", "roll",
    "rot90", "round", "searchsorted", "select", "sign", "signbit", "sin", "sinc", "sinh",
    "size", "slogdet", "sort", "split", "sqrt", "square", "squeeze", "stack", "std",
    "subtract", "sum", "swapaxes", "take", "take_along_axis", "tan", "tanh", "tensordot",
    "tile", "trace", "transpose", "trapezoid", "tri", "tril", "triu", "true_divide", "trunc",
    "unique", "unravel_index", "vander", "var", "vdot", "vectorize", "view", "vsplit",
    "vstack", "where", "zeros", "zeros_like",
]
