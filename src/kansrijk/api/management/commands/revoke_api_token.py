from django.core.management.base import BaseCommand, CommandError

from kansrijk.api import services
from kansrijk.api.models import ApiToken


class Command(BaseCommand):
    help = "Trekt een API-sleutel in, aangewezen met het begin van de sleutel (kr_…)."

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="het begin van de sleutel, zoals in het beheer")

    def handle(self, *args, prefix, **options):
        tokens = ApiToken.objects.active().filter(prefix__startswith=prefix[:10])
        if len(prefix) < 6 or tokens.count() != 1:
            raise CommandError(f"Geen (eenduidige) actieve sleutel die begint met {prefix!r}.")
        token = services.revoke_api_token(tokens.get(), actor=None)
        self.stdout.write(f"Ingetrokken: {token}")
