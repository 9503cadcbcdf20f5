"""The sociale kaart: /sociale-kaart/ (public) and /sociale-kaart/beheer/ (providers and
beleidsmedewerkers)."""

from django.urls import path, re_path

from . import views

app_name = "socialmap"

urlpatterns = [
    path("", views.search, name="search"),
    path("aanbod/", views.results, name="results"),
    path("aanbod/<uuid:uuid>/", views.detail, name="detail"),
    path("vraag-en-aanbod/", views.gaps, name="gaps"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/aanbod.csv", views.export_csv, name="export_csv"),
    re_path(r"^open-data/hsds\.(?P<fmt>zip|json)$", views.export_hsds, name="export_hsds"),
    path("beheer/", views.manage, name="manage"),
    path("beheer/nieuw/", views.create, name="create"),
    path("beheer/deelname/import/", views.participation_import, name="participation_import"),
    path("beheer/behoeften/", views.need_list, name="need_list"),
    path("beheer/behoeften/nieuw/", views.need_form, name="need_create"),
    path("beheer/behoeften/import/", views.need_import, name="need_import"),
    path("beheer/behoeften/<int:pk>/", views.need_form, name="need_edit"),
    path("beheer/behoeften/<int:pk>/verwijderen/", views.need_delete, name="need_delete"),
    path("beheer/<uuid:uuid>/", views.manage_detail, name="manage_detail"),
    path("beheer/<uuid:uuid>/bewerken/", views.edit, name="edit"),
    path("beheer/<uuid:uuid>/locatie/", views.add_location, name="add_location"),
    path(
        "beheer/<uuid:uuid>/locatie/<uuid:location_uuid>/verwijderen/",
        views.remove_location,
        name="remove_location",
    ),
    path("beheer/<uuid:uuid>/deelname/", views.participation, name="participation"),
    # indienen, goedkeuren, afwijzen, controleren, archiveren (views.TRANSITIONS)
    path("beheer/<uuid:uuid>/<slug:action>/", views.transition, name="transition"),
]
