"""A chapter opens and runs in a real JupyterLab (what `make lab` starts), driven by headless Chromium.

The server runs on 127.0.0.1 with a token, on a copy of chapter 3 whose outputs are cleared,
so everything checked here comes from this run and the stored notebook is not touched. The
browser runs every cell from the Run menu, saves, and the test then checks the saved copy (no
error or stderr output, every cell ran in order, the same cells have outputs as the stored
chapter), the kernel, and the attention explorer: its script ran in JupyterLab's output area,
drew, and answers a real mouse click. About 40 s on 2 cores. Needs chromium and chromedriver
(Debian's `chromium` and `chromium-driver`; GitHub's runners ship Chrome and its driver):
skipped locally without them, a failure in CI (CI=true).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import ROOT

CHAPTER = ROOT / "chapters" / "03_architectures.ipynb"
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
# GitHub's runners also name their chromedriver's folder in $CHROMEWEBDRIVER.
DRIVER = shutil.which("chromedriver") or shutil.which("chromedriver", path=os.environ.get("CHROMEWEBDRIVER", ""))
SCREENSHOT = ROOT / "_build" / "screenshots" / "jupyterlab-03_architectures.png"
RUN_TIMEOUT = 300  # seconds for Run All; the chapter takes about 10 s on an idle machine

# JupyterLab's user settings for this run: every cell stays in the page (no windowing), and no
# news or update checks (which would reach for the network).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def require(found: str | None, what: str) -> str:
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is not installed; .ci/run installs it with apt-get")
        pytest.skip(f"{what} is not installed (apt-get install chromium chromium-driver)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, token: str, path: str):
    request = urllib.request.Request(f"{base}/api/{path}", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the chapter with its outputs cleared: (url, token, folder)."""
    require(BROWSER, "chromium")
    require(DRIVER, "chromedriver")
    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    notebooks.mkdir()
    notebook = json.loads(CHAPTER.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    (notebooks / CHAPTER.name).write_text(json.dumps(notebook, indent=1))
    for name, values in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = os.environ | {
        "JUPYTER_CONFIG_DIR": str(home / "config"),  # no user config
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    token, port = secrets.token_hex(16), free_port()
    base = f"http://127.0.0.1:{port}"
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "jupyter", "lab", "--no-browser"),
            *("--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0"),
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={notebooks}",
            "--ServerApp.allow_root=True",  # CI containers run as root
            "--LabApp.extension_manager=readonly",  # no PyPI queries for extensions
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(120):
            try:
                api(base, token, "status")
                break
            except OSError:
                assert server.poll() is None, (home / "server.log").read_text()[-3000:]
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 60 s:\n" + (home / "server.log").read_text()[-3000:])
        with pytest.raises(urllib.error.HTTPError, match="403"):  # the token is required
            urllib.request.urlopen(f"{base}/api/contents", timeout=10)
        yield base, token, notebooks
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory, request):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = require(BROWSER, "chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # no network
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager (which would download a driver) never runs.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=require(DRIVER, "chromedriver")))
    failed_before = request.session.testsfailed
    yield driver
    if request.session.testsfailed > failed_before:  # what the page showed when it failed
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT))
    driver.quit()


def wait_for(driver, condition, timeout: float, what: str):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.5).until(lambda d: condition(d))
    except TimeoutException:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT))
        pytest.fail(f"timed out after {timeout} s waiting for {what}; screenshot in {SCREENSHOT}")


def prompts(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'),"
        " p => p.textContent.trim());"
    )


def errors(driver) -> list[str]:
    """The text of error and stderr outputs on the page (JupyterLab shows both as stderr)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll("
        "'.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]'),"
        " o => o.textContent.slice(0, 500));"
    )


def click_menu(driver, menu: str, item: str) -> None:
    """Open `menu` in the menu bar and click the item labelled `item`, as a reader does."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.XPATH, f"//li[contains(@class, 'lm-MenuBar-item')][normalize-space()='{menu}']").click()
    label = (
        "//li[contains(@class, 'lm-Menu-item')]"
        f"[.//div[contains(@class, 'lm-Menu-itemLabel')][normalize-space()='{item}']]"
    )
    wait_for(driver, lambda d: d.find_elements(By.XPATH, label), 30, f"{item!r} in the {menu} menu")
    driver.find_element(By.XPATH, label).click()


def test_chapter_runs_in_jupyterlab_and_the_explorer_answers_a_click(lab, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    base, token, folder = lab
    copy = folder / CHAPTER.name
    stored = json.loads(CHAPTER.read_text())
    code_cells = [c for c in stored["cells"] if c["cell_type"] == "code"]

    browser.get(f"{base}/lab/tree/{CHAPTER.name}?token={token}")
    wait_for(browser, lambda d: len(prompts(d)) == len(code_cells), 120, "the notebook's cells to appear")
    assert all(p in ("[ ]:", "") for p in prompts(browser)), "the copy's outputs were cleared"
    # The kernel the notebook asks for, started by the server for this notebook.
    wait_for(browser, lambda d: api(base, token, "sessions"), 60, "a kernel session")
    [session] = api(base, token, "sessions")
    assert session["path"] == CHAPTER.name
    assert session["kernel"]["name"] == stored["metadata"]["kernelspec"]["name"]

    click_menu(browser, "Run", "Run All Cells")
    done = [f"[{i}]:" for i in range(1, len(code_cells) + 1)]
    wait_for(browser, lambda d: prompts(d) == done or errors(d), RUN_TIMEOUT, "Run All to finish")
    assert not errors(browser), f"error or stderr output: {errors(browser)}"
    wait_for(browser, lambda d: api(base, token, f"kernels/{session['kernel']['id']}")["execution_state"] == "idle",
             30, "the kernel to be idle")  # fmt: skip

    # The explorer's script ran inside JupyterLab's output area, drew, and answers a mouse click.
    roots = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output div.llmbook-attn")
    assert len(roots) == 1, "chapter 3 shows one attention explorer"
    root = roots[0]
    wait_for(browser, lambda d: root.get_attribute("data-ready") == "1", 30, "the explorer to draw")
    assert root.find_elements(By.CSS_SELECTOR, "canvas.la-lines"), "no lines canvas"
    tokens = root.find_elements(By.CSS_SELECTOR, ".la-left .la-tok")
    assert len(tokens) >= 5
    last = tokens[-1]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", last)
    ActionChains(browser).move_to_element(last).click().perform()
    assert root.get_attribute("data-selected-token") == f"q{len(tokens) - 1}"
    assert root.get_attribute("data-top-target") != ""
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))

    # Save from the File menu and read what JupyterLab wrote.
    before = copy.stat().st_mtime_ns
    click_menu(browser, "File", "Save Notebook")
    wait_for(browser, lambda d: copy.stat().st_mtime_ns != before, 30, "the notebook to be saved")
    time.sleep(0.5)
    ran = [c for c in json.loads(copy.read_text())["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in ran] == list(range(1, len(code_cells) + 1))
    raised = [o for c in ran for o in c["outputs"] if o["output_type"] == "error"]
    assert not raised, [e["ename"] + ": " + e["evalue"] for e in raised]
    stderr = [o["text"] for c in ran for o in c["outputs"] if o.get("name") == "stderr"]
    assert not stderr, stderr
    assert [bool(c["outputs"]) for c in ran] == [bool(c["outputs"]) for c in code_cells], (
        "a cell's output appeared or went missing compared with the stored chapter"
    )
