"""The big tables kept on disk while a batch runs.

A province has hundreds of thousands of projects and millions of indicators; held
as Python objects they would not fit in the memory we promise, and sent through
pipes they would cost the parent process more than the reading. So each reading
worker appends its files' rows to a file of its own in the spool's folder and
reports only where; findings go into a temporary SQLite file. Everything is read
back in a fixed order (by file) when the summary is written.
"""
from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

from . import schema
from .findings import Finding
from .rows import FileRows, Link, StoredPair, finding_link, from_stored, stored
from .sheetxml import split_rows

_FINDING_COLUMNS = ", ".join(schema.STORED_FINDING)
_TYPES = ", ".join(f"{c} {'INTEGER' if c == 'rank' else 'TEXT'}" for c in schema.STORED_FINDING)
_SCHEMA = (f"CREATE TABLE findings ({_TYPES}, xml BLOB, seq INTEGER);"
           # rows.FileTables.row_keys of each file, for B105 once every file is read
           "CREATE TABLE row_keys (file INTEGER, sheet TEXT, project TEXT, cell TEXT, keys BLOB);"
           # where each file's rows are (its spool file, the offset and length of each of the
           # four parts, which follow one another: rows.Segments) and how many there are:
           # a province has a hundred thousand files, so this is not kept in memory.
           "CREATE TABLE segments (file INTEGER PRIMARY KEY, spool INTEGER, start INTEGER, project_values INTEGER,"
           " indicator_values INTEGER, project_xml INTEGER, indicator_xml INTEGER, projects INTEGER,"
           " indicators INTEGER);")
_SEGMENT_INSERT = "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_SEGMENT_PARTS = ("project_values", "indicator_values", "project_xml", "indicator_xml")
_INSERT = f"INSERT INTO findings ({_FINDING_COLUMNS}, xml, seq) VALUES ({', '.join('?' * (len(schema.STORED_FINDING) + 2))})"
# The sort key (Finding.sort_key) first, then the order findings arrived in.
_FINDING_ORDER = "ORDER BY rank, unit, file, sheet, code, cell, seq"


