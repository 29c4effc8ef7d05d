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
