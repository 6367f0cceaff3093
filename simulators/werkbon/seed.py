"""Deterministic demo data per account from config.seed and config.scale (Dutch names via Faker)."""
from __future__ import annotations

import random

from faker import Faker

from simulators.werkbon.entities import ENTITIES

# WB-AUTH-4: two accounts, each with its own customer token and software token.
ACCOUNTS = [
    {"id": "1205", "token": "werkbon-demo-token", "software_tokens": ["werkbon-demo-software"],
     "name": "Installatiebedrijf Demo B.V.", "note": "the demo customer account (version 8)"},
    {"id": "2310", "token": "werkbon-demo2-token", "software_tokens": ["werkbon-demo2-software"],
     "name": "Tweede Demo Installaties", "note": "a second account, for isolation tests"},
]
SCALE = {"small": 1, "medium": 5, "large": 25}
TYPES_OF_WORK = ("Installatie", "Garantie", "Levering", "Onderhoud", "Reparatie", "Service", "Storing")
PAYMENT = ("niet van toepassing", "op rekening", "contant voldaan", "pin betaling", "conform offerte")
UNITS = ("st", "m", "M2", "doos", "kg")
CREATED = "2026-01-05 08:30"


def seed(api, state) -> None:
    config = api.runtime.config
    n = SCALE.get(config.scale, 1)
    for i, account in enumerate(ACCOUNTS):
        state.put("accounts", account["token"], account)
        fake = Faker("nl_NL")
        fake.seed_instance(config.seed * 100 + i)
        _account(api, account["id"], fake, random.Random(config.seed * 100 + i), n)


def _post(api, acc, path, records):
    api.model.post_entities(acc, ENTITIES[path], records)


