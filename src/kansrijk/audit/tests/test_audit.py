import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from kansrijk.audit import services as audit
from kansrijk.audit.masking import MASK, mask
from kansrijk.audit.models import AppendOnlyError, AuditEvent
from kansrijk.organisations import services as organisation_services
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories

VALID_BSN = "111222333"  # passes the elfproef


def make_event(**fields):
    with transaction.atomic():
        return audit.record("test.event", actor=None, **fields)


class TestMasking:
    def test_secret_keys_lose_their_value(self):
        masked = mask({"password": "hunter2", "api_token": "abc", "name": "Piet"})
        assert masked == {"password": MASK, "api_token": MASK, "name": "Piet"}

    def test_bsn_key_and_bsn_in_free_text_are_masked(self):
        masked = mask({"bsn": VALID_BSN, "note": f"BSN {VALID_BSN} gebeld", "count": 123456789})
        assert masked["bsn"] == MASK
        assert VALID_BSN not in masked["note"]
        assert masked["count"] == 123456789  # fails the elfproef: not a BSN
        assert mask({"n": int(VALID_BSN)}) == {"n": MASK}

    def test_nested_and_non_json_values(self):
        import datetime
        import decimal

        masked = mask(
            {
                "rows": [{"wachtwoord": "x"}],
                "d": datetime.date(2026, 1, 2),
                "n": decimal.Decimal("1.5"),
            }
        )
        assert masked == {"rows": [{"wachtwoord": MASK}], "d": "2026-01-02", "n": "1.5"}


def test_record_requires_a_transaction():
    # No database mark: outside a test transaction the check fires before any query.
    with pytest.raises(RuntimeError):
        audit.record("test.event", actor=None)


@pytest.mark.django_db
class TestAppendOnly:
    def test_record_masks_before_and_after(self):
        event = make_event(before={"bsn": VALID_BSN}, after={"note": VALID_BSN}, reason=VALID_BSN)
        event.refresh_from_db()
        assert VALID_BSN not in str(event.before) + str(event.after) + event.reason

    def test_model_refuses_change_and_delete(self):
        event = make_event()
        event.action = "changed"
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.delete()

    def test_queryset_refuses_bulk_change_and_delete(self):
        make_event()
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.update(action="x")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.all().delete()

    def test_database_refuses_raw_update_and_delete(self):
        event = make_event()
        for sql in (
            "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
            "DELETE FROM audit_auditevent WHERE id = %s",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk, action="test.event").exists()

    def test_admin_offers_no_add_change_or_delete(self, admin_user):
        request = RequestFactory().get("/")
        request.user = admin_user
        model_admin = site._registry[AuditEvent]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        assert model_admin.get_actions(request) == {}


@pytest.mark.django_db
class TestServicesWriteAudit:
    def test_create_and_update_organisation_are_audited_with_before_and_after(self):
        actor = factories.UserFactory()
        organisation = organisation_services.create_organisation(
            actor=actor, kind=OrganisationKind.LIBRARY, name="Bibliotheek Test"
        )
        organisation_services.update_organisation(organisation, actor=actor, name="Bieb Test")
        update = AuditEvent.objects.get(action="organisation.update")
        assert update.actor == actor
        assert update.organisation == organisation
        assert ("name", "Bibliotheek Test", "Bieb Test") in update.changed_fields()

    def test_a_failed_change_leaves_no_audit_record(self):
        actor = factories.UserFactory()
        with pytest.raises(Exception):  # noqa: B017 - full_clean rejects the bad code
            organisation_services.create_organisation(
                actor=actor, kind=OrganisationKind.SCHOOL_LOCATION, name="X", code="bad"
            )
        assert not AuditEvent.objects.filter(action="organisation.create").exists()

    def test_memberships_are_audited(self):
        actor = factories.UserFactory()
        user = factories.UserFactory()
        organisation = factories.MunicipalityOrganisationFactory()
        membership = organisation_services.add_membership(
            actor=actor, user=user, organisation=organisation, role=Role.READER
        )
        organisation_services.end_membership(membership, actor=actor)
        assert list(
            AuditEvent.objects.filter(target_type="organisations.membership")
            .order_by("id")
            .values_list("action", flat=True)
        ) == ["membership.add", "membership.end"]


@pytest.mark.django_db
class TestAuditPage:
    url = reverse("audit:list")

    def test_user_trio(self, user_trio, client, verified_client, municipality_organisation):
        users = user_trio(role=Role.ADMIN, other_role=Role.POLICY_OFFICER)
        make_event(organisation=municipality_organisation, after={"what": "own"})
        make_event(
            organisation=factories.MunicipalityOrganisationFactory(), after={"what": "other"}
        )

        response = verified_client(users["member"]).get(self.url)
        assert response.status_code == 200
        organisations = {e.organisation for e in response.context["page"]}
        assert organisations == {municipality_organisation, None}  # None: the logins

        client.force_login(users["other_role"])
        assert client.get(self.url).status_code == 403

        response = verified_client(users["other_organisation"]).get(self.url)
        assert response.status_code == 200
        assert all(e.organisation != municipality_organisation for e in response.context["page"])

    def test_filters(self, make_member, verified_client, municipality_organisation):
        admin = make_member(municipality_organisation, Role.ADMIN)
        make_event(organisation=municipality_organisation)
        with transaction.atomic():
            audit.record("auth.login", actor=admin, organisation=municipality_organisation)
        response = verified_client(admin).get(self.url, {"action": "test."})
        assert [e.action for e in response.context["page"]] == ["test.event"]
        response = verified_client(admin).get(
            self.url, {"date_from": "2026-02-01", "date_to": "2026-01-01"}
        )
        assert response.context["form"].errors

    def test_beheerder_sees_colleagues_logins_but_not_strangers(
        self, make_member, verified_client, municipality_organisation, client
    ):
        admin = make_member(municipality_organisation, Role.ADMIN)
        colleague = make_member(municipality_organisation, Role.READER)
        stranger = make_member(factories.MunicipalityOrganisationFactory(), Role.READER)
        for user in (colleague, stranger):
            client.force_login(user)
        response = verified_client(admin).get(self.url, {"action": "auth.login"})
        actors = {e.actor_display for e in response.context["page"]}
        assert str(colleague) in actors
        assert str(stranger) not in actors

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(self.url)
        assert response.status_code in (302, 403)
