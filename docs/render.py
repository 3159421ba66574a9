"""Regenerates the pictures in docs/: the template and every sheet of the example summary.

    python docs/render.py

Needs LibreOffice (Calc and Writer) with python3-uno, poppler-utils (pdftoppm) and a
CJK font (Debian: apt-get install libreoffice-calc-nogui libreoffice-writer-nogui
python3-uno poppler-utils fonts-noto-cjk).
Each sheet is printed by LibreOffice with the print setup we give it (first page
only) and turned into a PNG; the README shows them. The example's project sheet is
shown as on screen: its print area is widened to the 自查提示 column for the picture.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
PROBE = ROOT / "tests" / "lo_probe.py"   # the same UNO driver the tests use
SYSTEM_PYTHON = "/usr/bin/python3"


def selfeval(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "selfeval_xlsx", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def export(workbook: Path, prefix: str, tmp: Path, keep: set[str] | None = None) -> list[Path]:
    pdfs = tmp / prefix
    subprocess.run([SYSTEM_PYTHON, str(PROBE), "export", str(workbook), str(pdfs), str(tmp / "profile")],
                   check=True, stdout=subprocess.DEVNULL)
    out = []
    for pdf in sorted(pdfs.glob("*.pdf"), key=lambda p: int(p.name.split("-", 1)[0])):
        sheet = pdf.stem.split("-", 1)[1]
        if keep and sheet not in keep:
            continue
        png = IMAGES / f"{prefix}-{sheet}"
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(png)], check=True)
        out.append(png.with_suffix(".png"))
    return out


def on_screen(workbook: Path, sheet: str, out: Path) -> Path:
    """A copy whose project sheet prints what the clerk sees: the form, its live marks
    and the 自查提示 column right of it (the template itself prints the form only)."""
    import openpyxl

    from selfeval_xlsx.grid import a1
    from selfeval_xlsx.template import LAYOUT
    from selfeval_xlsx.template_checks import MSG_COL
    wb = openpyxl.load_workbook(workbook)
    wb[sheet].print_area = f"A1:{a1(LAYOUT.grade, MSG_COL)}"
    wb[sheet].page_setup.orientation = "landscape"
    wb.save(out)
    return out


def render_docx(docx: Path, name: str, tmp: Path) -> Path:
    """The first page of a drafted report, as LibreOffice Writer prints it."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp / 'profile-w'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp / "pdf"), str(docx)],
                   check=True, capture_output=True)
    png = IMAGES / name
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(tmp / "pdf" / (docx.stem + ".pdf")),
                    str(png)], check=True)
    return png.with_suffix(".png")


def main() -> None:
    for tool in ("soffice", "pdftoppm"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt-get install libreoffice-calc-nogui libreoffice-writer-nogui "
                     "python3-uno poppler-utils fonts-noto-cjk")
    IMAGES.mkdir(parents=True, exist_ok=True)
    for old in IMAGES.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        template = ROOT / "input_templates" / "项目支出绩效自评表模板.xlsx"
        selfeval("template", "-o", str(template))
        example = ROOT / "input_templates" / "examples" / "长安区" / "中山东路街道办事处.xlsx"
        summary = tmp / "长安区_2020_绩效自评汇总.xlsx"
        selfeval("run", "input_templates/examples/长安区", "-o", str(summary), "--quiet")
        made = export(template, "模板", tmp, keep={"填报说明", "单位信息", "项目1"})
        made += export(on_screen(example, "项目3", tmp / "示例.xlsx"), "示例填报", tmp, keep={"项目3", "自查"})
        made += export(summary, "汇总", tmp)
        reports = tmp / "reports"
        selfeval("report", "input_templates/examples/长安区", "-o", str(reports), "--quiet")
        made.append(render_docx(reports / "中山东路街道办事处_2020年度绩效自评工作报告.docx", "报告-中山东路街道办事处", tmp))
    for png in made:
        print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
