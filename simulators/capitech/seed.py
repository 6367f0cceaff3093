"""Deterministic demo data for Capitech, generated from (seed, scale) into compact per-client
columns instead of the core State store: a million transactions as JSON documents would make
startup and every backend slow. Only mutations live in the State (see model.py).

Times are local Norwegian wall-clock minutes since EPOCH (naive): no DST arithmetic is needed
for a time-sheet, and the wire format carries no offset either.
"""
from __future__ import annotations

import random
import threading
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from faker import Faker

EPOCH = datetime(2000, 1, 1)
DAY = 1440

# (clientId, name, employees per scale, approval levels used by the background process)
CLIENTS = {
    100: ("Fjordlogistikk AS", {"small": 30, "medium": 90, "large": 400}, 1),
    200: ("Nordbygg Entreprenør AS", {"small": 220, "medium": 660, "large": 2200}, 2),
    300: ("Vestland Service AS", {"small": 12, "medium": 36, "large": 500}, 1),
    400: ("Trøndelag Drift AS", {"small": 0, "medium": 0, "large": 400}, 1),
}
# Simulated period (inclusive start, number of days); api_options capitech.start/.days override.
PERIODS = {"small": ("2026-07-01", 215), "medium": ("2026-01-01", 365), "large": ("2025-12-01", 396)}

# Time categories: id -> (name, typeId, payable). Types per the seed: O, T, P, S.
CATEGORIES = {
    10: ("Timelønn", "O", 1), 11: ("Fastlønn", "O", 1),
    20: ("Overtid 50%", "P", 1), 21: ("Overtid 100%", "P", 1),
    30: ("Nattillegg", "T", 1), 31: ("Kveldstillegg", "T", 1), 32: ("Bastillegg", "T", 1),
    40: ("Tillegg 50%", "S", 1), 41: ("Tillegg 100%", "S", 1),
    90: ("Avspasering opptjent", "O", 0), 91: ("Reisetid ubetalt", "O", 0),
}
CATEGORY_TYPES = {"O": "Ordinær", "T": "Tillegg", "P": "Overtid", "S": "Overtidstillegg"}

DEPARTMENTS = ["Logistikk", "Lager", "Produksjon", "Montasje", "Service", "Vedlikehold", "Transport",
               "Kundeservice", "Kvalitet", "Innkjøp", "Administrasjon", "Prosjekt", "Elektro", "Rør",
               "Betong", "Tømrer", "Maskin", "Stillas", "Planlegging", "HMS"]
TASKS = ["Varemottak", "Plukk", "Pakking", "Montering", "Kontroll", "Rydding", "Opplæring", "Reparasjon",
         "Befaring", "Dokumentasjon", "Utkjøring", "Forskaling", "Armering", "Graving", "Møte"]
PROJECT_WORDS = ["toppen", "tunet", "parken", "kaia", "lia", "haugen", "bakken", "hagen", "sletta", "vika"]
SUBPROJECTS = ["Tilleggsbestilling øst", "Tilleggsbestilling vest", "Grunnarbeid", "Råbygg", "Tak og fasade",
               "Innredning", "Utomhus", "Reklamasjon"]
PHASES = ["Planlegging", "Utførelse", "Sluttkontroll", "Overlevering"]
FD1 = [(10, "Ordinær"), (11, "Reise"), (12, "Kurs"), (13, "Beredskap")]
FD2 = [(60, "Bas"), (61, "Fagarbeider"), (62, "Lærling"), (63, "Hjelpearbeider")]
# Shift definitions: (flow shift id, classic duty id, code, description, start minute, length)
DUTIES = [(68871, 185, "D1", "Dagvakt 07 - 15", 7 * 60, 8 * 60),
          (68872, 186, "K1", "Kveldsvakt 14 - 22", 14 * 60, 8 * 60),
          (68874, 188, "N2", "Nattevakt 22 - 06", 22 * 60, 8 * 60)]
TEXTS = ["Overtid fordi {n} ble forsinket", "Ekstra vareleveranse", "Kurs i varme arbeider",
         "Venter på materialer", "Akutt feilretting hos kunde", "Dekket vakt for {n}"]


def col() -> array:
    return array("i")


