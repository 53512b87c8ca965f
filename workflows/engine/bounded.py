"""Bounded built-ins: every operation BPMN code can reach, checked before it runs.

A call into C cannot be interrupted (``math.factorial(10**6)`` ran 8.3 s under a 1 s
limit, issue 14), so each operation that could take long or build something large is
sized first and refused when too big: powers, products and shifts of integers,
``str``/``bytes`` methods that multiply a length (``replace``, ``join``, ``center`` …),
``%`` and f-string formatting widths, ``math.factorial``/``comb``/``perm``/``prod``,
conversions of huge ``Decimal`` values to integers, and the ``str()``/``repr()`` of
collections that share parts (a list holding one long string 100,000 times).

Everything else a guard hands out (methods of strings, lists, dicts; the type
constructors ``list``/``str``/``int`` …) is wrapped so it passes a budget checkpoint
after it returns: the work between two checkpoints stays bounded (see :mod:`.budget`).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import importlib
import math
import re
import types
from typing import Any

from RestrictedPython.Guards import safer_getattr

from ..errors import ScriptError
from .budget import checkpoint, count_item

MAX_SIZE = 1_000_000  # chars or items one operation may build (shared parts counted each time)
MAX_INT_BITS = 4096  # largest integer a power, product, shift or factorial may build
MAX_DIVISION_COST = 10**7  # digit pairs a division or modulo of two big integers may cost
MAX_DECIMAL_DIGITS = 4300  # a Decimal turned into an int or text (Python's int-to-str limit)
MAX_RANGE = 100_000  # items one range() may hold


def refuse(message: str):
    raise ScriptError(message)


# --- sizes -----------------------------------------------------------------------


_SCALARS = frozenset({int, float, bool, type(None), decimal.Decimal, _dt.date, _dt.datetime})
_TEXTS = frozenset({str, bytes})


def expanded_size(obj: Any, limit: int = MAX_SIZE) -> int:
    """Chars and items ``obj`` spells out when printed, compared or saved.

    A part shared by several containers counts each time it appears: that is what
    ``str()``, ``==`` and JSON do with it. The walk stops as soon as ``limit`` is passed,
    so it costs at most ``limit`` steps whatever the value; a collection holding only
    numbers or only strings is sized in one step.
    """
    total = 0
    stack = [obj]
    steps = 0
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bytes:
            total += len(item) + 2
        elif kind is list or kind is tuple or kind is set or kind is frozenset or kind is dict:
            parts = (*item.keys(), *item.values()) if kind is dict else item
            total += len(parts) + 2
            if total > limit:
                return total
            kinds = set(map(type, parts))
            if kinds <= _SCALARS:
                total += 4 * len(parts)  # digits of a number, roughly (ints over 4,096 bits are refused)
            elif kinds <= _TEXTS:
                total += sum(map(len, parts)) + 2 * len(parts)
            else:
                stack.extend(parts)
        elif kind is int:
            total += item.bit_length() // 3 + 1
        else:
            total += 8
        if total > limit:
            return total
        steps += 1
        if not steps % 10_000:
            checkpoint()
    return total


def _check_size(size: int, what: str) -> None:
    if size > MAX_SIZE:
        refuse(f"{what} would hold {size:,} chars or items, more than {MAX_SIZE:,}")


def _check_decimal(value) -> None:
    if (
        isinstance(value, decimal.Decimal)
        and value.is_finite()
        and abs(value.adjusted()) > MAX_DECIMAL_DIGITS
    ):
        refuse(f"Decimal with exponent {value.adjusted():,} is too large to convert")


def _check_int_result(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        refuse(f"{what} too large: about {bits:,} bits, more than {MAX_INT_BITS:,}")


# --- operators (the sandbox compiles them into calls to these) ---------------------

_SEQUENCES = (str, bytes, list, tuple)


def _mult(left, right):
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, _SEQUENCES) and isinstance(count, int):
            _check_size(len(seq) * max(count, 0), "repeated sequence")
    if isinstance(left, int) and isinstance(right, int):
        _check_int_result(abs(left).bit_length() + abs(right).bit_length(), "integer product")
    return left * right


def _pow(left, right, modulo=None):
    if isinstance(left, int) and isinstance(right, int):
        if modulo is not None:
            if max(abs(left).bit_length(), right.bit_length(), abs(modulo).bit_length()) > 1024:
                refuse("modular power of integers over 1,024 bits")
        elif right > 0 and left not in (0, 1, -1):
            _check_int_result(abs(left).bit_length() * right, f"power {left!r} ** {right!r}")
    return left**right if modulo is None else pow(left, right, modulo)


def _lshift(left, right):
    if isinstance(left, int) and isinstance(right, int) and left:
        _check_int_result(abs(left).bit_length() + right, f"shift << {right!r}")
    return left << right


def _add(left, right):
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _check_size(len(left) + len(right), "concatenation")
    return left + right


def _division_cost_ok(left, right) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if (abs(left).bit_length() // 30 + 1) * (abs(right).bit_length() // 30 + 1) > MAX_DIVISION_COST:
            refuse("division of integers too large")


def _floordiv(left, right):
    _division_cost_ok(left, right)
    return left // right


def _mod(left, right):
    if isinstance(left, str | bytes):
        return percent_format(left, right)
    _division_cost_ok(left, right)
    return left % right


BINOPS = {"pow": _pow, "mult": _mult, "lshift": _lshift, "add": _add, "mod": _mod, "floordiv": _floordiv}


def binop(op: str, left, right):
    result = BINOPS[op](left, right)
    checkpoint()
    return result


_INPLACE = {
    "+=": _add,
    "-=": lambda a, b: a - b,
    "*=": _mult,
    "/=": lambda a, b: a / b,
    "//=": _floordiv,
    "%=": _mod,
    "**=": _pow,
    "<<=": _lshift,
    ">>=": lambda a, b: a >> b,
    "|=": lambda a, b: a | b,
    "&=": lambda a, b: a & b,
    "^=": lambda a, b: a ^ b,
}


def inplace(op: str, left, right):
    try:
        combine = _INPLACE[op]
    except KeyError:
        raise ScriptError(f"operator {op} is not allowed") from None
    result = combine(left, right)
    checkpoint()
    return result


def compared(value):
    """An operand of ``==``, ``<``, ``in`` …: comparing collections costs their expanded size."""
    if isinstance(value, list | tuple | dict | set | frozenset):
        _check_size(expanded_size(value), "compared collection")
    checkpoint()
    return value


# --- formatting ------------------------------------------------------------------

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.S)
_NUMBERS = re.compile(r"\d+")


def percent_format(template, args):
    """``template % args`` with every width and precision sized first."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    widths = 0
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.group(1, 2):
            if number == "*":
                refuse("'*' widths are not allowed in % formatting")
            if number:
                widths += int(number) if len(number) < 10 else MAX_SIZE + 1
    values = args if isinstance(args, tuple) else (args,)
    for value in values:
        _check_decimal(value)
    _check_size(len(text) + widths + expanded_size(args), "% formatted text")
    result = template % args
    checkpoint()
    return result


