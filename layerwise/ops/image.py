"""`keras.ops.image`: resizing, padding and cropping, colour spaces, patches, and
coordinate mapping of image batches (channels_last by default)."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from layerwise import random
from layerwise.ops import dtypes
from layerwise.ops.core import convert_to_tensor
from layerwise.ops.operation import symbolic_op

__all__ = [
    "affine_transform", "crop_images", "elastic_transform", "extract_patches", "extract_patches_3d", "gaussian_blur", "hsv_to_rgb",
    "map_coordinates", "pad_images", "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv",
    "scale_and_translate", "sobel_edges", "ssim",
]

_RESIZE_METHODS = {"bilinear": "linear", "nearest": "nearest", "bicubic": "cubic",
                   "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def _data_format(data_format: str | None) -> str:
    from layerwise import backend

    return data_format or backend.image_data_format()


def _float(x: Any) -> jax.Array:
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(dtypes.standardize_dtype(None))
    return x


def _channel_axis(images: jax.Array, data_format: str) -> int:
    return -1 if data_format == "channels_last" else -3


@symbolic_op
def rgb_to_grayscale(images: Any, data_format: str | None = None) -> jax.Array:
    """ITU-R 601 luma of RGB images, keeping a channel axis of size 1."""
    images = convert_to_tensor(images)
    axis = _channel_axis(images, _data_format(data_format))
    original = images.dtype
    weights = jnp.array([0.2989, 0.5870, 0.1140], dtype=_float(images).dtype)
    gray = jnp.tensordot(_float(images), weights, axes=([axis], [0]))
    return jnp.expand_dims(gray, axis).astype(original)


@symbolic_op
def rgb_to_hsv(images: Any, data_format: str | None = None) -> jax.Array:
    """RGB in [0, 1] to HSV in [0, 1]."""
    images = _float(images)
    axis = _channel_axis(images, _data_format(data_format))
    red, green, blue = (jnp.take(images, i, axis=axis) for i in range(3))
    value = jnp.maximum(jnp.maximum(red, green), blue)
    range_ = value - jnp.minimum(jnp.minimum(red, green), blue)
    safe_value = jnp.where(value > 0, value, 1.0)
    saturation = jnp.where(value > 0, range_ / safe_value, 0.0)
    safe_range = jnp.where(range_ > 0, range_, 1.0)
    hue = jnp.where(value == red, (green - blue) / safe_range,
                    jnp.where(value == green, 2.0 + (blue - red) / safe_range,
                              4.0 + (red - green) / safe_range))
    hue = jnp.where(range_ > 0, (hue / 6.0) % 1.0, 0.0)
    return jnp.stack([hue, saturation, value], axis=axis)


@symbolic_op
def hsv_to_rgb(images: Any, data_format: str | None = None) -> jax.Array:
    """HSV in [0, 1] to RGB in [0, 1]."""
    images = _float(images)
    axis = _channel_axis(images, _data_format(data_format))
    hue, saturation, value = (jnp.take(images, i, axis=axis) for i in range(3))

    def channel(offset):
        k = (offset + hue * 6.0) % 6.0
        return value - value * saturation * jnp.clip(jnp.minimum(k, 4.0 - k), 0.0, 1.0)

    return jnp.stack([channel(5.0), channel(3.0), channel(1.0)], axis=axis)


@symbolic_op
def resize(images: Any, size: Any, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0,
           data_format: str | None = None) -> jax.Array:
    """Resize images to `size` = (height, width)."""
    if interpolation not in _RESIZE_METHODS:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected one of "
                         f"{sorted(_RESIZE_METHODS)}. Received: interpolation={interpolation!r}")
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise ValueError("resize: `crop_to_aspect_ratio` and `pad_to_aspect_ratio` are not "
                         "supported yet.")
    images = convert_to_tensor(images)
    data_format = _data_format(data_format)
    height, width = (int(d) for d in size)
    shape = list(images.shape)
    if data_format == "channels_last":
        shape[-3:-1] = [height, width]
    else:
        shape[-2:] = [height, width]
    original = images.dtype
    result = jax.image.resize(_float(images), tuple(shape),
                              method=_RESIZE_METHODS[interpolation], antialias=antialias)
    return result.astype(original) if jnp.issubdtype(original, jnp.inexact) else result


def _spatial(images: jax.Array, data_format: str) -> tuple[int, int]:
    return images.shape[-3:-1] if data_format == "channels_last" else images.shape[-2:]


@symbolic_op
def pad_images(images: Any, top_padding: int | None = None, left_padding: int | None = None,
               bottom_padding: int | None = None, right_padding: int | None = None,
               target_height: int | None = None, target_width: int | None = None,
               data_format: str | None = None) -> jax.Array:
    """Zero-pad images to `target_height` x `target_width` (or by the given paddings)."""
    images = convert_to_tensor(images)
    data_format = _data_format(data_format)
    height, width = _spatial(images, data_format)
    top, bottom = _split(top_padding, bottom_padding, target_height, height, "padding")
    left, right = _split(left_padding, right_padding, target_width, width, "padding")
    pads = [(0, 0)] * images.ndim
    h_axis = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    pads[h_axis], pads[h_axis + 1] = (top, bottom), (left, right)
    return jnp.pad(images, pads)


def _split(first: int | None, second: int | None, target: int | None, size: int,
           what: str) -> tuple[int, int]:
    """The two amounts along one axis from any two of (first, second, target)."""
    given = sum(v is not None for v in (first, second, target))
    if given != 2:
        raise ValueError(f"Must specify exactly two of top/bottom (or left/right) {what} and "
                         f"the target size. Received: {first}, {second}, target={target}")
    if target is not None:
        extra = abs(target - size)
        if first is None:
            first = extra - second
        else:
            second = extra - first
    return int(first), int(second)


@symbolic_op
def crop_images(images: Any, top_cropping: int | None = None,
                left_cropping: int | None = None, bottom_cropping: int | None = None,
                right_cropping: int | None = None, target_height: int | None = None,
                target_width: int | None = None, data_format: str | None = None) -> jax.Array:
    """Crop images to `target_height` x `target_width` (or by the given croppings)."""
    images = convert_to_tensor(images)
    data_format = _data_format(data_format)
    height, width = _spatial(images, data_format)
    top, bottom = _split(top_cropping, bottom_cropping, target_height, height, "cropping")
    left, right = _split(left_cropping, right_cropping, target_width, width, "cropping")
    if data_format == "channels_last":
        return images[..., top:height - bottom, left:width - right, :]
    return images[..., top:height - bottom, left:width - right]


@symbolic_op
def extract_patches(images: Any, size: Any, strides: Any = None, dilation_rate: int = 1,
                    padding: str = "valid", data_format: str | None = None) -> jax.Array:
    """Patches of `size` as channels: (batch, rows, cols, patch_h * patch_w * channels)."""
    images = _float(images)
    data_format = _data_format(data_format)
    size = (size, size) if isinstance(size, int) else tuple(size)
    strides = size if strides is None else (
        (strides, strides) if isinstance(strides, int) else tuple(strides))
    dilation = (dilation_rate, dilation_rate) if isinstance(dilation_rate, int) else tuple(
        dilation_rate)
    unbatched = images.ndim == 3
    if unbatched:
        images = images[None]
    spec = ("NHWC", "OIHW", "NHWC") if data_format == "channels_last" else (
        "NCHW", "OIHW", "NCHW")
    patches = lax.conv_general_dilated_patches(images, size, strides, padding.upper(),
                                               rhs_dilation=dilation, dimension_numbers=spec)
    if data_format == "channels_last":
        # XLA orders patch features (channel, row, col); Keras (row, col, channel).
        channels = images.shape[-1]
        patches = patches.reshape(*patches.shape[:-1], channels, size[0] * size[1])
        patches = jnp.swapaxes(patches, -1, -2).reshape(*patches.shape[:-2], -1)
    return patches[0] if unbatched else patches


@symbolic_op
def extract_patches_3d(volumes: Any, size: Any, strides: Any = None, dilation_rate: int = 1,
                       padding: str = "valid", data_format: str | None = None) -> jax.Array:
    """3D patches as channels: (batch, d, h, w, patch_d * patch_h * patch_w * channels)."""
    volumes = _float(volumes)
    data_format = _data_format(data_format)
    size = (size,) * 3 if isinstance(size, int) else tuple(size)
    strides = size if strides is None else (
        (strides,) * 3 if isinstance(strides, int) else tuple(strides))
    dilation = (dilation_rate,) * 3 if isinstance(dilation_rate, int) else tuple(dilation_rate)
    unbatched = volumes.ndim == 4
    if unbatched:
        volumes = volumes[None]
    spec = ("NDHWC", "OIDHW", "NDHWC") if data_format == "channels_last" else (
        "NCDHW", "OIDHW", "NCDHW")
    patches = lax.conv_general_dilated_patches(volumes, size, strides, padding.upper(),
                                               rhs_dilation=dilation, dimension_numbers=spec)
    if data_format == "channels_last":
        channels = volumes.shape[-1]
        patches = patches.reshape(*patches.shape[:-1], channels, size[0] * size[1] * size[2])
        patches = jnp.swapaxes(patches, -1, -2).reshape(*patches.shape[:-2], -1)
    return patches[0] if unbatched else patches


@symbolic_op
def sobel_edges(images: Any, data_format: str | None = None) -> jax.Array:
    """Sobel gradients (dy, dx) of each channel, stacked on a new last axis; the image is
    zero-padded by one pixel."""
    images = _float(images)
    if _data_format(data_format) == "channels_first":
        images = jnp.moveaxis(images, -3, -1)
    padded = jnp.pad(images, [(0, 0)] * (images.ndim - 3) + [(1, 1), (1, 1), (0, 0)])
    height, width = images.shape[-3], images.shape[-2]
    weights = (1.0, 2.0, 1.0)

    def shifted(row, col):
        return padded[..., row:row + height, col:col + width, :]

    dy = sum(w * (shifted(2, c) - shifted(0, c)) for c, w in enumerate(weights))
    dx = sum(w * (shifted(r, 2) - shifted(r, 0)) for r, w in enumerate(weights))
    result = jnp.stack([dy, dx], axis=-1)
    if _data_format(data_format) == "channels_first":
        result = jnp.moveaxis(result, -2, -4)
    return result


@symbolic_op
def map_coordinates(inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant",
                    fill_value: float = 0) -> jax.Array:
    """Sample `inputs` at `coordinates` by spline interpolation of order 0 or 1."""
    inputs = convert_to_tensor(inputs)
    coordinates = [_float(c) for c in coordinates]
    return jax.scipy.ndimage.map_coordinates(inputs, coordinates, order=order, mode=fill_mode,
                                             cval=fill_value)


@symbolic_op
def affine_transform(images: Any, transform: Any, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0,
                     data_format: str | None = None) -> jax.Array:
    """Apply transforms [a0, a1, a2, b0, b1, b2, c0, c1] mapping output points (x, y) to
    input points (a0 x + a1 y + a2, b0 x + b1 y + b2).

    The projective terms c0, c1 are ignored (no division by c0 x + c1 y + 1), as Keras
    3.15 on JAX does for one-channel images.
    """
    orders = {"nearest": 0, "bilinear": 1}
    if interpolation not in orders:
        raise ValueError("Invalid value for argument `interpolation`. Expected 'nearest' or "
                         f"'bilinear'. Received: interpolation={interpolation!r}")
    images = convert_to_tensor(images)
    transform = _float(transform)
    data_format = _data_format(data_format)
    unbatched = images.ndim == 3
    if unbatched:
        images = images[None]
    if transform.ndim == 1:
        transform = transform[None]
    if data_format == "channels_first":
        images = jnp.moveaxis(images, 1, -1)
    batch, height, width, channels = images.shape
    y, x = jnp.meshgrid(jnp.arange(height, dtype=transform.dtype),
                        jnp.arange(width, dtype=transform.dtype), indexing="ij")
    a0, a1, a2, b0, b1, b2 = (transform[:, i, None, None] for i in range(6))
    source_x = a0 * x + a1 * y + a2
    source_y = b0 * x + b1 * y + b2

    def sample(image, sy, sx):
        return jnp.stack([
            jax.scipy.ndimage.map_coordinates(image[..., c], [sy, sx],
                                              order=orders[interpolation],
                                              mode=fill_mode, cval=fill_value)
            for c in range(channels)], axis=-1)

    result = jax.vmap(sample)(_float(images), source_y, source_x).astype(
        _float(images).dtype)
    if data_format == "channels_first":
        result = jnp.moveaxis(result, -1, 1)
    return result[0] if unbatched else result


@symbolic_op
def scale_and_translate(images: Any, output_shape: Any, scale: Any, translation: Any,
                        spatial_dims: Any, method: str, antialias: bool = True) -> jax.Array:
    """`jax.image.scale_and_translate`."""
    return jax.image.scale_and_translate(
        _float(images), tuple(output_shape), tuple(spatial_dims), _float(scale),
        _float(translation), method, antialias=antialias)


@symbolic_op
def ssim(image1: Any, image2: Any, max_val: float = 1.0, filter_size: int = 11,
         filter_sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03,
         data_format: str | None = None) -> jax.Array:
    """Structural similarity per image: local statistics under a Gaussian window
    (`filter_size`, `filter_sigma`, no padding), the SSIM map averaged over each image."""
    image1, image2 = _float(image1), _float(image2)
    if _data_format(data_format) == "channels_first":
        image1, image2 = jnp.moveaxis(image1, -3, -1), jnp.moveaxis(image2, -3, -1)
    unbatched = image1.ndim == 3
    if unbatched:
        image1, image2 = image1[None], image2[None]
    channels = image1.shape[-1]
    offsets = jnp.arange(filter_size, dtype=image1.dtype) - (filter_size - 1) / 2
    gauss = jnp.exp(-jnp.square(offsets) / (2 * filter_sigma ** 2))
    gauss = gauss / jnp.sum(gauss)
    kernel = jnp.tile(jnp.outer(gauss, gauss)[:, :, None, None], (1, 1, 1, channels))

    def blur(x):
        return lax.conv_general_dilated(x, kernel, (1, 1), "VALID",
                                        dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                        feature_group_count=channels)

    mean1, mean2 = blur(image1), blur(image2)
    variance1 = blur(image1 * image1) - jnp.square(mean1)
    variance2 = blur(image2 * image2) - jnp.square(mean2)
    covariance = blur(image1 * image2) - mean1 * mean2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    similarity = ((2 * mean1 * mean2 + c1) * (2 * covariance + c2)) / (
        (jnp.square(mean1) + jnp.square(mean2) + c1) * (variance1 + variance2 + c2))
    result = jnp.mean(similarity, axis=(1, 2, 3))
    return result[0] if unbatched else result


def _homography(source: jax.Array, target: jax.Array) -> jax.Array:
    """The 8 coefficients of the projective map taking the 4 `source` points to `target`."""
    rows, values = [], []
    for i in range(4):
        x, y = source[..., i, 0], source[..., i, 1]
        u, v = target[..., i, 0], target[..., i, 1]
        one, zero = jnp.ones_like(x), jnp.zeros_like(x)
        rows.append(jnp.stack([x, y, one, zero, zero, zero, -u * x, -u * y], axis=-1))
        rows.append(jnp.stack([zero, zero, zero, x, y, one, -v * x, -v * y], axis=-1))
        values += [u, v]
    return jnp.linalg.solve(jnp.stack(rows, axis=-2), jnp.stack(values, axis=-1)[..., None])[
        ..., 0]


@symbolic_op
def perspective_transform(images: Any, start_points: Any, end_points: Any,
                          interpolation: str = "bilinear", fill_value: float = 0,
                          data_format: str | None = None) -> jax.Array:
    """Warp images so that the 4 `start_points` (x, y) move to `end_points`."""
    orders = {"nearest": 0, "bilinear": 1}
    if interpolation not in orders:
        raise ValueError("Invalid value for argument `interpolation`. Expected 'nearest' or "
                         f"'bilinear'. Received: interpolation={interpolation!r}")
    images = _float(images)
    start_points, end_points = _float(start_points), _float(end_points)
    unbatched = images.ndim == 3
    if unbatched:
        images = images[None]
    if start_points.ndim == 2:
        start_points, end_points = start_points[None], end_points[None]
    channels_first = _data_format(data_format) == "channels_first"
    if channels_first:
        images = jnp.moveaxis(images, 1, -1)
    batch, height, width, channels = images.shape
    # Each output pixel samples the input where the inverse map (end -> start) sends it.
    a0, a1, a2, b0, b1, b2, c0, c1 = (
        jnp.broadcast_to(c, (batch,))[:, None, None]
        for c in jnp.moveaxis(_homography(end_points, start_points), -1, 0))
    y, x = jnp.meshgrid(jnp.arange(height, dtype=images.dtype),
                        jnp.arange(width, dtype=images.dtype), indexing="ij")
    k = c0 * x + c1 * y + 1.0
    source_x, source_y = (a0 * x + a1 * y + a2) / k, (b0 * x + b1 * y + b2) / k

    def sample(image, sy, sx):
        return jnp.stack([
            jax.scipy.ndimage.map_coordinates(image[..., c], [sy, sx],
                                              order=orders[interpolation], mode="constant",
                                              cval=fill_value)
            for c in range(channels)], axis=-1)

    result = jax.vmap(sample)(images, source_y, source_x)
    if channels_first:
        result = jnp.moveaxis(result, -1, 1)
    return result[0] if unbatched else result



def _gaussian(size: int, sigma: Any, dtype: Any) -> jax.Array:
    """A normalised 1-D Gaussian of `size` taps centred on the middle one."""
    offsets = jnp.arange(size, dtype=dtype) - (size - 1) / 2
    weights = jnp.exp(-jnp.square(offsets) / (2 * jnp.square(jnp.asarray(sigma, dtype))))
    return weights / jnp.sum(weights)


def _batched(images: jax.Array, function_name: str) -> tuple[jax.Array, bool]:
    if images.ndim not in (3, 4):
        raise ValueError(
            f"Invalid value for argument `images` of `{function_name}`. Expected a rank 3 "
            f"(single image) or rank 4 (batch of images) tensor. Received: "
            f"images.shape={images.shape}")
    return (images[None], True) if images.ndim == 3 else (images, False)


@symbolic_op
def gaussian_blur(images: Any, kernel_size: Any = (3, 3), sigma: Any = (1.0, 1.0),
                  data_format: str | None = None) -> jax.Array:
    """Convolve images with a Gaussian kernel, zero-padded to keep their size.

    Reproduces Keras 3.15 on JAX, which swaps the two kernels: height is blurred with
    (`kernel_size[1]`, `sigma[1]`) and width with (`kernel_size[0]`, `sigma[0]`). It also
    reads `data_format=None` as channels_first whatever the global setting, so a default
    call on channels_last images blurs each row along its width and across neighbouring
    channels, never mixing rows: an impulse spreads along one row, with weights that
    depend on the channel. An explicit "channels_last" blurs height and width.
    """
    height_size, width_size = (int(size) for size in tuple(kernel_size)[:2])
    if height_size < 1 or width_size < 1:
        raise ValueError("Invalid value for argument `kernel_size` of `gaussian_blur`. "
                         f"Expected two positive integers. Received: kernel_size={kernel_size}")
    sigma = tuple(sigma)
    images = convert_to_tensor(images)
    original = images.dtype
    images, unbatched = _batched(_float(images), "gaussian_blur")
    # Keras-JAX's reading of None (see the docstring), not the global image_data_format.
    channels_last = data_format == "channels_last"
    if channels_last:
        images = jnp.moveaxis(images, -1, 1)
    kernel = jnp.outer(_gaussian(width_size, sigma[1], images.dtype),
                       _gaussian(height_size, sigma[0], images.dtype))
    # Each (batch, channel) plane on its own: a one-feature convolution.
    planes = images.reshape((-1, 1) + images.shape[2:])
    blurred = lax.conv_general_dilated(planes, kernel[None, None], (1, 1), "SAME",
                                       dimension_numbers=("NCHW", "OIHW", "NCHW"))
    result = blurred.reshape(images.shape)
    if channels_last:
        result = jnp.moveaxis(result, 1, -1)
    result = result[0] if unbatched else result
    return result.astype(original)


def _same_spec(images: Any, **_: Any) -> tuple:
    # Abstract tracing would draw from the global generator for seed=None; the output
    # only ever has the images' shape and dtype.
    _batched(images, "elastic_transform")
    return images.shape, images.dtype


@symbolic_op(output_spec=_same_spec)
def elastic_transform(images: Any, alpha: float = 20.0, sigma: float = 5.0,
                      interpolation: str = "bilinear", fill_mode: str = "reflect",
                      fill_value: float = 0.0, seed: Any = None,
                      data_format: str | None = None) -> jax.Array:
    """Resample images along a random displacement field: Gaussian noise, blurred by
    `gaussian_blur` (kernel `2 * int(3 * sigma) + 1`) and scaled by `alpha`.

    As Keras 3.15 on JAX: one key is drawn from `seed` and used for both the row and the
    column field, so the two displacements are equal, and the field goes through
    `gaussian_blur` with its swapped kernels (equal here, as both use `sigma`).
    """
    orders = {"nearest": 0, "bilinear": 1}
    if interpolation not in orders:
        raise ValueError("Invalid value for argument `interpolation` of `elastic_transform`. "
                         "Expected 'nearest' or 'bilinear'. "
                         f"Received: interpolation={interpolation!r}")
    modes = ("constant", "nearest", "wrap", "mirror", "reflect")
    if fill_mode not in modes:
        raise ValueError("Invalid value for argument `fill_mode` of `elastic_transform`. "
                         f"Expected one of {modes}. Received: fill_mode={fill_mode!r}")
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    original = images.dtype
    images, unbatched = _batched(_float(images), "elastic_transform")
    if data_format == "channels_first":
        images = jnp.moveaxis(images, 1, -1)
    batch, height, width, channels = images.shape
    noise = random.normal((batch, height, width), stddev=sigma, dtype=images.dtype, seed=seed)
    size = 2 * int(3 * sigma) + 1
    field_axis = -1 if data_format == "channels_last" else 1
    field = gaussian_blur(jnp.expand_dims(noise, field_axis), (size, size), (sigma, sigma),
                          data_format=data_format)
    displacement = jnp.squeeze(field, field_axis) * alpha
    rows, columns = jnp.meshgrid(jnp.arange(height, dtype=images.dtype),
                                 jnp.arange(width, dtype=images.dtype), indexing="ij")

    def sample(image, shift):
        coordinates = [rows + shift, columns + shift]
        return jnp.stack([
            jax.scipy.ndimage.map_coordinates(image[..., c], coordinates,
                                              order=orders[interpolation],
                                              mode=fill_mode, cval=fill_value)
            for c in range(channels)], axis=-1)

    result = jax.vmap(sample)(images, displacement)
    if data_format == "channels_first":
        result = jnp.moveaxis(result, -1, 1)
    result = result[0] if unbatched else result
    return result.astype(original)
