"""The register's accounting, mounted at /thuiszitters/: the afstemming of reported
counts, the SWV's registration for the Inspectie and the leerplicht annual report."""

from django.urls import path, re_path

from . import oversight_views

app_name = "cases_oversight"

urlpatterns = [
    path("afstemming/", oversight_views.reconciliation_page, name="reconciliation"),
    path(
        "afstemming/verschillen.csv",
        oversight_views.reconciliation_csv,
        name="reconciliation_csv",
    ),
    path("inspectie/", oversight_views.inspectie_page, name="inspectie"),
    re_path(
        r"^inspectie/registratie\.(?P<fmt>csv|xlsx)$",
        oversight_views.inspectie_export,
        name="inspectie_export",
    ),
    path("jaarverslag/", oversight_views.annual_report_page, name="annual_report"),
    re_path(
        r"^jaarverslag/jaarverslag\.(?P<fmt>csv|xlsx)$",
        oversight_views.annual_report_export,
        name="annual_report_export",
    ),
]
