"""
The named scenarios the tests build, and the few helpers every module used to copy.

Each builder is a plain function named for what it makes (`two_providers_one_programme`,
`a_return_in_every_state`, ...) that creates rows through the factories or the real services and
returns a SimpleNamespace of what it made. Fixtures with the same kind of name call them: per test
where a test writes, or once per module or class (`built_once`) where the tests of a module only
read, inside a transaction rolled back at the end of the module, each test in a savepoint on top.

    two_providers_one_programme                 the base actors (tests/conftest.py: `actors`)
    a_return_and_a_payment_each_and_a_second_funder     who may see what (tests/grants/test_scoping.py)
    project_a_with_a_measure_of_every_unit      the return services (tests/grants/return_services/)
    project_a_with_named_people                 the return views (tests/grants/return_views/)
    a_return_in_every_state                     ... with A's Q1-Q3 and B's Q1 in several states
    a_second_officer_of_each_kind               the commissioning services (tests/grants/commissioning/)
    money_in_flight_on_an_advance_programme     ... and their pages, on 15 May 2024
    project_a_and_its_twin_equipped             the provider's template (tests/reporting/test_return_*)
    two_programmes_with_returns_in_every_status the commissioner's workbook (tests/reporting/)
    two_years_with_priorities_and_an_outsider   the lists and their downloads (tests/reporting/test_lists_*)
    three_projects_with_every_kind_of_measure   the figures on every surface (tests/test_figures_agree.py)
    an_administrator_for_each_funder            the administration pages (tests/grants/administration/)
    three_organisations_with_one_of_everything  the permission table (tests/test_permission_matrix.py)
    the_demo                                    the demo data (fixtures/demo.json)

base.py holds the shared helpers, `built_once` and the base actors; grants.py and reporting.py the
scenarios of each app. Import them from here: `from tests import worlds`.
"""

from tests.worlds.base import (  # noqa: F401
    ACTORS,
    FAST_HASHER,
    FORMULA_NAME,
    PENNY,
    approve,
    budget_line,
    built_once,
    built_once_per_module,
    client_for,
    evenly_profiled_line,
    fresh,
    line_with_profile,
    penny,
    the_demo,
    two_providers_one_programme,
    Unit,
)
from tests.worlds.grants import (  # noqa: F401
    a_return_and_a_payment_each_and_a_second_funder,
    a_return_in_every_state,
    a_second_officer_of_each_kind,
    an_administrator_for_each_funder,
    complete_input,
    money_in_flight_on_an_advance_programme,
    project_a_with_a_measure_of_every_unit,
    project_a_with_named_people,
    released_payment,
    three_organisations_with_one_of_everything,
)
from tests.worlds.reporting import (  # noqa: F401
    equip_with_a_line_of_each_category,
    equip_with_every_kind,
    figures_for_quarter,
    first_quarter_figures,
    measures_of_every_kind,
    one_measure_of_every_unit,
    pay,
    project_a_and_its_twin_equipped,
    report,
    submit_a_complete_return,
    three_projects_with_every_kind_of_measure,
    two_programmes_with_returns_in_every_status,
    two_years_with_priorities_and_an_outsider,
)
