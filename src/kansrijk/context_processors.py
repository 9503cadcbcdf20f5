from django.conf import settings


def kansrijk(request):
    return {"DEBUG": settings.DEBUG}
