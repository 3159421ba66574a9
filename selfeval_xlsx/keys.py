"""How projects and units are recognised as the same across files, years and tools:
one set of keys for every place that matches them (approved targets, last year, the
review, duplicates)."""
from __future__ import annotations

import re
import unicodedata

from . import form
from .figures import norm_unit

__all__ = ["code_key", "name_key", "norm_unit", "unit_key"]

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "{": "(", "}": ")",
                           "<": "(", ">": ")", "《": "(", "》": ")", "“": "", "”": "", '"': ""})


def name_key(name: str) -> str:
    """A project name as matched: full/half width, spaces and bracket shapes folded."""
    s = unicodedata.normalize("NFKC", name or "").translate(_BRACKETS)
    return "".join(s.split())


def code_key(code: str) -> str:
    """A 项目编码 as matched: `'2020-001 ` and `2020-001` alike; a number Excel stored
    as 12345.0 is 12345, and "012345" is too: a code of digits typed into a number cell
    loses its leading zeros on one side only."""
    s = "".join(unicodedata.normalize("NFKC", code or "").split()).lstrip("'").upper()
    s = s[:-2] if re.fullmatch(r"\d+\.0", s) else s
    return (s.lstrip("0") or "0") if s.isdigit() else s


def unit_key(unit: str) -> str:
    return norm_unit(form.split_unit_code(unit)[0]) if unit else ""
