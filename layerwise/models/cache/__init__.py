"""Compiled-program caches: layerwise's own store of epoch programs and JAX's persistent cache.

`program_cache.cached_program` is the one entry point the epoch programs use;
`compile_cache.enable_compile_cache` points JAX's persistent cache at the same folder.
"""
