"""The visitors of the load test (bench/load.py), for locust: one user class per role and
one for anonymous visitors of the public pages. bench/load.py writes the plan (LOAD_PLAN,
a JSON file: per role its session cookies and its pages with weights, the cases it may
write on) and reads back what the visitors recorded (LOAD_RECORD): every request with its
time and outcome, and every write the server said it saved.

Not meant to be run on its own; see ``bench/load.py --help``.
"""

import datetime
import itertools
import json
import os
import random
import secrets
import string
import threading
import time
from http.cookiejar import DefaultCookiePolicy

from locust import FastHttpUser, between, events, task
from requests.cookies import create_cookie

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
RECORD = os.environ["LOAD_RECORD"]
HOST = PLAN["host_name"]

# What every visitor did, kept in memory and written when the test stops: (seconds since
# the epoch at the end, page kind, milliseconds, ok, status or error).
requests_seen: list[tuple[float, str, float, bool, str]] = []
writes_confirmed: list[str] = []
writes_refused: list[tuple[str, str]] = []
_lock = threading.Lock()
_session_counters = {role: itertools.count() for role in PLAN["roles"]}


@events.request.add_listener
def _seen(request_type, name, response_time, response_length, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    with _lock:
        requests_seen.append(
            (
                time.time(),
                name,
                response_time,
                exception is None,
                str(status if exception is None else exception),
            )
        )


@events.quitting.add_listener
def _write_record(environment, **kwargs):
    with open(RECORD, "w", encoding="utf-8") as out:
        json.dump(
            {
                "requests": requests_seen,
                "writes_confirmed": writes_confirmed,
                "writes_refused": writes_refused,
            },
            out,
        )


def _csrf_secret() -> str:
    # Django accepts the unmasked 32-character secret as the form's token when it equals
    # the cookie (Django ≥ 4.1), so a visitor makes its own instead of scraping a form.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


class Visitor(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self):
        plan = PLAN["roles"][self.role]
        self.pages = plan["pages"]
        self.weights = [weight for _kind, _url, weight in self.pages]
        self.write_cases = plan.get("write_cases", [])
        self.csrf = _csrf_secret()
        # Kansrijk marks its cookies Secure (DEBUG off); the test speaks plain HTTP to
        # gunicorn, as nginx does behind TLS, so the visitor sends them back over HTTP.
        self.client.cookiejar.set_policy(
            DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        )
        self.client.cookiejar.set_cookie(create_cookie("csrftoken", self.csrf, domain=HOST))
        sessions = plan.get("sessions", [])
        if sessions:
            session = sessions[next(_session_counters[self.role]) % len(sessions)]
            self.client.cookiejar.set_cookie(create_cookie("sessionid", session, domain=HOST))

    @task(10)
    def read_a_page(self):
        kind, url, _weight = random.choices(self.pages, weights=self.weights)[0]
        with self.client.get(url, name=kind, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(1)
    def record_an_agreement(self):
        """A write the user is told succeeded (the redirect back to the case) must be in
        the database afterwards; bench/load.py counts them."""
        if not self.write_cases:
            return self.read_a_page()
        case = random.choice(self.write_cases)
        key = f"{PLAN['marker']} {secrets.token_hex(8)}"
        deadline = datetime.date.today() + datetime.timedelta(days=30)
        with self.client.post(
            f"/thuiszitters/casussen/{case}/afspraak/",
            data={
                "csrfmiddlewaretoken": self.csrf,
                "description": key,
                "responsible_person": "Belastingproef",
                "deadline": deadline.isoformat(),
            },
            name="write: agreement",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code == 302:
                with _lock:
                    writes_confirmed.append(key)
            else:
                with _lock:
                    writes_refused.append((key, str(response.status_code)))
                response.failure(f"HTTP {response.status_code}")


def _visitor_class(role: str, weight: int) -> type:
    return type(f"Visitor_{role}", (Visitor,), {"role": role, "weight": weight})


for _role, _plan in PLAN["roles"].items():
    globals()[f"Visitor_{_role}"] = _visitor_class(_role, _plan["weight"])