def _account(api, acc, fake, rnd, n) -> None:
    emps = [{"firstname": fake.first_name(), "lastname": fake.last_name(), "number": str(100 + k)}
            for k in range(4 * n)]
    _post(api, acc, "employees", emps)
    rels = [_relation(fake, k) for k in range(6 * n)]
    _post(api, acc, "relations", rels)
    _post(api, acc, "contactpersons", [{"cpn_debtor_nr": r["debtor_number"], "cpn_code": f"C{k + 1}",
                                         "cpn_name": r["contact"], "cpn_phone": r["phone_number"],
                                         "cpn_email": r["email"]} for k, r in enumerate(rels)])
    _post(api, acc, "addresses", [{"adr_debtor_nr": r["debtor_number"], "adr_code": f"A{k + 1}",
                                    "adr_cpn_code": f"C{k + 1}", "adr_line_1": f"{r['street']} {r['house_number']}",
                                    "adr_zip": r["postal_code"], "adr_city": r["city"], "adr_country": "Nederland"}
                                   for k, r in enumerate(rels)])
    mats = [{"code": f"{k + 1:05d}", "description": rnd.choice(("Kabel", "Buis", "Koppeling", "Schakelaar", "Lamp",
                                                                 "Kraan", "Filter", "Thermostaat")) + f" type {k + 1}",
             "price": f"{rnd.randint(100, 9000) / 100:.2f}".replace(".", ","), "unit": rnd.choice(UNITS)}
            for k in range(10 * n)]
    _post(api, acc, "materials", mats)
    _post(api, acc, "hourtypes", [
        {"code": "001", "name": "Normale uren", "cost_booking": "0", "sale_booking": "1", "sale_price": "55.00",
         "cost_price": "30.00", "active": "1"},
        {"code": "002", "name": "Overuren", "cost_booking": "0", "sale_booking": "1", "sale_price": "75.00",
         "cost_price": "40.00", "active": "1"},
        {"code": "ZK", "name": "Ziekte", "cost_booking": "1", "sale_booking": "0", "sale_price": "0.00",
         "cost_price": "0.00", "active": "1"}])
    _post(api, acc, "categories", [{"cat_code": "001", "cat_name": "IJzerwaren", "cat_display": "1"},
                                   {"cat_code": "001-002", "cat_name": "Schroefjes", "cat_display": "0",
                                    "cat_cat_code": "001"}])
    _post(api, acc, "material_categories", [{"mct_mat_code": m["code"], "mct_cat_code": "001"} for m in mats[:3]])
    _post(api, acc, "worktypes", [{"wrt_name": t, "wrt_description": f"{t} werkzaamheden",
                                   "wrt_default_minutes": "60", "wrt_active": "1"} for t in TYPES_OF_WORK])
    _post(api, acc, "paymentmethods", [{"pmd_description": p} for p in PAYMENT])
    _post(api, acc, "workstatusses", [{"sta_code": "001", "sta_name": "Wacht op materiaal"},
                                      {"sta_code": "002", "sta_name": "Klant niet thuis"}])
    for path, rows in (("priorities", (("1", "Laag"), ("10", "Hoog"))), ("errors", (("E1", "Lekkage"),)),
                       ("solutions", (("S1", "Onderdeel vervangen"),)), ("material_types", (("MT1", "Verbruik"),))):
        _post(api, acc, path, [{"code": c, "description": d, "app_enabled": "1"} for c, d in rows])
    _post(api, acc, "projects", [{"code": f"P{k + 1:03d}", "debtor_number": rels[k]["debtor_number"],
                                  "status": "Nieuw", "name": f"Project {rels[k]['name']}", "date_start": "2026-01-05",
                                  "active": "1"} for k in range(2 * n)])
    _post(api, acc, "suppliers", [{"sup_code": "001", "sup_name": "Itho Daalderop"}, {"sup_code": "002", "sup_name": "Nefit"}])
    _post(api, acc, "objects", [{"obj_code": f"OBJ{k + 1}", "obj_debiteur_nummer": rels[k]["debtor_number"],
                                 "obj_description": rnd.choice(("CV-ketel", "Warmtepomp", "Boiler")),
                                 "obj_brand": "Nefit", "obj_serialnumber": str(rnd.randint(10**7, 10**8)),
                                 "obj_created": "2026-01-05 08:00:00",
                                 "obj_modified": ""} for k in range(3 * n)])
    api.model.touch_object(acc, "OBJ1", "2026-01-06 10:00:00")
    _post(api, acc, "parts", [{"prt_code": "0010", "prt_name": "Brander", "prt_sup_code": "002", "prt_value": "1"}])
    _post(api, acc, "object_parts", [{"opr_obj_code": "OBJ1", "opr_prt_code": "0010", "opr_serial_number": "65644456",
                                      "opr_amount": "1", "opr_timestamp_installation": "2026-01-05",
                                      "opr_timestamp_mutate": "2026-01-06 10:00:00"}])
    _post(api, acc, "regions", [{"reg_code": "UT", "reg_name": "Utrecht", "reg_zip_start": "3400", "reg_zip_end": "3599"}])
    _post(api, acc, "vehicles", [{"veh_license_plate": "GN-054-H", "veh_title": "Bus 1", "veh_brand": "Volkswagen",
                                  "veh_driver": emps[0]["number"], "veh_active": "1"}])
    _post(api, acc, "forms", [{"name": "Opleverformulier", "data": "[]"}])
    _invoices(api, acc, rels)
    _workorders(api, acc, fake, rnd, rels, emps, n)


def _relation(fake, k) -> dict:
    return {"name": fake.company(), "debtor_number": str(10000 + k), "contact": fake.name(),
            "phone_number": fake.phone_number(), "email": fake.email(), "street": fake.street_name(),
            "house_number": fake.building_number(), "postal_code": fake.postcode(), "city": fake.city(),
            "country": "Nederland"}


