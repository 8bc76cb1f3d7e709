"""Compare OCR engines on scanned pages made from ../shared/realworld PDFs (numbers for docs/ocr.md).

Each PDF is rasterised (pypdfium2) into an image-only PDF (150 dpi, 300 dpi, 150 dpi turned 1
degree with noise), read back by qa_app.ocr.ocr_pdf with one engine, and the parsed report
compared with the truth file: cells right, body and year, template row labels found, seconds
per page (wall and CPU of this process and its children), peak memory.

Engines: "rapidocr" (rapidocr-onnxruntime, the product's), "tesseract" (Debian tesseract-ocr
+ tesseract-ocr-chi-sim, ruling lines removed with OpenCV before recognition, word boxes
from its TSV). Run one engine at a time (the machine is shared):

    python bench/ocr_engines.py rapidocr [--files huaian_hongze_2024] [--scans 150,300,rot]

It does not run in the tests (see tests/test_ocr.py for the bounded checks).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "realworld").is_dir()), ROOT.parent / "shared")
REAL = SHARED / "realworld"


def scan(src: Path, dpi: int, rotate: float = 0.0, noise: float = 0.0, pages=None) -> bytes:
    """An image-only PDF of `src`'s pages rendered at `dpi` (grey), optionally turned and noisy."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image
    pdf = pdfium.PdfDocument(str(src))
    imgs = []
    for i in pages or range(1, len(pdf) + 1):
        img = pdf[i - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        if rotate:
            img = img.rotate(rotate, resample=Image.BICUBIC, expand=False, fillcolor=255)
        if noise:
            rng = np.random.default_rng(i)
            a = np.asarray(img).astype("int16") + rng.normal(0, noise, (img.height, img.width)).astype("int16")
            img = Image.fromarray(a.clip(0, 255).astype("uint8"))
        imgs.append(img)
    out = io.BytesIO()
    imgs[0].save(out, format="PDF", save_all=True, append_images=imgs[1:], resolution=dpi)
    return out.getvalue()


def tesseract_recogniser(image) -> list:
    """Tesseract 5 (chi_sim) on a page with its ruling lines removed: [(quad, text, score)],
    one entry per run of characters that Tesseract puts in one line with small gaps."""
    import cv2
    import numpy as np
    a = np.asarray(image.convert("L"))
    binv = cv2.threshold(a, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    lines = np.zeros_like(binv)
    for k in ((max(20, a.shape[1] // 30), 1), (1, max(20, a.shape[0] // 40))):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, k)
        lines |= cv2.morphologyEx(binv, cv2.MORPH_OPEN, kernel)
    clean = a.copy()
    clean[cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0] = 255
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        cv2.imwrite(f.name, clean)
        tsv = subprocess.run(["tesseract", f.name, "-", "-l", "chi_sim", "--psm", os.environ.get("TESS_PSM", "11"), "tsv"], capture_output=True,
                             text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
    words = []
    for row in tsv.splitlines()[1:]:
        p = row.split("\t")
        if len(p) != 12 or not p[11].strip():
            continue
        x, y, w, h = map(int, p[6:10])
        words.append([x, y, x + w, y + h, p[11].strip(), max(0.0, float(p[10])) / 100, tuple(p[1:5])])
    runs: list = []
    for x0, y0, x1, y1, t, s, key in words:  # glue the characters of one line into runs
        if runs and runs[-1][6] == key and x0 - runs[-1][2] < 0.8 * (y1 - y0):
            r = runs[-1]
            r[0], r[1], r[2], r[3] = min(r[0], x0), min(r[1], y0), max(r[2], x1), max(r[3], y1)
            r[4] += t
            r[5] = min(r[5], s)
            continue
        runs.append([x0, y0, x1, y1, t, s, key])
    return [([[r[0], r[1]], [r[2], r[1]], [r[2], r[3]], [r[0], r[3]]], r[4], r[5]) for r in runs]


def flatten(truth: dict) -> dict:
    return {(t, r, c): v for t in ("proactive", "applications", "review_litigation")
            for r, cols in truth.get(t, {}).items() for c, v in cols.items()}


def labels_found(text: str) -> tuple[int, int]:
    """Template row labels (applications and proactive) found verbatim, white space ignored."""
    from qa_app import template as T
    flat = re.sub(r"\s", "", text)
    from qa_app.tables import fold
    flat = fold(flat)
    labels = []
    for r in T.APPLICATION_ROWS:
        lab = getattr(r, "label", "") or ""
        lab = re.sub(r"^[(（][一二三四五六七][)）]|^[一二三四]、|^\d\.", "", fold(lab)).split("(")[0]
        if len(lab) >= 4:
            labels.append(lab[:8])
    return sum(1 for lab in labels if lab in flat), len(labels)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["rapidocr", "tesseract"])
    ap.add_argument("--files", default="huaian_hongze_2024,huaian_hongze_2023,huaian_city_2024")
    ap.add_argument("--scans", default="150,300,rot")
    ap.add_argument("--dpi", type=int, default=200, help="render dpi for recognition")
    args = ap.parse_args()
    from qa_app import ocr
    from qa_app.report import parse_report
    rec = tesseract_recogniser if args.engine == "tesseract" else None
    rdpi = 300 if args.engine == "tesseract" else args.dpi
    rows = []
    for name in args.files.split(","):
        truth = json.loads((REAL / "truth" / f"{name}.json").read_text(encoding="utf-8"))
        exp = flatten(truth)
        for kind in args.scans.split(","):
            dpi, rot, noise = (150, 1.0, 12.0) if kind == "rot" else (int(kind), 0.0, 0.0)
            data = scan(REAL / f"{name}.pdf", dpi, rot, noise)
            t0, c0 = time.time(), os.times()
            r = ocr.ocr_pdf(data, dpi=rdpi, progress=False, recogniser=rec)
            c1 = os.times()
            wall = time.time() - t0
            cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user)
            p = parse_report(r.text, name + ".pdf")
            got = {(c.table, c.row, c.column): c.value for c in p.tables.cells if not c.derived}
            right = sum(1 for k, v in exp.items() if got.get(k, "missing") == v)
            wrong = [k for k, v in exp.items() if k in got and got[k] != v]
            unmarked = [k for k in wrong if r.cells.get("/".join(k), {}).get("status") not in ("uncertain",)]
            lab, nlab = labels_found(r.text)
            n = len(r.pages_ocr)
            row = dict(engine=args.engine, file=name, scan=kind, pages=n, cells=f"{right}/{len(exp)}",
                       wrong=len(wrong), wrong_unmarked=len(unmarked), missing=len(set(exp) - set(got)),
                       corrected=sum(1 for v in r.cells.values() if v["status"] == "corrected"),
                       uncertain=sum(1 for v in r.cells.values() if v["status"] == "uncertain"),
                       agency=p.meta.agency == truth["agency"], year=p.meta.year == truth["year"],
                       labels=f"{lab}/{nlab}", wall_s_page=round(wall / n, 1), cpu_s_page=round(cpu / n, 1))
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"engine": args.engine, "peak_rss_mb": peak // 1024}), flush=True)


if __name__ == "__main__":
    main()
