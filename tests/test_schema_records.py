"""The statically declared row records (schema.py's NamedTuples) and the column lists
they mirror: one place knows the columns, and the two cannot drift apart."""
import typing
from decimal import Decimal

import pytest

from selfeval_xlsx import schema
from selfeval_xlsx.schema import AMOUNT, INT, RATE, SCORE, Column, TableSchema

TABLES = [schema.UNITS, schema.DEPARTMENTS, schema.PROJECTS, schema.INDICATORS, schema.FINDINGS, schema.FILES]
KIND_TYPE = {AMOUNT: Decimal, SCORE: Decimal, RATE: Decimal, INT: int}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.key)
def test_each_declared_record_has_its_columns_in_order_with_their_types(table):
    record = table.record
    assert record is table.declared and record.__name__ == table.type_name
    assert record._fields == tuple(table.names)
    assert record._field_defaults == {c.name: c.default for c in table.columns}
    hints = typing.get_type_hints(record)
    for c in table.columns:
        assert hints[c.name] == (KIND_TYPE.get(c.kind, str) | None), c.name


def test_a_declaration_that_drifts_from_its_columns_is_refused():
    class Row(typing.NamedTuple):
        a: str | None = None
        b: str | None = None

    cols = (Column("a", "甲"), Column("b", "乙"))
    assert TableSchema("t", "表", cols, type_name="Row", declared=Row).record is Row
    with pytest.raises(TypeError, match=r"fields \('a', 'b'\) != columns \('a', 'c'\)"):
        TableSchema("t", "表", (Column("a", "甲"), Column("c", "丙")), type_name="Row", declared=Row)
    with pytest.raises(TypeError, match="fields"):
        TableSchema("t", "表", (*cols, Column("d", "丁")), type_name="Row", declared=Row)
    with pytest.raises(TypeError, match="defaults"):
        TableSchema("t", "表", (Column("a", "甲"), Column("b", "乙", default="")), type_name="Row", declared=Row)


def test_an_added_column_makes_a_run_time_record_and_rows_round_trip_the_spool():
    extended = schema.PROJECTS.with_column(Column("checked_by", "审核人", default="待定"), after="grade")
    assert extended.declared is None and extended.record.__name__ == "ProjectRow"
    names = list(extended.record._fields)
    assert names[names.index("grade") + 1] == "checked_by"
    row = extended.record(unit="甲", budget=Decimal("12.50"), finding_count=3)
    assert row.checked_by == "待定"
    assert extended.unpack(extended.pack([row])) == [row]
    declared = schema.PROJECTS.record(unit="甲", budget=Decimal("12.50"), finding_count=3)
    assert schema.PROJECTS.unpack(schema.PROJECTS.pack([declared])) == [declared]
    assert type(schema.PROJECTS.unpack(schema.PROJECTS.pack([declared]))[0]) is schema.ProjectRow
