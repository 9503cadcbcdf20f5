"""Serializer fields the API shares."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(
    {"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}], "maxLength": 255}
)
class BlankableURLField(serializers.CharField):
    """A web address that may be empty, as the models' blank URL fields are: the schema
    says so, instead of promising a URI and answering "". (A CharField underneath: a
    URLField's schema would keep promising a URI, and so would a URLValidator in
    ``validators``: the schema generator reads those.)"""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value:
            try:
                URLValidator()(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from None
        return value


# For a ModelSerializer's ``serializer_field_mapping``: its URL fields become blankable.
BLANKABLE_URLS = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.URLField: BlankableURLField,
}
