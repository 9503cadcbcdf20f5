"""What the tests over the full demo share: running ``kansrijk`` commands in this process,
and the time each command and download took (``KANSRIJK_SMOKE_TIMINGS=FILE``)."""

from __future__ import annotations

import io
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field

from django.core.management import CommandError, ManagementUtility, call_command

TIMINGS: list[tuple[float, str]] = []


@dataclass
class Result:
    stdout: str
    stderr: str


@dataclass
class Kansrijk:
    """Runs ``kansrijk <command> …`` in this process and records what ran, so that each
    smoke case can be held to the options its documentation names."""

    runs: list[tuple[str, ...]] = field(default_factory=list)

    def __call__(self, name: str, *args: str) -> Result:
        self.runs.append((name, *args))
        out, err = io.StringIO(), io.StringIO()
        started = time.monotonic()
        try:
            if name == "help":
                with redirect_stdout(out), redirect_stderr(err):
                    ManagementUtility(["kansrijk", "help", *args]).execute()
            else:
                call_command(name, *args, stdout=out, stderr=err)
        except CommandError as error:
            # What the command wrote to stderr says why; keep it in the failure.
            message = f"kansrijk {name} {' '.join(args)}: {error}\n{err.getvalue()}"
            raise CommandError(message) from error
        finally:
            TIMINGS.append((time.monotonic() - started, " ".join((name, *args))))
        return Result(out.getvalue(), err.getvalue())
