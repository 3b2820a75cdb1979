# SPDX-License-Identifier: MIT
# mdtable.py - reads the Markdown tables of a page into lists of cell rows, independently of
# hv-check: strips bold, links and backslash escapes, pads short rows.  Used by the seed round
# trip test:  mdtable.py PAGE [HEADING-SUBSTRING] -> JSON list of tables (rows of cells).
import json
import re
import sys


def clean(cell):
    c = cell.strip()
    c = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", c)  # links
    c = c.replace("**", "")
    c = re.sub(r"\\(.)", r"\1", c)  # markdown escapes
    return c.strip()


def split_row(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    cells, cur, esc = [], "", False
    for ch in line:
        if esc:
            cur += "\\" + ch
            esc = False
        elif ch == "\\":
            esc = True
        elif ch == "|":
            cells.append(cur)
            cur = ""
        else:
            cur += ch
    cells.append(cur)
    return [clean(c) for c in cells]


def tables(text):
    out, cur = [], None
    for line in text.splitlines():
        if line.strip().startswith("|"):
            if cur is None:
                cur = []
                out.append(cur)
            cells = split_row(line)
            if all(re.fullmatch(r"-+", c or "-") for c in cells):
                continue  # separator row
            cur.append(cells)
        else:
            cur = None
    for t in out:
        width = len(t[0])
        for r in t:
            while len(r) < width:
                r.append("")
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        json.dump(tables(f.read()), sys.stdout, ensure_ascii=False)
