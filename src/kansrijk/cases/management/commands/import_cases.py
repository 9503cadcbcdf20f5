"""``kansrijk import_cases FILE [--dry-run]``: import thuiszitter cases from a CSV file.

The format is docs/formats/cases-import.md. Every row is checked first; one problem and
nothing is written (exit code 1, the problems on stderr). Progress goes to stderr: a bar
when stderr is a terminal, otherwise a line every 10 %. The summary goes to stdout.
The command reads the file where it is and leaves it there.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kansrijk.audit.masking import mask
from kansrijk.cases.importing import MAX_PROBLEMS, ImportRejected, import_cases
from kansrijk.cases.models import ImportRun

BAR_WIDTH = 30
PHASES = {"controleren": gettext_lazy("Controleren"), "opslaan": gettext_lazy("Opslaan")}


def _plain(text: str) -> str:
    return text


class ProgressBar:
    """Progress of one import on a stream: a bar redrawn with \\r on a terminal, a line
    per 10 % elsewhere (a log file or CI keeps a readable record)."""

    def __init__(self, stream, *, interactive: bool):
        self.stream = stream
        self.interactive = interactive
        self.phase = None
        self.next_tenth = 0
        self.open_line = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        label = str(PHASES.get(phase, phase))
        if phase != self.phase:
            self._end_line()
            self.phase = phase
            self.next_tenth = 0
        fraction = done / total if total else 1.0
        if self.interactive:
            filled = round(BAR_WIDTH * fraction)
            bar = "█" * filled + "·" * (BAR_WIDTH - filled)
            self.stream.write(
                f"\r{label:<12} [{bar}] {fraction:4.0%} {done}/{total}",
                style_func=_plain,
                ending="",
            )
            self.stream.flush()
            self.open_line = True
            if done >= total:
                self._end_line()
            return
        tenth = int(fraction * 10)
        if tenth >= self.next_tenth:
            self.stream.write(f"{label}: {tenth * 10} % ({done}/{total})", style_func=_plain)
            self.next_tenth = tenth + 1

    def _end_line(self) -> None:
        if self.open_line:
            self.stream.write("", style_func=_plain)
            self.open_line = False


class Command(BaseCommand):
    help = (
        "Importeert casussen (thuiszitters) uit een CSV-bestand "
        "(docs/formats/cases-import.md). Alles of niets: bij één fout wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Het CSV-bestand.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Alleen controleren en tellen wat er zou veranderen; niets opslaan.",
        )

    def handle(self, *args, file: Path, dry_run: bool = False, verbosity: int = 1, **options):
        if not file.is_file():
            raise CommandError(_("Het bestand %(file)s bestaat niet.") % {"file": mask(str(file))})
        run = ImportRun.objects.create(original_name=mask(file.name)[:255], dry_run=dry_run)
        interactive = self.stderr.isatty()
        progress = (
            ProgressBar(self.stderr, interactive=interactive)
            if verbosity >= 1
            else (lambda *a: None)
        )
        try:
            result = import_cases(file, actor=None, run=run, dry_run=dry_run, progress=progress)
        except ImportRejected as rejected:
            if isinstance(progress, ProgressBar):
                progress._end_line()
            run.refresh_from_db()
            for problem in rejected.problems:
                self.stderr.write(str(problem), style_func=_plain)
            if run.problem_count > MAX_PROBLEMS:
                more = run.problem_count - MAX_PROBLEMS
                self.stderr.write(
                    ngettext("… en nog %(n)s probleem.", "… en nog %(n)s problemen.", more)
                    % {"n": more},
                    style_func=_plain,
                )
            raise CommandError(
                ngettext(
                    "Het bestand is niet geïmporteerd: %(n)s probleem gevonden. Er is niets "
                    "opgeslagen.",
                    "Het bestand is niet geïmporteerd: %(n)s problemen gevonden. Er is niets "
                    "opgeslagen.",
                    run.problem_count,
                )
                % {"n": run.problem_count}
            ) from None
        if dry_run:
            self.stdout.write(
                _(
                    "Het bestand is in orde; er is niets opgeslagen (import %(id)s, alleen "
                    "controleren). Bij importeren:"
                )
                % {"id": run.pk}
            )
        else:
            self.stdout.write(_("Het bestand is geïmporteerd (import %(id)s):") % {"id": run.pk})
        for line in result.summary_lines():
            self.stdout.write(f"  {line}")
