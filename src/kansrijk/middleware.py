from django.middleware.locale import LocaleMiddleware


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Dutch unless the user chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so a
    Dutch civil servant with an English browser would get an English interface they
    never asked for. The interface of a Dutch government service is Dutch; English is a
    choice (remembered in the language cookie), not a guess.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
