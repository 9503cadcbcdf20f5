"""The site as the fuzz tests meet it: every route of the URL configuration, and for each
one a real address and the forms and query parameters its pages use, found by following
the links of the demo as each role.

A route is named by its view name (``cases:detail``). ``routes()`` reads them from the URL
configuration, so a new page is fuzzed (or must be named in the skip list) without anyone
adding it here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from _walk(pattern.url_patterns, joined)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def routes() -> list[str]:
    """Every named route of the site, by view name, in the order of the URL configuration."""
    return list(dict.fromkeys(_walk(get_resolver().url_patterns)))


def addresses_without_arguments() -> list[str]:
    """The address of every route that takes no argument: the walk starts from each, so a
    page that is only a redirect's target (a form's thank-you page) is still reached."""
    found = []
    for route in routes():
        try:
            found.append(reverse(route))
        except NoReverseMatch:
            continue
    return found


def route_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values seen
    username: str | None = None  # who was shown the form

    def add(self, name: str | None, value: str | None) -> None:
        if name and name != "csrfmiddlewaretoken":
            self.fields.setdefault(name, [])
            if value is not None and value not in self.fields[name]:
                self.fields[name].append(value)


class _Page(HTMLParser):
    """The links and forms of an HTML page."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.url, attrs["href"]))
        elif tag == "form":
            action = urljoin(self.url, attrs.get("action") or self.url)
            self._form = Form((attrs.get("method") or "get").lower(), action)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("type") not in ("file", "image", "reset"):
            self._form.add(attrs.get("name"), attrs.get("value") or "")
        elif tag == "button" and attrs.get("name"):
            self._form.add(attrs["name"], attrs.get("value") or "")
        elif tag == "textarea":
            self._form.add(attrs.get("name"), "")
        elif tag == "select":
            self._select = attrs.get("name")
            self._form.add(self._select, None)
        elif tag == "option" and self._select:
            self._form.add(self._select, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Target:
    """What is known of one route: who reached it, at which address, with which query
    parameters (from links and GET forms) and which POST forms."""

    route: str
    username: str | None
    url: str
    query: dict[str, list[str]] = field(default_factory=dict)
    posts: list[Form] = field(default_factory=list)


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def discover(client, username, start, targets: dict[str, Target], skip, pages_per_route=3):
    """Follow the HTML pages reachable from ``start`` for ``client``, a few per route;
    record each route not yet in ``targets`` for ``username``, with the query parameters
    and POST forms found for every route. ``skip(route)`` says which routes are never
    opened."""
    queue, opened, visits = list(start), set(), {}
    while queue:
        url = queue.pop(0)
        route = route_of(urlsplit(url).path)
        if route is None or skip(route) or url in opened:
            continue
        if visits.get(route, 0) >= pages_per_route:
            continue
        opened.add(url)
        response = client.get(url)
        if response.status_code >= 400:
            continue
        # A page that redirects (a compare form's target) is still fuzzed.
        targets.setdefault(route, Target(route, username, urlsplit(url).path))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visits[route] = visits.get(route, 0) + 1
        page = _Page(f"http://testserver{url}")
        page.feed(response.content.decode())
        for link in page.links:
            _note_link(link, targets, username, queue, skip)
        for form in page.forms:
            _note_form(form, targets, username, skip)


def _note_link(link, targets, username, queue, skip):
    local = _local(link)
    if local is None:
        return
    path = urlsplit(local).path
    route = route_of(path)
    if route is None or skip(route):
        return
    target = targets.setdefault(route, Target(route, username, path))
    for name, value in parse_qsl(urlsplit(local).query, keep_blank_values=True):
        values = target.query.setdefault(name, [])
        if value not in values:
            values.append(value)
    queue.append(local)


def _note_form(form, targets, username, skip):
    local = _local(form.action)
    if local is None:
        return
    path = urlsplit(local).path
    route = route_of(path)
    if route is None or skip(route):
        return
    target = targets.setdefault(route, Target(route, username, path))
    if form.method == "post":
        # The same form on many pages (the language switch) is fuzzed once.
        shape = sorted(form.fields)
        if all(sorted(known.fields) != shape for known in target.posts):
            form.username = username
            target.posts.append(form)
    else:
        for name, values in form.fields.items():
            known = target.query.setdefault(name, [])
            known.extend(v for v in values if v not in known)
