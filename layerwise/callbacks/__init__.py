"""Callbacks: hooks into fit/evaluate/predict. This list is the public map."""
from layerwise.callbacks.backup_and_restore import BackupAndRestore
from layerwise.callbacks.callback import Callback, CallbackList, History, ProgbarLogger
from layerwise.callbacks.csv_logger import CSVLogger
from layerwise.callbacks.early_stopping import EarlyStopping
from layerwise.callbacks.lambda_callback import LambdaCallback
from layerwise.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from layerwise.callbacks.model_checkpoint import ModelCheckpoint
from layerwise.callbacks.remote_monitor import RemoteMonitor
from layerwise.callbacks.swap_ema_weights import SwapEMAWeights
from layerwise.callbacks.tensorboard import TensorBoard
from layerwise.callbacks.terminate_on_nan import TerminateOnNaN

# Not provided (yet): OrbaxCheckpoint.
__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "SwapEMAWeights",
    "TensorBoard",
    "TerminateOnNaN",
]
