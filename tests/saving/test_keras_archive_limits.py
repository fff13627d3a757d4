"""Loading a `.keras` file reads every member in a bounded way and caps what it inflates."""
import json
import os
import random
import subprocess
import sys
import textwrap
import zipfile
import zlib

import numpy as np
import pytest

import layerwise
from layerwise.saving import keras_archive


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    layerwise.utils.set_random_seed(0)
    model = layerwise.Sequential([layerwise.layers.Dense(3, input_shape=(4,)),
                                  layerwise.layers.Dense(2)])
    model.compile("adam", "mse")
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    model.save(path)
    return model, path


class RepeatedDeflate:
    """Stands in for zipfile's compressor: one chunk, deflated once, repeated on demand."""

    def __init__(self, chunk):
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.chunk = chunk
        # A full flush ends the block on a byte boundary with no shared history, so the
        # same bytes can follow themselves any number of times.
        self.piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)

    def compress(self, data):
        assert data == self.chunk
        return self.piece

    def flush(self):
        return zlib.compressobj(6, zlib.DEFLATED, -15).flush()  # an empty final block


def inflating_archive(source, target, chunks=1024):
    """`source` with its weights replaced by a member that inflates ~64x (1 GiB stored in
    ~16 MiB), written as a genuine deflate stream with a correct CRC."""
    rng = random.Random(0)
    chunk = b"".join(rng.randbytes(870) + bytes(65536 - 870) for _ in range(16))  # 1 MiB
    compressor = RepeatedDeflate(chunk)
    check = zlib.decompressobj(-15)
    assert check.decompress(compressor.piece * 2 + compressor.flush()) == chunk * 2
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as archive:
        for name in ("metadata.json", "config.json"):
            archive.writestr(name, original.read(name))
        info = zipfile.ZipInfo("model.weights.h5")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as member:
            member._compressor = compressor
            for _ in range(chunks):
                member.write(chunk)


_LOAD = textwrap.dedent("""
    import json, resource, sys
    import layerwise
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        layerwise.saving.load_model(sys.argv[1])
        error = None
    except ValueError as caught:
        error = str(caught)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open("/proc/self/status") as status:
        high_water = [line for line in status if line.startswith("VmHWM")]
    print(json.dumps({"error": error, "before_mb": before / 1024, "peak_mb": after / 1024,
                      "vm_hwm": high_water}))
""")


def test_a_16_mb_file_inflating_64_times_fails_clearly_with_bounded_memory(saved, tmp_path):
    _, path = saved
    bomb = tmp_path / "bomb.keras"
    inflating_archive(path, bomb)
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo("model.weights.h5")
    assert 15 << 20 < os.path.getsize(bomb) < 18 << 20
    assert info.file_size == 1 << 30 and 60 < info.file_size / info.compress_size < 68
    environment = dict(os.environ, JAX_PLATFORMS="cpu")
    # Linux keeps, in ru_maxrss, the resident size of the process a child was forked from
    # (this big test process); a small shell in between forks the loader from itself.
    # `; exit` keeps the shell from replacing itself with Python instead of forking.
    done = subprocess.run(["/bin/sh", "-c", '"$0" -c "$1" "$2"; exit $?', sys.executable,
                           _LOAD, str(bomb)], capture_output=True, text=True,
                          env=environment, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["error"] is not None
    assert "model.weights.h5" in result["error"] and "bomb.keras" in result["error"]
    assert "decompression bomb" in result["error"]
    assert result["peak_mb"] < 300, result


def test_a_member_inflating_past_its_cap_is_stopped_while_streaming(saved, tmp_path,
                                                                     monkeypatch):
    # The declared size passes (the cap is lowered only for the streaming check), yet
    # reading stops at the cap instead of filling memory or disk.
    _, path = saved
    bomb = tmp_path / "bomb.keras"
    inflating_archive(path, bomb, chunks=8)
    monkeypatch.setattr(keras_archive, "_ZIP_MEMBER_BOMB_FLOOR_BYTES", 1 << 40)
    monkeypatch.setattr(keras_archive, "_reject_zip_bomb", lambda info, path: None)
    monkeypatch.setattr(keras_archive, "_COMPRESSED_MEMBER_MAX_BYTES", 3 << 20)
    with pytest.raises(ValueError, match="inflates past 3145728 bytes"):
        layerwise.saving.load_model(bomb)


def test_a_json_member_is_read_with_a_cap(saved, tmp_path, monkeypatch):
    _, path = saved
    monkeypatch.setattr(keras_archive, "_JSON_MEMBER_MAX_BYTES", 64)
    with pytest.raises(ValueError, match="metadata.json.*declares 94 bytes, over the limit "
                                         "of 64 bytes for a JSON entry"):
        layerwise.saving.load_model(path)
    # A member whose header understates its size is still read no further than the cap.
    monkeypatch.setattr(keras_archive, "_reject_zip_bomb", lambda info, path: None)
    with pytest.raises(ValueError, match="config.json.*holds more than 64 bytes"):
        layerwise.saving.load_model(path)


def test_a_compressed_archive_still_loads_through_a_temporary_file(saved, tmp_path):
    model, path = saved
    zipped = tmp_path / "zipped.keras"
    with zipfile.ZipFile(path) as original, \
            zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in original.namelist():
            archive.writestr(name, original.read(name))
    for loaded in (layerwise.saving.load_model(zipped), layerwise.saving.load_model(path)):
        for ours, theirs in zip(loaded.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(ours, theirs)


def test_a_config_nested_100k_deep_gives_a_clear_error(saved, tmp_path):
    _, path = saved
    deep = tmp_path / "deep.keras"
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(deep, "w") as archive:
        for name in original.namelist():
            data = original.read(name)
            if name == "config.json":
                data = b'{"class_name": "Sequential", "config": ' + b"[" * 100_000 + \
                    b"]" * 100_000 + b"}"
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="deep.keras.*nested too deeply"):
        layerwise.saving.load_model(deep)
