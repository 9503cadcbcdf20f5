"""No page answers a 5xx, whatever a visitor types or puts in the address.

Every route of the URL configuration is fuzzed as the first role (in ``ROLES``) that
reaches it in the demo: its query parameters (those its links and search forms use, plus
the pager's) get arbitrary text, and every form posted to it gets arbitrary values in
each field — NUL and other control characters, lone surrogates, huge and odd numbers,
odd dates, very long text. Routes that cannot be fuzzed are named in ``SKIPPED`` with the
reason; a route neither reached nor skipped fails ``test_every_route_is_fuzzed_or_skipped``.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kansrijk.organisations.models import User

from .site import Target, addresses_without_arguments, discover, routes

# The demo's users, in the order in which they claim a route: the role that uses a page
# most fuzzes it. None is the visitor who is not logged in.
# The gemeenten Maassluis and Vijfheerenlanden hold the demo's needs and locations.
ROLES = [
    "leerplicht",
    "beleid",
    "swv",
    "school",
    "partner",
    "beheerder",
    "maassluis",
    "vijfheerenlanden",
    "lezer",
    None,
]

SKIPPED = {
    # Django's admin: its own forms, staff only, maintained upstream.
    **{route: "het beheer van Django" for route in routes() if route.startswith("admin:")},
    # The API: fuzzed from its schema (tests/fuzz/test_api.py).
    **{route: "de API, gefuzzd via het schema" for route in routes() if route.startswith("api:")},
    # Ends the session the remaining examples need.
    "accounts:logout": "beëindigt de sessie",
    # A link with a one-time token that only a sent e-mail holds; the form behind it is
    # Django's SetPasswordForm.
    "accounts:password_reset_confirm": "alleen bereikbaar met een token uit een e-mail",
    # Render a PDF or DOCX (seconds per request). The first two read no query parameter;
    # the third reads ReportForm, which is fuzzed on cases:report.
    "agenda_io:export": "rendert een PDF of DOCX en leest geen parameter",
    "indicators_io:report": "rendert een PDF of DOCX en leest geen parameter",
    "cases:report_download": "rendert een PDF of DOCX; het formulier is dat van cases:report",
    # The demo holds no case contact person, no nomination and no measurement waiting for
    # approval. Their forms are fuzzed where they are made: ContactForm at
    # cases:contact_add, the nomination at agenda:nominate, a measurement at
    # indicators:submit (the decision is a choice between two buttons).
    "cases:contact_edit": "de demo heeft geen contactpersoon",
    "cases:contact_remove": "de demo heeft geen contactpersoon",
    "agenda:nomination_status": "de demo heeft geen nominatie",
    "indicators:decide": "de demo heeft geen meting die op goedkeuring wacht",
    # Reached only after an upload has been started; its page has no form or filter.
    "cases_import:status": "alleen na een upload",
    "cases_import:progress": "alleen na een upload",
    "imports:status": "alleen na een upload",
    "imports:progress": "alleen na een upload",
    # For machines, not people (decision 0043): a load balancer's probes and Prometheus's
    # scrape, which answers 404 unless a token or an address opens it.
    "operations:live": "voor de load balancer, geen pagina voor mensen",
    "operations:ready": "voor de load balancer, geen pagina voor mensen",
    "operations:metrics": "voor Prometheus, geen pagina voor mensen",
    # A document's job exists only once a download link has been followed (and the
    # links that start one render a document, see above); its pages read no parameter
    # but the status the fragment last saw, which is only compared.
    "documents:status": "alleen na een download",
    "documents:progress": "alleen na een download",
    "documents:download": "alleen na een download; geeft het bestand zelf",
    # The same pages of a shared public document, addressed by a random token that only
    # a download link hands out (decision 0051).
    "documents:shared_status": "alleen na een download zonder inloggen",
    "documents:shared_progress": "alleen na een download zonder inloggen",
    "documents:shared_download": "alleen na een download zonder inloggen; geeft het bestand",
    # A draft agenda exists only once a document has been uploaded (the demo holds none);
    # its review forms are fuzzed in kansrijk/agenda_intake/tests/test_views.py.
    **{
        route: "alleen na het uploaden van een document"
        for route in routes()
        if route.startswith("agenda_intake:") and route != "agenda_intake:upload"
    },
}

# Where the walk starts: the home page, then every page whose address takes no argument.
START = ["/", *addresses_without_arguments()]


def _pages_the_walk_misses() -> list[str]:
    """Pages the walk's few pages per route do not reach: the agenda with the prize, an
    agenda with versions, a closed case, an open agreement, a need and a service with a
    location. Their links and forms lead to the routes behind them."""
    from django.db.models import Count
    from django.utils import timezone

    from kansrijk.agenda.models import Agenda, EducationPrize
    from kansrijk.cases.models import Agreement, Case
    from kansrijk.socialmap.models import Need, ServiceAtLocation

    # The edition that takes nominations today: its page links to the nomination form.
    editions = EducationPrize.objects.filter(agenda__isnull=False).order_by("-year")
    prize = editions.taking_nominations(timezone.localdate()).first() or editions.first()
    closed = Case.objects.filter(end_date__isnull=False).order_by("-pk").first()
    agreement = Agreement.objects.filter(status="open").order_by("-pk").first()
    candidates = [
        prize and reverse("agenda:prize", args=[prize.pk]),
        prize and prize.agenda and reverse("agenda:detail", args=[prize.agenda.slug]),
        closed and reverse("cases:detail", args=[closed.pk]),
        agreement and reverse("cases:detail", args=[agreement.case_id]),
        prize and prize.agenda and reverse("agenda:versions_compare", args=[prize.agenda.slug]),
        # A few of each, for a role may see only some of them.
        *(
            reverse("agenda:versions", args=[agenda.slug])
            for agenda in Agenda.objects.annotate(count=Count("versions"))
            .filter(count__gte=2)
            .order_by("-count")[:3]
        ),
        *(reverse("socialmap:need_edit", args=[need.pk]) for need in Need.objects.all()[:8]),
        *(
            reverse("socialmap:manage_detail", args=[located.service.uuid])
            for located in ServiceAtLocation.objects.select_related("service")[:5]
        ),
    ]
    return [address for address in candidates if address]


# The pager's and the search's parameters, fuzzed on every page beside those found.
COMMON_PARAMETERS = ("pagina", "positie", "q")

EXAMPLES_PER_ROUTE = 10

HOSTILE = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cs", "Co", "Cn"]), max_size=8),
    st.integers().map(str),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\ud800",
            "99999999999999999999999",
            "-1",
            "1e400",
            "NaN",
            "²",
            "١٢",
            "0000-00-00",
            "9999-12-31",
            "10000-01-01",
            "0001-01-01",
            "31-02-2024",
            "2024-13-45",
            "x" * 100_000,
            " ",
        ]
    ),
)


def _encode(pairs: list[tuple[str, str]]) -> str:
    # By hand: a lone surrogate has no UTF-8 form, but a client can still send its bytes.
    def one(text):
        return quote(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{one(name)}={one(value)}" for name, value in pairs)


def _values(known: dict[str, list[str]]):
    """For each field, a value it knows (so the rest of the form is valid) or a hostile
    one."""
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.sampled_from(values), HOSTILE) if values else HOSTILE
            for name, values in known.items()
        }
    )


@pytest.fixture(scope="module")
def targets(demo, django_db_blocker) -> dict[str, Target]:
    found: dict[str, Target] = {}
    with django_db_blocker.unblock():
        for username in ROLES:
            start = [*START, *_pages_the_walk_misses()]
            discover(_client(username), username, start, found, skip=SKIPPED.__contains__)
    return found


def _client(username: str | None) -> Client:
    client = Client()
    if username is None:
        return client
    user = User.objects.get(username=username)
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="fuzz", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_every_route_is_fuzzed_or_skipped(targets, db):
    missing = [route for route in routes() if route not in SKIPPED and route not in targets]
    assert not missing, (
        f"Routes the demo does not link to for any role: {missing}. Link them from a page "
        "or name them in SKIPPED with the reason they cannot be fuzzed."
    )


FUZZED = [route for route in routes() if route not in SKIPPED]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("route", FUZZED)
def test_no_server_error_from_any_input(route, targets, db):
    target = targets.get(route)
    if target is None:
        pytest.skip("not reached by the demo (see test_every_route_is_fuzzed_or_skipped)")
    client = _client(target.username)
    query = {name: [] for name in COMMON_PARAMETERS} | target.query

    @FUZZ_SETTINGS
    @given(values=_values(query))
    def get(values):
        url = f"{target.url}?{_encode(list(values.items()))}"
        response = client.get(url)
        assert response.status_code < 500, url

    get()
    for form in target.posts:
        _fuzz_post(_client(form.username), form)()


def _fuzz_post(client, form):
    @FUZZ_SETTINGS
    @given(values=_values(form.fields))
    def post(values):
        response = client.post(
            form.action,
            _encode(list(values.items())),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code < 500, (form.action, values)

    return post
