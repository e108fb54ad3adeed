"""Embedding spread over a Ray cluster: a pool of actors, each holding the embedder once.

``RayEmbeddings`` is a langchain-core ``Embeddings`` like the local ones: an ingest hands it
the chunks of a batch, it cuts them into slices, the actors embed the slices in parallel and
the vectors come back in the order of the texts. Ray is imported only when a pool starts, so
wenda without ``--ray`` never loads it. Wrap it in ``cached`` (the driver's on-disk cache)
so that text embedded before is never sent to the cluster.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from types import ModuleType

import numpy as np
from langchain_core.embeddings import Embeddings

from embeddings.embedders import get_embedder

LOCAL = "local"  # Ray's own address for "start a new Ray on this machine"
LOCAL_OBJECT_STORE = 256 << 20  # slices of vectors are small; Ray's default takes 30% of RAM
PROBE_SECONDS = 5


class ClusterError(RuntimeError):
    """Ray is missing, unreachable or too small for the pool; the message says what to do."""


@dataclass(frozen=True)
class RayCluster:
    """Where the embedding runs: ``address`` of a Ray cluster (``host:6379`` from a node of
    it, ``ray://host:10001`` from outside) or ``local``; ``workers`` actors (default: as many
    as the cluster's CPUs allow) of ``threads`` CPU threads each; ``slice`` texts a call."""

    address: str = LOCAL
    workers: int | None = None
    threads: int = 1
    slice: int = 32

    def __post_init__(self) -> None:
        if (self.workers is not None and self.workers < 1) or self.threads < 1 or self.slice < 1:
            raise ValueError("Ray workers, threads per worker and slice size must be at least 1")


class _Worker:
    """One actor: the embedder built by the project's factory, loaded once, on ``threads``
    CPU threads (one thread per worker keeps workers from fighting over cores)."""

    def __init__(self, model: str, threads: int) -> None:
        os.environ["OMP_NUM_THREADS"] = str(threads)  # read by the engines as they load
        self.embedder = get_embedder(model, cache=False)
        self.identity = (self.embedder.model_id,  # type: ignore[attr-defined]
                         int(self.embedder.dimension))  # type: ignore[attr-defined]
        if "torch" in sys.modules:  # a sentence-transformers model: torch sized its pool already
            sys.modules["torch"].set_num_threads(threads)

    def describe(self) -> tuple[str, int]:
        return self.identity

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)


class RayEmbeddings(Embeddings):
    """``model`` embedded by a pool of Ray actors on ``cluster``. The pool starts on first
    use (connecting to, or starting, Ray) and stops with ``close`` or the ``with`` block;
    a Ray this object started is shut down with it, one it found running is left alone."""

    def __init__(self, model: str, cluster: RayCluster | None = None) -> None:
        self.model = model
        self.cluster = cluster or RayCluster()
        self._actors: list = []
        self._identity: tuple[str, int] | None = None
        self._started_ray = False

    @property
    def model_id(self) -> str:
        return self._describe()[0]

    @property
    def dimension(self) -> int:
        return self._describe()[1]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        from ray.util import ActorPool

        size = self.cluster.slice
        slices = [texts[i : i + size] for i in range(0, len(texts), size)]
        pool = ActorPool(self._pool())
        vectors: list[list[float]] = []
        for block in pool.map(lambda actor, piece: actor.embed.remote(piece), slices):
            vectors.extend(block.tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        ray = _ray()
        return ray.get(self._pool()[0].embed_query.remote(text))

    def close(self) -> None:
        if not self._actors and not self._started_ray:
            return
        ray = _ray()
        for actor in self._actors:
            ray.kill(actor)
        self._actors = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def __enter__(self) -> RayEmbeddings:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _describe(self) -> tuple[str, int]:
        if self._identity is None:
            ray = _ray()
            try:
                self._identity = ray.get(self._pool()[0].describe.remote())
            except ray.exceptions.RayError as err:
                self.close()
                reason = str(err).strip().splitlines()[-1]
                raise ClusterError(f"a Ray worker could not load embedder {self.model!r} "
                                   f"({reason}); install wenda and its models on every node "
                                   "of the cluster") from None
        return self._identity

    def _pool(self) -> list:
        if not self._actors:
            ray = _ray()
            self._started_ray = _connect(ray, self.cluster)
            workers = _worker_count(ray, self.cluster)
            actor = ray.remote(num_cpus=self.cluster.threads)(_Worker)
            self._actors = [actor.remote(self.model, self.cluster.threads)
                            for _ in range(workers)]
        return self._actors


def _ray() -> ModuleType:
    try:
        import ray
    except ImportError:
        raise ClusterError("Ray is not installed; install it with `pip install 'wenda[ray]'` "
                           "(or `pip install 'ray>=2.60'`)") from None
    return ray


def _connect(ray: ModuleType, cluster: RayCluster) -> bool:
    """Join ``cluster`` unless this process is already in a Ray; True when it started one."""
    if ray.is_initialized():
        return False
    local = cluster.address == LOCAL
    options = dict(num_cpus=(cluster.workers or os.cpu_count() or 1) * cluster.threads,
                   object_store_memory=LOCAL_OBJECT_STORE) if local else {}
    try:
        _probe(cluster.address)
        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False,
                 logging_level="ERROR", **options)
    except Exception as err:  # noqa: BLE001 - Ray raises several kinds; each means "no cluster"
        where = "a local Ray" if local else f"the Ray cluster at {cluster.address}"
        raise ClusterError(f"cannot start or reach {where} ({str(err).splitlines()[0]}); "
                           "check the address, or start the cluster with `ray start --head`"
                           ) from None
    return True


def _probe(address: str) -> None:
    """Fail at once when ``host:port`` does not answer: Ray itself retries for minutes."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if host and port.isdigit():
        socket.create_connection((host, int(port)), timeout=PROBE_SECONDS).close()


def _worker_count(ray: ModuleType, cluster: RayCluster) -> int:
    """``cluster.workers``, or as many as the cluster's CPUs hold; never more than they hold,
    since an actor without a CPU would wait for one forever."""
    cpus = int(ray.cluster_resources().get("CPU", 0))
    room = cpus // cluster.threads
    if room < (cluster.workers or 1):
        raise ClusterError(f"the Ray cluster ({cluster.address}) has {cpus} CPUs, room for "
                           f"{room} workers of {cluster.threads} threads; lower --ray-workers "
                           "or --ray-threads")
    return cluster.workers or room
