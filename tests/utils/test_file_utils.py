"""get_file against a local server: download, hashes, cache, extraction, failures."""
import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from layerwise.utils import get_file
from local_server import serve

PAYLOAD = os.urandom(200_000)


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "data.bin").write_bytes(PAYLOAD)
    with tarfile.open(root / "bundle.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("bundle/hello.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    with zipfile.ZipFile(root / "bundle.zip", "w") as archive:
        archive.writestr("inner/a.txt", "zipped")
    with tarfile.open(root / "evil.tar", "w") as archive:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with serve(str(root)) as url:
        yield url, tmp_path / "cache"


def test_downloads_verifies_and_reuses_the_cache(served):
    url, cache = served
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    path = get_file("data.bin", f"{url}/data.bin", file_hash=sha, cache_dir=str(cache))
    assert path == str(cache / "datasets" / "data.bin")
    assert open(path, "rb").read() == PAYLOAD
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    assert get_file("data.bin", f"{url}/missing", md5_hash=md5, cache_dir=str(cache)) == path
    assert os.listdir(cache / "datasets") == ["data.bin"]  # no partial files left


def test_corrupted_download_is_detected_and_removed(served):
    url, cache = served
    with pytest.raises(ValueError, match="corrupted"):
        get_file("data.bin", f"{url}/data.bin", file_hash="0" * 64, cache_dir=str(cache))
    assert os.listdir(cache / "datasets") == []


def test_dropped_connection_leaves_nothing(served):
    url, cache = served
    with pytest.raises(Exception, match="connection closed"):
        get_file("data.bin", f"{url}/drop/data.bin", cache_dir=str(cache))
    assert os.listdir(cache / "datasets") == []


def test_bad_cached_file_is_downloaded_again(served):
    url, cache = served
    (cache / "datasets").mkdir(parents=True)
    (cache / "datasets" / "data.bin").write_bytes(b"stale")
    path = get_file("data.bin", f"{url}/data.bin", file_hash=hashlib.sha256(PAYLOAD).hexdigest(),
                    cache_dir=str(cache))
    assert open(path, "rb").read() == PAYLOAD


def test_http_errors_are_reported(served):
    url, cache = served
    with pytest.raises(Exception, match="404"):
        get_file("nothing.bin", f"{url}/nothing.bin", cache_dir=str(cache))


def test_extracts_tar_and_zip_into_keras_folders(served):
    url, cache = served
    folder = get_file("bundle.tar.gz", f"{url}/bundle.tar.gz", extract=True, cache_dir=str(cache))
    assert folder == str(cache / "datasets" / "bundle_extracted")
    assert open(os.path.join(folder, "bundle", "hello.txt")).read() == "hello"
    folder = get_file("zipped", f"{url}/bundle.zip", extract=True, cache_dir=str(cache))
    assert folder == str(cache / "datasets" / "zipped")
    assert os.path.exists(cache / "datasets" / "zipped_archive")
    assert open(os.path.join(folder, "inner", "a.txt")).read() == "zipped"
    untarred = get_file("legacy", f"{url}/bundle.tar.gz", untar=True, cache_dir=str(cache))
    assert os.path.exists(os.path.join(untarred, "bundle", "hello.txt"))


def test_archive_members_cannot_escape(served):
    url, cache = served
    with pytest.raises(ValueError, match="outside"):
        get_file("evil.tar", f"{url}/evil.tar", extract=True, cache_dir=str(cache))
    assert not (cache / "datasets" / "escape.txt").exists()


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="fname"):
        get_file(os.path.join("a", "b"), "http://127.0.0.1:1/b", cache_dir=str(tmp_path))
