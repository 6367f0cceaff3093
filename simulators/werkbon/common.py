"""Shared pieces of the WerkbonApp model: the error type, constants and small value helpers."""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from simulators.core.errors import DomainError

STATUSES = ("Klaargezet", "Opgehaald", "Compleet", "Afgehandeld")   # WB-WO-1
OPERATORS = ("li", "eq", "ne", "gt", "ge", "lt", "le")               # WB-WO-6
NUMBER_TABLES = ("worksheets_jobnr", "invoices", "quotations", "projects")

WO_REQUIRED = ("WorkorderNo", "CustomerName", "CustomerDebtorNr", "CustomerStreet", "CustomerZIP", "CustomerCity",
               "CustomerContactPerson", "CustomerNameInvoice", "CustomerDebtorNrInvoice", "CustomerStreetInvoice",
               "CustomerZIPInvoice", "CustomerCityInvoice", "CustomerContactPersonInvoice", "TypeOfWork",
               "PaymentMethod")
WO_SCALARS = WO_REQUIRED + (
    "OrderNr", "ProjectNr", "ExternProjectNr", "CustomerStreetNo", "CustomerEmail", "CustomerPhone", "CustomerRemark",
    "CustomerLatitude", "CustomerLongitude", "CustomerStreetNoInvoice", "CustomerEmailInvoice", "CustomerPhoneInvoice",
    "CustomerRemarkInvoice", "WorkDescription", "InternalWorkDescription", "EmployeeNr", "WorkDate", "WorkTime",
    "WorkEndDate", "WorkEndTime", "WorkDeadline", "WorkDuration", "WorkStatus", "PickupPlanning", "WebPlanning",
    "CpnCode", "CpnCodeInvoice", "AdrCode", "ShortWorkDescription", "Comment", "ErrorCode", "ErrorMessage",
    "SolutionCode", "SolutionMessage", "PriorityCode", "PriorityMessage", "MinimumHours", "RoundingAmount")
MAT_REQUIRED = ("MaterialCode", "MaterialNr", "MaterialPrice", "MaterialName")
MAT_FIELDS = MAT_REQUIRED + ("MaterialUnit", "MaterialType", "MaterialWarehouseCode", "MaterialWarrantyCode",
                             "MaterialDiscountPercentage", "MaterialOriginalPrice", "MaterialFreeField1",
                             "MaterialFreeField2", "MaterialFreeField3", "MaterialFreeField4", "MaterialFreeField5")
WP_REQUIRED = ("WorkDate", "BeginTime", "EndTime", "TotalTime")
WP_FIELDS = WP_REQUIRED + ("Break", "Travel", "WorkRemark", "HourType", "EmployeeNr")
DATE_MSG, TIME_MSG = "Date invalid. Format: 20-02-2016", "Time invalid. Format: 07:08"
PARSE_MSG = "There was problem parsing the data being added"


class WbError(DomainError):
    """A response code of the document with its messages; always answered as HTTP 200 (WB-ERR-1)."""

    def __init__(self, code: int, messages=()):
        messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(messages) or f"code {code}", code=code)
        self.messages = messages


# ---- small value helpers ---------------------------------------------------------------------
def scalar(value) -> str | None:
    """Stored form of a posted scalar: strings, as the API answers them; None for missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ValueError("not a scalar")


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


MAX_NUMBER = Decimal("1e12")  # past any column's Decimal (7,2) / Float (10,6) / Int (11)


def decimal(text) -> Decimal | None:
    """Prices come as "4,55" or "4.55" (the document uses both). NaN, Infinity and 1e999999 are no
    numbers a column holds: they were taken, and broke the sums made with them later."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and abs(value) < MAX_NUMBER else None


def whole(text, digits: int = 9) -> bool:
    """An Int column's text: ASCII digits only ("²".isdigit() is true), at most `digits` of them."""
    text = str(text).strip()
    return text.isascii() and text.isdigit() and len(text) <= digits


def valid_date(text: str, fmt: str = "%d-%m-%Y") -> bool:
    try:
        datetime.strptime(text, fmt)
        return True
    except (ValueError, TypeError):
        return False


def valid_time(text: str) -> bool:
    return bool(re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text or ""))


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}".replace(".", ",")
