"""/metrics of `python -m server --workers N`: every worker's series, from any worker.

A scrape of the shared port reaches one worker, picked by the kernel. So each
worker leaves its exposition in the set's metrics folder every
``metrics_snapshot_s`` (``worker-<index>.prom``), and the worker that answers a
scrape serves its own series fresh and the others' from their files, each
series with a ``worker`` label: per worker, not summed, so an operator sees a
worker that is hotter than the rest, and sums with ``sum without (worker)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from .settings import Settings

log = logging.getLogger(__name__)

CREATED = "_created"


def snapshot_path(folder: str, index: int) -> Path:
    return Path(folder) / f"worker-{index}.prom"


def write_snapshot(settings: Settings) -> None:
    """This worker's exposition, replaced atomically (a reader never sees half)."""
    path = snapshot_path(settings.metrics_dir, settings.worker_index)
    part = path.with_suffix(".part")
    part.write_bytes(generate_latest(REGISTRY))
    os.replace(part, path)


async def snapshot_loop(settings: Settings) -> None:
    """Leave the snapshot every ``metrics_snapshot_s`` until cancelled."""
    while True:
        try:
            await asyncio.to_thread(write_snapshot, settings)
        except OSError:
            log.exception("metrics: cannot write this worker's snapshot; retrying")
        await asyncio.sleep(settings.metrics_snapshot_s)


def exposition(settings: Settings) -> bytes:
    """Every worker's series with its ``worker`` label: this one's fresh."""
    own = settings.worker_index
    sources: list[tuple[int, Iterable[Metric]]] = [(own, REGISTRY.collect())]
    for index, text in _others(settings.metrics_dir, own):
        sources.append((index, text_string_to_metric_families(text)))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Merged(sources))
    return generate_latest(registry)


def _others(folder: str, own: int) -> Iterator[tuple[int, str]]:
    for path in sorted(Path(folder).glob("worker-*.prom")):
        try:
            index = int(path.stem.removeprefix("worker-"))
        except ValueError:
            continue
        if index == own:
            continue
        with contextlib.suppress(OSError):  # a worker's file between two snapshots
            yield index, path.read_text()


class _Merged:
    """A collector of the families of several workers, one family per name."""

    def __init__(self, sources: list[tuple[int, Iterable[Metric]]]) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for index, metrics in self.sources:
            worker = str(index)
            for metric in metrics:
                if metric.name.endswith(CREATED):  # read back from a file: see below
                    continue
                family = families.get(metric.name)
                if family is None:
                    family = families[metric.name] = Metric(
                        metric.name, metric.documentation, metric.type, metric.unit
                    )
                family.samples += [
                    Sample(s.name, {**s.labels, "worker": worker}, s.value, s.timestamp)
                    for s in metric.samples
                    # When each counter began: one more series per counter, which
                    # Prometheus ignores in the text format (and a file's come back
                    # as families of their own that would clash with the counter's).
                    if not s.name.endswith(CREATED)
                ]
        yield from families.values()
