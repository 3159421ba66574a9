"""Writes the results as JSON, streaming: the same tables the workbook holds."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .atomic import replacing
from .batch import BatchResult
from .schema import FILES
from .tables import Table, build_tables, jsonable, run_facts


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_json(result: BatchResult, path: str | Path) -> Path:
    """{"汇总": [...], "项目明细": [...], "指标明细": [...], "问题清单": [...],
    "运行信息": {"概况": {...}, "文件": [...]}}, one record per row."""
    custom = getattr(result, "write_json", None)
    if custom is not None:   # merged district results (merging.py) have tables of their own
        return Path(custom(path))
    return write_tables_json(path, build_tables(result), run_facts(result))


def write_tables_json(path: str | Path, tables: list[Table], facts: Sequence[tuple[str, object]]) -> Path:
    """`tables` as JSON, the last (运行信息) under `facts`."""
    path = Path(path)
    *tables, files = tables
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as out:
        out.write("{\n")
        for table in tables:
            out.write(f" {_dump(table.name)}: [")
            out.writelines(("," if i else "") + "\n  " + _dump(record) for i, record in enumerate(table.records()))
            out.write("\n ],\n")
        facts_json = {k: jsonable(v) for k, v in facts}
        out.write(f" {_dump(FILES.sheet)}: {{\n  \"概况\": {_dump(facts_json)},\n  \"文件\": [")
        out.writelines(("," if i else "") + "\n   " + _dump(record) for i, record in enumerate(files.records()))
        out.write("\n  ]\n }\n}\n")
    return path
