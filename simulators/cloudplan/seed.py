"""Deterministic Cloudplan demo data (config.seed, config.scale), with Dutch names.

Contains the seed's own examples: PROJ-01 and PROJ-02 exactly as the getProjects example shows them,
customer KLANT-01 and department AFD-01, and KLANT-01's planning around September 2019 (CP-M-5) —
four items overlap September 2019 (OVERLAP below), three lie just outside it, and another customer's
item lies inside it.
"""
from __future__ import annotations

import random

from faker import Faker

from simulators.cloudplan.model import Cloudplan

SCALE = {"small": 1, "medium": 5, "large": 25}
# number -> (start, end): KLANT-01's planning near September 2019
SEPTEMBER = {
    "PL-2019-01": ("2019-08-05T08:00:00", "2019-08-30T17:00:00"),   # before
    "PL-2019-02": ("2019-08-26T08:00:00", "2019-09-03T17:00:00"),   # overlaps the start
    "PL-2019-03": ("2019-09-10T08:00:00", "2019-09-12T17:00:00"),   # inside
    "PL-2019-04": ("2019-09-30T08:00:00", "2019-10-04T17:00:00"),   # starts on the last day
    "PL-2019-05": ("2019-10-01T00:00:00", "2019-10-10T17:00:00"),   # after
    "PL-2019-06": ("2019-08-01T08:00:00", "2019-10-31T17:00:00"),   # spans September
    "PL-2019-07": ("2019-08-31T08:00:00", "2019-08-31T23:59:59"),   # ends the day before
}
OVERLAP = ["PL-2019-02", "PL-2019-03", "PL-2019-04", "PL-2019-06"]


def seed(api, state) -> None:
    cfg = api.runtime.config
    n = SCALE.get(cfg.scale, 1)
    rng = random.Random(cfg.seed)
    fake = Faker("nl_NL")
    fake.seed_instance(cfg.seed)
    model = Cloudplan(api)
    _demo_tenant(model, rng, fake, n)
    _second_tenant(model)


def _demo_tenant(model, rng, fake, n) -> None:
    t = "demo"
    deps = [model.add(t, "department", {"number": f"AFD-{i:02d}", "name": name})
            for i, name in enumerate(["Uitvoering", "Engineering", "Werkvoorbereiding"][: 3] + [
                f"Regio {fake.city()}" for _ in range(n - 1)], start=1)]
    custs = [model.add(t, "customer", {"number": f"KLANT-{i:02d}", "name": fake.company(),
                                       "address": fake.street_address(), "postalCode": fake.postcode(),
                                       "city": fake.city(), "email": fake.company_email(),
                                       "phone": fake.phone_number()})
             for i in range(1, 5 * n + 1)]
    res = [model.add(t, "resource", {"number": f"{1000 + i}", "name": fake.name(), "department": rng.choice(deps),
                                     "email": fake.email(), "phone": fake.phone_number(),
                                     "availability": float(rng.choice([24, 32, 36, 40]))})
           for i in range(1, 8 * n + 1)]
    model.add(t, "project", {"number": "PROJ-01", "description": "Example-Project1", "color": "#ffffff",
                             "start": "2019-01-01", "end": "2025-12-31", "backgroundColor": "#999999",
                             "comments": "Multi-yearproject"})
    model.add(t, "project", {"number": "PROJ-02", "description": "Example-Project02", "color": "#ffffff",
                             "start": "2020-01-19", "backgroundColor": "#999999"})
    proj_k1 = model.add(t, "project", {"number": "PROJ-03", "description": "Glasvezel aanleg " + fake.city(),
                                       "department": deps[0], "customer": custs[0], "color": "#3366cc",
                                       "start": "2019-06-01", "end": "2019-12-31", "backgroundColor": "#999999",
                                       "manager": res[0], "budget": 125000.0})
    projects = [proj_k1]
    for i in range(4, 4 + 6 * n):
        y = rng.choice([2024, 2025, 2026])
        projects.append(model.add(t, "project", {
            "number": f"PROJ-{i:02d}", "description": f"{rng.choice(['Aansluiting', 'Renovatie', 'Kabeltracé'])} "
            f"{fake.street_name()}", "department": rng.choice(deps), "customer": rng.choice(custs),
            "color": "#ffffff", "backgroundColor": "#999999", "start": f"{y}-{rng.randint(1, 6):02d}-01",
            "end": f"{y}-{rng.randint(7, 12):02d}-28", "budget": float(rng.randrange(5000, 250000, 500)),
            "manager": rng.choice(res), "postalCode": fake.postcode()}))
    for number, (start, end) in SEPTEMBER.items():
        model.add(t, "planning", {"number": number, "project": proj_k1, "resource": res[0], "customer": custs[0],
                                  "start": start, "end": end, "description": "Graafwerk"})
    model.add(t, "planning", {"number": "PL-2019-K2", "project": 0, "resource": res[1], "customer": custs[1],
                              "start": "2019-09-15T08:00:00", "end": "2019-09-16T17:00:00",
                              "description": "Inmeten"})
    for i in range(1, 20 * n + 1):
        day = rng.randint(1, 27)
        month = rng.randint(1, 12)
        start = f"2026-{month:02d}-{day:02d}T{rng.choice([7, 8, 9]):02d}:00:00"
        end = f"2026-{month:02d}-{day + rng.randint(0, 1):02d}T{rng.choice([16, 17]):02d}:00:00"
        proj = rng.choice(projects)
        cust = model.state.get("projects", proj)["customer"]
        model.add(t, "planning", {"number": f"PL-{i:04d}", "project": proj, "resource": rng.choice(res),
                                  "customer": cust, "start": start, "end": end,
                                  "description": rng.choice(["Graafwerk", "Montage", "Inmeten", "Oplevering"])})


def _second_tenant(model) -> None:
    """Another organisation (login demo2/demo2), with numbers that collide with the demo tenant's."""
    t = "demo2"
    dep = model.add(t, "department", {"number": "AFD-01", "name": "Andere afdeling"})
    cust = model.add(t, "customer", {"number": "KLANT-01", "name": "Andere klant BV"})
    res = model.add(t, "resource", {"number": "1001", "name": "Ander persoon", "department": dep})
    proj = model.add(t, "project", {"number": "PROJ-01", "description": "Other tenant project",
                                    "customer": cust, "start": "2019-01-01"})
    model.add(t, "planning", {"number": "PL-2019-03", "project": proj, "resource": res, "customer": cust,
                              "start": "2019-09-10T08:00:00", "end": "2019-09-12T17:00:00"})
