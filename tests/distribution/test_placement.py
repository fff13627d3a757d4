"""The row order that makes a cluster's global batches (placement._interleaved_rows)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from layerwise.distribution.placement import _interleaved_rows


@settings(max_examples=60, deadline=None)
@given(processes=st.integers(1, 4), local_rows=st.integers(1, 40), batch_size=st.integers(1, 12))
def test_global_batch_i_is_every_processs_batch_i_in_process_order(processes, local_rows,
                                                                   batch_size):
    batch_size = min(batch_size, local_rows)
    order = _interleaved_rows(processes, local_rows, batch_size)
    assert sorted(order.tolist()) == list(range(processes * local_rows))  # a permutation
    global_batch = processes * batch_size
    for index, start in enumerate(range(0, processes * local_rows, global_batch)):
        rows = order[start:start + global_batch]
        local_start = index * batch_size
        expected = [process * local_rows + row for process in range(processes)
                    for row in range(local_start, min(local_start + batch_size, local_rows))]
        assert rows.tolist() == expected


def test_one_process_keeps_the_rows_in_order():
    np.testing.assert_array_equal(_interleaved_rows(1, 10, 4), np.arange(10))
