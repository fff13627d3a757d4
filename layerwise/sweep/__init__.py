"""Train many models at once: seeds, hyperparameters, folds and ensembles in one program.

    result = layerwise.sweep.fit(build_model, [{"seed": s} for s in range(16)], x, y,
                                 epochs=30, batch_size=32)
    result.histories[3].history["loss"], result.models[3], result.to_string()

See `fit` for the arguments and `variants` for the keys a variant may carry.
"""
from layerwise.sweep.fit import fit
from layerwise.sweep.plots import plot_curves, plot_final_metric
from layerwise.sweep.result import SweepResult, ensemble_predict
from layerwise.sweep.variants import SEED, SWEEP_KEYS, TRAIN_INDEX, VALIDATION_INDEX

__all__ = ["SEED", "SWEEP_KEYS", "SweepResult", "TRAIN_INDEX", "VALIDATION_INDEX",
           "ensemble_predict", "fit", "plot_curves", "plot_final_metric"]
