"""
What a browser posts for a date typed into the GOV.UK date input: three boxes, <name>_day,
<name>_month and <name>_year. The tests write a date as people read it, "1/4/2023", and these
helpers split it into the boxes.
"""


def date_boxes(**dates: str) -> dict[str, str]:
    """date_boxes(paid_on="1/5/2024") is {"paid_on_day": "1", "paid_on_month": "5", "paid_on_year": "2024"};
    an empty date leaves the three boxes empty."""
    posted = {}
    for name, typed in dates.items():
        day, month, year = typed.split("/") if typed else ("", "", "")
        posted.update({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})
    return posted


def with_date_boxes(data: dict, *names: str) -> dict:
    """`data` with each of the dates `names` (written "d/m/yyyy") split into its three boxes."""
    dates = {name: data[name] for name in names if name in data}
    return {**{key: value for key, value in data.items() if key not in dates}, **date_boxes(**dates)}
