"""Follows a hyperlink the way LibreOffice does; run with the system python3 (python3-uno).

    python3 lo_follow_link.py SUMMARY.xlsx SHEET ROW COL PROFILE_DIR

Opens the summary in LibreOffice, reads the link stored in that cell as LibreOffice
understood it, opens the link's target with its jump mark, and prints the sheet and
the cell LibreOffice then has selected, as `file<TAB>sheet<TAB>A1`.
"""
import socket
import subprocess
import sys
import time

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


def main():
    summary, sheet_name, row, col, profile = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    office = subprocess.Popen(
        ["soffice", "--headless", "--norestore", "--nologo", f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
