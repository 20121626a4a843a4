"""Running a Faust app as a worker process, the same way for every tilsyn worker."""

from __future__ import annotations

import faust


def run_worker(app: faust.App, loglevel: str) -> None:
    """Run ``app`` until stopped (Ctrl-C, SIGTERM), logging at ``loglevel``."""
    quiet_worker(app, loglevel).execute_from_commandline()


def quiet_worker(app: faust.App, loglevel: str) -> faust.Worker:
    """Faust's worker for ``app``, without its terminal spinner.

    Without the spinner: at WARN and above Faust's worker hangs a spinner handler on the
    root logger and sets the root logger to DEBUG, so every debug record of aiokafka, Faust and
    mode (several per record consumed or produced) was built, formatted and then dropped; about 5 %
    of a loaded worker's samples in a py-spy profile (docs/PERFORMANCE.md).
    """
    worker = faust.Worker(app, loglevel=loglevel, quiet=True, redirect_stdouts=False)
    worker.spinner = None
    return worker
