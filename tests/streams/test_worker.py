"""The worker process does not turn every library's debug logging on."""

from __future__ import annotations

import logging

import faust

from streams.worker import quiet_worker


def _root_after_setup(worker: faust.Worker) -> int:
    root = logging.Logger("probe-root")
    root.addHandler(logging.StreamHandler())
    worker.on_setup_root_logger(root, logging.WARNING)  # what Faust's worker does with the root logger
    return root.level


def test_at_warn_the_root_logger_is_not_set_to_debug() -> None:
    app = faust.App("worker-test", broker="kafka://127.0.0.1:1")
    assert _root_after_setup(quiet_worker(app, "warn")) == logging.NOTSET
    # the stock worker does set it, which is what quiet_worker avoids (fails if Faust changes this)
    stock = faust.Worker(app, loglevel="warn", quiet=True, redirect_stdouts=False)
    assert _root_after_setup(stock) == logging.DEBUG
