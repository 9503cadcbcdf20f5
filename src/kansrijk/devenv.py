"""Print a development .env: ``python -m kansrijk.devenv > .env`` (done by ``make install``)."""

import base64
import secrets


def development_env() -> str:
    return "\n".join(
        [
            "# Development only: written by `make install`. Production sets real values.",
            "DEBUG=true",
            f"SECRET_KEY={secrets.token_urlsafe(50)}",
            f"FIELD_ENCRYPTION_KEYS={base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}",
            "",
        ]
    )


if __name__ == "__main__":
    print(development_env(), end="")