class Spool:
    """Findings in SQLite (they are read back sorted); table rows in the files the
    reading workers write into `dir`, of which SQLite keeps the offsets."""

    def __init__(self) -> None:
        # Rows are always stored both as values and as worksheet XML.
        self._dir = tempfile.TemporaryDirectory(prefix="selfeval-")
        self.dir = Path(self._dir.name)
        self._paths: dict[str, int] = {}   # each worker's spool file → its number in `segments`
        self._open: dict[int, BinaryIO] = {}
        self._db = sqlite3.connect(Path(self._dir.name) / "spool.sqlite")
        # Sorting a province's findings spills to temporary files rather than memory.
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                               "PRAGMA temp_store=FILE; PRAGMA cache_size=-8000;" + _SCHEMA)
        self._seq = 0
        self._pending = 0
        self._unit_index = False

    def add(self, file_no: int, rows: FileRows) -> None:
        """One file's rows, as stored by the worker that read it; with its findings and
        row keys it keeps all FileRows.head() leaves out."""
        sizes = (rows.totals.projects, rows.indicator_count)
        if seg := rows.segments:
            # FileTables.store writes the four parts in one block, one after another.
            parts = (seg.project_values, seg.indicator_values, seg.project_xml, seg.indicator_xml)
            if any(b[0] != sum(a) for a, b in pairwise(parts)):
                raise ValueError(f"segments not contiguous: {seg}")
            spool = self._paths.setdefault(seg.path, len(self._paths))
            self._db.execute(_SEGMENT_INSERT, (file_no, spool, seg.project_values[0], *(n for _, n in parts), *sizes))
        else:
            self._db.execute(_SEGMENT_INSERT, (file_no, None, None, None, None, None, None, *sizes))
        if rows.row_keys:
            self._db.executemany("INSERT INTO row_keys VALUES (?, ?, ?, ?, ?)",
                                 [(file_no, *keys) for keys in rows.row_keys])
        self._store(rows.findings)

    def row_keys(self, files: set[int]) -> Iterator[tuple[int, str, str, str, bytes]]:
        """(file, sheet, project, cell, fingerprint) of each project of `files` (rows.FileTables.row_keys),
        in file order."""
        self._db.commit()
        query = "SELECT file, sheet, project, cell, keys FROM row_keys ORDER BY file, rowid"
        for file, sheet, project, cell, keys in self._db.execute(query):
            if file in files:
                yield file, sheet, project, cell, keys

    def add_findings(self, findings: Iterable[Finding]) -> None:
        """Stores findings, rendering their 问题清单 rows."""
        self._store([stored(f) for f in findings])

    def _store(self, items: list[StoredPair]) -> None:
        """(schema.StoredFinding, rendered 问题清单 row) pairs."""
        rows = []
        for s, xml in items:
            self._seq += 1
            rows.append((*s, xml, self._seq))
        self._db.executemany(_INSERT, rows)
        self._pending += 1
        if self._pending >= 200:
            self._db.commit()
            self._pending = 0

    def _segment(self, files: set[int] | None, which: int) -> Iterator[bytes]:
        """Part `which` (0: project values, 1: indicator values, 2: project XML,
        3: indicator XML) of each file's rows."""
        self._db.commit()
        paths = {n: path for path, n in self._paths.items()}
        before = " + ".join(("0", *_SEGMENT_PARTS[:which]))
        query = (f"SELECT file, spool, start + {before}, {_SEGMENT_PARTS[which]} FROM segments "
                 "WHERE spool IS NOT NULL ORDER BY file")
        for file_no, spool, at, length in self._db.execute(query):
            if files is None or file_no in files:
                # kept open until close(): one handle per worker file, not per table row block
                fh = self._open.get(spool) or self._open.setdefault(spool, open(paths[spool], "rb"))  # noqa: SIM115
                fh.seek(at)
                yield fh.read(length)

    def count(self, table: str, files: set[int] | None = None) -> int:
        """How many rows projects(files), indicators(files) or findings() will yield."""
        if table == "findings":
            return self._seq
        self._db.commit()
        column = "projects" if table == "projects" else "indicators"
        return sum(n for f, n in self._db.execute(f"SELECT file, {column} FROM segments")
                   if files is None or f in files)

    def xml(self, table: str, files: set[int] | None) -> Iterator[bytes]:
        """The rows of `projects` or `indicators` as rendered XML (UTF-8), one a row."""
        for blob in self._segment(files, 2 if table == "projects" else 3):
            yield from split_rows(blob)

    def projects(self, files: set[int] | None = None) -> Iterator[schema.ProjectRow]:
        """schema.ProjectRow records, in file order."""
        for blob in self._segment(files, 0):
            yield from schema.PROJECTS.unpack(blob)

    def indicators(self, files: set[int] | None = None) -> Iterator[schema.IndicatorRow]:
        """schema.IndicatorRow records, in file order."""
        for blob in self._segment(files, 1):
            yield from schema.INDICATORS.unpack(blob)

    def finding_rows(self, unit: str | None = None) -> Iterator[schema.StoredFinding]:
        """All findings as schema.StoredFinding records, most severe first, then by
        unit, file, sheet, code and cell."""
        self._db.commit()
        if unit is not None and not self._unit_index:
            self._db.execute("CREATE INDEX findings_unit ON findings (unit)")
            self._unit_index = True
        where, args = ("WHERE unit = ?", (unit,)) if unit is not None else ("", ())
        query = (f"SELECT {_FINDING_COLUMNS} FROM findings {where} {_FINDING_ORDER}")
        return map(schema.StoredFinding._make, self._db.execute(query, args))

    def finding_xml(self) -> Iterator[tuple[bytes, Link | None]]:
        """All findings as 问题清单 rows rendered (rows.finding_xml), in finding_rows order,
        each with its link (rows.finding_link)."""
        self._db.commit()
        for xml, file, sheet, cell in self._db.execute(f"SELECT xml, file, sheet, cell FROM findings "
                                                       f"{_FINDING_ORDER}"):
            yield xml, finding_link(file, sheet, cell)

    def findings(self, unit: str | None = None) -> Iterator[Finding]:
        """All findings (see finding_rows) as Finding objects."""
        return map(from_stored, self.finding_rows(unit))

    def code_counts(self) -> list[tuple[str, int]]:
        """How often each finding code occurs, most frequent first."""
        self._db.commit()
        return list(self._db.execute(
            "SELECT code, COUNT(*) AS n FROM findings GROUP BY code ORDER BY n DESC, code"))

    def findings_without_file(self) -> Iterator[Finding]:
        self._db.commit()
        rows = self._db.execute(f"SELECT {_FINDING_COLUMNS} FROM findings WHERE file = ''")
        return map(from_stored, map(schema.StoredFinding._make, rows))

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._db.close()
        self._dir.cleanup()
