class ChineseByDefaultMiddleware:
    """The interface speaks Simplified Chinese unless the user picks English
    with the language switch (a cookie): the browser's Accept-Language header
    is ignored, so a laptop set up in English still shows the Chinese UI."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
