"""What a drill says while it runs and what it concludes (decision 0046)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from .checks import Check


def seconds(value: float) -> str:
    return f"{value:.1f} s".replace(".", ",")


@dataclass
class Outcome:
    drill: str
    write: Callable[[str], None]
    checks: list[Check] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    started_at: str = field(default_factory=lambda: timezone.now().isoformat(timespec="seconds"))

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def say(self, line: str) -> None:
        self.write(line)

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        self.timings[check.name] = check.seconds
        state = "in orde" if check.ok else "MISLUKT"
        self.write(f"  {state}: {check.detail} ({seconds(check.seconds)})")
        return check

    def fail(self, name: str, detail: str) -> Check:
        return self.add(Check(name, False, detail))

    def verdict(self) -> str:
        total = time.monotonic() - self.started
        self.timings["totaal"] = total
        failed = [check.name for check in self.checks if not check.ok]
        if self.ok:
            line = (
                f"UITSLAG: GESLAAGD. Alle {len(self.checks)} controles in orde "
                f"(totaal {seconds(total)})."
            )
        else:
            line = (
                f"UITSLAG: MISLUKT. {len(failed)} van {len(self.checks)} controle(s) mislukt: "
                f"{', '.join(failed)} (totaal {seconds(total)})."
            )
        self.write(line)
        return line

    def as_dict(self) -> dict:
        return {
            "oefening": self.drill,
            "begonnen": self.started_at,
            "geslaagd": self.ok,
            "controles": [check.as_dict() for check in self.checks],
            "seconden": {name: round(value, 3) for name, value in self.timings.items()},
            **self.facts,
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n")