def _invoices(api, acc, rels) -> None:
    state = api.state
    for k, r in enumerate(rels[:2]):
        inv = {"_row": k + 1, "inv_id": str(160 + k), "inv_type": "DEBIT", "inv_currency_code": "EUR",
               "inv_currency_symbol": "\u20ac", "inv_invoice_debtor_nr": r["debtor_number"],
               "inv_invoice_debtor_name": r["name"], "inv_invoice_debtor_email": r["email"],
               "inv_number_numeric": str(k + 1), "inv_number_formatted": f"2026-{k + 1:05d}",
               "inv_status": "OPEN", "inv_date": "2026-01-12", "inv_due_date": "2026-01-26", "inv_due_days": "14",
               "inv_amount": "43.56", "inv_amount_excl": "36.00", "inv_balance": "0.00",
               "inv_timestamp_create": "2026-01-12 07:49:44",
               "iln_lines": [{"iln_id": str(1880 + k), "iln_inv_id": str(160 + k), "iln_order": "0",
                              "iln_material_code": "00001", "iln_material_hourtype": "", "iln_description": "Materiaal",
                              "iln_amount": "2.00", "iln_price": "20.00", "iln_vat_percentage": "21.00",
                              "iln_discount": "10.00", "iln_total": "40.00", "iln_total_discount": "4.00",
                              "iln_total_vat": "7.56", "iln_total_excl": "36.00", "iln_total_incl": "43.56"}],
               "invoice_debtor": {"ind_name": r["name"], "ind_debiteur_number": r["debtor_number"],
                                  "ind_street": f"{r['street']} {r['house_number']}", "ind_zip": r["postal_code"],
                                  "ind_city": r["city"], "ind_country": "", "ind_contact": r["contact"],
                                  "ind_phone": r["phone_number"], "ind_email": r["email"]},
               "pdf": f"https://www.werkbonapp.nl/files/{acc}/{160 + k}/invoicepdf.php", "ubl": ""}
        state.put(f"{acc}:invoices", inv["inv_id"], inv)
        state.put(f"{acc}:quotations", inv["inv_id"], {**inv, "inv_type": "QUOTATION"})
    api.model.post_transactions(acc, [{"int_inv_id": "160", "int_description": "Bank transaction",
                                       "int_amount": "43.56", "int_type": "BANK",
                                       "int_timestamp": "2026-01-13 11:33:45"}])
    api.model.post_locations(acc, [{"lat": "52.1175835", "long": "5.0364392", "identifier": "100", "type": "0"}])
    for key, loc in state.items(f"{acc}:locations"):  # a fixed last_seen keeps the seed deterministic
        state.put(f"{acc}:locations", key, {**loc, "last_seen": "2026-01-05 08:15:00"})


def _workorders(api, acc, fake, rnd, rels, emps, n) -> None:
    orders = []
    for k in range(5 * n):
        r = rels[k % len(rels)]
        orders.append({
            "WorkorderNo": f"WB{acc}-{k + 1:04d}", "CustomerName": r["name"], "CustomerDebtorNr": r["debtor_number"],
            "CustomerStreet": r["street"], "CustomerStreetNo": r["house_number"], "CustomerZIP": r["postal_code"],
            "CustomerCity": r["city"], "CustomerContactPerson": r["contact"], "CustomerPhone": r["phone_number"],
            "CustomerEmail": r["email"], "CustomerNameInvoice": r["name"], "CustomerDebtorNrInvoice": r["debtor_number"],
            "CustomerStreetInvoice": r["street"], "CustomerZIPInvoice": r["postal_code"], "CustomerCityInvoice": r["city"],
            "CustomerContactPersonInvoice": r["contact"], "TypeOfWork": rnd.choice(TYPES_OF_WORK),
            "PaymentMethod": rnd.choice(PAYMENT), "WorkDescription": fake.sentence(nb_words=8),
            "EmployeeNr": emps[k % len(emps)]["number"] if k % 5 != 4 else "",
            "WorkDate": f"{5 + k % 20:02d}-01-2026", "WorkTime": f"{8 + k % 8:02d}:00", "WorkDuration": "60"})
    api.workorders.post(acc, orders)
    # Spread over the lifecycle: 0 Klaargezet, 1 Opgehaald, 2 and 3 Compleet, 4 Afgehandeld (no employee).
    for k, wo in enumerate(sorted(api.state.all(f"{acc}:workorders"), key=lambda o: int(o["id"]))):
        wo["CreationDate"] = CREATED
        api.state.put(f"{acc}:workorders", wo["id"], wo)
        phase = k % 5
        if phase in (1, 2, 3):
            api.state.delete(f"{acc}:device", wo["id"])
            if phase == 1:
                api.state.put(f"{acc}:workorders", wo["id"], {**wo, "status": "Opgehaald"})
            else:
                _complete_at(api, acc, wo)
        if phase == 4:
            _complete_at(api, acc, {**wo, "EmployeeNr": emps[0]["number"]})
            done = api.state.get(f"{acc}:workorders", wo["id"])
            api.state.put(f"{acc}:workorders", wo["id"], {**done, "status": "Afgehandeld", "EmployeeNr": ""})


def _complete_at(api, acc, wo) -> None:
    from datetime import datetime, timezone
    day, month, year = wo["WorkDate"].split("-")
    hour = int(wo["WorkTime"][:2]) + 1
    api.workorders.complete_order(acc, wo, datetime(int(year), int(month), int(day), hour, 0, tzinfo=timezone.utc))
