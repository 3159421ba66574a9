"""What a run knows besides the files it reads and the rules.

`selfeval run --targets` (the targets approved with the budget) and `--previous`
(last year's results) give every project something to be compared with. That
comparison belongs with the project's own rows, which the reading workers render
(rows.to_rows), so the reference data travels to each worker once, at its start,
beside the rules. It must stay plain, picklable data: no open files, no caches
keyed on values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .approved_targets import TargetsIndex
    from .previous import PreviousIndex


@dataclass(frozen=True)
class Context:
    """Reference data for a run; every field None when not given."""

    targets: TargetsIndex | None = None   # --targets: the approved targets (approved_targets.py)
    previous: PreviousIndex | None = None   # last year's results (--previous, previous.py)

    def is_empty(self) -> bool:
        return all(v is None for v in vars(self).values())


NONE = Context()
