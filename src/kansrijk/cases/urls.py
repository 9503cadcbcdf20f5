"""The register's pages under /thuiszitters/. No address ever holds a BSN or
onderwijsnummer: cases and young people are named by their id, searches by number POST."""

from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.worklist_page, name="worklist"),
    path("casussen/", views.case_list, name="list"),
    path("casussen/nieuw/", views.case_new, name="new"),
    path("casussen/<int:pk>/", views.case_detail, name="detail"),
    path("casussen/<int:pk>/bsn/", views.case_reveal_identifier, name="reveal_identifier"),
    path("casussen/<int:pk>/gebeurtenis/", views.case_event, name="event"),
    path("casussen/<int:pk>/afspraak/", views.case_agreement, name="agreement"),
    path(
        "casussen/<int:pk>/afspraken/<int:agreement_pk>/",
        views.case_resolve_agreement,
        name="resolve_agreement",
    ),
    path("casussen/<int:pk>/aanbod/", views.case_offer, name="offer"),
    path("casussen/<int:pk>/afsluiten/", views.case_close, name="close"),
    path("casussen/<int:pk>/heropenen/", views.case_reopen, name="reopen"),
    path("casussen/<int:pk>/regievoerder/", views.case_assign, name="assign"),
    path("casussen/<int:pk>/bewerken/", views.case_edit, name="edit"),
    path("jongeren/<int:pk>/", views.young_person, name="young_person"),
    path("jongeren/<int:pk>/bsn/", views.young_person_reveal, name="young_person_reveal"),
    path("jongeren/<int:pk>/verhuizing/", views.young_person_move, name="move"),
    path("jongeren/<int:pk>/contactpersonen/nieuw/", views.contact_add, name="contact_add"),
    path(
        "jongeren/<int:pk>/contactpersonen/<int:contact_pk>/",
        views.contact_edit,
        name="contact_edit",
    ),
    path(
        "jongeren/<int:pk>/contactpersonen/<int:contact_pk>/verwijderen/",
        views.contact_remove,
        name="contact_remove",
    ),
    path("jongeren/<int:pk>/inschrijvingen/nieuw/", views.enrolment_add, name="enrol"),
    path(
        "jongeren/<int:pk>/inschrijvingen/<int:enrolment_pk>/uitschrijven/",
        views.enrolment_end,
        name="end_enrolment",
    ),
    path("jongeren/<int:pk>/vrijstellingen/nieuw/", views.exemption_add, name="exemption_add"),
    path("meldingen/", views.absence_list, name="absence_list"),
    path("meldingen/nieuw/", views.absence_new, name="absence_new"),
    path("meldingen/<int:pk>/", views.absence_detail, name="absence_detail"),
    path("meldingen/<int:pk>/status/", views.absence_status, name="absence_status"),
    path("doorbraakberaad/", views.escalation, name="escalation"),
    path("kwartaalrapportage/", views.quarterly_report, name="report"),
    path(
        "kwartaalrapportage/download/<str:fmt>/",
        views.report_download,
        name="report_download",
    ),
]
