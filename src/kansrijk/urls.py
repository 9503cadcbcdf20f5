from django.contrib import admin
from django.urls import include, path

from . import views
from .documents import views as documents_views

urlpatterns = [
    path("", views.home, name="home"),
    path("toegankelijkheid/", views.accessibility_statement, name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("kansrijk.accounts.urls")),
    path("organisaties/", include("kansrijk.organisations.urls")),
    path("audit/", include("kansrijk.audit.urls")),
    # Before the agenda's own paths, where "uit-document" would be read as a slug.
    path("agenda/uit-document/", include("kansrijk.agenda_intake.urls")),
    path("agenda/", include("kansrijk.agenda.urls")),
    path("agenda/", include("kansrijk.agenda.io_urls")),
    path("monitor/", include("kansrijk.indicators.urls")),
    path("monitor/", include("kansrijk.indicators.io_urls")),
    path("thuiszitters/", include("kansrijk.cases.urls")),
    path("thuiszitters/", include("kansrijk.cases.import_urls")),
    path("thuiszitters/", include("kansrijk.cases.oversight_urls")),
    path("sociale-kaart/", include("kansrijk.socialmap.urls")),
    path("importeren/", include("kansrijk.imports.urls")),
    path("documenten/", include("kansrijk.documents.urls")),
    path("api/v1/", include("kansrijk.api.urls")),
    # Before the admin, which answers everything else under /beheer/.
    path("beheer/taken/", documents_views.failed_tasks, name="failed_tasks"),
    path("beheer/", admin.site.urls),
    # Health probes and metrics, for machines (decision 0043).
    path("", include("kansrijk.operations.urls")),
]
