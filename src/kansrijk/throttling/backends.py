from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from . import services
from .services import LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS


class ThrottleBackend:
    """Refuses a login before any password is checked once too many logins failed from
    this address (a password spray over many user names) or for this user name (a guess
    from many addresses). django-axes, after this backend, still locks one user name on
    one address after fewer failures. ``ThrottleResponseMiddleware`` turns the refusal
    into an honest answer; the backend can only say no.

    Deliberately not a ``BaseBackend``: without ``get_user`` it can never be the backend
    a session is bound to (``force_login`` and ``login`` pick the first that has one)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        username = username or kwargs.get(get_user_model().USERNAME_FIELD) or ""
        refusal = services.check(LOGIN_PER_ADDRESS, services.client_address(request))
        if refusal is None and username:
            refusal = services.check(LOGIN_PER_ACCOUNT, services.normalised(username))
        if refusal is not None:
            request.throttle_refusal = refusal
            # PermissionDenied stops Django from asking the other backends.
            raise PermissionDenied
        return None
