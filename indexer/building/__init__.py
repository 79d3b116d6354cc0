"""Building an index: the pipeline (``pipeline``: read, split, embed what is new, write atomically), the
vectors cache that lets a killed build resume (``cache``), the progress bar (``progress``) and embedding
on a Ray cluster (``distributed``)."""

from indexer.building.pipeline import BuildReport, build_index

__all__ = ["BuildReport", "build_index"]
