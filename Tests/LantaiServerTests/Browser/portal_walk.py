"""Drives headless Chromium through the public portal of a running node, as a citizen would:
search by a two-character word, open a facet, open a record, submit a 民生 request from a guide,
and follow it by its reference. Exits 1 naming the step that failed, or on any console error.

    portal_walk.py BASE_URL
"""
import json
import re
import sys

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base = sys.argv[1].rstrip("/")
options = webdriver.ChromeOptions()
for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900",
            "--lang=zh-CN"]:
    options.add_argument(arg)
options.binary_location = "/usr/bin/chromium"
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
steps = []
step = "start"


def wait_for(css, timeout=15):
    return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def console_errors():
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


try:
    step = "portal"
    driver.get(base + "/portal")
    box = wait_for("#q")
    box.send_keys("档案")
    driver.find_element(By.CSS_SELECTOR, "#search-button").click()

    step = "results"
    found = wait_for("#found").text
    hits = driver.find_elements(By.CSS_SELECTOR, ".hit")
    marks = driver.find_elements(By.CSS_SELECTOR, ".hit mark")
    assert hits, "no hits for 档案"
    assert marks, "no highlighted match"
    steps.append({"step": step, "found": found, "hits": len(hits)})

    step = "facet"
    facet = driver.find_elements(By.CSS_SELECTOR, "#facets a.facet")[0]
    facet_label = facet.text
    facet.click()
    wait_for("#clear-filters")
    narrowed = len(driver.find_elements(By.CSS_SELECTOR, ".hit"))
    assert 0 < narrowed <= len(hits), "the facet did not narrow the hits"
    steps.append({"step": step, "facet": facet_label, "hits": narrowed})

    step = "item"
    driver.find_elements(By.CSS_SELECTOR, "a.hit-title")[0].click()
    title = wait_for("#record-title").text
    assert title, "the record page has no title"
    assert driver.find_elements(By.CSS_SELECTOR, "table.fields"), "the record page has no description table"
    steps.append({"step": step, "title": title})

    step = "guide"
    driver.get(base + "/portal")
    wait_for("a.guide")
    driver.find_element(By.CSS_SELECTOR, "a[href='/guides/marriage']").click()
    form = wait_for("#request-form")
    form.find_element(By.NAME, "requesterName").send_keys("王秀英")
    form.find_element(By.NAME, "identityNumber").send_keys("11010519491231002X")
    form.find_element(By.NAME, "contact").send_keys("13800000000")
    form.find_element(By.NAME, "sought").send_keys("1987年在红星公社登记结婚的记录")
    driver.find_element(By.CSS_SELECTOR, "#submit-request").click()

    step = "submitted"
    reference = wait_for("#reference").text.strip()
    assert re.fullmatch(r"LY-\d{8}-[0-9A-Z]{7}", reference), "no reference shown: %r" % reference
    steps.append({"step": step, "reference": reference})

    step = "status"
    driver.find_element(By.CSS_SELECTOR, "#follow").click()
    status = wait_for("#status-name").text
    assert status == "已提交", "status is %r" % status
    steps.append({"step": step, "status": status})

    step = "english"
    driver.find_element(By.CSS_SELECTOR, "#lang-switch").click()
    wait_for("#status-name")
    assert driver.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "en", "the language switch did not work"

    step = "console"
    errors = console_errors()
    assert not errors, "console errors: %s" % errors
    print(json.dumps({"ok": True, "steps": steps}, ensure_ascii=False))
except (AssertionError, WebDriverException) as e:
    print(json.dumps({"ok": False, "step": step, "error": str(e)[:2000], "url": driver.current_url, "steps": steps},
                     ensure_ascii=False))
    sys.exit(1)
finally:
    driver.quit()
