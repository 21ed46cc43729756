"""Vectors ingest does not compute again: chunk texts whose vector is already known.

A vector depends on its chunk's text alone (the manifest pins the model), so a chunk whose text
the index already holds needs no model call. That covers the common updates: an edited file
keeps most of its chunks (the ones before the edit are cut the same way), a moved or renamed
file keeps all of them, and a file copied into the corpus twice, or boilerplate shared by many
files, is embedded once. Vectors from another runtime of the same model are close enough to
mix: the stores already search one runtime's vectors with another's questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

REUSE_LIMIT = 200_000  # vectors remembered during one ingest: about 300 MB at 384 dimensions


class HoldsVectors(Protocol):
    def stored_vectors(self, sources: list[str], limit: int) -> dict[str, np.ndarray]: ...


@dataclass
class KnownVectors:
    """Chunk text -> vector, from the index before this run and from this run's own work."""

    limit: int = REUSE_LIMIT
    by_text: dict[str, np.ndarray] = field(default_factory=dict)

    def take_stored(self, draft: HoldsVectors, sources: list[str]) -> None:
        """Remember the vectors `sources` have in the index; call before they are removed."""
        room = self.limit - len(self.by_text)
        if sources and room > 0:
            self.by_text.update(draft.stored_vectors(sources, room))

    def missing(self, texts: list[str]) -> list[str]:
        """The texts that must be embedded, each once, in first-seen order."""
        return [text for text in dict.fromkeys(texts) if text not in self.by_text]

    def vectors(self, texts: list[str], embedded: list[str], fresh: np.ndarray) -> np.ndarray:
        """The vector of every text of `texts`, in order: `fresh` holds those of `embedded`."""
        computed = dict(zip(embedded, fresh, strict=True))
        room = self.limit - len(self.by_text)
        if room > 0:
            self.by_text.update(list(computed.items())[:room])
        if not texts:
            return np.zeros((0, fresh.shape[1]), dtype=np.float32)
        return np.stack([computed[t] if t in computed else self.by_text[t] for t in texts])
