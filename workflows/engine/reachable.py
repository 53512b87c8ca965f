"""The built-ins, methods and modules BPMN code can reach, each bounded (issue 14).

Methods that multiply a length (``str.replace``, ``join``, ``center`` … also reached
through the type, ``str.center('x', 10**9)``) are sized before they run; everything else
a guard hands out (methods of strings, lists, dicts; the type constructors ``list``,
``str``, ``int`` …) passes a budget checkpoint when it returns, so the work between two
checkpoints stays bounded (:mod:`.budget`). ``math`` is a namespace whose integer
functions are bounded; ``__import__`` serves only the modules ``datetime`` needs in C.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import importlib
import math
import types
from typing import Any

from RestrictedPython.Guards import safer_getattr

from .bounded import (
    MAX_DECIMAL_DIGITS,
    add,
    bounded_repr,
    bounded_str,
    check_decimal,
    check_division_cost,
    check_int_result,
    check_size,
    compared,
    expanded_size,
    mult,
    nested_size,
    power,
    refuse,
)
from .budget import checkpoint, count_item

MAX_RANGE = 100_000  # items one range() may hold

# --- methods of strings and bytes that multiply a length ---------------------------


def _replace_size(s, old, new, count=-1) -> int:
    times = s.count(old) if count < 0 else min(count, s.count(old))
    return len(s) + times * (len(new) - len(old))


def _width_size(s, width, *fill) -> int:
    return max(len(s), width)


def _expandtabs_size(s, tabsize=8) -> int:
    return len(s) + s.count("\t" if isinstance(s, str) else b"\t") * max(tabsize, 0)


_SIZERS = {
    "replace": _replace_size,
    "center": _width_size,
    "ljust": _width_size,
    "rjust": _width_size,
    "zfill": _width_size,
    "expandtabs": _expandtabs_size,
}
_REFUSED_METHODS = {
    # str.format reaches attributes through its fields ('{0.__class__}'); f-strings are checked instead
    "format",
    "format_map",
    "translate",
    "maketrans",
}


def _join(kind, separator, iterable):
    items = list(iterable)
    size = sum(len(i) for i in items if isinstance(i, str | bytes)) + len(separator) * max(len(items) - 1, 0)
    check_size(size, "joined text")
    return kind.join(separator, items)


def _text_method(kind: type, name: str):
    """The method ``kind.name`` (unbound: the string comes first), sized before it runs."""
    if name in _REFUSED_METHODS:
        refuse(f"{kind.__name__}.{name} is not allowed in BPMN code")
    if name == "join":
        return functools.partial(_join, kind)
    method = getattr(kind, name)
    sizer = _SIZERS.get(name)

    def bounded(text, *args, **kwargs):
        if sizer is not None:
            check_size(sizer(text, *args, **kwargs), f"{kind.__name__}.{name} result")
        result = method(text, *args, **kwargs)
        checkpoint()
        return result

    return bounded


# --- methods of collections and numbers --------------------------------------------


def _checked(method):
    @functools.wraps(method)
    def call(*args, **kwargs):
        result = method(*args, **kwargs)
        checkpoint()
        return result

    return call


def _sort(items: list, *, key=None, reverse=False):
    check_size(expanded_size(items), "sorted collection")
    items.sort(key=key, reverse=reverse)
    checkpoint()


def _extend(items: list, more):
    more = list(more)
    check_size(len(items) + len(more), "extended list")
    items.extend(more)
    checkpoint()


def _to_bytes(number: int, length=1, byteorder="big", **kwargs):
    check_size(length, "int.to_bytes result")
    return number.to_bytes(length, byteorder, **kwargs)


def _from_bytes(data, byteorder="big", **kwargs):
    check_int_result(len(data) * 8, "int.from_bytes result")
    return int.from_bytes(data, byteorder, **kwargs)


def _comparing(method):
    """list.count/index/remove compare every item with the argument: size both first."""

    def call(items, *args):
        compared(items)
        for arg in args:
            compared(arg)
        return _checked(method)(items, *args)

    return call


_COLLECTION_METHODS = {(list, "sort"): _sort, (list, "extend"): _extend}
for _kind, _name in ((list, "count"), (list, "index"), (list, "remove"), (tuple, "count"), (tuple, "index")):
    _COLLECTION_METHODS[(_kind, _name)] = _comparing(getattr(_kind, _name))
_NUMBER_METHODS = {(int, "to_bytes"): _to_bytes, (int, "from_bytes"): _from_bytes}
_REFUSED_NUMBER_METHODS = {"as_integer_ratio"}  # of a Decimal: two integers of up to 10**999999
_PLAIN_TYPES = (list, dict, set, frozenset, tuple)


def guarded_getattr(obj, name, default=None):
    """``obj.name`` in BPMN code: RestrictedPython's rules, then bounded methods."""
    target = _REAL.get(obj, obj) if isinstance(obj, type) else obj
    kind = target if isinstance(target, type) else type(target)
    if kind is bool:
        kind = int  # True.to_bytes(10**9) is int.to_bytes
    if kind is str or kind is bytes:
        method = _text_method(kind, name)
        return method if target is kind else functools.partial(method, target)
    if name in _REFUSED_NUMBER_METHODS and kind is decimal.Decimal:
        refuse(f"{kind.__name__}.{name} is not allowed in BPMN code")
    special = _COLLECTION_METHODS.get((kind, name)) or _NUMBER_METHODS.get((kind, name))
    if special is not None:
        return special if target is kind else functools.partial(special, target)
    value = safer_getattr(target, name, default)
    if kind in _PLAIN_TYPES and callable(value):
        return _checked(value)
    return value


