"""Process 0 of a two-process cluster whose peer never comes (test_multi_process.py).

Run as: python lonely_worker.py <port> <timeout seconds>.
"""
import sys

from layerwise import distribution

port, timeout = sys.argv[1], int(sys.argv[2])
distribution.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=0,
                        initialization_timeout=timeout)
print("joined a cluster that should not exist")
