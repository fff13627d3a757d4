"""DataParallel and ModelParallel training on 4 forced CPU devices equals one device's.

single_host_worker.py trains the seed dropout model (Dense / Dropout / Dense, seeded)
for 3 epochs on one device, then under DataParallel over 4 devices and under
ModelParallel with d1's kernel split over the 'model' axis of a 2x2 mesh, in one
subprocess; the tests compare what it reports.
"""
import re

import numpy as np
import pytest

from workers import run_json


@pytest.fixture(scope="module")
def report():
    return run_json("single_host_worker.py")


def _close(expected, actual, tolerance=1e-5):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=tolerance,
                               atol=tolerance)


@pytest.mark.parametrize("run", ["data_parallel", "model_parallel"])
def test_training_equals_one_device(report, run):
    single, distributed = report["single"], report[run]
    assert set(distributed["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    # All three epochs, validation included, ran one compiled program.
    assert distributed["epoch_programs"] == 1
    for name, values in single["history"].items():
        assert len(values) == 3
        _close(values, distributed["history"][name])
    for expected, actual in zip(single["weights"], distributed["weights"], strict=True):
        _close(expected, actual)
    _close(single["evaluate"], distributed["evaluate"])
    _close(single["predict_before"], distributed["predict_before"])
    _close(single["predict_after"], distributed["predict_after"])


def test_data_parallel_replicates_weights_and_splits_each_batch(report):
    run = report["data_parallel"]
    assert run["kernel_spec"] in ("P()", "P(None, None)")  # replicated
    assert [device for device, _ in run["kernel_shards"]] == report["devices"]
    assert all(shape == [64, 32] for _, shape in run["kernel_shards"])
    # Each device's step program sees 2 of the batch's 8 rows, and XLA sums the
    # gradients over the devices.
    assert "f32[2,64]" in run["step_program"]
    assert "all-reduce" in run["step_program"]
    assert "all-reduce" not in report["single"]["step_program"]


def test_model_parallel_splits_the_kernel_and_its_slots(report):
    run = report["model_parallel"]
    assert run["kernel_spec"] == "P(None, 'model')"
    # d1's (64, 32) kernel: each device holds 16 of its 32 columns.
    assert [device for device, _ in run["kernel_shards"]] == report["devices"]
    assert all(shape == [64, 16] for _, shape in run["kernel_shards"])
    slots = run["slot_specs"]
    for name in ("momentum", "velocity"):
        assert _spec(slots, f"d1_kernel_{name}") == "P(None, 'model')"
        assert _spec(slots, f"d1_bias_{name}") == "P('model',)"
        assert _spec(slots, f"d2_kernel_{name}") in ("P()",
                                                     "P(None, None)")
    # The 2x2 mesh splits the batch over 'batch' only: 4 of 8 rows per device.
    assert "f32[4,64]" in run["step_program"]


def _spec(slots: dict, suffix: str) -> str:
    (spec,) = [spec for path, spec in slots.items() if path.endswith(suffix)]
    return spec


def test_uneven_batches_are_refused_even_or_partial_ones_train(report):
    assert report["batch_of_12"] == "trained"  # 48 rows: 4 batches of 12
    assert report["tail_of_4"] == "trained"  # 44 rows: 5 of 8 and a last one of 4
    assert re.search(r"batch_size=10 on 48 rows .* batches of \[10\] rows",
                     report["batch_of_10"])
    assert re.search(r"batch_size=8 on 42 rows .* batches of \[2\] rows", report["tail_of_2"])


def test_a_scoped_distribution_stays_with_the_model_made_in_it(report):
    assert report["jax_devices"] == 4
    assert report["scoped_kernel_devices"] == 2
