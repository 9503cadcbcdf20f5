"""Progress of a document command on the terminal (decision 0047): the commands build in
the foreground through the same kinds as the worker, and draw the kind's steps as a bar
on stderr, so that the document or the report on stdout stays clean."""

from __future__ import annotations

WIDTH = 20


class DocumentProgress:
    """The ``progress(done, total, step)`` callback of a builder, for a terminal: one
    line per step (the steps are few and seconds apart), a bar of ``WIDTH`` marks."""

    def __init__(self, stream):
        self.stream = stream

    def __call__(self, done: int, total: int, step: str) -> None:
        filled = round(WIDTH * done / total) if total else 0
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"[{bar}] {done} van {total} · {step}")

    def finished(self) -> None:
        self.stream.write(f"[{'#' * WIDTH}] klaar")
