"""/agenda/uit-document/: an agenda read from a policy document (decision 0053). Wired in
before the agenda's own paths, where "uit-document" would be read as an agenda's slug
(it is reserved there)."""

from django.urls import path

from . import views

app_name = "agenda_intake"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.draft, name="draft"),
    path("<int:pk>/voortgang/", views.progress, name="progress"),
    path("<int:pk>/gegevens/", views.facts, name="facts"),
    path("<int:pk>/alles-overnemen/", views.accept_open, name="accept_open"),
    path("<int:pk>/onderdeel/<str:key>/", views.item_action, name="item"),
    path("<int:pk>/onderdeel/<str:key>/bewerken/", views.item_edit, name="item_edit"),
    path("<int:pk>/passage/<int:index>/", views.passage, name="passage"),
    path("<int:pk>/overnemen/", views.confirm, name="confirm"),
    path("<int:pk>/weggooien/", views.discard, name="discard"),
    path("<int:pk>/document/", views.document, name="document"),
]
