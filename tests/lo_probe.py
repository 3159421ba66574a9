"""Drives LibreOffice through UNO; run with the system python3 (python3-uno).

    python3 lo_probe.py follow SUMMARY.xlsx SHEET ROW COL PROFILE_DIR
        Opens the summary, reads the link stored in that cell as LibreOffice
        understood it, opens the link's target with its jump mark, and prints the
        file, sheet and cell LibreOffice then has selected: `file<TAB>sheet<TAB>A1`.

    python3 lo_probe.py open WORKBOOK PROFILE_DIR
        Loads the workbook as a user would (not as a repair) and prints each sheet's
        name and the text of its A1 cell, one sheet a line: `name<TAB>A1 text`.

    python3 lo_probe.py export WORKBOOK OUTDIR PROFILE_DIR
        Prints the first page of each sheet to OUTDIR/<n>-<sheet>.pdf, as the sheet's
        own print setup lays it out (docs/render.py turns them into pictures).
"""
import socket
import subprocess
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def a1(col, row):
    s, col = "", col + 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return f"{s}{row + 1}"


def export(desktop, workbook: Path, outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(str(workbook)), "_blank", 0,
                                       (prop("Hidden", True),))
    sheets = [doc.Sheets.getByIndex(i) for i in range(doc.Sheets.getCount())]
    names = [s.Name for s in sheets if s.IsVisible]
    areas = {s.Name: s.getPrintAreas() for s in sheets}
    for n, name in enumerate(names, start=1):
        # Print only this sheet: hidden sheets are not printed (the shown one stays
        # visible throughout, as Calc keeps at least one sheet visible) — unless they
        # have a print area, which Calc prints even from a hidden sheet: clear theirs.
        doc.Sheets.getByName(name).IsVisible = True
        doc.Sheets.getByName(name).setPrintAreas(areas[name])
        for other in areas:
            if other != name:
                doc.Sheets.getByName(other).setPrintAreas(())
        for other in names:
            if other != name:
                doc.Sheets.getByName(other).IsVisible = False
        pdf = outdir / f"{n}-{name}.pdf"
        doc.storeToURL(uno.systemPathToFileUrl(str(pdf)), (
            prop("FilterName", "calc_pdf_Export"),
            prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue",
                                       (prop("PageRange", "1"),))),))
        for other in names:
            doc.Sheets.getByName(other).IsVisible = True
        print(pdf)
    doc.close(True)


def main():
    mode = sys.argv[1]
    profile = sys.argv[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    office = subprocess.Popen(
        ["soffice", "--headless", "--norestore", "--nologo", f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        else:
            sys.exit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        if mode == "open":
            # RepairPackage stays off: a file that needs repair fails to load here.
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(sys.argv[2]), "_blank", 0,
                                               (prop("Hidden", True), prop("RepairPackage", False)))
            for i in range(doc.Sheets.getCount()):
                sheet = doc.Sheets.getByIndex(i)
                print(f"{sheet.Name}\t{sheet.getCellByPosition(0, 0).getString()}")
            doc.close(True)
            return
        if mode == "export":
            export(desktop, Path(sys.argv[2]), Path(sys.argv[3]))
            return
        summary, sheet_name, row, col = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(summary), "_blank", 0, (prop("Hidden", True),))
        cell = doc.Sheets.getByName(sheet_name).getCellByPosition(col, row)
        fields = cell.getTextFields().createEnumeration()
        url = fields.nextElement().URL
        doc.close(True)
        target, _, mark = url.partition("#")
        src = desktop.loadComponentFromURL(target, "_blank", 0, (prop("Hidden", True), prop("JumpMark", mark)))
        sel = src.getCurrentController().getSelection()
        a = sel.getRangeAddress()
        path = uno.fileUrlToSystemPath(src.URL)
        print(f"{path}\t{src.Sheets.getByIndex(a.Sheet).Name}\t{a1(a.StartColumn, a.StartRow)}")
        src.close(True)
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