def _check_format_spec(value, spec: str) -> None:
    for number in _NUMBERS.findall(spec):
        if len(number) > 9 or int(number) > MAX_SIZE:
            refuse(f"format width or precision {number[:12]} is larger than {MAX_SIZE:,}")
    _check_decimal(value)


def format_value(value, conversion: int, spec: str):
    """One ``{value!conversion:spec}`` of an f-string."""
    if conversion == ord("r"):
        value = bounded_repr(value)
    elif conversion == ord("s"):
        value = bounded_str(value)
    elif conversion == ord("a"):
        value = ascii(bounded_repr(value))
    _check_format_spec(value, spec)
    if not spec and not isinstance(value, str):
        _check_size(expanded_size(value), "formatted value")
    result = format(value, spec)
    checkpoint()
    return result


def join_fstring(*parts: str) -> str:
    _check_size(sum(len(p) for p in parts), "f-string")
    return "".join(parts)


def bounded_repr(value) -> str:
    _check_decimal(value)
    _check_size(expanded_size(value), "repr() text")
    text = repr(value)
    checkpoint()
    return text


def bounded_str(value="", *args, **kwargs) -> str:
    if not args and not kwargs and not isinstance(value, str):
        _check_decimal(value)
        _check_size(expanded_size(value), "str() text")
    text = str(value, *args, **kwargs)
    checkpoint()
    return text


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
    _check_size(size, "joined text")
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
            _check_size(sizer(text, *args, **kwargs), f"{kind.__name__}.{name} result")
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
    _check_size(expanded_size(items), "sorted collection")
    items.sort(key=key, reverse=reverse)
    checkpoint()


def _extend(items: list, more):
    more = list(more)
    _check_size(len(items) + len(more), "extended list")
    items.extend(more)
    checkpoint()


def _to_bytes(number: int, length=1, byteorder="big", **kwargs):
    _check_size(length, "int.to_bytes result")
    return number.to_bytes(length, byteorder, **kwargs)


def _from_bytes(data, byteorder="big", **kwargs):
    _check_int_result(len(data) * 8, "int.from_bytes result")
    return int.from_bytes(data, byteorder, **kwargs)


_COLLECTION_METHODS = {(list, "sort"): _sort, (list, "extend"): _extend}
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
    _check_decimal(value)
    result = int(value, *args)
    _check_int_result(result.bit_length(), "int()")  # int('1'*10**5, 2) parses in linear time
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
        _check_size(len(result), f"{real.__name__}()")
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
    _check_size(expanded_size(items), "compared items")
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
        result = _add(result, item)
        count_item()
    return result


def bounded_round(number, ndigits=None):
    _check_decimal(number)
    return round(number, ndigits)


def bounded_divmod(left, right):
    _division_cost_ok(left, right)
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
            "pow": _pow,
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
        _check_int_result(int(n * math.log2(n)), f"factorial({n})")
    return math.factorial(n)


def _comb(n, k):
    if isinstance(n, int) and n > 0:
        _check_int_result(n, f"comb({n}, {k})")
    return math.comb(n, k)


def _perm(n, k=None):
    if isinstance(n, int) and n > 2:
        _check_int_result(int((n if k is None else min(k, n)) * math.log2(n)), f"perm({n}, {k})")
    return math.perm(n, k)


def _prod(iterable, *, start=1):
    result = start
    for item in iterable:
        result = _mult(result, item)
        count_item()
    return result


def _lcm(*numbers):
    _check_int_result(sum(abs(n).bit_length() for n in numbers if isinstance(n, int)), "lcm()")
    return math.lcm(*numbers)


def _rounding(function):
    def bounded(value):
        _check_decimal(value)
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
