"""``Authorization: Token <key>``: a partner system authenticates as its API key's
service user, a partner member of the key's organisation."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import services


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Ongeldige Authorization-header: gebruik 'Token <sleutel>'.")
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Ongeldige API-sleutel.")) from None
        token = services.token_for_key(key)
        if token is None:
            # One answer for a wrong, a revoked and a switched-off key: a caller learns
            # nothing about which keys exist.
            raise exceptions.AuthenticationFailed(_("Ongeldige of ingetrokken API-sleutel."))
        services.record_token_use(token)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with this challenge) instead of 403 when no one is logged in.
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the key in the OpenAPI schema (securitySchemes.apiToken)."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An organisation-scoped API key (API-sleutel), sent as "
                "`Authorization: Token kr_…`. A platform beheerder makes one with "
                "`kansrijk create_api_token`; it is shown once."
            ),
        }
