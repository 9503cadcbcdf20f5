from django.core.management.base import BaseCommand, CommandError

from kansrijk.agenda.demo import AgendaFileError, load_all_agendas
from kansrijk.cases.demo import CasesDemoRefused, load_demo_cases
from kansrijk.indicators.demo import IndicatorFileError, load_demo_indicators
from kansrijk.organisations.demo import DEMO_PASSWORD, DemoRefused, load_demo_organisations
from kansrijk.organisations.models import Role
from kansrijk.socialmap.demo import SocialmapFileError, load_demo_socialmap


class Command(BaseCommand):
    help = "Laadt de demo-organisaties en één demogebruiker per rol (alleen met DEBUG aan)."

    def handle(self, *args, **options):
        try:
            report = load_demo_organisations()
            agendas = load_all_agendas()
            # After the agendas: indicators are linked to their goals.
            load_demo_indicators()
            # After the indicators: services serve goals, participation feeds an indicator.
            socialmap = load_demo_socialmap()
            # After the indicators: the register's computed indicators are refreshed.
            cases = load_demo_cases()
        except (
            DemoRefused,
            AgendaFileError,
            IndicatorFileError,
            SocialmapFileError,
            CasesDemoRefused,
        ) as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            f"Demo: {report.regions_created} regio's en "
            f"{report.organisations_created} organisaties nieuw aangemaakt."
        )
        for agenda in agendas:
            self.stdout.write(f"Agenda: {agenda.title} (/agenda/{agenda.slug}/)")
        self.stdout.write(
            f"Sociale kaart (/sociale-kaart/): {socialmap.services_created} nieuw aanbod."
        )
        self.stdout.write(
            f"Thuiszittersregister (/thuiszitters/): {cases.synthetic_cases} synthetische "
            f"casussen (dossiers SYN-…, illustratief), waarvan {cases.examples} voorbeelden "
            f"van elk signaal (SYN-DEMO-…); opgegeven aantallen voor peildatum "
            f"{cases.peildatum:%d-%m-%Y} (afstemming)."
        )
        for note in cases.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("")
        self.stdout.write("Inloggen op http://127.0.0.1:8000/ met wachtwoord " + DEMO_PASSWORD)
        for username, role, organisation, two_factor in report.users:
            note = "  (tweestaps: kansrijk demo_totp " + username + ")" if two_factor else ""
            self.stdout.write(f"  {username:<18} {Role(role).label:<36} {organisation}{note}")
