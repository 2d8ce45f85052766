"""A small C preprocessor for reading integer constants out of other OSes' published headers.

Used by scripts/gen-constants-os.py, which has no compiler for macOS or Windows at hand: it feeds the
headers of xnu / Libinfo (macOS) or mingw-w64 (Windows) through this module in a fixed order, then asks
for the value of each name. Supported: #define (object- and function-like), #undef, #if/#ifdef/#ifndef/
#elif/#else/#endif with `defined`, integer expressions (C operators, casts to known type names, `sizeof`
of known types, character literals, integer suffixes), and `enum { A = 1, B, ... }` bodies in active
code. #include is ignored (the caller lists the files in include order); # and ## are not supported.
"""

from __future__ import annotations

import re

TOKEN = re.compile(
    r"\s*(?:(?P<num>0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)"
    r"|(?P<chr>'(?:\\.|[^'\\])+')"
    r"|(?P<id>[A-Za-z_]\w*)"
    r"|(?P<op>\|\||&&|<<|>>|<=|>=|==|!=|->|[-+*/%&|^~!<>?:(),.\[\]{};=]))"
)


def tokenize(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            # A string literal or anything else we do not evaluate: keep it as an opaque token.
            rest = text[pos:].lstrip()
            if not rest:
                break
            out.append("\x00" + rest[0])
            pos = len(text) - len(rest) + 1
            continue
        out.append(m.group(m.lastgroup))
        pos = m.end()
    return out


class NotConstant(Exception):
    """The expression names something that is not an integer constant here."""


class Macro:
    def __init__(self, params: list[str] | None, body: list[str], origin: str):
        self.params = params
        self.body = body
        self.origin = origin


class Pre:
    def __init__(self, predefined: dict[str, str], sizeof: dict[str, int], type_words: set[str]):
        self.macros: dict[str, Macro] = {}
        self.enums: dict[str, tuple[list[str], str]] = {}
        self.sizeof = sizeof
        self.type_words = type_words | set(sizeof)
        for name, value in predefined.items():
            self.define(f"{name} {value}", "<predefined>")

    # ---- directives -------------------------------------------------------------------

    def define(self, rest: str, origin: str) -> None:
        m = re.match(r"([A-Za-z_]\w*)(\(([^)]*)\))?\s*(.*)$", rest.strip(), re.S)
        if not m:
            return
        name, has_params, params, body = m.group(1), m.group(2), m.group(3), m.group(4)
        plist = [p.strip() for p in params.split(",") if p.strip()] if has_params else None
        self.macros[name] = Macro(plist, tokenize(body), origin)

    def process(self, text: str, origin: str) -> None:
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"//[^\n]*", "", text)
        text = text.replace("\\\n", " ")
        stack: list[tuple[bool, bool]] = []  # (this branch active, some branch taken)
        active = True
        code: list[str] = []
        for line in text.split("\n"):
            s = line.strip()
            if not s.startswith("#"):
                if active:
                    code.append(line)
                continue
            d = re.match(r"#\s*(\w+)\s*(.*)$", s)
            if not d:
                continue
            kw, rest = d.group(1), d.group(2).strip()
            if kw in ("if", "ifdef", "ifndef"):
                parent = active
                if not parent:
                    cond = False
                elif kw == "ifdef":
                    cond = rest.split()[0] in self.macros if rest else False
                elif kw == "ifndef":
                    cond = rest.split()[0] not in self.macros if rest else True
                else:
                    cond = self.truth(rest)
                stack.append((parent, cond))
                active = parent and cond
            elif kw == "elif":
                parent, taken = stack[-1]
                cond = parent and not taken and self.truth(rest)
                stack[-1] = (parent, taken or cond)
                active = cond
            elif kw == "else":
                parent, taken = stack[-1]
                active = parent and not taken
                stack[-1] = (parent, True)
            elif kw == "endif":
                parent, _ = stack.pop()
                active = parent
            elif not active:
                continue
            elif kw == "define":
                self.define(rest, origin)
            elif kw == "undef":
                self.macros.pop(rest.split()[0], None)
        self.scan_enums("\n".join(code), origin)

    def scan_enums(self, code: str, origin: str) -> None:
        for m in re.finditer(r"\benum\b[^{;]*\{([^}]*)\}", code):
            prev: list[str] | None = None
            for item in m.group(1).split(","):
                item = item.strip()
                if not item:
                    continue
                im = re.match(r"([A-Za-z_]\w*)\s*(?:=\s*(.*))?$", item, re.S)
                if not im:
                    break
                name, expr = im.group(1), im.group(2)
                toks = tokenize(expr) if expr is not None else (["(", *prev, ")", "+", "1"] if prev else ["0"])
                self.enums[name] = (toks, origin)
                prev = [name]

    # ---- evaluation ------------------------------------------------------------------

    def truth(self, expr: str) -> bool:
        toks = tokenize(expr)
        out: list[str] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if t == "defined":
                if i + 1 < len(toks) and toks[i + 1] == "(":
                    name = toks[i + 2]
                    i += 4
                else:
                    name = toks[i + 1]
                    i += 2
                out.append("1" if name in self.macros else "0")
                continue
            out.append(t)
            i += 1
        try:
            return self.eval_tokens(self.expand(out), in_if=True) != 0
        except (NotConstant, IndexError, ZeroDivisionError):
            return False

    def expand(self, toks: list[str], hide: frozenset[str] = frozenset()) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            m = self.macros.get(t)
            if m is None or t in hide:
                out.append(t)
                i += 1
                continue
            if m.params is None:
                out += self.expand(m.body, hide | {t})
                i += 1
                continue
            if i + 1 >= len(toks) or toks[i + 1] != "(":
                out.append(t)
                i += 1
                continue
            args, cur, depth, j = [], [], 0, i + 2
            while j < len(toks):
                x = toks[j]
                if x == "(":
                    depth += 1
                elif x == ")":
                    if depth == 0:
                        break
                    depth -= 1
                elif x == "," and depth == 0:
                    args.append(cur)
                    cur = []
                    j += 1
                    continue
                cur.append(x)
                j += 1
            args.append(cur)
            if m.params == [] and args == [[]]:
                args = []
            binding = {p: self.expand(a, hide) for p, a in zip(m.params, args)}
            body: list[str] = []
            for x in m.body:
                body += binding.get(x, [x])
            out += self.expand(body, hide | {t})
            i = j + 1
        return out

    def value(self, name: str) -> int:
        """The integer value of macro or enumerator `name`; NotConstant when it has none."""
        if name in self.macros:
            if self.macros[name].params is not None:
                raise NotConstant(name)
            return self.eval_tokens(self.expand([name]), in_if=False)
        if name in self.enums:
            return self.eval_tokens(self.expand(self.enums[name][0]), in_if=False)
        raise NotConstant(name)

    def origin(self, name: str) -> str:
        if name in self.macros:
            return self.macros[name].origin
        return self.enums[name][1] if name in self.enums else "?"

    def defined(self, name: str) -> bool:
        return name in self.macros or name in self.enums

    def eval_tokens(self, toks: list[str], in_if: bool) -> int:
        p = _Parser(toks, self, in_if)
        v = p.ternary()
        if p.i != len(toks):
            raise NotConstant(" ".join(toks))
        return v


