"""The playground in a real browser: headless Chromium (Debian's, driven by Playwright) against a
live server. Sign in, upload ../shared/audio/jfk/jfk.wav, wait for the job, read the transcript,
click a word and see the audio seek there, search, download the captions, page through the history
and delete; then stream the microphone on the Live page, Chromium's fake capture device playing the
same file, and see a final turn.

Screenshots of each page go to the test's temporary folder, or to ``$STENOGRAPH_TEST_SCREENSHOTS``
when set (``STENOGRAPH_TEST_SCREENSHOTS=docs pytest tests/e2e/test_playground.py`` refreshes the
README's)."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveServer, create_key, free_port

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1100, "height": 860}
TIMEOUT_MS = 120_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def jfk(shared_audio: Path) -> Path:
    return shared_audio / "jfk" / "jfk.wav"  # 16-bit mono WAV: what Chromium's fake capture reads


@pytest.fixture(scope="module")
def browser(jfk: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (`make install-test` installs Debian's chromium as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--autoplay-policy=no-user-gesture-required",
                "--use-fake-ui-for-media-stream",  # the microphone granted without a prompt
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={jfk}",  # the microphone plays this file, looped
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def project_key(server: LiveServer) -> str:
    """A project of the test's own: its history holds only what this module makes."""
    return create_key(server)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("STENOGRAPH_TEST_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture()
def page(browser: Any, server: LiveServer, project_key: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, base_url=server.base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def wait_until(page: Any, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression until it is true (``page.wait_for_function`` evaluates strings
    with eval, which the playground's Content-Security-Policy forbids; ``evaluate`` is exempt)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            text = page.locator("main").inner_text()
            raise AssertionError(f"not true after {timeout} s: {expression}\n(the page: {text})")
        time.sleep(0.1)


def sign_in(page: Any, key: str) -> None:
    page.goto("/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#page-transcribe").wait_for(state="visible")


def test_sign_in_refuses_a_bad_key(page: Any, screenshots: Path) -> None:
    page.goto("/")
    page.get_by_label("API key").fill("not-a-key")
    page.get_by_role("button", name="Sign in").click()
    alert = page.locator("#signin-error")
    alert.filter(has_text="not valid").wait_for()
    assert page.locator("#nav").is_hidden()
    assert page.evaluate("sessionStorage.length") == 0
    page.screenshot(path=screenshots / "playground-signin.png")


def test_upload_transcribe_seek_search_download(
    page: Any, server: LiveServer, project_key: str, jfk: Path, screenshots: Path, tmp_path: Path
) -> None:
    sign_in(page, project_key)
    assert page.evaluate("sessionStorage.getItem('stenograph.apiKey')") == project_key
    page.set_input_files("#audio-file", str(jfk))
    page.get_by_label("Model (speech_models)").select_option("universal-2")  # tiny.en
    page.locator("summary", has_text="More options").click()
    page.get_by_label("Sentiment per sentence").check()
    page.screenshot(path=screenshots / "playground-transcribe.png", full_page=True)
    page.get_by_role("button", name="Transcribe", exact=True).click()

    page.wait_for_url(re.compile(r"#/transcript/"))
    transcript_id = page.url.rsplit("/", 1)[1]
    page.locator("#t-body").wait_for(state="visible")
    text = page.locator("#transcript-text").inner_text()
    assert "ask not what your country can do for you" in re.sub(r"[^\w ]", "", " ".join(text.lower().split()))

    # The same words the API gives; clicking one moves the audio to its start.
    body = httpx.get(
        f"{server.base_url}/v2/transcript/{transcript_id}", headers={"Authorization": project_key}
    ).json()
    assert body["status"] == "completed" and body["speech_model_used"] == "tiny.en"
    index, word = next((i, w) for i, w in enumerate(body["words"]) if "country" in w["text"].lower())
    wait_until(page, "document.getElementById('player').readyState >= 1")
    span = page.locator(f'#transcript-text .w[data-index="{index}"]')
    assert span.inner_text() == word["text"]
    span.click()
    current = page.evaluate("document.getElementById('player').currentTime")
    assert current == pytest.approx(word["start"] / 1000, abs=0.05)
    assert "now" in (span.get_attribute("class") or "")

    # The keyboard: → moves to the next word, ← back.
    page.locator("#transcript-text").focus()
    page.keyboard.press("ArrowRight")
    current = page.evaluate("document.getElementById('player').currentTime")
    assert current == pytest.approx(body["words"][index + 1]["start"] / 1000, abs=0.05)
    page.keyboard.press("ArrowLeft")
    current = page.evaluate("document.getElementById('player').currentTime")
    assert current == pytest.approx(word["start"] / 1000, abs=0.05)

    # Playing moves the highlight on, word by word.
    page.evaluate("document.getElementById('player').play()")
    wait_until(
        page,
        f"(() => {{ const now = document.querySelector('#transcript-text .w.now');"
        f" return Boolean(now) && Number(now.dataset.start) > {word['start']}; }})()",
        timeout=10,
    )
    page.evaluate("document.getElementById('player').pause()")

    # Search: the server's word search, its hits marked in the text.
    page.get_by_label("Search the transcript").fill("country")
    page.get_by_role("button", name="Search").click()
    page.locator("#search-results", has_text="2 matches").wait_for()
    assert page.locator("#transcript-text .w.hit").count() == 2

    # The other results: the sentiment of each sentence, rendered from the transcript's fields.
    sentiment = page.locator('section.result[data-field="sentiment_analysis_results"]')
    assert sentiment.locator("h3").inner_text() == "Sentiment"
    assert sentiment.locator("tbody tr").count() == len(body["sentiment_analysis_results"]) >= 1
    page.screenshot(path=screenshots / "playground-transcript.png", full_page=True)

    # Downloads: the server's SRT, and the JSON as the API answered it.
    with page.expect_download() as download:
        page.get_by_role("button", name="SRT").click()
    srt = download.value.path().read_text()
    assert download.value.suggested_filename == f"{transcript_id}.srt"
    assert "-->" in srt and "country" in srt.lower()
    with page.expect_download() as download:
        page.get_by_role("button", name="JSON").click()
    assert download.value.path().read_text().count('"text"') > len(body["words"])


def test_history_pages_and_deletes(page: Any, server: LiveServer, screenshots: Path) -> None:
    """Six jobs of a new project whose audio cannot be fetched (they end in error at once): a page
    of five, then the older page with the first, which is deleted."""
    project_key = create_key(server)
    headers = {"Authorization": project_key}
    created = [
        httpx.post(
            f"{server.base_url}/v2/transcript",
            headers=headers,
            json={"audio_url": f"http://127.0.0.1:{free_port()}/missing.wav"},  # nothing listens there
        ).json()["id"]
        for _ in range(6)
    ]
    oldest = created[0]
    deadline = time.monotonic() + 60
    while any(  # each fails at its first fetch
        httpx.get(f"{server.base_url}/v2/transcript/{i}", headers=headers).json()["status"] != "error"
        for i in created
    ):
        assert time.monotonic() < deadline, "the jobs did not fail"
        time.sleep(0.2)

    sign_in(page, project_key)
    page.get_by_role("link", name="History").click()
    rows = page.locator("#history-table tbody tr")
    page.get_by_label("Per page").select_option("5")
    wait_until(page, "document.querySelectorAll('#history-table tbody tr').length === 5")
    assert page.locator("#history-older").is_enabled() and page.locator("#history-newer").is_disabled()
    assert page.locator("#history-table .status-error").count() == 5
    page.screenshot(path=screenshots / "playground-history.png", full_page=True)

    page.get_by_role("button", name="Older").click()
    page.locator(f'#history-table tr[data-id="{oldest}"]').wait_for()
    assert rows.count() == 1
    assert page.locator("#history-newer").is_enabled() and page.locator("#history-older").is_disabled()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Delete transcript {oldest}").click()
    page.locator("#history-status", has_text=f"Deleted {oldest}").wait_for()
    assert page.locator(f'#history-table tr[data-id="{oldest}"] td.audio-url').inner_text() == "deleted"
    gone = httpx.get(f"{server.base_url}/v2/transcript/{oldest}", headers=headers).json()
    assert gone["audio_url"] == "http://deleted_by_user"

    page.get_by_role("button", name="Newer").click()
    wait_until(page, "document.querySelectorAll('#history-table tbody tr').length === 5")
    page.locator("#history-table tbody tr a").first.click()
    page.locator("#t-error", has_text="The job failed").wait_for()


def test_live_streams_the_microphone(page: Any, project_key: str, screenshots: Path) -> None:
    sign_in(page, project_key)
    page.get_by_role("link", name="Live").click()
    # Remember whether a partial (grey) word was ever drawn: they are replaced as words settle.
    page.evaluate(
        """() => {
            window.partialSeen = null;
            new MutationObserver(() => {
                const partial = document.querySelector('#live-turns .w.partial');
                if (partial && !window.partialSeen) window.partialSeen = getComputedStyle(partial).color;
            }).observe(document.getElementById('live-turns'), {childList: true, subtree: true});
        }"""
    )
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.get_by_role("button", name="Start").click()
    page.locator("#live-turns .turn.ended").first.wait_for(timeout=60_000)
    # A one-use temporary token in the URL, never the key itself.
    assert len(sockets) == 1 and "token=" in sockets[0] and project_key not in sockets[0]
    assert "sample_rate=16000" in sockets[0] and "encoding=pcm_s16le" in sockets[0]
    # "And so, my fellow Americans, ask not what your country can do for you...": a final turn of it.
    wait_until(
        page,
        "[...document.querySelectorAll('#live-turns .turn.ended')]"
        ".some((turn) => /american|country/i.test(turn.innerText))",
    )
    heard = re.compile("american|country", re.I)
    ended = page.locator("#live-turns .turn.ended").filter(has_text=heard).first
    final_words = ended.locator(".w.final")
    assert final_words.count() >= 3 and ended.locator(".w.partial").count() == 0
    final_colour = final_words.first.evaluate("node => getComputedStyle(node).color")
    partial_colour = page.evaluate("window.partialSeen")
    assert partial_colour is not None, "no partial word was shown while the turn formed"
    assert partial_colour != final_colour
    with contextlib.suppress(AssertionError):  # for the screenshot: the next turn forming, if it comes soon
        wait_until(page, "document.querySelectorAll('#live-turns .w.partial').length >= 3", timeout=6)
    page.screenshot(path=screenshots / "playground-live.png", full_page=True)

    page.get_by_role("button", name="Stop").click()
    page.locator("#live-status", has_text="Ended:").wait_for(timeout=30_000)
    assert page.locator("#live-error").inner_text() == ""
    assert page.locator("#live-start").is_enabled()


def test_record_from_the_microphone(page: Any, project_key: str, jfk: Path) -> None:
    """A recording (MediaRecorder, Chromium's fake microphone playing jfk.wav) is uploaded and
    transcribed like a file; the key survives a reload of the tab, the recording does not (a local
    copy of the audio can be chosen instead); signing out forgets the key."""
    sign_in(page, project_key)
    record = page.locator("#record")  # its name says what a press does: record, then stop
    assert record.inner_text() == "Record from the microphone"
    record.click()
    page.locator("#record-status", has_text="Recording").wait_for()
    assert record.get_attribute("aria-pressed") == "true"
    time.sleep(5)  # "And so, my fellow Americans, ask not..." takes the first 4 s of the file
    page.get_by_role("button", name="Stop recording").click()
    page.locator("#record-status", has_text="Recorded").wait_for()
    assert page.locator("#record-preview").is_visible()
    page.get_by_role("button", name="Transcribe", exact=True).click()

    page.locator("#t-body").wait_for(state="visible")
    assert re.search(r"fellow|americans", page.locator("#transcript-text").inner_text(), re.I)
    assert page.locator("#player").get_attribute("src").startswith("blob:")

    page.reload()
    page.locator("#t-body").wait_for(state="visible")  # still signed in: the key is in sessionStorage
    assert page.locator("#player").is_hidden()
    page.set_input_files("#t-local-audio", str(jfk))
    assert page.locator("#player").is_visible()
    assert page.locator("#player").get_attribute("src").startswith("blob:")

    page.get_by_role("button", name="Sign out").click()
    page.locator("#page-signin").wait_for(state="visible")
    assert page.evaluate("sessionStorage.length") == 0
    assert page.locator("#nav").is_hidden()
