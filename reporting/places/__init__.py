"""
Importing the figures of a place (grants.models.places) from CSV and xlsx files in documented layouts.

    files.py    the file, opened with suspicion and bounded: rows of cells, or every reason it cannot be read
    layouts.py  the layouts (crime, survey, other) and reading a file's rows against one, every problem
                with its row and column
    preview.py  what a file would create or change, and the signed payload that carries it to the
                confirmation; saving is grants.services.places.indicator_values_import

The page is reporting.views.places; the command for a monthly cron is `manage.py import_indicators`.
"""
