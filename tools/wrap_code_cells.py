"""Wrap the code cells of notebooks at LIMIT characters (tests/test_code_style.py checks 80).

black (line length LIMIT, preview style with string splitting) formats each code cell; long comments are
reflowed, trailing comments that do not fit move above their line, f-strings are split between replacement
fields, and docstrings are reflowed.  Each cell's program is checked to be unchanged (same AST, docstrings
compared up to whitespace); outputs are not touched, so run nbval (or make refresh) afterwards.

Needs black, which is not a project dependency:  .venv/bin/pip install "black[jupyter]"
Usage:  .venv/bin/python tools/wrap_code_cells.py 79 book/part*/*.ipynb
Lines it cannot wrap (a single long replacement field, ...) are listed for a hand edit.
"""
import ast
import io
import re
import sys
import textwrap
import tokenize

import black
import nbformat

LIMIT = int(sys.argv[1])
MODE = black.Mode(line_length=LIMIT, preview=True, unstable=True)


def comment_col(line):
    """Column of a trailing comment (outside strings), or None."""
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(line + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        m = re.search(r"\s\s#\s", line)
        if m and not re.search(r"[\"']", line[: m.start()]):
            return m.start() + 2
        return None
    for t in toks:
        if t.type == tokenize.COMMENT:
            return t.start[1]
    return None


def string_lines(src):
    """Line numbers (0-based) that lie inside a multi-line string token (not its first line)."""
    inside = set()
    try:
        for t in tokenize.generate_tokens(io.StringIO(src).readline):
            if t.type == tokenize.STRING and t.end[0] > t.start[0]:
                inside.update(range(t.start[0], t.end[0]))  # 1-based start+1 .. end  -> 0-based start .. end-1
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return inside


def wrap_comments(src):
    lines = src.split("\n")
    instr = string_lines(src)
    out = []
    skip = set()
    for k, line in enumerate(lines):
        if k in skip:
            continue
        if len(line) <= LIMIT or k in instr:
            out.append(line)
            continue
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("#") and not stripped.upper().lstrip("# ").startswith("NBVAL"):
            # reflow the whole block of comment lines at this indent
            j0 = k
            while j0 > 0 and out and out[-1].startswith(indent + "#") and not out[-1][len(indent):].startswith("#!") \
                    and out[-1][: len(indent)].strip() == "" and len(out[-1]) - len(out[-1].lstrip()) == len(indent):
                j0 -= 1
                out.pop()
            j1 = k
            while j1 + 1 < len(lines) and lines[j1 + 1].startswith(indent + "#") \
                    and len(lines[j1 + 1]) - len(lines[j1 + 1].lstrip()) == len(indent):
                j1 += 1
            body = " ".join(re.sub(r"^#+\s*", "", x.strip()) for x in lines[j0 : j1 + 1])
            prefix = indent + "# "
            out.extend(textwrap.wrap(body, LIMIT, initial_indent=prefix, subsequent_indent=prefix,
                                     break_long_words=False, break_on_hyphens=False))
            skip.update(range(k + 1, j1 + 1))
            continue
        if stripped.startswith("#"):
            m = re.match(r"#+\s*", stripped)
            prefix = indent + m.group(0) if m.group(0).strip() == "#" else indent + "# "
            body = stripped[m.end():]
            if body.upper().startswith("NBVAL"):
                out.append(line)
                continue
            out.extend(textwrap.wrap(body, LIMIT, initial_indent=prefix, subsequent_indent=prefix,
                                     break_long_words=False, break_on_hyphens=False))
            continue
        col = comment_col(line)
        if col is not None:
            code = line[:col].rstrip()
            comment = line[col:].lstrip("#").strip()
            pre = textwrap.wrap(comment, LIMIT, initial_indent=indent + "# ",
                                subsequent_indent=indent + "# ", break_long_words=False,
                                break_on_hyphens=False)
            out.extend(pre)
            out.append(code)
            continue
        out.append(line)
    return "\n".join(out)


def split_fstrings(src):
    lines = src.split("\n")
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        m = re.fullmatch(r'(f)"(.*)"(,?)', stripped)
        if len(line) <= LIMIT or not m:
            out.append(line)
            continue
        body, comma = m.group(2), m.group(3)
        pieces = []
        # split at top-level boundaries between replacement fields / text
        while len(indent) + len(body) + 3 + len(comma) > LIMIT:
            depth, cut = 0, None
            for i, ch in enumerate(body):
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                if depth == 0 and 0 < i < len(body) - 1 and len(indent) + i + 4 <= LIMIT:
                    if ch == "}" or body[i + 1] == "{" or (ch == " " and "{" not in body[i:i+1]):
                        cut = i + 1
            if not cut:
                break
            pieces.append(body[:cut])
            body = body[cut:]
        pieces.append(body)
        for j, pc in enumerate(pieces):
            pre = "f" if "{" in pc else ""
            out.append(f'{indent}{pre}"{pc}"' + (comma if j == len(pieces) - 1 else ""))
    return "\n".join(out)


def reflow_docstrings(src):
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return src
    lines = src.split("\n")
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            d = node.body[0]
            if isinstance(d, ast.Expr) and isinstance(d.value, ast.Constant) and isinstance(d.value.value, str):
                a, b = d.lineno - 1, d.end_lineno - 1
                if any(len(l) > LIMIT for l in lines[a:b + 1]):
                    first = lines[a]
                    indent = first[: len(first) - len(first.lstrip())]
                    text = "\n".join(lines[a:b + 1]).strip()
                    assert text.startswith('"""') and text.endswith('"""'), text[:40]
                    body = text[3:-3]
                    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body)]
                    new = []
                    for pi, para in enumerate(paras):
                        w = textwrap.wrap(para, LIMIT - len(indent), break_long_words=False,
                                          break_on_hyphens=False)
                        if pi:
                            new.append("")
                        new.extend(indent + x for x in w)
                    new[0] = indent + '"""' + new[0][len(indent):]
                    if len(new[0]) > LIMIT:  # re-wrap first paragraph with room for the quotes
                        w = textwrap.wrap(paras[0], LIMIT - len(indent) - 3, break_long_words=False,
                                          break_on_hyphens=False)
                        rest = new[len(textwrap.wrap(paras[0], LIMIT - len(indent))):]
                        new = [indent + '"""' + w[0]] + [indent + x for x in w[1:]] + rest
                    if len(new) == 1 and len(new[0]) + 3 <= LIMIT:
                        new[0] += '"""'
                    else:
                        new.append(indent + '"""')
                    edits.append((a, b, new))
    for a, b, new in sorted(edits, reverse=True):
        lines[a:b + 1] = new
    return "\n".join(lines)