@dataclass
class ClientData:
    """One client's dimensions and registrations (columns indexed by r, sorted by start)."""

    client_id: int
    name: str
    levels: int
    uid_base: int
    payroll_user: str = "lonn"                       # approves at level 2 and up
    employees: list = field(default_factory=list)    # (id, name)
    departments: list = field(default_factory=list)  # (id, name, manager username)
    tasks: list = field(default_factory=list)        # (department index, id, name)
    projects: list = field(default_factory=list)     # (id, code, name, passive)
    subprojects: list = field(default_factory=list)  # (project index, id, code, name)
    phases: list = field(default_factory=list)       # (subproject index, id, code, name)
    orders: list = field(default_factory=list)       # (id, name)
    texts: list = field(default_factory=list)
    cols: dict = field(default_factory=dict)         # name -> array, see REG_COLUMNS
    cat: array = field(default_factory=col)          # record columns
    qty: array = field(default_factory=col)          # hundredths of an hour
    uid_map: dict | None = None                      # added registrations: uid -> r
    _index: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __len__(self):
        return len(self.cols["uid"])

    def day_range(self, first_day: int, last_day: int) -> tuple[int, int]:
        """Registrations starting on first_day..last_day (inclusive), as an index range."""
        day = self.cols["day"]
        return bisect_left(day, first_day), bisect_right(day, last_day)

    def index(self, name: str) -> dict:
        """value -> ascending array of registration indices; built on first use of that filter."""
        idx = self._index.get(name)
        if idx is None:
            with self._lock:
                idx = self._index.get(name)
                if idx is None:
                    idx = {}
                    values = self.cols[name]
                    for r in range(len(values)):
                        v = values[r]
                        a = idx.get(v)
                        if a is None:
                            a = idx[v] = array("i")
                        a.append(r)
                    self._index[name] = idx
        return idx

    def by_time(self, col: str) -> tuple[array, array]:
        """(times ascending, registration indices) of a time column (created, appr1, appr2):
        the index behind "changed since" polls; built on first use."""
        key = "time:" + col
        idx = self._index.get(key)
        if idx is None:
            with self._lock:
                idx = self._index.get(key)
                if idx is None:
                    values = self.cols[col]
                    order = sorted(range(len(values)), key=values.__getitem__)
                    idx = self._index[key] = (array("i", (values[r] for r in order)), array("i", order))
        return idx

    def r_of_uid(self, uid) -> int | None:
        if self.uid_map is not None:
            return self.uid_map.get(uid) if isinstance(uid, int) else None
        r = uid - self.uid_base if isinstance(uid, int) and not isinstance(uid, bool) else -1
        return r if 0 <= r < len(self) else None


REG_COLUMNS = ("uid", "emp", "start", "end", "day", "dayout", "dept", "task", "proj", "sub", "phase",
               "order", "duty", "fd1", "fd2", "text", "created", "appr1", "appr2", "rec")


