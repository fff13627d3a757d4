"""scikit-learn estimators around a layerwise model (scikit-learn is imported only when one is used)."""
from layerwise.wrappers.sklearn_estimators import (SKLearnClassifier, SKLearnRegressor,
                                                   SKLearnTransformer)

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
