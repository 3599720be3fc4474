import gc
import threading

import pytest

from reporting import collector


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_switches_the_collector_off_and_back_on():
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_nested_pause_leaves_it_off_until_the_outer_one_ends():
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_it_comes_back_on_when_the_work_fails():
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("the export failed")
    assert gc.isenabled()


def test_pauses_in_two_threads_end_with_it_on_whichever_ends_first():
    first_in, second_out = threading.Event(), threading.Event()
    states = []

    def first():
        with collector.paused():
            first_in.set()
            second_out.wait(5)
            states.append(("first, after the second ended", gc.isenabled()))

    worker = threading.Thread(target=first)
    worker.start()
    first_in.wait(5)
    with collector.paused():
        pass
    second_out.set()
    worker.join(5)
    assert states == [("first, after the second ended", False)]
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_commissioners_workbook(db):
    from tests.reporting.workbook_fixtures import export
    from tests import worlds

    world = worlds.two_programmes_with_returns_in_every_status(worlds.two_providers_one_programme())
    book = export(world.commissioner)
    assert book.values.sheetnames[0] == "Cover"
    assert gc.isenabled()
