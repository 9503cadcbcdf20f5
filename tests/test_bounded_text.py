"""Every free text a user or an import can fill has a maximum length (kansrijk.limits)."""

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.utils import translation
from rest_framework import serializers

import kansrijk
from kansrijk import limits

# Text fields without a limit, each filled only by our own code, never from outside.
UNBOUNDED_MODEL_FIELDS = {
    # The Fernet token of an identifier the form and the import have already checked
    # (11 or 9 digits); its length follows from that, and nobody types it.
    "cases.YoungPerson.identifier_encrypted",
    # The words of a service's own fields, joined for searching (socialmap.search).
    "socialmap.Service.search_text",
}
UNBOUNDED_FORM_FIELDS: set[str] = set()
# API serializers that only ever write a response, never read a request body.
RESPONSE_ONLY_SERIALIZERS = {
    "kansrijk.cases.api.YoungPersonSerializer",
    "kansrijk.cases.api.CountRowSerializer",
    "kansrijk.cases.api.CountReportSerializer",
}


def project_models():
    return [model for model in apps.get_models() if model.__module__.startswith("kansrijk.")]


def import_every_module():
    """Forms are found as subclasses, so every module that may define one is imported."""
    for module in pkgutil.walk_packages(kansrijk.__path__, "kansrijk."):
        name = module.name
        if ".tests" in name or ".migrations" in name or name.endswith((".wsgi", ".asgi")):
            continue
        if name in {"kansrijk.manage", "kansrijk.devenv"}:
            continue
        importlib.import_module(name)


def project_subclasses(base):
    import_every_module()
    found, pending = set(), [base]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("kansrijk.") and ".tests" not in subclass.__module__:
                found.add(subclass)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def project_forms():
    return project_subclasses(forms.BaseForm)


def request_serializers():
    """Serializers with their fields (abstract bases without a Meta have none)."""
    for cls in project_subclasses(serializers.BaseSerializer):
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name in RESPONSE_ONLY_SERIALIZERS:
            continue
        if issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta"):
            continue
        yield name, cls().fields


def test_every_text_field_of_a_model_is_bounded():
    unbounded = sorted(
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in project_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    )
    assert set(unbounded) == UNBOUNDED_MODEL_FIELDS


def test_every_text_field_of_a_form_is_bounded():
    unbounded = sorted(
        f"{form.__module__}.{form.__qualname__}.{name}"
        for form in project_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    )
    assert set(unbounded) == UNBOUNDED_FORM_FIELDS


def test_every_text_field_of_an_api_body_is_bounded():
    unbounded = sorted(
        f"{name}.{field_name}"
        for name, fields in request_serializers()
        for field_name, field in fields.items()
        if isinstance(field, serializers.CharField)
        and not field.read_only
        and field.max_length is None
    )
    assert unbounded == []


def test_the_walk_finds_the_forms_and_models():
    names = {form.__name__ for form in project_forms()}
    assert {"NominationForm", "MeasurementForm", "TokenForm"} <= names
    assert len(project_models()) > 20
    assert "kansrijk.cases.api.CaseIntakeSerializer" in dict(request_serializers())


@translation.override("nl")
def test_a_bounded_text_field_refuses_more_in_dutch():
    from kansrijk.agenda.forms import NominationForm

    form = NominationForm(
        data={
            "category": "staff",
            "nominee": "Juf Anouk",
            "motivation": "x" * 2_000_000,
            "submitted_by": "Een ouder",
        }
    )
    assert not form.is_valid()
    assert form.errors["motivation"] == [
        f"Deze tekst is te lang: maximaal {limits.TEXT} tekens, en dit zijn er 2000000. "
        "Maak hem korter."
    ]
    assert form.fields["motivation"].widget.attrs["maxlength"] == str(limits.TEXT)


@pytest.mark.django_db
def test_full_clean_checks_the_limit_too(municipality_organisation):
    from django.core.exceptions import ValidationError

    from kansrijk.agenda.models import EducationPrize, Nomination

    prize = EducationPrize.objects.create(
        organiser=municipality_organisation, name="Onderwijsprijs", year=2026
    )
    nomination = Nomination(
        prize=prize, category="staff", nominee="X", motivation="x" * (limits.TEXT + 1)
    )
    with pytest.raises(ValidationError) as raised:
        nomination.full_clean(exclude=["submitted_by"])
    assert "te lang" in str(raised.value.message_dict["motivation"])
