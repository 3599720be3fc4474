"""Reading back a sheet's filtered rows: the Excel table our writer adds, or a plain filter."""


def filtered_range(ws) -> str | None:
    """The range under a sheet's filters: its one Excel table's (whose column names must be the
    heading cells, and whose filter covers the same range), else the sheet's own filter."""
    tables = list(ws.tables.values())
    if not tables:
        return ws.auto_filter.ref
    assert len(tables) == 1, f"{ws.title} has {len(tables)} tables"
    table = tables[0]
    assert table.autoFilter is not None and table.autoFilter.ref == table.ref, ws.title
    first = ws[table.ref.split(":")[0]]
    headings = [ws.cell(first.row, first.column + i).value for i in range(len(table.tableColumns))]
    assert [c.name for c in table.tableColumns] == headings, ws.title
    assert ws.auto_filter.ref is None, f"{ws.title} has a sheet filter beside its table"
    return table.ref
