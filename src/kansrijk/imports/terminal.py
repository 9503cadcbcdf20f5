"""Progress of an import command on the terminal: the commands run the importer in the
foreground (not as a job, decision 0029) and say how far it has read, at most once a
second, on stderr so that the report on stdout stays clean."""

from __future__ import annotations

import time

from .writing import WRITING


class TerminalProgress:
    def __init__(self, stream, clock=time.monotonic, every: float = 1.0):
        self.stream = stream
        self.clock = clock
        self.every = every
        self.last = clock()

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        if phase == WRITING:
            self.stream.write(f"{done} van {total} rijen opgeslagen …")
        elif total:
            self.stream.write(f"{done} van {total} rijen gelezen …")
        else:
            self.stream.write(f"{done} rijen gelezen …")