def norm_ast(src):
    tree = ast.parse(src)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            d = node.body[0]
            if isinstance(d, ast.Expr) and isinstance(d.value, ast.Constant) and isinstance(d.value.value, str):
                d.value.value = " ".join(d.value.value.split())
    return ast.dump(tree)


def fmt(src):
    try:
        new = black.format_cell(src, fast=False, mode=MODE)
    except black.NothingChanged:
        new = src
    new = wrap_comments(new)
    new = split_fstrings(new)
    new = reflow_docstrings(new)
    if new != src:
        # a second black pass: moved comments may let black rejoin/resplit nothing, but keep it stable
        try:
            new = black.format_cell(new, fast=False, mode=MODE)
        except black.NothingChanged:
            pass
    # same program: compare ASTs without comments (docstrings unchanged by black here)
    if not src.lstrip().startswith(("%", "!")):
        try:
            a, b = norm_ast(src), norm_ast(new)
        except SyntaxError:
            a = b = None
        assert a == b, "AST changed"
    return new


for path in sys.argv[2:]:
    nb = nbformat.read(path, as_version=4)
    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            new = fmt(cell.source)
        except Exception as e:  # noqa: BLE001
            print(path, "cell failed:", type(e).__name__, str(e)[:200])
            continue
        if new != cell.source:
            cell.source = new
            n += 1
    nbformat.write(nb, path)
    longs = [(i, l) for i, c in enumerate(nb.cells) if c.cell_type == "code"
             for l in c.source.split("\n") if len(l) > LIMIT]
    print(f"{path}: {n} cells changed, {len(longs)} lines still > {LIMIT}")
    for i, l in longs:
        print(f"   cell {i}: {len(l)}: {l}")
