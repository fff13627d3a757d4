"""Test-wide setup: real Keras, the oracle, runs on the JAX backend on the CPU."""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
