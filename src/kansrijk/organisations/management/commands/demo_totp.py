import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Toont de huidige tweestapscode van een demogebruiker (alleen met DEBUG aan)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("Alleen voor de demo: DEBUG staat uit.")
        device = TOTPDevice.objects.filter(
            user__username=username, name="Demo-authenticator", confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} heeft geen demo-authenticator.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
        secret = base64.b32encode(device.bin_key).decode()
        self.stderr.write(f"Geheime sleutel voor een authenticator-app: {secret}")
