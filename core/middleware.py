"""Chinese unless the user chose otherwise: the browser's Accept-Language is not consulted."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Use the language chosen with the switch (its cookie), else LANGUAGE_CODE (zh-hans).

    Officers' browsers are often set to English by whoever installed them; the interface must
    still open in Chinese. The switch in the navbar sets the cookie.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulMiddleware:
    """A query string or form field with a NUL character (%00) answers 400 with a message.

    PostgreSQL cannot store or compare text holding NUL, so any filter or search that passed one
    on would fail as a 500 — the admin's searches and filters included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest
        from django.utils.translation import gettext as _

        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
            "QUERY_STRING", ""
        ):
            return HttpResponseBadRequest(
                _("The address holds a character that cannot be searched for (NUL)."),
                content_type="text/plain; charset=utf-8",
            )
        form = request.method == "POST" and (
            request.content_type == "application/x-www-form-urlencoded"
        )
        if form and any("\x00" in v for _name, values in request.POST.lists() for v in values):
            return HttpResponseBadRequest(
                _("The form holds a character that cannot be stored (NUL)."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
