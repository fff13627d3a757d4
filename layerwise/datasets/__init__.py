"""Keras's small datasets, downloaded once from Keras's sources into `~/.keras/datasets`."""
from layerwise.datasets import (boston_housing, california_housing, cifar10, cifar100,
                                fashion_mnist, imdb, mnist, reuters)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist",
           "imdb", "mnist", "reuters"]
