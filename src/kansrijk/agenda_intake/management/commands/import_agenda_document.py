"""``kansrijk import_agenda_document FILE [--owner CODE] [--json OUT]``: read a policy
document (DOCX, PDF with text, plain text) and print the agenda it proposes.

Nothing is saved: the proposal is for review (on the web, or as JSON with ``--json``).
Progress goes to stderr, the summary to stdout. A file the reader refuses gives its Dutch
message and exit status 1.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kansrijk.agenda_intake.proposal import KINDS
from kansrijk.agenda_intake.proposing import propose
from kansrijk.agenda_intake.reading import UnreadableDocument, check_size, read_document

SHOWN_UNRECOGNISED = 10


class Command(BaseCommand):
    help = _(
        "Leest een beleidsdocument en toont de agenda die erin gevonden wordt (slaat niets op)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("DOCX, PDF of tekstbestand"))
        parser.add_argument("--owner", help=_("code van de eigenaar, bijvoorbeeld GM0556"))
        parser.add_argument("--json", dest="json_out", help=_("schrijf het voorstel als JSON"))

    def handle(self, *args, file, owner=None, json_out=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("Bestand niet gevonden: %(path)s") % {"path": path})
        started = time.monotonic()
        last = {"step": None, "tenth": -1}

        def progress(done: int, total: int, step: str) -> None:
            tenth = int(10 * done / total) if total else 10
            if step != last["step"] or tenth != last["tenth"]:
                last.update(step=step, tenth=tenth)
                self.stderr.write(f"{step}: {done}/{total}")

        try:
            # Refused before the file is read into memory.
            check_size(path.stat().st_size)
            document = read_document(path.read_bytes(), path.name, progress=progress)
            proposal = propose(document, owner=owner, progress=progress)
        except UnreadableDocument as error:
            raise CommandError(error.message, returncode=1) from None
        seconds = time.monotonic() - started
        counts = Counter(item.kind for item in proposal.items)
        agenda = proposal.agenda
        self.stdout.write(
            _("Document: %(name)s (%(format)s, %(pages)d pagina's)")
            % {"name": path.name, "format": document.format, "pages": document.pages}
        )
        if agenda.get("title"):
            self.stdout.write(_("Titel: %(title)s") % {"title": agenda["title"]})
        if agenda.get("period_start"):
            self.stdout.write(
                _("Looptijd: %(start)s tot en met %(end)s")
                % {"start": agenda["period_start"][:4], "end": agenda["period_end"][:4]}
            )
        for kind in KINDS:
            if counts.get(kind):
                self.stdout.write(f"  {kind}: {counts[kind]}")
        self.stdout.write(_("Niet geplaatst: %(n)d passages") % {"n": len(proposal.unrecognised)})
        # The first few, where they stand, so that a reader sees what kind of text is left;
        # all of them are in the JSON.
        for passage in proposal.unrecognised[:SHOWN_UNRECOGNISED]:
            text = passage.text if len(passage.text) <= 80 else passage.text[:79] + "…"
            self.stdout.write(f"  {passage.location}: {text}")
        for note in document.notes:
            self.stdout.write(note)
        self.stdout.write(
            _("Tijd: %(s).1f s (%(pp).2f s per pagina)")
            % {"s": seconds, "pp": seconds / max(document.pages, 1)}
        )
        if json_out:
            Path(json_out).write_text(
                json.dumps(proposal.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
            self.stdout.write(_("Voorstel geschreven naar %(path)s") % {"path": json_out})
