"""A generated report as claims: each piece of text with what it asserts and rests on.

A report is built as blocks of claims, then rendered; nothing reaches the document
except through a claim. Each claim names its `kind` (what it asserts), the figures as
values (`facts`), and the findings it rests on, so a test can check every sentence
against the results instead of trusting the wording.

Kinds that assert nothing about the data: "heading" (structure), "clerk" (the unit's
own words from its 单位信息, quoted), "commitment" (what the unit undertakes to do).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .findings import Finding

NOT_ASSERTING = frozenset({"heading", "clerk", "commitment"})


@dataclass(frozen=True)
class Claim:
    kind: str
    text: str
    unit: str = ""                                   # whose figures; "" for the district
    facts: dict[str, object] = field(default_factory=dict)   # what the text states, as values
    findings: tuple[Finding, ...] = ()               # the findings it rests on
    cells: tuple[str, ...] = ()                      # a table row: the cells shown


@dataclass
class Block:
    """One paragraph (its claims' texts run together), a title line, a heading or a table."""
    kind: str                                        # "title", "heading", "para", "table"
    claims: list[Claim]
    level: int = 1                                   # headings
    headers: tuple[str, ...] = ()                    # tables
    align_right: frozenset[int] = frozenset()

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.claims)


@dataclass
class Report:
    name: str                                        # the file name, without folder
    unit: str                                        # "" for the district report
    blocks: list[Block] = field(default_factory=list)

    def title(self, claim: Claim) -> None:
        self.blocks.append(Block("title", [claim]))

    def heading(self, text: str, level: int = 1) -> None:
        self.blocks.append(Block("heading", [Claim("heading", text, self.unit)], level=level))

    def para(self, *claims: Claim | None) -> None:
        """One paragraph of the claims given; None (a claim not made) and empty ones skipped."""
        made = [c for c in claims if c is not None and c.text]
        if made:
            self.blocks.append(Block("para", made))

    def table(self, headers: Iterable[str], rows: list[Claim], align_right: Iterable[int] = ()) -> None:
        self.blocks.append(Block("table", rows, headers=tuple(headers), align_right=frozenset(align_right)))

    def claims(self) -> Iterator[Claim]:
        for b in self.blocks:
            yield from b.claims

    def paragraphs(self) -> list[str]:
        """The document's non-empty paragraphs, in order, as rendered (tables aside)."""
        return [b.text for b in self.blocks if b.kind != "table" and b.text]
