"""Proofread a document with real LibreOffice through its LanguageTool remote checker.

Run with the system Python that has LibreOffice's UNO bridge (Debian `python3-uno`), not
the project's venv:

    /usr/bin/python3 tests/lo_proofread.py BASE_URL DOCUMENT [LOCALE]

It makes a throw-away LibreOffice user profile whose registrymodifications.xcu turns the
LanguageTool remote checker on (/org.openoffice.Office.Linguistic/GrammarChecking/
LanguageTool: BaseURL, IsEnabled, as Tools ▸ Options ▸ Language Settings ▸ LanguageTool
Server writes them) and makes it the grammar checker of LOCALE (ServiceManager/
GrammarCheckerList, what the options page does for every language the server lists), starts
`soffice --headless` on that profile, loads DOCUMENT, walks its paragraphs with Writer's
flat-paragraph iterator and asks LibreOffice's ProofreadingIterator to check each one, as
the automatic check does. It prints one JSON object: {"paragraphs": [{"text", "locale",
"errors": [{"start", "length", "short", "full", "suggestions", "rule", "type"}]}]}.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import uno  # noqa: F401  (python3-uno: makes the com.sun.star modules importable)
from com.sun.star.beans import PropertyValue
from com.sun.star.text.TextMarkupType import PROOFREADING

CHECKER = "org.openoffice.lingu.LanguageToolGrammarChecker"


def registry(base_url: str, locale: str) -> str:
    lt = "/org.openoffice.Office.Linguistic/GrammarChecking/LanguageTool"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="{lt}"><prop oor:name="BaseURL" oor:op="fuse"><value>{escape(base_url)}</value></prop></item>
<item oor:path="{lt}"><prop oor:name="IsEnabled" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/GrammarChecking"><prop oor:name="IsAutoCheck" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/ServiceManager/GrammarCheckerList"><prop oor:name="{locale}" oor:op="fuse" oor:type="oor:string-list"><value>{CHECKER}</value></prop></item>
<item oor:path="/org.openoffice.Setup/Office"><prop oor:name="ooSetupInstCompleted" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def log(msg: str) -> None:
    print(f"[lo_proofread {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str, proc, deadline: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                raise SystemExit("LibreOffice did not start")
            time.sleep(0.25)


def main() -> None:
    base_url, document = sys.argv[1], Path(sys.argv[2]).resolve()
    lang, _, country = (sys.argv[3] if len(sys.argv) > 3 else "zh-CN").partition("-")
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(registry(base_url, f"{lang}-{country}"),
                                                                encoding="utf-8")
    pipe = f"nlpreview{os.getpid()}"
    proc = subprocess.Popen(["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
                             f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ctx = connect(pipe, proc, time.time() + 60)
        log("connected")
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(document.as_uri(), "_blank", 0, (prop("Hidden", True),))
        if doc is None:
            raise SystemExit(f"LibreOffice could not open {document}")
        log("loaded")
        iterator = smgr.createInstanceWithContext("com.sun.star.linguistic2.ProofreadingIterator", ctx)
        flat = doc.getFlatParagraphIterator(PROOFREADING, False)
        out = []
        para = flat.getFirstPara()
        for _ in range(10000):  # bounded: one pass over the paragraphs
            if para is None:
                break
            text = para.getText()
            if text.strip():
                loc = para.getPrimaryLanguageOfText(0, len(text))
                log(f"checking {text[:20]!r} ({loc.Language}-{loc.Country})")
                errors, start = [], 0
                while start < len(text):  # sentence by sentence, as Writer's automatic check goes
                    result = iterator.checkSentenceAtPosition(doc, para, text, loc, start, start, -1)
                    for e in result.aErrors:
                        err = {"start": e.nErrorStart, "length": e.nErrorLength, "short": e.aShortComment,
                               "full": e.aFullComment, "suggestions": list(e.aSuggestions),
                               "rule": e.aRuleIdentifier, "type": e.nErrorType}
                        if err not in errors:
                            errors.append(err)
                    if result.nStartOfNextSentencePosition <= start:
                        break
                    start = result.nStartOfNextSentencePosition
                out.append({"text": text, "locale": f"{loc.Language}-{loc.Country}", "errors": errors})
            para = flat.getNextPara()
        doc.close(True)
        print(json.dumps({"paragraphs": out}, ensure_ascii=False))
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
