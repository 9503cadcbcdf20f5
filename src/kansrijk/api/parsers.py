"""The API's JSON parser: DRF's, refusing a body with a string no database or export can
hold (a NUL, another control character, a lone surrogate), whatever field it is in."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from kansrijk.input_guard import has_forbidden_character


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            refused = any(has_forbidden_character(text) for text in _strings(data))
        except RecursionError:  # nesting deeper than any of our bodies has
            raise ParseError(_("De gegevens zijn te diep genest.")) from None
        if refused:
            raise ParseError(
                _(
                    "De gegevens bevatten een teken dat hier niet kan staan (een stuurteken "
                    "zoals NUL, of een losse surrogaat)."
                )
            )
        return data
