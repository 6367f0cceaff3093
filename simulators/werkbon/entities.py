"""The per-endpoint table that drives the generic entity engine (WB-ENT-1).

One row per master-data endpoint of the version-8 document: its fields (in the order GET answers
them), the required fields (the vendor's parameter tables, not the generated OpenAPI "required"
lists, which mark every field), the sync key (WB-ENT-3), and the response codes the document gives
for "insert/update failed" and "required field missing" (WB-ERR-2).

Where the document has no table for an endpoint (the 2020 timesheet additions and a few others) the
required fields and keys are our [decision]; see the WerkbonApp section of README.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entity:
    path: str                       # the function name in /openapi/8/<path>/
    fields: tuple[str, ...]         # stored and answered fields, in answer order
    required: tuple[str, ...] = ()
    key: tuple[str, ...] = ()       # sync key; () = every post inserts (generated id)
    fail_code: int = 1050           # "insert or update failed"
    missing_code: int = 1051        # "required field missing"
    id_field: str | None = None     # generated id column, if any
    defaults: dict = field(default_factory=dict)
    checks: tuple[str, ...] = ()    # names of format checks in model.CHECKS
    check_code: int | None = None   # code for a failed check (default fail_code); 1701/1801 name dates/prices
    delete_name: str | None = None  # entity name in DeleteEntity
    delete_keys: dict = field(default_factory=dict)  # DeleteEntity key -> field
    post: bool = True
    filter_keys: tuple[str, ...] = ()  # allowed advanced-filter columns; () = every field


def _n(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, n + 1))


OBJ_FIELDS = ("obj_code", "obj_sup_code", "obj_debiteur_nummer", "obj_adr_code", "obj_obj_code", "obj_image",
              "obj_description", "obj_price", "obj_floor_level", "obj_location", "obj_latitude", "obj_longitude",
              "obj_type", "obj_model", "obj_brand", "obj_date_warranty_expires", "obj_serialnumber",
              "obj_date_last_inspection", "obj_date_installation") + _n("obj_freefield_", 20) + (
              "obj_order", "obj_created", "obj_modified")

_CODE_DESC = ("code", "description", "app_enabled")

ENTITIES: dict[str, Entity] = {e.path: e for e in [
    Entity("employees", ("firstname", "lastname", "number", "active"), ("firstname", "lastname", "number"),
           ("number",), 1100, 1101, defaults={"active": "1"}, delete_name="employee",
           delete_keys={"number": "number"}),
    Entity("materials", ("code", "description", "price", "unit", "eancode", "barcode", "freefield1", "freefield2",
                         "freefield3", "freefield4", "freefield5", "note", "vat_code"),
           ("code", "description", "price", "unit"), ("code",), 1200, 1201, checks=("price",),
           delete_name="material", delete_keys={"code": "code", "description": "description"}),
    Entity("categories", ("cat_code", "cat_name", "cat_display", "cat_cat_code", "cat_image"),
           ("cat_code", "cat_name", "cat_display"), ("cat_code",), 2400, 2401,
           delete_name="category", delete_keys={"code": "cat_code"}),
    Entity("material_categories", ("mct_mat_code", "mct_cat_code"), ("mct_mat_code", "mct_cat_code"),
           ("mct_mat_code", "mct_cat_code"), 2500, 2501, delete_name="material_category",
           delete_keys={"mct_mat_code": "mct_mat_code", "mct_cat_code": "mct_cat_code"}),
    Entity("relations", ("name", "debtor_number", "contact", "phone_number", "mobile", "email", "email_workorder",
                         "street", "house_number", "postal_code", "city", "country", "remark", "latitude",
                         "longitude", "kvk_number", "vat_number", "language", "active"),
           ("name", "debtor_number", "street", "postal_code", "city"), ("debtor_number",), 1300, 1301,
           defaults={"active": "1"}, delete_name="relation",
           delete_keys={"name": "name", "debtor_number": "debtor_number"}),
    Entity("projects", ("code", "code_ext", "debtor_number", "adr_code", "cpn_code", "debtor_number_invoice",
                        "status", "name", "description", "progress", "date_start", "date_end", "active"),
           ("code", "debtor_number", "status", "name", "date_start"), ("code",), 1700, 1701,
           defaults={"active": "1", "progress": "0"}, checks=("project_dates", "active"), check_code=1701,
           delete_name="project", delete_keys={"code": "code"}),
    Entity("project_activities", ("pra_id", "pra_cus_id", "pra_pro_code", "pra_code", "pra_pra_code", "pra_name",
                                  "pra_description", "pra_date_start", "pra_date_end", "pra_order", "pra_status",
                                  "pra_budget_hours", "pra_budget_hours_used", "pra_budget_costs",
                                  "pra_budget_costs_used", "pra_budget_revenue", "pra_budget_revenue_used",
                                  "pra_material_type", "pra_material_count", "pra_visible_planboard"),
           ("pra_pro_code", "pra_code", "pra_name"), ("pra_pro_code", "pra_code"), id_field="pra_id"),
    Entity("tasks", ("tsk_id", "tsk_tsk_id", "tsk_cus_id", "tsk_type", "tsk_name", "tsk_description", "tsk_reference",
                     "tsk_category", "tsk_icon", "tsk_owner", "tsk_assigned_to", "tsk_priority", "tsk_status",
                     "tsk_debtor_nr", "tsk_address_nr", "tsk_contact_nr", "tsk_timestamp_due",
                     "tsk_timestamp_create", "tsk_timestamp_mutate", "tsk_timestamp_started",
                     "tsk_timestamp_completed", "tsk_timestamp_start", "tsk_link", "tsk_project_nr",
                     "tsk_project_activity_nr", "tsk_order_nr", "tsk_invoice_number", "tsk_quotation_number"),
           ("tsk_type", "tsk_name", "tsk_reference", "tsk_category", "tsk_priority", "tsk_status"),
           ("tsk_reference",), id_field="tsk_id"),
    Entity("hourtypes", ("code", "name", "cost_booking", "sale_booking", "sale_price", "cost_price", "active"),
           ("code", "name", "cost_booking", "sale_booking", "sale_price"), ("code",), 1800, 1801,
           defaults={"active": "1"}, checks=("hourtype",), check_code=1801, delete_name="hourtype", delete_keys={"code": "code"}),
    Entity("forms", ("name", "data", "template"), ("name",), ("name",), 2300, 2301),
    Entity("suppliers", ("sup_code", "sup_name", "sup_image"), ("sup_code", "sup_name"), ("sup_code",), 2000, 2001),
    Entity("objects", OBJ_FIELDS, ("obj_code", "obj_debiteur_nummer", "obj_description"), ("obj_code",), 1900, 1901,
           delete_name="object", delete_keys={"code": "obj_code"}),
    Entity("parts", ("prt_code", "prt_name", "prt_sup_code", "prt_value", "prt_image"),
           ("prt_code", "prt_name", "prt_sup_code", "prt_value"), ("prt_code",), 2100, 2101),
    Entity("object_parts", ("opr_obj_code", "opr_prt_code", "opr_serial_number", "opr_description", "opr_amount",
                            "opr_timestamp_installation", "opr_warranty_months", "opr_timestamp_warranty_expires",
                            "opr_timestamp_mutate") + _n("val_value_", 20),
           ("opr_obj_code", "opr_prt_code", "opr_amount"), ("opr_obj_code", "opr_prt_code", "opr_serial_number"),
           2200, 2201, checks=("object_part",), filter_keys=("opr_obj_code", "opr_prt_code", "opr_serial_number"),
           delete_name="object_part",
           delete_keys={"obj_code": "opr_obj_code", "prt_code": "opr_prt_code", "serial_number": "opr_serial_number"}),
    Entity("locations", ("identifier", "type", "lat", "long", "customer_id", "employee_nr", "last_seen"),
           ("lat", "long", "identifier", "type"), ("identifier", "type"), delete_name="location",
           delete_keys={"identifier": "identifier"}),
    Entity("worktypes", ("wrt_name", "wrt_description", "wrt_default_minutes", "wrt_active"),
           ("wrt_name", "wrt_description", "wrt_default_minutes", "wrt_active"), ("wrt_name",), 2600, 2601),
    Entity("paymentmethods", ("pmd_description",), ("pmd_description",), ("pmd_description",), 2700, 2701),
    Entity("priorities", _CODE_DESC, ("code", "description"), ("code",), defaults={"app_enabled": "1"},
           delete_name="priority", delete_keys={"code": "code"}),
    Entity("errors", _CODE_DESC, ("code", "description"), ("code",), defaults={"app_enabled": "1"},
           delete_name="error", delete_keys={"code": "code"}),
    Entity("solutions", _CODE_DESC, ("code", "description"), ("code",), defaults={"app_enabled": "1"},
           delete_name="solution", delete_keys={"code": "code"}),
    Entity("material_types", _CODE_DESC, ("code", "description"), ("code",), defaults={"app_enabled": "1"}),
    Entity("regions", ("reg_code", "reg_name", "reg_zip_start", "reg_zip_end", "reg_city", "reg_country"),
           ("reg_code", "reg_name"), ("reg_code",), delete_name="region", delete_keys={"code": "reg_code"}),
    Entity("vehicles", ("veh_license_plate", "veh_title", "veh_image", "veh_brand", "veh_model", "veh_type",
                        "veh_driver", "veh_driving", "veh_active"),
           ("veh_license_plate", "veh_title"), ("veh_license_plate",), delete_name="vehicle",
           delete_keys={"license_plate": "veh_license_plate"}),
    Entity("warehouses", ("wse_code", "wse_wse_code", "wse_type", "wse_image", "wse_order_message",
                          "wse_employee_nr", "wse_description", "wse_external_id", "wse_date_start", "wse_date_end",
                          "wse_date_certification", "wse_supplier", "wse_remark"),
           ("wse_code", "wse_description"), ("wse_code",)),
    Entity("workstatusses", ("sta_code", "sta_name"), ("sta_code", "sta_name"), ("sta_code",), 2800, 2801),
    Entity("addresses", ("adr_debtor_nr", "adr_code", "adr_cpn_code", "adr_line_1", "adr_zip", "adr_city",
                         "adr_country", "adr_remark", "adr_latitude", "adr_longitude"),
           ("adr_debtor_nr", "adr_code", "adr_line_1", "adr_zip", "adr_city"), ("adr_code",),
           delete_name="address", delete_keys={"code": "adr_code"}),
    Entity("contactpersons", ("cpn_debtor_nr", "cpn_code", "cpn_name", "cpn_phone", "cpn_email"),
           ("cpn_debtor_nr", "cpn_code", "cpn_name"), ("cpn_code",), delete_name="contactperson",
           delete_keys={"code": "cpn_code"}),
    Entity("expenses", ("pre_id", "pre_project_nr", "pre_project_activity_nr", "pre_code", "pre_description",
                        "pre_amount", "pre_vat_code", "pre_cost_price", "pre_gross_sale_price", "pre_sale_price",
                        "pre_timestamp_added", "pre_status", "pre_employee_nr", "pre_debtor_nr", "pre_billable",
                        "pre_category", "pre_date", "pre_cus_id", "pre_timestamp_modified",
                        "pre_timestamp_approved", "pre_timestamp_rejected", "pre_attachment_name", "pre_attachment",
                        "pre_created_by", "pre_modified_by", "pre_approved_by", "pre_rejected_by", "pre_rejected_reason"),
           ("pre_employee_nr", "pre_date", "pre_amount"), (), id_field="pre_id", delete_name="expenses",
           delete_keys={"pre_id": "pre_id"}),
    Entity("travel", ("tra_id", "tra_emp_nr", "tra_debtor_nr", "tra_project_nr", "tra_project_activity_nr",
                      "tra_date", "tra_from", "tra_to", "tra_distance", "tra_description", "tra_billable",
                      "tra_status", "tra_type", "tra_cus_id", "tra_date_created", "tra_date_modified", "tra_date_approved",
                      "tra_date_rejected", "tra_created_by", "tra_modified_by", "tra_approved_by", "tra_rejected_by",
                      "tra_rejected_reason"),
           ("tra_emp_nr", "tra_date", "tra_distance"), (), id_field="tra_id"),
    Entity("hours", ("hrs_id", "hrs_emp_nr", "hrs_order_nr", "hrs_order_description", "hrs_period_id",
                     "hrs_hrt_hour_type", "hrs_debtor_nr", "hrs_project_nr", "hrs_project_activity_nr", "hrs_date",
                     "hrs_start", "hrs_end", "hrs_break", "hrs_amount", "hrs_billable", "hrs_status",
                     "hrs_status_project", "hrs_description", "hrs_cus_id", "hrs_date_created", "hrs_date_modified",
                     "hrs_date_approved", "hrs_date_rejected", "hrs_created_by", "hrs_modified_by", "hrs_approved_by",
                     "hrs_rejected_by", "hrs_rejected_reason"),
           ("hrs_emp_nr", "hrs_date", "hrs_amount"), (), id_field="hrs_id"),
    Entity("notes", ("esh_id", "esh_emp_nr", "esh_hrt_code", "esh_start", "esh_end", "esh_description",
                     "esh_approved", "esh_color", "esh_allday", "esh_isnote", "esh_cus_id", "esh_date_modified"),
           ("esh_emp_nr", "esh_start", "esh_end"), (), id_field="esh_id"),
    Entity("expense_categories", ("name",), ("name",), ("name",)),
    Entity("freefields", ("fld_entity", "fld_name", "fld_type", "fld_values", "fld_reference_name", "fld_order",
                          "fld_required"),
           ("fld_entity", "fld_name", "fld_type"), ("fld_entity", "fld_reference_name")),
    Entity("prices", ("material", "hourtype", "date_start", "date_end", "debtornr", "price"),
           ("date_start", "price"), ("material", "hourtype", "debtornr", "date_start"), checks=("price",)),
    Entity("generic_notes", ("nte_id", "nte_cus_id", "nte_entity", "nte_column", "nte_primary", "nte_content", "nte_created_by",
                             "nte_modified_by", "nte_timestamp_created", "nte_timestamp_modified", "nte_reference",
                             "nte_timestamp_read"),
           ("nte_entity", "nte_primary", "nte_content"), (), id_field="nte_id"),
    Entity("transactions", ("int_inv_id", "int_transaction_id", "int_external_transaction_id", "int_description",
                            "int_amount", "int_type", "int_type_description", "int_status", "int_user",
                            "int_timestamp"),
           ("int_amount", "int_type"), (), id_field="int_transaction_id"),
    Entity("invoices", ("inv_id", "inv_worksheet_id", "inv_quo_id", "inv_inv_id", "inv_type", "inv_currency_code",
                        "inv_currency_symbol", "inv_description", "inv_invoice_debtor_nr", "inv_invoice_debtor_name",
                        "inv_invoice_debtor_email", "inv_number_numeric", "inv_number_formatted", "inv_status",
                        "inv_reference", "inv_date", "inv_due_date", "inv_due_days", "inv_terms", "inv_header",
                        "inv_amount", "inv_amount_excl", "inv_balance", "inv_user_create", "inv_user_mutate",
                        "inv_user_send", "inv_timestamp_create", "inv_timestamp_mutate", "inv_timestamp_payed",
                        "inv_timestamp_send"), (), ("inv_id",), post=False),
]}
ENTITIES["quotations"] = Entity("quotations", ENTITIES["invoices"].fields, (), ("inv_id",), post=False)

# Filter endpoints (GET only) answering another entity's rows: /category, /object, /address, /contactperson.
FILTER_ALIASES = {"category": "categories", "object": "objects", "address": "addresses",
                  "contactperson": "contactpersons"}

# DeleteEntity names -> entity path (workorder is handled by the work-order model).
DELETE_ENTITIES = {e.delete_name: e for e in ENTITIES.values() if e.delete_name}

# Column sizes from the document's "Type (size)" columns: Varchar (255) unless listed here. Only
# entities with a documented table are checked; Text columns (64kb) are not limited.
SIZED = {"employees", "materials", "categories", "material_categories", "relations", "projects", "hourtypes", "forms",
         "suppliers", "objects", "parts", "object_parts", "worktypes", "paymentmethods", "priorities", "errors",
         "solutions", "regions", "vehicles", "material_types", "workstatusses", "addresses", "contactpersons"}
TEXT = {("materials", "description"), ("projects", "description"), ("forms", "data"), ("forms", "template"),
        ("relations", "remark"), ("addresses", "adr_remark")}
SIZE_55 = {"eancode", "barcode"}
WO_TEXT = {"CustomerRemark", "CustomerRemarkInvoice", "WorkDescription", "InternalWorkDescription"}


# Columns the document's parameter tables type as numbers (Int (10/11), Float (10,6), Decimal (7,2)):
# a posted value must be one, as PostWorkorders' CustomerLatitude already must (WB-ERR-2).
NUMERIC = {"obj_price": "decimal", "obj_floor_level": "int", "obj_order": "int", "obj_latitude": "float",
           "obj_longitude": "float", "latitude": "float", "longitude": "float", "adr_latitude": "float",
           "adr_longitude": "float", "reg_zip_start": "int", "reg_zip_end": "int", "wrt_default_minutes": "int",
           "wrt_active": "int", "cat_display": "int", "veh_driving": "int", "veh_active": "int", "app_enabled": "int",
           "progress": "int"}


# Every column those tables type as a number (NUMERIC, plus the prices, amounts and 1/0 flags whose
# formats have checks of their own): an advanced filter compares them as numbers, the rest as text.
NUMBER_COLUMNS = frozenset(NUMERIC) | {"price", "cost_price", "sale_price", "opr_amount", "opr_warranty_months",
                                       "active", "cost_booking", "sale_booking"}


def max_length(ent: Entity, field_name: str) -> int | None:
    if ent.path not in SIZED or (ent.path, field_name) in TEXT:
        return None
    return 55 if field_name in SIZE_55 else 255
