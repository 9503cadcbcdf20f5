from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kansrijk.api import services
from kansrijk.organisations.models import Organisation


def organisation_by_code_or_name(reference: str) -> Organisation:
    """A GM code, BRIN6, SWV code or the exact name of an organisation."""
    for found in (
        Organisation.objects.filter(code=reference).exclude(kind="school_institution"),
        Organisation.objects.filter(code=reference),
        Organisation.objects.filter(name=reference),
    ):
        count = found.count()
        if count == 1:
            return found.get()
        if count > 1:
            raise CommandError(f"Meer dan één organisatie heet {reference!r}: gebruik de code.")
    raise CommandError(f"Geen organisatie met code of naam {reference!r}.")


class Command(BaseCommand):
    help = (
        "Maakt een API-sleutel voor een organisatie en toont die één keer. "
        "Bewaar de sleutel meteen: Kansrijk bewaart alleen een hash."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="code (GM-code, BRIN6, SWV-code) of exacte naam")
        parser.add_argument("name", help="waarvoor de sleutel is, bijv. 'planningskoppeling'")

    def handle(self, *args, organisation, name, **options):
        target = organisation_by_code_or_name(organisation)
        try:
            token, plaintext = services.create_api_token(actor=None, organisation=target, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"API-sleutel {token.name!r} voor {target.name}. Deze sleutel wordt maar één keer "
            "getoond; gebruik hem als 'Authorization: Token <sleutel>'."
        )
        self.stdout.write(plaintext)
