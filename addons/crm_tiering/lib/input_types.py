"""Whether a value sent to create() or write() fits the type of its field.

Pure Python (stdlib only). Odoo 11 converts what a client sends with int(),
float() and PostgreSQL's casts: a word for a number or an impossible date
fails there with a raw ValueError or psycopg2 error, and a list for a text is
stored as its repr. The ORM layer (model crm.input.check) asks value_problem()
first and words its answer as a translated message.

Accepted is what Odoo stores faithfully: False, None and '' (empty) for any
field; for the rest see each check below.
"""
import datetime
import math
import numbers

# PostgreSQL's integer, the column of Integer fields and of record ids.
INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1
DATE_FORMAT = '%Y-%m-%d'
DATETIME_FORMATS = ('%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f')

# What value_problem() finds wrong.
NOT_WHOLE = 'not a whole number'
OUT_OF_RANGE = 'out of range'
NOT_NUMBER = 'not a number'
NOT_CHOICE = 'not a choice'
NOT_RECORD = 'not a record id'
NOT_DATE = 'not a date'
NOT_DATETIME = 'not a date and time'
NOT_TEXT = 'not text'


def value_problem(field_type, value, choices=()):
    """None if ``value`` fits a field of ``field_type`` (Odoo's type name), else
    one of the NOT_* / OUT_OF_RANGE constants. ``choices`` are the keys of a
    selection field. Types not listed in CHECKS (boolean, binary, x2many...)
    are not checked."""
    if value is None or value is False or (isinstance(value, str) and not value):
        return None
    check = CHECKS.get(field_type)
    return check(value, choices) if check else None


def _integer(value, _choices):
    # Numeric text as Odoo's int() reads it; a float only when whole, since
    # int() would silently drop the fraction.
    try:
        number = int(value) if isinstance(value, (str, bytes)) else value
        if number != int(number):
            return NOT_WHOLE
    except (TypeError, ValueError, OverflowError):  # a list; 'two'; nan; inf
        return NOT_WHOLE
    return None if INT_MIN <= number <= INT_MAX else OUT_OF_RANGE


def _number(value, _choices):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return NOT_NUMBER
    return None if math.isfinite(number) else NOT_NUMBER


def _choice(value, choices):
    choices = list(choices)
    if choices and isinstance(choices[0], int) and isinstance(value, str):
        # Integer keys: Odoo reads '2' as 2.
        try:
            value = int(value)
        except ValueError:
            return NOT_CHOICE
    return None if value in choices else NOT_CHOICE


def _record(value, _choices):
    # An id only: Odoo 11 sends anything else (a name, an (id, name) pair)
    # to PostgreSQL as it is.
    if isinstance(value, bool) or not isinstance(value, int):
        return NOT_RECORD
    return None if INT_MIN <= value <= INT_MAX else NOT_RECORD


def _parses(value, formats):
    for pattern in formats:
        try:
            datetime.datetime.strptime(value, pattern)
        except ValueError:
            continue
        return True
    return False


def _date(value, _choices):
    # A date and time is fine too: Odoo and PostgreSQL keep its date.
    if isinstance(value, datetime.date):
        return None
    return None if isinstance(value, str) and _parses(
        value, (DATE_FORMAT,) + DATETIME_FORMATS) else NOT_DATE


def _datetime(value, _choices):
    # A date alone means midnight, as in Odoo.
    if isinstance(value, datetime.date):
        return None
    return None if isinstance(value, str) and _parses(
        value, DATETIME_FORMATS + (DATE_FORMAT,)) else NOT_DATETIME


def _text(value, _choices):
    # Numbers are written as text; a list or a dict would be stored as its repr.
    return None if isinstance(value, (str, bytes, numbers.Number)) else NOT_TEXT


CHECKS = {
    'integer': _integer,
    'float': _number,
    'monetary': _number,
    'selection': _choice,
    'many2one': _record,
    'date': _date,
    'datetime': _datetime,
    'char': _text,
    'text': _text,
    'html': _text,
}


def shown(value, limit=60):
    """``value`` as a message quotes it: its repr, shortened."""
    return _shortened(repr(value), limit)


def listed(choices, limit=100):
    """The keys of a selection as a message lists them (a time zone has hundreds)."""
    return _shortened(', '.join(repr(choice) for choice in choices), limit)


def _shortened(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + '\u2026'