def _int_literal(t: str) -> int:
    t = t.rstrip("uUlL")
    if t.lower().startswith("0x"):
        return int(t, 16)
    if len(t) > 1 and t.startswith("0"):
        return int(t, 8)
    return int(t)


def _char_literal(t: str) -> int:
    body = t[1:-1]
    esc = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39}
    v = 0
    i = 0
    while i < len(body):
        if body[i] == "\\":
            v = (v << 8) | esc[body[i + 1]]
            i += 2
        else:
            v = (v << 8) | ord(body[i])
            i += 1
    return v


class _Parser:
    BIN = [
        ["||"],
        ["&&"],
        ["|"],
        ["^"],
        ["&"],
        ["==", "!="],
        ["<", "<=", ">", ">="],
        ["<<", ">>"],
        ["+", "-"],
        ["*", "/", "%"],
    ]

    def __init__(self, toks: list[str], pre: Pre, in_if: bool):
        self.t, self.i, self.pre, self.in_if = toks, 0, pre, in_if

    def peek(self, k: int = 0) -> str | None:
        return self.t[self.i + k] if self.i + k < len(self.t) else None

    def take(self, want: str | None = None) -> str:
        t = self.peek()
        if t is None or (want is not None and t != want):
            raise NotConstant(f"expected {want} at {self.i} in {' '.join(self.t)}")
        self.i += 1
        return t

    def ternary(self) -> int:
        c = self.binary(0)
        if self.peek() == "?":
            self.take("?")
            a = self.ternary()
            self.take(":")
            b = self.ternary()
            return a if c else b
        return c

    def binary(self, level: int) -> int:
        if level == len(self.BIN):
            return self.unary()
        v = self.binary(level + 1)
        while self.peek() in self.BIN[level]:
            op = self.take()
            w = self.binary(level + 1)
            v = {
                "||": lambda: int(bool(v) or bool(w)),
                "&&": lambda: int(bool(v) and bool(w)),
                "|": lambda: v | w,
                "^": lambda: v ^ w,
                "&": lambda: v & w,
                "==": lambda: int(v == w),
                "!=": lambda: int(v != w),
                "<": lambda: int(v < w),
                "<=": lambda: int(v <= w),
                ">": lambda: int(v > w),
                ">=": lambda: int(v >= w),
                "<<": lambda: v << w,
                ">>": lambda: v >> w,
                "+": lambda: v + w,
                "-": lambda: v - w,
                "*": lambda: v * w,
                "/": lambda: int(v / w),
                "%": lambda: v % w,
            }[op]()
        return v

    def is_type_at(self, k: int) -> bool:
        t = self.peek(k)
        return t is not None and (t in self.pre.type_words or t in ("unsigned", "signed", "const", "struct"))

    def unary(self) -> int:
        t = self.peek()
        if t in ("-", "+", "~", "!"):
            self.take()
            v = self.unary()
            return {"-": -v, "+": v, "~": ~v, "!": int(not v)}[t]
        if t == "(" and self.is_type_at(1):
            # A cast: (type words) operand. Integer casts keep the value, except to narrower unsigned types.
            self.take("(")
            words = []
            while self.peek() != ")":
                words.append(self.take())
            self.take(")")
            v = self.unary()
            size = self.pre.sizeof.get(" ".join(w for w in words if w not in ("const",)))
            if size is not None and ("unsigned" in words or words[-1].startswith(("u", "U", "DWORD", "WORD"))):
                v &= (1 << (8 * size)) - 1
            return v
        if t == "sizeof":
            self.take()
            self.take("(")
            words = []
            while self.peek() != ")":
                words.append(self.take())
            self.take(")")
            key = " ".join(words)
            if key not in self.pre.sizeof:
                raise NotConstant(f"sizeof({key})")
            return self.pre.sizeof[key]
        return self.primary()

    def primary(self) -> int:
        t = self.take()
        if t == "(":
            v = self.ternary()
            self.take(")")
            return v
        if t[0].isdigit():
            return _int_literal(t)
        if t.startswith("'"):
            return _char_literal(t)
        if re.match(r"[A-Za-z_]", t):
            if t in self.pre.enums:
                return self.pre.eval_tokens(self.pre.expand(self.pre.enums[t][0]), self.in_if)
            if self.in_if:
                if self.peek() == "(":
                    # An unknown function-like name (__has_include, __has_feature...): false.
                    depth = 0
                    while True:
                        x = self.take()
                        depth += x == "("
                        depth -= x == ")"
                        if depth == 0:
                            break
                return 0
        raise NotConstant(t)
