"""Entering a figure the way it is written ("94,5 %", teller and noemer, "2022/2023"),
one choice per gemeente, and four eyes on approval."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kansrijk.indicators import services
from kansrijk.indicators.forms import scopes_for
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.organisations.models import Role


def make_indicator(owner, code, **fields):
    defaults = {
        "name": "Startkwalificatie",
        "unit": "percentage",
        "period_type": "school_year",
        "owner": owner,
        "decimals": 1,
    }
    defaults.update(fields)
    return Indicator.objects.create(code=code, **defaults)


@pytest.fixture
def percentage(municipality_organisation):
    """A percentage without teller and noemer: only a value can be entered."""
    return make_indicator(municipality_organisation, "startkwalificatie")


@pytest.fixture
def rate(municipality_organisation):
    return make_indicator(
        municipality_organisation,
        "vve-bereik",
        name="Bereik VVE",
        numerator_definition="Geïndiceerde peuters die VVE volgen",
        denominator_definition="Geïndiceerde peuters",
    )


@pytest.fixture
def officer(municipality_organisation, make_member):
    return make_member(municipality_organisation, Role.POLICY_OFFICER)


def post_figure(client, user, indicator, **data):
    client.force_login(user)
    scope = f"region-{indicator.owner.municipality_id}"
    return client.post(
        reverse("indicators:submit", args=[indicator.code]),
        {"scope": scope, "period": "2022/2023", **data},
    )


@pytest.mark.parametrize("typed", ["94,5", "94,5 %", "94.5", " 94,5% "])
def test_a_percentage_is_entered_as_it_is_written(client, percentage, officer, typed):
    response = post_figure(client, officer, percentage, value=typed)
    assert response.status_code == 302
    figure = Measurement.objects.get(indicator=percentage)
    assert figure.value == Decimal("94.5")
    assert figure.numerator is None and figure.denominator is None
    assert (figure.period_label, figure.period_start, figure.period_end) == (
        "2022/2023",
        datetime.date(2022, 8, 1),
        datetime.date(2023, 7, 31),
    )


def test_the_form_offers_teller_and_noemer_only_for_a_rate(client, percentage, rate, officer):
    client.force_login(officer)
    fields = client.get(reverse("indicators:submit", args=[percentage.code])).context["form"]
    assert "value" in fields.fields and "numerator" not in fields.fields
    assert fields.fields["value"].required
    fields = client.get(reverse("indicators:submit", args=[rate.code])).context["form"]
    assert {"value", "numerator", "denominator"} <= set(fields.fields)
    assert not fields.fields["numerator"].required and not fields.fields["value"].required


def test_a_rate_takes_a_value_or_teller_and_noemer(client, rate, officer):
    assert post_figure(client, officer, rate, value="94,5 %").status_code == 302
    figure = Measurement.objects.get(indicator=rate)
    assert figure.value == Decimal("94.5") and figure.numerator is None

    assert post_figure(client, officer, rate, numerator="189", denominator="200").status_code == 302
    figure.refresh_from_db()
    assert (figure.value, figure.numerator, figure.denominator) == (None, 189, 200)
    assert figure.display_value == Decimal("94.5")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "value", "Vul de waarde in, of de teller en de noemer."),
        ({"numerator": "189"}, "denominator", "Vul de teller én de noemer in"),
        ({"numerator": "30", "denominator": "20"}, "numerator", "niet groter zijn dan de noemer"),
        ({"numerator": "189", "denominator": "200", "value": "80"}, "value", "94,5"),
        ({"value": "150"}, "value", "tussen 0 en 100"),
        ({"value": "veel"}, "value", "Vul een getal in"),
    ],
)
def test_a_figure_that_cannot_be_is_refused_in_dutch(client, rate, officer, data, field, message):
    response = post_figure(client, officer, rate, **data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Measurement.objects.exists()


def test_the_period_is_asked_once_in_the_sites_notation(client, percentage, officer):
    client.force_login(officer)
    response = client.get(reverse("indicators:submit", args=[percentage.code]))
    form = response.context["form"]
    assert "period" in form.fields
    assert not {"period_label", "period_start", "period_end"} & set(form.fields)
    html = response.content.decode()
    assert "2022/2023" in html and "2024-2025" not in html
    # What people also type is stored as the site writes it.
    assert (
        post_figure(client, officer, percentage, value="80", period="2021-2022").status_code == 302
    )
    assert Measurement.objects.get().period_label == "2021/2022"
    # A calendar year is no school year.
    response = post_figure(client, officer, percentage, value="80", period="2023")
    assert "schooljaar 2022/2023" in response.context["form"].errors["period"][0]


def test_each_gemeente_is_one_choice(officer, municipality_organisation):
    """The officer of a gemeente's organisation gets the gemeente once, not also the
    organisation under another name."""
    keys = [key for key, _label, _obj in scopes_for(officer)]
    region = municipality_organisation.municipality
    assert keys == [f"region-{region.pk}"]
    assert [label for _key, label, _obj in scopes_for(officer)] == [f"Gemeente {region.name}"]


# ------------------------------------------------------------------ four eyes


def entered_by(user, indicator):
    return services.submit_measurement(
        actor=user,
        indicator=indicator,
        region=indicator.owner.municipality,
        period_start=datetime.date(2022, 8, 1),
        period_end=datetime.date(2023, 7, 31),
        period_label="2022/2023",
        value=Decimal("94.5"),
    )


def test_nobody_approves_their_own_figure(percentage, officer, make_member):
    figure = entered_by(officer, percentage)
    with pytest.raises(ValidationError, match="zelf ingevoerd"):
        services.decide_measurement(figure, actor=officer, approve=True)
    figure.refresh_from_db()
    assert figure.approval == "submitted"
    colleague = make_member(percentage.owner, Role.POLICY_OFFICER)
    services.decide_measurement(figure, actor=colleague, approve=True)
    figure.refresh_from_db()
    assert figure.approval == "approved" and figure.approved_by == colleague


def test_the_approve_button_is_not_offered_on_ones_own_figure(
    client, percentage, officer, make_member
):
    figure = entered_by(officer, percentage)
    queue = reverse("indicators:approval_queue")
    client.force_login(officer)
    html = client.get(queue).content.decode()
    assert 'value="approve"' not in html and "zelf ingevoerd" in html
    # And the action itself refuses, whatever is posted.
    response = client.post(
        reverse("indicators:decide", args=[figure.pk]), {"decision": "approve"}, follow=True
    )
    assert "Een collega keurt het goed" in response.content.decode()
    figure.refresh_from_db()
    assert figure.approval == "submitted"

    client.force_login(make_member(percentage.owner, Role.POLICY_OFFICER))
    assert 'value="approve"' in client.get(queue).content.decode()
