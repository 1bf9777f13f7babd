"""Locust load for `make bench`: each simulated user requests the targets of the plan
(BENCH_PLAN, a JSON file written by bench.measure.load_test) in turn, pausing 2-5 s
between requests, as a person working through pages does.

FastHttpUser (geventhttpclient), not HttpUser (requests): the load generator shares the
two CPUs with gunicorn and PostgreSQL, and locust's documentation puts the fast client at
several times the requests per CPU second; what it spends is taken from the pages it
measures.

Run by bench.measure as its own process (locust patches the standard library with gevent,
so it is never imported by Django or pytest; tests/ does not collect this directory).
"""

import itertools
import json
import os

from locust import FastHttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115, PTH123


class Visitor(FastHttpUser):
    wait_time = between(2, 5)

    def on_start(self):
        self.targets = itertools.cycle(PLAN)

    @task
    def next_target(self):
        target = next(self.targets)
        headers = {}
        if target["token"]:
            headers["Authorization"] = f"Bearer {target['token']}"
        if target["session"]:
            headers["Cookie"] = f"sessionid={target['session']}"
        with self.client.get(
            target["path"], headers=headers, name=target["name"], catch_response=True,
            allow_redirects=False,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
