"""Documents out and the spreadsheet round trip: /agenda/<slug>/export.<fmt> and
/agenda/<slug>/import/."""

from django.urls import path, re_path

from . import io_views

app_name = "agenda_io"

urlpatterns = [
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/export\.(?P<fmt>docx|pdf|xlsx|csv)$",
        io_views.export_agenda,
        name="export",
    ),
    path("<slug:slug>/import/", io_views.import_agenda, name="import"),
]
