"""The REST API, version 1: /api/v1/ (schema at /api/v1/openapi.json, docs at /api/v1/docs).

No route ends in a slash (API Design Rules, /core/no-trailing-slash; decision 0045). The
slash paths of before answer a permanent redirect for as long as v1 lives.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import DefaultRouter

from kansrijk.cases import api as cases_api
from kansrijk.indicators import api as indicators_api
from kansrijk.socialmap import api as socialmap_api

from . import views

app_name = "api"


class Router(DefaultRouter):
    # No ".json" suffix routes: one URL per resource, and a schema without duplicates.
    include_format_suffixes = False


router = Router(trailing_slash=False)
router.register("agendas", views.AgendaViewSet, basename="agenda")
router.register("spearheads", views.SpearheadViewSet, basename="spearhead")
router.register("goals", views.GoalViewSet, basename="goal")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("interventions", views.InterventionViewSet, basename="intervention")
router.register("funding-lines", views.FundingLineViewSet, basename="fundingline")
router.register("indicators", indicators_api.IndicatorViewSet, basename="indicator")
router.register("targets", indicators_api.TargetViewSet, basename="target")
router.register("measurements", indicators_api.MeasurementViewSet, basename="measurement")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("reported-counts", cases_api.ReportedCountViewSet, basename="reportedcount")
router.register("socialmap/services", socialmap_api.ServiceViewSet, basename="socialmap-service")
router.register(
    "socialmap/participation",
    socialmap_api.ParticipationViewSet,
    basename="socialmap-participation",
)
router.register("socialmap/needs", socialmap_api.NeedViewSet, basename="socialmap-need")
router.register(
    "socialmap/taxonomy-terms", socialmap_api.TaxonomyTermViewSet, basename="socialmap-term"
)

routes = [
    # The schema and its documentation page are the same for everyone: not counted.
    path("openapi.json", SpectacularJSONAPIView.as_view(throttle_classes=[]), name="schema"),
    path(
        "docs",
        views.SwaggerView.as_view(url_name="api:schema", throttle_classes=[]),
        name="docs",
    ),
    path("case-counts", cases_api.CaseCountsView.as_view(), name="case-counts"),
    *router.urls,
]


def slash_paths(patterns) -> list:
    """For every route but the root, the same route with the slash of before, answering
    308 to the route itself (method and body kept)."""
    legacy = []
    for pattern in patterns:
        if pattern.name == "schema":  # never had a slash
            continue
        regex = pattern.pattern.regex.pattern
        if regex in ("^$", r"^\Z") or regex.endswith("/$") or regex.endswith(r"/\Z"):
            continue
        for end in ("$", r"\Z"):
            if regex.endswith(end):
                regex = regex.removesuffix(end)
                break
        legacy.append(re_path(rf"{regex}/$", views.slash_redirect))
    return legacy


urlpatterns = [*routes, *slash_paths(routes)]
