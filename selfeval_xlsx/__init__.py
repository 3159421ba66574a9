"""selfeval-xlsx：项目支出绩效自评表的模板、批量审核与汇总。

As a library: `evaluate()` a folder of returned workbooks and get `Results` (typed
rows, `.to_pandas()`), then `write_summary` / `write_json` them (see api.py); `merge()`
districts' results (their JSON or summary workbooks) into a city's or province's (merging.py).
The names load on first use: the command line and the reading workers import this
package and should not pay for the writers."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # for the type checker; at run time __getattr__ imports on first use
    from . import schema
    from .api import Results, evaluate
    from .json_out import write_json
    from .merging import merge
    from .rules import PRESETS, Rules
    from .summary_xlsx import write_summary


__version__ = "0.1.0"

__all__ = ["PRESETS", "Results", "Rules", "evaluate", "merge", "schema", "write_json", "write_summary"]

_WHERE = {"evaluate": "api", "Results": "api", "write_summary": "summary_xlsx", "write_json": "json_out",
          "Rules": "rules", "PRESETS": "rules", "merge": "merging"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    if name == "schema":
        import importlib
        return importlib.import_module(".schema", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
