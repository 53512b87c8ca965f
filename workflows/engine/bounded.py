"""Bounded operators and formatting: every value BPMN code builds is sized before it is built.

A call into C cannot be interrupted (``math.factorial(10**6)`` ran 8.3 s under a 1 s
limit, issue 14), so each operation that could take long or build something large is
sized first and refused when too big: powers, products and shifts of integers,
concatenation and repetition, ``%`` and f-string widths, conversions of huge
``Decimal`` values, and the ``str()``/``repr()``/comparison of collections that share
parts (a list holding one long string 100,000 times). The built-ins, methods and
modules BPMN code reaches are bounded the same way in :mod:`.reachable`.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import re
from typing import Any

from ..errors import ScriptError
from .budget import checkpoint

MAX_SIZE = 1_000_000  # chars or items one operation may build (shared parts counted each time)
MAX_INT_BITS = 4096  # largest integer a power, product, shift or factorial may build
MAX_DIVISION_COST = 10**7  # digit pairs a division or modulo of two big integers may cost
MAX_DECIMAL_DIGITS = 4300  # a Decimal turned into an int or text (Python's int-to-str limit)


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


def check_size(size: int, what: str) -> None:
    if size > MAX_SIZE:
        refuse(f"{what} would hold {size:,} chars or items, more than {MAX_SIZE:,}")


def check_decimal(value) -> None:
    if (
        isinstance(value, decimal.Decimal)
        and value.is_finite()
        and abs(value.adjusted()) > MAX_DECIMAL_DIGITS
    ):
        refuse(f"Decimal with exponent {value.adjusted():,} is too large to convert")


def check_int_result(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        refuse(f"{what} too large: about {bits:,} bits, more than {MAX_INT_BITS:,}")


# --- operators (the sandbox compiles them into calls to these) ---------------------

_SEQUENCES = (str, bytes, list, tuple)


def nested_size(items: list | tuple, limit: int = MAX_SIZE) -> int:
    """``len(items)``, or the expanded size when ``items`` holds collections (nesting them
    makes hashing and comparing cost the product of their sizes)."""
    if set(map(type, items)) <= _SCALARS | _TEXTS:
        return len(items)
    return expanded_size(items, limit)


def mult(left, right):
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, _SEQUENCES) and isinstance(count, int):
            each = (
                nested_size(seq, MAX_SIZE // max(count, 1) + 1) if isinstance(seq, list | tuple) else len(seq)
            )
            check_size(each * max(count, 0), "repeated sequence")
    if isinstance(left, int) and isinstance(right, int):
        check_int_result(abs(left).bit_length() + abs(right).bit_length(), "integer product")
    return left * right


def power(left, right, modulo=None):
    if isinstance(left, int) and isinstance(right, int):
        if modulo is not None:
            if max(abs(left).bit_length(), right.bit_length(), abs(modulo).bit_length()) > 1024:
                refuse("modular power of integers over 1,024 bits")
        elif right > 0 and left not in (0, 1, -1):
            check_int_result(abs(left).bit_length() * right, f"power {left!r} ** {right!r}")
    return left**right if modulo is None else pow(left, right, modulo)


def _lshift(left, right):
    if isinstance(left, int) and isinstance(right, int) and left:
        check_int_result(abs(left).bit_length() + right, f"shift << {right!r}")
    return left << right


def add(left, right):
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        check_size(len(left) + len(right), "concatenation")
    return left + right


def check_division_cost(left, right) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if (abs(left).bit_length() // 30 + 1) * (abs(right).bit_length() // 30 + 1) > MAX_DIVISION_COST:
            refuse("division of integers too large")


def _floordiv(left, right):
    check_division_cost(left, right)
    return left // right


def _mod(left, right):
    if isinstance(left, str | bytes):
        return percent_format(left, right)
    check_division_cost(left, right)
    return left % right


BINOPS = {"pow": power, "mult": mult, "lshift": _lshift, "add": add, "mod": _mod, "floordiv": _floordiv}


def binop(op: str, left, right):
    result = BINOPS[op](left, right)
    checkpoint()
    return result


_INPLACE = {
    "+=": add,
    "-=": lambda a, b: a - b,
    "*=": mult,
    "/=": lambda a, b: a / b,
    "//=": _floordiv,
    "%=": _mod,
    "**=": power,
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


_COLLECTIONS = (list, tuple, dict, set, frozenset)


def compared(value):
    """An operand of ``==``, ``<``, ``in`` …: comparing collections costs their expanded size."""
    if isinstance(value, _COLLECTIONS):
        check_size(expanded_size(value), "compared collection")
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
        check_decimal(value)
    check_size(len(text) + widths + expanded_size(args), "% formatted text")
    result = template % args
    checkpoint()
    return result


def _check_format_spec(value, spec: str) -> None:
    for number in _NUMBERS.findall(spec):
        if len(number) > 9 or int(number) > MAX_SIZE:
            refuse(f"format width or precision {number[:12]} is larger than {MAX_SIZE:,}")
    check_decimal(value)


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
        check_size(expanded_size(value), "formatted value")
    result = format(value, spec)
    checkpoint()
    return result


def join_fstring(*parts: str) -> str:
    check_size(sum(len(p) for p in parts), "f-string")
    return "".join(parts)


def bounded_repr(value) -> str:
    check_decimal(value)
    check_size(expanded_size(value), "repr() text")
    text = repr(value)
    checkpoint()
    return text


def bounded_str(value="", *args, **kwargs) -> str:
    if not args and not kwargs and not isinstance(value, str):
        check_decimal(value)
        check_size(expanded_size(value), "str() text")
    text = str(value, *args, **kwargs)
    checkpoint()
    return text