# --- constructors: the real types, with a checkpoint and a size check -----------------


class _BoundedType(type):
    """A stand-in for a built-in type: ``isinstance`` answers for the real type."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, cls.real)

    def __call__(cls, *args, **kwargs):
        result = cls.build(*args, **kwargs)
        checkpoint()
        return result

    def __repr__(cls):
        return f"<class {cls.real.__name__!r}>"


def _bounded_type(real: type, build=None) -> type:
    return _BoundedType(real.__name__, (), {"real": real, "build": staticmethod(build or real)})


def _build_int(value=0, *args):
    check_decimal(value)
    result = int(value, *args)
    check_int_result(result.bit_length(), "int()")  # int('1'*10**5, 2) parses in linear time
    return result


def _build_decimal(value="0", context=None):
    if isinstance(value, str) and len(value) > MAX_DECIMAL_DIGITS + 100:
        refuse(f"Decimal of a {len(value):,}-character string")
    result = decimal.Decimal(value, context)
    if result.is_finite() and len(result.as_tuple().digits) > MAX_DECIMAL_DIGITS:
        refuse(f"Decimal with more than {MAX_DECIMAL_DIGITS:,} digits")
    return result


def _build_collection(real):
    def build(*args, **kwargs):
        result = real(*args, **kwargs)
        check_size(nested_size(result) if real is tuple else len(result), f"{real.__name__}()")
        return result

    return build


BOUNDED_TYPES = {
    "str": _bounded_type(str, bounded_str),
    "int": _bounded_type(int, _build_int),
    "float": _bounded_type(float),
    "list": _bounded_type(list, _build_collection(list)),
    "tuple": _bounded_type(tuple, _build_collection(tuple)),
    "dict": _bounded_type(dict, _build_collection(dict)),
    "set": _bounded_type(set, _build_collection(set)),
    "frozenset": _bounded_type(frozenset, _build_collection(frozenset)),
    "Decimal": _bounded_type(decimal.Decimal, _build_decimal),
}
_REAL = {proxy: proxy.real for proxy in BOUNDED_TYPES.values()}


# --- built-in functions --------------------------------------------------------------


def bounded_range(*args):
    span = range(*args)
    if len(span) > MAX_RANGE:
        refuse(f"range of {len(span):,} items is larger than {MAX_RANGE:,}")
    return span


def _materialized(iterable) -> list:
    items = list(iterable)
    check_size(expanded_size(items), "compared items")
    return items


def bounded_sorted(iterable, *, key=None, reverse=False):
    items = _materialized(iterable)
    items.sort(key=key, reverse=reverse)
    checkpoint()
    return items


def _extreme(pick):
    def bounded(*args, **kwargs):
        items = _materialized(args[0] if len(args) == 1 else args)
        result = pick(items, **kwargs)
        checkpoint()
        return result

    bounded.__name__ = pick.__name__
    return bounded


def bounded_sum(iterable, start=0):
    if not isinstance(start, int | float | decimal.Decimal):
        refuse("sum() adds numbers only; join strings with str.join")
    result = start
    for item in iterable:
        result = add(result, item)
        count_item()
    return result


def bounded_round(number, ndigits=None):
    check_decimal(number)
    return round(number, ndigits)


def bounded_divmod(left, right):
    check_division_cost(left, right)
    return divmod(left, right)


def _import_for_the_c_library(name, globals=None, locals=None, fromlist=(), level=0):
    # datetime.strftime/strptime import these in C through the caller's __builtins__
    # (issue 14: strftime failed with KeyError '__import__'); BPMN code itself cannot
    # name __import__ (RestrictedPython refuses names starting with "_")
    if name in ("time", "_strptime") and not level:
        return importlib.import_module(name)
    raise ImportError(f"import of {name!r} is not allowed in BPMN code")


def builtins() -> dict[str, Any]:
    harmless = [abs, all, any, bool, enumerate, filter, isinstance, len, map, reversed, zip, chr, ord]
    table: dict[str, Any] = {f.__name__: f for f in harmless}
    table.update(BOUNDED_TYPES)
    del table["Decimal"]
    table.update(
        {
            "None": None,
            "True": True,
            "False": False,
            "range": bounded_range,
            "sorted": bounded_sorted,
            "min": _extreme(min),
            "max": _extreme(max),
            "sum": bounded_sum,
            "round": bounded_round,
            "divmod": bounded_divmod,
            "pow": power,
            "repr": bounded_repr,
            "__import__": _import_for_the_c_library,
            "Exception": Exception,
            "ValueError": ValueError,
            "KeyError": KeyError,
            "TypeError": TypeError,
            "ZeroDivisionError": ZeroDivisionError,
        }
    )
    return table


# --- math ------------------------------------------------------------------------------


def _factorial(n):
    if isinstance(n, int) and n > 2:
        check_int_result(int(n * math.log2(n)), f"factorial({n})")
    return math.factorial(n)


def _comb(n, k):
    if isinstance(n, int) and n > 0:
        check_int_result(n, f"comb({n}, {k})")
    return math.comb(n, k)


def _perm(n, k=None):
    if isinstance(n, int) and n > 2:
        check_int_result(int((n if k is None else min(k, n)) * math.log2(n)), f"perm({n}, {k})")
    return math.perm(n, k)


def _prod(iterable, *, start=1):
    result = start
    for item in iterable:
        result = mult(result, item)
        count_item()
    return result


def _lcm(*numbers):
    check_int_result(sum(abs(n).bit_length() for n in numbers if isinstance(n, int)), "lcm()")
    return math.lcm(*numbers)


def _rounding(function):
    def bounded(value):
        check_decimal(value)
        return function(value)

    bounded.__name__ = function.__name__
    return bounded


def math_module() -> types.SimpleNamespace:
    """``math`` as BPMN code sees it: the float functions, and bounded integer ones."""
    names = {n: getattr(math, n) for n in dir(math) if not n.startswith("_")}
    names.update(
        factorial=_factorial,
        comb=_comb,
        perm=_perm,
        prod=_prod,
        lcm=_lcm,
        floor=_rounding(math.floor),
        ceil=_rounding(math.ceil),
        trunc=_rounding(math.trunc),
        pow=math.pow,
    )
    return types.SimpleNamespace(**names)


# Values BPMN code may use besides task data: dates, decimals, math.
GLOBALS: dict[str, Any] = {
    "datetime": _dt.datetime,
    "date": _dt.date,
    "timedelta": _dt.timedelta,
    "timezone": _dt.timezone,
    "Decimal": BOUNDED_TYPES["Decimal"],
    "math": math_module(),
}
