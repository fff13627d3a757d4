"""The library's version, in a leaf module so that saving code can read it."""
__version__ = "0.1.0"
