from django.urls import path

from . import curve_views, steering_views, views

app_name = "agenda"

urlpatterns = [
    path("", views.agenda_list, name="list"),
    path("deze-maand/", views.this_month, name="this_month"),
    path("deze-maand/herinneringen/", steering_views.sent_reminders, name="sent_reminders"),
    path("prijs/<int:pk>/", views.prize_detail, name="prize"),
    path("prijs/<int:pk>/nomineren/", views.nominate, name="nominate"),
    path("nominatie/<int:pk>/status/", views.nomination_status, name="nomination_status"),
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
