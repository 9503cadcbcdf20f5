"""The monitor's API viewsets, called directly (the routes are added in api/urls.py)."""

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from kansrijk.indicators.api import IndicatorViewSet, MeasurementViewSet
from kansrijk.indicators.models import Measurement
from kansrijk.organisations.models import Role

from ._io_helpers import add, make_indicators

pytestmark = pytest.mark.django_db
factory = APIRequestFactory()
listing = MeasurementViewSet.as_view({"get": "list", "post": "create"})


def call(user=None, method="get", data=None):
    request = getattr(factory, method)("/api/v1/measurements", data, format="json")
    if user is not None:
        force_authenticate(request, user)
    return listing(request)


@pytest.fixture
def figures(municipality_organisation):
    reach, count = make_indicators(municipality_organisation)
    region = municipality_organisation.municipality
    add(count, region, 2021, value=3)
    add(count, region, 2022, value=40, approve=False)
    return reach, count


def test_anonymous_sees_published_suppressed(figures):
    results = call().data["results"]
    assert len(results) == 1
    assert results[0]["published_value"] == "<5" and results[0]["value"] is None


def test_indicators_scoped(figures):
    view = IndicatorViewSet.as_view({"get": "list"})
    figures[1].is_public = False
    figures[1].save()
    codes = [i["code"] for i in view(factory.get("/api/v1/indicators")).data["results"]]
    assert codes == ["vve-bereik"]


def test_partner_posts_own_scope_only(figures, make_member, user_trio):
    partner = make_member(figures[0].owner, Role.PARTNER)
    body = {
        "indicator": "vve-bereik",
        "organisation": figures[0].owner.code,
        "period_start": "2023-01-01",
        "period_end": "2023-12-31",
        "period_label": "2023",
        "numerator": "80",
        "denominator": "100",
    }
    response = call(partner, "post", body)
    assert response.status_code == 201, response.data
    assert Measurement.objects.get(period_label="2023").approval == "submitted"
    stranger = user_trio(Role.PARTNER)["other_organisation"]
    assert call(stranger, "post", {**body, "period_label": "x"}).status_code == 403
    assert call(None, "post", body).status_code in (401, 403)
