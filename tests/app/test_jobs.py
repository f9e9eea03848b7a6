"""LatestJobs: the newest job of each kind, off the GUI thread."""

import threading

import pytest

from mnist_canvas.app.jobs import Interrupted, LatestJobs


@pytest.fixture
def jobs(qtbot):
    jobs = LatestJobs("test")
    yield jobs
    jobs.stop()


def test_waiting_jobs_of_a_kind_are_replaced_by_the_newest(jobs, qtbot):
    gate, ran = threading.Event(), []
    jobs.submit("slow", lambda: gate.wait(10))
    for i in range(3):
        jobs.submit("a", lambda i=i: ran.append(i) or i)
    with qtbot.waitSignal(
        jobs.done, timeout=10_000, check_params_cb=lambda *a: a[0] == "a"
    ) as done:
        gate.set()
    assert ran == [2] and done.args[2] == 2


def test_a_failing_job_is_its_answer_and_the_thread_lives(jobs, qtbot):
    with qtbot.waitSignal(jobs.failed, timeout=10_000) as failed:
        jobs.submit("x", lambda: 1 / 0)
    assert failed.args[0] == "x" and failed.args[2] == "division by zero"
    with qtbot.waitSignal(jobs.done, timeout=10_000) as done:
        jobs.submit("x", lambda: "fine")
    assert done.args[2] == "fine"


def test_stop_interrupts_and_start_runs_the_job_again(jobs, qtbot):
    started, runs, answers = threading.Event(), [], []
    jobs.done.connect(lambda kind, serial, value: answers.append(value))

    def long_job():
        runs.append(1)
        started.set()
        while len(runs) == 1:  # the first run waits for `stop`
            if jobs.stopping:
                raise Interrupted
            threading.Event().wait(0.01)
        return "read"

    jobs.submit("long", long_job)
    assert started.wait(10)
    jobs.stop()  # returns once the job gave up
    qtbot.wait(50)
    assert answers == [] and not jobs._thread.isRunning() and not jobs.stopping
    jobs.submit("other", lambda: "queued")  # waits: no thread runs after stop
    qtbot.wait(100)
    assert answers == []
    jobs.start()
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=10_000)
    assert answers == ["read", "queued"] and len(runs) == 2  # in the order asked


def test_a_job_submitted_after_stop_waits_though_none_ran_before(jobs, qtbot):
    # The window closed before its first job: nothing may start a thread then.
    answers = []
    jobs.done.connect(lambda kind, serial, value: answers.append(value))
    jobs.stop()
    jobs.submit("late", lambda: "ran")
    qtbot.wait(100)
    assert answers == [] and not jobs._thread.isRunning()
    jobs.start()
    qtbot.waitUntil(lambda: answers == ["ran"], timeout=10_000)


def test_a_newer_job_replaces_an_interrupted_one(jobs, qtbot):
    started = threading.Event()

    def interrupted():
        started.set()
        while not jobs.stopping:
            threading.Event().wait(0.01)
        raise Interrupted

    jobs.submit("k", interrupted)
    assert started.wait(10)
    jobs.stop()
    jobs.submit("k", lambda: "newer")
    with qtbot.waitSignal(jobs.done, timeout=10_000) as done:
        jobs.start()
    assert done.args[2] == "newer"
