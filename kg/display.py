"""How results are shown to people: tables that fit the terminal, plain CSV/TSV/JSON, and text made safe
for a terminal.

A value from a paper can hold anything, including ESC sequences that would recolour or rewrite a terminal:
:func:`visible` shows every control character as an escape (``\\x1b``) instead. Tables have no borders
(columns two spaces apart, a rule under the header), wrap long cells at spaces first and never shrink a
column below 8 characters; when they would cut the words or IDs of a third of the columns, each row is
printed as a record, one ``column value`` line per cell.

>>> visible("red\\x1b[31m text\\u2028")
'red\\\\x1b[31m text\\\\u2028'
>>> generate_delimited([{"a": "x\\ty", "b": None}], ["a", "b"], "\\t")
'a\\tb\\nx\\\\ty\\t\\n'
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["generate_delimited", "generate_json", "print_table", "visible"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MIN_WIDTH = 8
_SEPARATION = 2  # spaces between two columns (no borders)


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with control characters (and bidirectional overrides) shown as escapes."""
    return _CONTROL.sub(_escape_control, text)


def _cell(value: Any) -> str:
    return "" if value is None else visible(str(value))


def _column_widths(columns: Sequence[str], cells: list[list[str]], width: int) -> list[int] | None:
    """Widths that fit ``width``: columns of several words wrap at spaces first (the widest first), then
    the widest columns give way, none below 8 characters; None when that would cut the words or IDs of
    a third of the columns (a table that narrow is not worth reading).

    >>> _column_widths(["label", "id"], [["acquired reactive perforating collagenosis", "MONDO:0004980"]], 40)
    [25, 13]
    """
    natural = [max([len(str(c)), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    minimum = [min(n, _MIN_WIDTH) for n in natural]
    words = [
        min(n, max([len(str(c)), _MIN_WIDTH, *(len(w) for row in cells for w in row[i].split())]))
        for i, (c, n) in enumerate(zip(columns, natural, strict=True))
    ]
    room = width - _SEPARATION * (len(columns) - 1)
    if sum(minimum) > room:
        return None
    widths = list(natural)
    for floor in (words, minimum):
        while sum(widths) > room and any(w > f for w, f in zip(widths, floor, strict=True)):
            widest = max((i for i in range(len(widths)) if widths[i] > floor[i]), key=lambda i: widths[i])
            widths[widest] -= 1
    broken = sum(1 for w, f in zip(widths, words, strict=True) if w < f)  # words or IDs cut in two
    return None if len(columns) > 1 and 3 * broken >= len(columns) else widths


def print_table(console: Console, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A table that fits ``console``'s width (long cells wrap), or, when it cannot, one record per row."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = _column_widths(columns, cells, console.width)
    if widths is None:
        label = max(len(str(c)) for c in columns)
        for number, row in enumerate(cells, start=1):
            console.print(f"[bold]row {number}[/bold]", highlight=False)
            for column, value in zip(columns, row, strict=True):
                console.print(f"  {escape(str(column)).ljust(label)}  {escape(value)}", highlight=False)
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=True)
    for column, width in zip(columns, widths, strict=True):
        table.add_column(escape(str(column)), width=width, overflow="fold")
    for row in cells:
        table.add_row(*[escape(value) for value in row])
    console.print(table)


def _tsv_value(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return visible(text)


def generate_delimited(records: Sequence[dict[str, Any]], columns: Sequence[str], delimiter: str) -> str:
    """Records as CSV (``delimiter=","``, quoted where needed) or TSV (tabs, newlines and backslashes in
    values escaped as ``\\t``, ``\\n``, ``\\\\``): plain values under one header line, control
    characters shown as escapes."""
    buffer = io.StringIO()
    if delimiter == "\t":
        buffer.write("\t".join(columns) + "\n")
        for record in records:
            buffer.write("\t".join(_tsv_value(record.get(c)) for c in columns) + "\n")
        return buffer.getvalue()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(c)) for c in columns])
    return buffer.getvalue()


def generate_json(records: Sequence[dict[str, Any]]) -> str:
    """Records as a JSON array of objects (control characters escaped by JSON itself)."""
    text = json.dumps(list(records), ensure_ascii=False, indent=1)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n"