def minutes(d: datetime) -> int:
    return int((d - EPOCH).total_seconds() // 60)


def period(scale: str, options: dict) -> tuple[int, int]:
    start, days = PERIODS[scale]
    start = options.get("start", start)
    days = int(options.get("days", days))
    first = (date.fromisoformat(str(start)) - EPOCH.date()).days
    return first, first + days - 1


def clients_for(scale: str) -> list[int]:
    return [c for c, (_, sizes, _) in CLIENTS.items() if sizes[scale] > 0]


def build_client(seed: int, scale: str, client_id: int, options: dict | None = None) -> ClientData:
    name, sizes, levels = CLIENTS[client_id]
    rnd = random.Random(seed * 7919 + client_id)
    fake = Faker("no_NO")  # Faker names the Norwegian (bokmål) locale no_NO
    fake.seed_instance(seed * 31 + client_id)
    cd = ClientData(client_id, name, levels, uid_base=client_id * 10000)
    _dimensions(cd, rnd, fake, sizes[scale])
    first, last = period(scale, options or {})
    _registrations(cd, rnd, first, last)
    return cd


def _dimensions(cd: ClientData, rnd: random.Random, fake: Faker, n_emp: int) -> None:
    n_dept = max(3, min(len(DEPARTMENTS), n_emp // 12))
    for i, dname in enumerate(rnd.sample(DEPARTMENTS, n_dept)):
        first, last = fake.first_name(), fake.last_name()
        cd.departments.append((10 * (i + 1) + 40, dname, (first[:5] + last[0]).lower()))
        # CT-TT-2: task numbers restart in every department (a sub-dimension).
        for j, tname in enumerate(rnd.sample(TASKS, rnd.randint(3, 6))):
            cd.tasks.append((i, 10 * (j + 1), tname))
    n_proj = max(4, n_emp // 6)
    used = set()
    while len(cd.projects) < n_proj:
        pname = fake.last_name()[:-1].capitalize() + rnd.choice(PROJECT_WORDS)
        if pname in used:
            continue
        used.add(pname)
        pid = 1001 + len(cd.projects)
        # passive (closed) projects are the oldest ones: they still appear in old transactions
        cd.projects.append((pid, f"{rnd.choice('ABCDE')}{100 + len(cd.projects) * 7}", pname,
                            len(cd.projects) < n_proj // 5))
        # CT-TT-2: sub-project and phase numbers/codes repeat under different parents.
        for k, sname in enumerate(rnd.sample(SUBPROJECTS, rnd.randint(1, 3))):
            cd.subprojects.append((len(cd.projects) - 1, 8440 + k * 5, f"T{8870 + k}", sname))
            if rnd.random() < 0.5:
                for m, phname in enumerate(PHASES[:rnd.randint(2, 4)]):
                    cd.phases.append((len(cd.subprojects) - 1, m + 1, f"F{m + 1}", phname))
    cd.orders = [(5000 + i, f"Ordre {fake.company()}") for i in range(max(3, n_emp // 10))]
    cd.employees = [(100 + i * 5 + rnd.randint(0, 4), fake.name()) for i in range(n_emp)]
    cd.payroll_user = (fake.first_name()[:5] + fake.last_name()[0]).lower()
    names = [fake.first_name() for _ in range(20)]
    cd.texts = [t.format(n=rnd.choice(names)) for t in TEXTS]


def _employee_profiles(cd: ClientData, rnd: random.Random) -> list[tuple]:
    """Per employee: (home dept, shift pattern 0 day / 1 evening / 2 night / 3 office, salaried, fd2)."""
    tasks_of = {}
    for t, (d, _, _) in enumerate(cd.tasks):
        tasks_of.setdefault(d, []).append(t)
    out = []
    for _ in cd.employees:
        d = rnd.randrange(len(cd.departments))
        pattern = rnd.choices((0, 1, 2, 3), (55, 15, 12, 18))[0]
        out.append((d, pattern, pattern == 3, rnd.choice(FD2)[0], tasks_of[d]))
    return out


def _registrations(cd: ClientData, rnd: random.Random, first: int, last: int) -> None:
    cols = {c: array("i") for c in REG_COLUMNS}
    cat, qty = cd.cat, cd.qty
    profiles = _employee_profiles(cd, rnd)
    subs_of, phases_of = {}, {}
    for s, (p, _, _, _) in enumerate(cd.subprojects):
        subs_of.setdefault(p, []).append(s)
    for ph, (s, _, _, _) in enumerate(cd.phases):
        phases_of.setdefault(s, []).append(ph)
    n_proj, n_orders, n_text = len(cd.projects), len(cd.orders), len(cd.texts)
    second_level = cd.levels >= 2
    uid = cd.uid_base
    for day in range(first, last + 1):
        weekday = (day + 5) % 7  # 2000-01-01 was a Saturday; 0 = Monday
        todays = []
        for e, (d, pattern, salaried, fd2, tasks) in enumerate(profiles):
            if pattern in (0, 3) and weekday >= 5:
                continue
            if pattern in (1, 2) and (day + e) % 7 in (0, 1):  # rotating days off
                continue
            if rnd.random() < 0.06:  # absent (sick, holiday): no registration
                continue
            duty = pattern if pattern in (1, 2) else (0 if pattern == 0 and rnd.random() < 0.3 else -1)
            if duty >= 0:
                _, _, _, _, smin, length = DUTIES[duty]
                start = day * DAY + smin + rnd.choice((-5, -3, 0, 0, 2, 4))
            else:
                start = day * DAY + rnd.choice((420, 450, 480, 480, 510))
                length = 450
            todays.append((start, e, d, duty, length, salaried, fd2, tasks))
        todays.sort()
        for start, e, d, duty, length, salaried, fd2, tasks in todays:
            overtime = rnd.random() < 0.12
            extra = rnd.choice((30, 60, 90, 120, 180)) if overtime else 0
            end = start + length + extra + rnd.choice((-2, 0, 0, 3))
            proj = rnd.randrange(n_proj) if rnd.random() < 0.6 else -1
            sub = phase = -1
            if proj >= 0 and proj in subs_of and rnd.random() < 0.7:
                sub = rnd.choice(subs_of[proj])
                if sub in phases_of and rnd.random() < 0.6:
                    phase = rnd.choice(phases_of[sub])
            created = end + rnd.randint(1, 240)
            appr1 = appr2 = 0
            if rnd.random() < 0.92:
                appr1 = (end // DAY + rnd.randint(1, 7)) * DAY + rnd.randint(480, 960)
                if second_level and rnd.random() < 0.85:
                    appr2 = (appr1 // DAY + rnd.randint(1, 5)) * DAY + rnd.randint(480, 960)
            for c, v in (("uid", uid), ("emp", e), ("start", start), ("end", end), ("day", start // DAY),
                         ("dayout", end // DAY), ("dept", d), ("task", rnd.choice(tasks)),
                         ("proj", proj), ("sub", sub), ("phase", phase),
                         ("order", rnd.randrange(n_orders) if rnd.random() < 0.25 else -1),
                         ("duty", duty), ("fd1", rnd.choice(FD1)[0] if rnd.random() < 0.8 else -1),
                         ("fd2", fd2), ("text", rnd.randrange(n_text) if overtime and rnd.random() < 0.5 else -1),
                         ("created", created), ("appr1", appr1), ("appr2", appr2), ("rec", len(cat))):
                cols[c].append(v)
            uid += 1
            # CT-TT-8: one registration yields one record per time category.
            base_cat = 11 if salaried else 10
            cat.append(base_cat)
            qty.append(min(length, 450 if duty < 0 else length) * 100 // 60)
            if overtime:
                ot_cat, sup_cat = (21, 41) if weekday >= 5 or duty == 2 else (20, 40)
                cat.append(ot_cat)
                qty.append(extra * 100 // 60)
                cat.append(sup_cat)
                qty.append(extra * 100 // 60)
            if duty == 2:
                cat.append(30)
                qty.append(700)
            elif duty == 1:
                cat.append(31)
                qty.append(500)
            if fd2 == 60 and rnd.random() < 0.5:
                cat.append(32)
                qty.append(length * 100 // 60)
            if rnd.random() < 0.04:
                cat.append(91 if rnd.random() < 0.5 else 90)
                qty.append(rnd.choice((50, 100, 150)))
    cols["rec"].append(len(cat))  # sentinel: records of r are rec[r]:rec[r+1]
    cd.cols = cols


class Dataset:
    """All clients of one (seed, scale), built lazily per client and shared per process."""

    _cache: dict = {}
    _cache_lock = threading.Lock()

    def __init__(self, seed: int, scale: str, options: dict):
        self.seed, self.scale, self.options = seed, scale, dict(options)
        self.client_ids = clients_for(scale)
        self._clients: dict[int, ClientData] = {}
        self._lock = threading.Lock()

    @classmethod
    def get(cls, seed: int, scale: str, options: dict) -> "Dataset":
        key = (seed, scale, str(options.get("start")), str(options.get("days")))
        with cls._cache_lock:
            ds = cls._cache.get(key)
            if ds is None:
                ds = cls._cache[key] = Dataset(seed, scale, options)
            return ds

    def client(self, client_id: int) -> ClientData | None:
        cd = self._clients.get(client_id)
        if cd is None and client_id in self.client_ids:
            with self._lock:
                cd = self._clients.get(client_id)
                if cd is None:
                    cd = self._clients[client_id] = build_client(self.seed, self.scale, client_id, self.options)
        return cd

    def warm(self) -> None:
        for c in self.client_ids:
            self.client(c)

    def first_day(self) -> date:
        return (EPOCH + timedelta(days=period(self.scale, self.options)[0])).date()
