"""CAPO-DOC-1: the OpenAPI 3.0 document of every endpoint served, at /api/capo/documentation.json,
and Swagger UI at /api/capo/documentation/ (assets from the swagger-ui-bundle package, served
locally; the page also lists the operations for readers without JavaScript)."""
from __future__ import annotations

import html

from flask import Response, redirect, request, send_from_directory

try:
    from swagger_ui_bundle import swagger_ui_path
except ImportError:  # pragma: no cover - the plain operation list still works
    swagger_ui_path = None

SWAGGER_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"}

from simulators.capo import wire
from simulators.capo.quickscan import ACTIVITEIT_TYPES

S, I, B = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DT = {"type": "string", "format": "date-time"}
HEX24 = {"type": "string", "pattern": "^[0-9a-f]{24}$"}


def n(schema: dict) -> dict:
    return {**schema, "nullable": True}


def obj(props: dict, optional: tuple = ()) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": props,
            "required": [k for k in props if k not in optional]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def arr(schema: dict) -> dict:
    return {"type": "array", "items": schema}


BA_STATUS = {"type": "string", "enum": ["assigned", "uploaded", "review", "done"]}
SCHEMAS = {
    "Error": obj({"message": S}),
    "Organisatie": obj({"organisatieId": I, "naam": S, "rol": {"type": "string", "enum": ["netbeheerder", "aannemer"]}}),
    "Adres": obj({"straat": S, "huisnummer": S, "postcode": S, "plaats": S}),
    "Produkt": obj({"produktId": I, "discipline": S, "agd": n(DATE)}),
    "AansluitObject": obj({"aansluitObjectId": I, "adres": ref("Adres"), "produkten": arr(ref("Produkt"))}),
    "Quickscan": obj({"afgerond": B, "afgerondOp": n(DT), "hoofdleidingAanleggen": B,
                      "hoofdleidingOpmerking": n(S), "extraWerkvoorbereiding": B}),
    "Project": obj({"projectId": I, "projectType": S, "naam": S, "omschrijving": n(S), "status": S,
                    "contractgebiedId": I, "contractgebied": S, "deelnemers": arr(ref("Organisatie")),
                    "aanvraagDatum": DATE, "wachttijd": I, "wensdatum": n(DATE), "agdRelevant": B,
                    "startUitvoeringWeek": n({"type": "string", "pattern": r"^\d{4}-W\d{2}$"}),
                    "changed": DT, "planningChanged": n(DT), "quickscan": ref("Quickscan"),
                    "aansluitObjecten": arr(ref("AansluitObject"))}),
    "Contractgebied": obj({"contractgebiedId": I, "naam": S, "agdRelevant": B, "wachttijd": I}),
    "BijlageAct": obj({"actie": S, "status": S, "datum": DT, "organisatie": ref("Organisatie"),
                       "email": n(S), "reden": S}, optional=("status", "reden")),
    "BijlageAssigned": obj({"bijlageAssignedId": HEX24, "projectId": I, "naam": S, "omschrijving": n(S),
                            "assignedTo": ref("Organisatie"), "requiresReview": B, "status": BA_STATUS,
                            "deadline": n(DATE), "reden": n(S), "aangemaakt": DT, "gewijzigd": DT,
                            "acts": arr(ref("BijlageAct"))}),
    "Bijlage": obj({"bijlageId": HEX24, "parentId": HEX24, "projectId": I, "bestandsnaam": S, "contentType": S,
                    "omschrijving": n(S), "status": {"type": "string", "enum": ["new", "uploaded"]},
                    "grootte": n(I), "aangemaakt": DT, "geupload": n(DT), "organisatie": ref("Organisatie"),
                    "email": n(S), "downloadUrl": n(S)}),
    "ActiviteitAct": obj({"actie": S, "datum": DT, "organisatie": ref("Organisatie"), "email": n(S)}),
    "Activiteit": obj({"activiteitId": I, "projectId": I, "type": S, "omschrijving": n(S),
                       "organisatie": ref("Organisatie"), "aangemaakt": DT, "acts": arr(ref("ActiviteitAct"))}),
    "Mic": obj({"micId": I, "projectId": I, "meeInCombi": B, "opmerking": n(S), "organisatie": ref("Organisatie"),
                "datum": DT, "email": n(S)}),
    "ActiviteitLogEntry": obj({"logEntryId": HEX24, "type": {"type": "string", "enum": ["ActiviteitLogEntry"]},
                               "projectId": I, "datum": DT, "activiteitId": I, "omschrijving": S,
                               "act": ref("ActiviteitAct")}),
    "BijlageLogEntry": obj({"logEntryId": HEX24, "type": {"type": "string", "enum": ["BijlageLogEntry"]},
                            "projectId": I, "datum": DT, "bijlageAssignedId": HEX24, "bijlageId": n(HEX24),
                            "omschrijving": S, "email": n(S), "act": ref("BijlageAct")}),
}
SCHEMAS["BijlageUpload"] = {**SCHEMAS["Bijlage"], "properties": {**SCHEMAS["Bijlage"]["properties"], "url": S,
                                                                  "urlExpires": DT},
                            "required": SCHEMAS["Bijlage"]["required"] + ["url", "urlExpires"]}


