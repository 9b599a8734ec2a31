"""End-to-end test of the federation hub in a real headless browser (Debian's chromium and
chromium-driver, driven by Selenium; Selenium's own driver manager never runs: both paths are
given). Run by HubBrowserTests.swift against a provider and a hub on loopback.

Usage: hub_browser.py URL USERNAME PASSWORD SCREENSHOT_DIR
Prints one line `BOOKED <appointment id> <yyyy-mm-dd>` for the Swift side to check in the diary.
"""
import csv
import io
import os
import sys
import time
import zipfile
import xml.etree.ElementTree as ET

os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager reach the internet

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
DRIVER = os.environ.get("HUB_CHROMEDRIVER", "/usr/bin/chromedriver")

url, username, password, shots = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
downloads = os.path.join(shots, "downloads")
os.makedirs(downloads, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = CHROMIUM
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,900",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking"):
    options.add_argument(argument)
options.add_experimental_option("prefs", {
    "download.default_directory": downloads, "download.prompt_for_download": False, "safebrowsing.enabled": False,
})
driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
wait = WebDriverWait(driver, 90)


def shot(name):
    driver.save_screenshot(os.path.join(shots, name + ".png"))


def check(condition, message):
    if not condition:
        shot("failure")
        raise AssertionError(message)


def downloaded(name_end, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for name in os.listdir(downloads):
            if name.endswith(name_end) and not name.endswith(".crdownload"):
                return os.path.join(downloads, name)
        time.sleep(0.2)
    raise AssertionError("no %s file was downloaded" % name_end)


try:
    # Sign in.
    driver.get(url + "/capacity")
    wait.until(EC.presence_of_element_located((By.ID, "username")))
    check(driver.current_url.endswith("/signin"), "an anonymous visit goes to the sign-in page")
    shot("signin")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    # Capacity: both practices in the heatmap, every outcome shown.
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.done")))
    heatmap = driver.find_element(By.CSS_SELECTOR, "svg.heatmap")
    labels = heatmap.text
    check("B82617" in labels and "A20047" in labels, "the heatmap shows both reference practices: %r" % labels)
    answers = driver.find_element(By.CSS_SELECTOR, "ul.answers").text
    check("B82617 COXWOLD SURGERY: ok" in answers, "COXWOLD answered: %r" % answers)
    check("unreachable" in answers, "the offline practice is shown as unreachable: %r" % answers)
    shot("capacity")

    # Exports, read back.
    driver.find_element(By.LINK_TEXT, "Export CSV").click()
    rows = list(csv.reader(io.open(downloaded(".csv"), newline="", encoding="utf-8")))
    check(rows[0][:3] == ["ODS code", "Practice", "Outcome"], "CSV header: %r" % rows[0])
    check([row[0] for row in rows[1:]][:2] == ["B82617", "A20047"], "CSV practices: %r" % rows)
    driver.find_element(By.LINK_TEXT, "Export XLSX").click()
    workbook = zipfile.ZipFile(downloaded(".xlsx"))
    sheet = ET.fromstring(workbook.read("xl/worksheets/sheet1.xml"))
    texts = [t.text for t in sheet.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t")]
    check("B82617" in texts and "A20047" in texts, "XLSX practices: %r" % texts[:40])

    # Find and book at COXWOLD for patient2.
    driver.find_element(By.LINK_TEXT, "Find and book").click()
    wait.until(EC.presence_of_element_located((By.ID, "from")))
    driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "form[action='/book/start']")))
    shot("slots")
    forms = driver.find_elements(By.CSS_SELECTOR, "form[action='/book/start']")
    chosen = next(f for f in forms if f.find_element(By.NAME, "ods").get_attribute("value") == "B82617")
    day = chosen.find_element(By.NAME, "day").get_attribute("value")
    chosen.find_element(By.TAG_NAME, "button").click()
    wait.until(EC.presence_of_element_located((By.ID, "nhs"))).send_keys("9690937286")
    driver.find_element(By.CSS_SELECTOR, "form[action='/book/patient'] button").click()
    wait.until(EC.presence_of_element_located((By.ID, "description"))).send_keys("Booked in the browser")
    check("SKELLY" in driver.page_source, "the patient found is patient2")
    driver.find_element(By.CSS_SELECTOR, "form[action='/book/confirm'] button").click()
    panel = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "div.panel"))).text
    check("Appointment booked" in panel, "booked: %r" % panel)
    appointment = panel.split("Appointment/")[1].split()[0]
    shot("booked")
    print("BOOKED %s %s" % (appointment, day), flush=True)

    # patient2's record.
    driver.find_element(By.LINK_TEXT, "Record").click()
    wait.until(EC.presence_of_element_located((By.ID, "nhs"))).send_keys("9690937286")
    driver.find_element(By.CSS_SELECTOR, "form[action='/record'] button").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "div.patient-banner")))
    check("Allergies" in driver.page_source, "the record shows allergies")
    check(driver.find_elements(By.CSS_SELECTOR, "ul.documents a[download]"), "the record lists downloadable documents")
    shot("record")

    # Send a task.
    driver.find_element(By.LINK_TEXT, "Tasks").click()
    wait.until(EC.presence_of_element_located((By.ID, "nhs"))).send_keys("9690937286")
    Select(driver.find_element(By.ID, "type")).select_by_value("medication-review")
    driver.find_element(By.ID, "description").send_keys("Review after the hub appointment")
    driver.find_element(By.CSS_SELECTOR, "form[action='/tasks'] button").click()
    notice = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.notice"))).text
    check("sent to B82617" in notice, "task sent: %r" % notice)
    shot("tasks")

    driver.find_element(By.LINK_TEXT, "Access log").click()
    wait.until(EC.presence_of_element_located((By.TAG_NAME, "table")))
    check("send task" in driver.page_source, "the access log has the task")
    shot("audit")

    # Sign out: the pages are closed again.
    driver.find_element(By.CSS_SELECTOR, "form.signout button").click()
    wait.until(EC.presence_of_element_located((By.ID, "username")))
    driver.get(url + "/capacity")
    check(driver.current_url.endswith("/signin"), "signed out")
except Exception:
    shot("failure")
    sys.stderr.write("at %s:\n%s\n" % (driver.current_url, driver.page_source[-3000:]))
    raise
finally:
    driver.quit()
