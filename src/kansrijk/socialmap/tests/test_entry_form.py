"""The provider's entry form in parts, with the HSDS minimum required, no entry offered
for approval without a location unless it says it has none, and four eyes on approval."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kansrijk.organisations.models import Role
from kansrijk.socialmap import services
from kansrijk.socialmap.forms import ServiceForm
from kansrijk.socialmap.models import Service, ServiceStatus
from kansrijk.socialmap.tests.factories import ServiceFactory, theme

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"socialmap:{name}", args=args)


def entry_form(gemeente, **fields):
    data = {
        "provider": "",
        "name": "Voorleesuur",
        "description": "Voorlezen in de bibliotheek.",
        "themes": [theme("taal-en-lezen").pk],
        "areas": [gemeente.code],
    }
    data.update(fields)
    return data


def test_every_field_sits_in_one_part_of_the_form(gemeente):
    form = ServiceForm(regions=[gemeente])
    placed = [name for _legend, names in ServiceForm.SECTIONS for name in names]
    assert len(placed) == len(set(placed))
    assert set(form.fields) <= set(placed)
    legends = [str(legend) for legend, _fields in form.sections()]
    assert legends[:5] == ["Wat", "Voor wie", "Waar en wanneer", "Kosten en aanmelden", "Contact"]


def test_the_page_shows_parts_with_legends_and_folds_long_lists(client, partner_trio):
    client.force_login(partner_trio["member"])
    html = client.get(url("create")).content.decode()
    assert html.count('class="utrecht-form-fieldset kansrijk-socialmap-section"') >= 5
    assert (
        '<legend class="utrecht-form-fieldset__legend"><h2 class="utrecht-heading-2">Voor wie'
        in html
    )
    # The 23 languages fold away in a details element, in columns.
    languages = html[html.index("In welke talen?") :]
    assert languages.index("<details") < languages.index('name="languages"')
    assert "kansrijk-socialmap-choices--columns" in languages


def test_name_and_description_are_required(
    client, partner_trio, municipality_organisation, gemeente
):
    client.force_login(partner_trio["member"])
    data = entry_form(
        gemeente, provider=f"org-{municipality_organisation.pk}", name="", description=""
    )
    response = client.post(url("create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "name" in errors and "description" in errors
    assert not Service.objects.exists()


def test_an_entry_without_location_is_not_offered_for_approval(
    client, partner_trio, municipality_organisation, gemeente
):
    client.force_login(partner_trio["member"])
    response = client.post(
        url("create"), entry_form(gemeente, provider=f"org-{municipality_organisation.pk}")
    )
    entry = Service.objects.get()
    assert response.status_code == 302 and not entry.without_location
    page = client.post(url("transition", entry.uuid, "indienen"), follow=True)
    assert "Voeg eerst een locatie toe" in page.content.decode()
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.CONCEPT
    # The list says what to do, and links to where it is done.
    listing = client.get(url("manage")).content.decode()
    assert f'href="{url("add_location", entry.uuid)}">Voeg een locatie toe' in listing


def test_an_entry_that_says_it_has_no_fixed_location_is_offered(
    client, partner_trio, municipality_organisation, gemeente
):
    client.force_login(partner_trio["member"])
    data = entry_form(
        gemeente, provider=f"org-{municipality_organisation.pk}", without_location="on"
    )
    client.post(url("create"), data)
    entry = Service.objects.get()
    assert entry.without_location
    client.post(url("transition", entry.uuid, "indienen"))
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.SUBMITTED


def test_an_entry_with_nothing_to_do_says_so(client, partner_trio, provider):
    ServiceFactory(provider=provider, name="Sportmenu")
    client.force_login(partner_trio["member"])
    listing = client.get(url("manage")).content.decode()
    row = listing[listing.index("Sportmenu") :]
    assert "niets" in row[: row.index("</tr>")]


# ------------------------------------------------------------------ four eyes


def test_who_offers_an_entry_does_not_approve_it(client, provider, officer_trio, make_member):
    officer = officer_trio["member"]
    entry = ServiceFactory(provider=provider, name="Voorleesuur", status=ServiceStatus.CONCEPT)
    services.submit_service(entry, actor=officer)
    entry.refresh_from_db()
    assert entry.submitted_by == officer
    with pytest.raises(ValidationError, match="zelf aangeboden"):
        services.approve_service(entry, actor=officer)

    client.force_login(officer)
    page = client.get(entry.get_manage_url()).content.decode()
    assert "Goedkeuren en publiceren" not in page and "zelf aangeboden" in page
    response = client.post(url("transition", entry.uuid, "goedkeuren"), follow=True)
    assert "Een collega keurt het goed" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.SUBMITTED

    colleague = make_member(provider.organisation, Role.POLICY_OFFICER)
    client.force_login(colleague)
    assert "Goedkeuren en publiceren" in client.get(entry.get_manage_url()).content.decode()
    client.post(url("transition", entry.uuid, "goedkeuren"))
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.PUBLISHED and entry.approved_by == colleague