def err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}


ERRORS = {"400": err("Bad request (names the field or parameter)"), "401": err("Missing or unknown token"),
          "404": err("Unknown id (or not visible to the caller)"), "429": err("Rate limited; see Retry-After")}
EMAIL = {"name": "x-email", "in": "header", "required": False, "description": "The acting user (CAPO-EM-1)",
         "schema": {"type": "string", "format": "email"}}


def path_param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def query(name: str, schema: dict, desc: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}


ID = {"type": "integer", "minimum": wire.ID_RANGE[0], "maximum": wire.ID_RANGE[1]}  # as wire.int_arg reads ids
PID = path_param("projectId", {**ID, "minimum": 1})
BAID = path_param("bijlageAssignedId", S)
BID = path_param("bijlageId", S)
WHEN = {"anyOf": [DATE, DT], "description": "ISO 8601 date or date-time"}
WEEK = {"type": "string", "pattern": r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"}
NAME = {"type": "string", "minLength": 1, "pattern": r"\S"}


def op(tag: str, summary: str, ok: str, schema: dict | None, params=(), body: dict | None = None,
       extra: tuple = (), secured: bool = True, optional_body: bool = False) -> dict:
    responses = {ok: {"description": "OK"} if schema is None else
                 {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    responses.update(ERRORS)
    for code in extra:
        responses[code] = err({"403": "Not allowed for this organisation", "409": "Not allowed in this status"}[code])
    out = {"tags": [tag], "summary": summary, "parameters": list(params), "responses": responses}
    if body is not None:
        out["requestBody"] = {"required": not optional_body, "content": {"application/json": {"schema": body}}}
    if not secured:
        out["security"] = []
    return out


def _body(props: dict, required: tuple = ()) -> dict:
    out = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


PATHS = {
    "/project": {"get": op("project", "The caller's projects", "200", arr(ref("Project")), [
        query("projectType", S), query("contractgebiedId", ID), query("changedFrom", WHEN), query("changedTo", WHEN)])},
    "/project/{projectId}": {
        "get": op("project", "Project details (agdRelevant, aansluitObjecten.produkten.agd, wensdatum)", "200",
                  ref("Project"), [PID]),
        "patch": op("project", "Change startUitvoeringWeek / omschrijving (sets changed, planningChanged)", "200",
                    ref("Project"), [PID, EMAIL], _body({"startUitvoeringWeek": WEEK, "omschrijving": n(S)}))},
    "/hoofdleiding": {"get": op("project type Hoofdleiding", "Main-line projects, filtered on changes", "200",
                                arr(ref("Project")), [query("changedFrom", WHEN), query("changedTo", WHEN),
                                                      query("planningChangedFrom", WHEN), query("planningChangedTo", WHEN)])},
    "/contractgebied": {"get": op("contractgebied", "The caller's contract areas", "200", arr(ref("Contractgebied")))},
    "/bijlageassigned": {"get": op("bijlage", "bijlageAssigned assigned to the caller's organisation", "200",
                                   arr(ref("BijlageAssigned")), [query("status", BA_STATUS)])},
    "/project/{projectId}/bijlageassigned": {"get": op("bijlage", "A project's bijlageAssigned", "200",
                                                       arr(ref("BijlageAssigned")), [PID])},
    "/project/{projectId}/bijlageassigned/{bijlageAssignedId}": {"patch": op(
        "project type Hoofdleiding",
        "Status: assignee delivers uploaded -> done (or review when requiresReview); in review a netbeheerder "
        "approves (done) or rejects (uploaded, reden required); done is final",
        "200", ref("BijlageAssigned"), [PID, BAID, EMAIL],
        _body({"status": BA_STATUS, "reden": S}, ("status",)), extra=("403", "409"))},
    "/project/{projectId}/bijlageassigned/{bijlageAssignedId}/bijlage": {"post": op(
        "bijlage", "Create a bijlage and get its upload URL (PUT the raw bytes there)", "201", ref("BijlageUpload"),
        [PID, BAID, EMAIL], _body({"bestandsnaam": NAME, "contentType": S, "omschrijving": n(S)}, ("bestandsnaam",)),
        extra=("403", "409"))},
    "/project/{projectId}/bijlage": {"get": op("bijlage", "Uploaded files (parentId = bijlageAssignedId)", "200",
                                               arr(ref("Bijlage")), [PID])},
    "/project/{projectId}/bijlage/{bijlageId}": {"patch": op(
        "bijlage", 'Mark uploaded: {"status":"uploaded"} (409 before the bytes arrived)', "200", ref("Bijlage"),
        [PID, BID, EMAIL], _body({"status": {"type": "string", "enum": ["uploaded"]}}, ("status",)),
        extra=("403", "409"))},
    "/upload/{bijlageId}": {"put": {**op("bijlage", "Presigned upload URL: PUT the raw bytes", "200",
                                         obj({"bijlageId": HEX24, "grootte": I}),
                                         [BID, query("expires", S), query("signature", S)], extra=("403", "409"),
                                         secured=False),
                                    "requestBody": {"required": True, "content": {
                                        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}},
    "/download/{bijlageId}": {"get": {**op("bijlage", "Presigned download URL: the stored bytes", "200", None,
                                           [BID, query("expires", S), query("signature", S)], extra=("403",),
                                           secured=False)}},
    "/project/{projectId}/hoofdleiding-aanleggen": {"post": op(
        "quickscan", "Quickscan: a main line is needed (netbeheerder; before the mic)", "201", ref("Project"),
        [PID, EMAIL], _body({"opmerking": n(S)}), extra=("403", "409"), optional_body=True)},
    "/project/{projectId}/activiteit": {
        "get": op("activiteit", "A project's activities", "200", arr(ref("Activiteit")), [PID]),
        "post": op("activiteit", "Add an activity (type Extra werkvoorbereiding: quickscan step)", "201",
                   ref("Activiteit"), [PID, EMAIL], _body({"type": {"type": "string", "enum": list(ACTIVITEIT_TYPES)}, "omschrijving": n(S)}, ("type",)),
                   extra=("403", "409"))},
    "/project/{projectId}/mic": {
        "get": op("quickscan", "Mee in Combi messages", "200", arr(ref("Mic")), [PID]),
        "post": op("quickscan", "Mee in Combi (last quickscan step; completes the quickscan)", "201", ref("Mic"),
                   [PID, EMAIL], _body({"meeInCombi": B, "opmerking": n(S)}, ("meeInCombi",)), extra=("403",))},
    "/project/{projectId}/log": {"get": op("log", "Log entries, newest last", "200", arr({
        "oneOf": [ref("ActiviteitLogEntry"), ref("BijlageLogEntry")],
        "discriminator": {"propertyName": "type"}}), [PID])},
}


def document(server_url: str = "/api/capo") -> dict:
    # Download bodies are raw bytes of any type.
    PATHS["/download/{bijlageId}"]["get"]["responses"]["200"] = {
        "description": "The file", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    return {"openapi": "3.0.3",
            "info": {"title": "CAPO API (fieldsim)", "version": "0.33.0",
                     "description": "Simulated CAPO API. Rate limit per client over all endpoints: 20/s, burst 30, "
                                    "3 in flight (429 + Retry-After)."},
            "servers": [{"url": server_url}],
            "security": [{"bearer": []}],
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
            "paths": PATHS}


def _page() -> str:
    rows = "".join(f"<li><code>{m.upper()} {html.escape(p)}</code> — {html.escape(o['summary'])}</li>"
                   for p, ops in PATHS.items() for m, o in ops.items())
    ui = ("<link rel='stylesheet' href='swagger-ui.css'><div id='swagger-ui'></div>"
          "<script src='swagger-ui-bundle.js'></script><script>"
          "window.ui = SwaggerUIBundle({url: '../documentation.json', dom_id: '#swagger-ui'});</script>"
          if swagger_ui_path else "")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>CAPO API documentation (fieldsim)</title></head>"
            "<body>" + ui + "<noscript><h1>CAPO API (fieldsim)</h1></noscript><p>OpenAPI 3 document: "
            "<a href='../documentation.json'>documentation.json</a>. Authorization: Bearer &lt;token&gt;.</p>"
            "<details><summary>Operations</summary><ul>" + rows + "</ul></details></body></html>")


def add_routes(bp) -> None:
    from simulators.capo.wire import json_response

    @bp.get("/documentation.json")
    def documentation_json():
        return json_response(document())

    @bp.get("/documentation/")
    def documentation_page():
        if not request.path.endswith("/"):  # the page's links are relative to the slash
            return redirect(request.path + "/", 308)
        return Response(_page(), mimetype="text/html")

    @bp.get("/documentation/<path:asset>")
    def documentation_asset(asset):
        if swagger_ui_path is None or asset not in SWAGGER_ASSETS:
            from simulators.core.errors import NotFound
            raise NotFound(f"No documentation asset {asset}")
        return send_from_directory(swagger_ui_path, asset, max_age=3600)
