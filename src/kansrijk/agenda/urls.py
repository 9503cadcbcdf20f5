from django.urls import path

from . import authoring_views, curve_views, steering_views, views

app_name = "agenda"

urlpatterns = [
    path("", views.agenda_list, name="list"),
    path("deze-maand/", views.this_month, name="this_month"),
    path("deze-maand/herinneringen/", steering_views.sent_reminders, name="sent_reminders"),
    path("prijs/<int:pk>/", views.prize_detail, name="prize"),
    path("prijs/<int:pk>/nomineren/", views.nominate, name="nominate"),
    path("nominatie/<int:pk>/status/", views.nomination_status, name="nomination_status"),
    # Writing an agenda (authoring_views): before the agenda's own paths, as "nieuw"
    # would otherwise be read as an agenda's slug.
    path("nieuw/", authoring_views.start, name="start"),
    path("<slug:slug>/bewerken/", authoring_views.editor, name="editor"),
    path("<slug:slug>/bewerken/concept/", authoring_views.new_concept, name="new_concept"),
    path("<slug:slug>/bewerken/gegevens/", authoring_views.facts, name="facts"),
    path("<slug:slug>/bewerken/<str:kind>/nieuw/", authoring_views.item_new, name="item_new"),
    path("<slug:slug>/bewerken/<str:kind>/<int:pk>/", authoring_views.item_edit, name="item_edit"),
    path(
        "<slug:slug>/bewerken/<str:kind>/<int:pk>/volgorde/",
        authoring_views.item_order,
        name="item_order",
    ),
    path(
        "<slug:slug>/bewerken/<str:kind>/<int:pk>/verplaatsen/",
        authoring_views.item_move,
        name="item_move",
    ),
    path(
        "<slug:slug>/bewerken/<str:kind>/<int:pk>/archiveren/",
        authoring_views.item_archive,
        name="item_archive",
    ),
    path(
        "<slug:slug>/bewerken/doel/<int:pk>/indicator/nieuw/",
        authoring_views.indicator_new,
        name="indicator_new",
    ),
    path(
        "<slug:slug>/bewerken/doel/<int:pk>/indicator/<int:indicator>/",
        authoring_views.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "<slug:slug>/bewerken/doel/<int:pk>/indicator/<int:indicator>/loskoppelen/",
        authoring_views.indicator_unlink,
        name="indicator_unlink",
    ),
    path("<slug:slug>/", views.agenda_detail, name="detail"),
    path("<slug:slug>/planning/", views.planning, name="planning"),
    path("<slug:slug>/planningstabel/", views.planning_table, name="planning_table"),
    path("<slug:slug>/financiering/", views.financing, name="financing"),
    path("<slug:slug>/afspraken/", views.commitments, name="commitments"),
    path(
        "<slug:slug>/afspraken/<int:pk>/vastleggen/",
        views.record_occurrence,
        name="record_occurrence",
    ),
    path("<slug:slug>/versies/", views.versions, name="versions"),
    path("<slug:slug>/versies/vergelijk/", views.versions_compare, name="versions_compare"),
    path("<slug:slug>/versies/<int:a>/<int:b>/", views.version_diff, name="version_diff"),
    path("<slug:slug>/vaststellen/", views.adopt, name="adopt"),
    path("<slug:slug>/publicatie/", views.publication, name="publication"),
    path("<slug:slug>/activiteiten/<str:external_id>/", views.activity_detail, name="activity"),
    path(
        "<slug:slug>/interventies/<str:external_id>/",
        views.intervention_detail,
        name="intervention",
    ),
    # One page per indicator for the council (turn the curve), and as a one-page PDF.
    path("<slug:slug>/raad/", curve_views.curve_list, name="curve_list"),
    path("<slug:slug>/raad/<slug:code>/", curve_views.curve_page, name="curve"),
    path("<slug:slug>/raad/<slug:code>/pdf/", curve_views.curve_pdf, name="curve_pdf"),
    path("<slug:slug>/raad/<slug:code>/verhaal/", curve_views.curve_story, name="curve_story"),
]
