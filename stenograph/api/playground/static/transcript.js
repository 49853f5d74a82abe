// One transcript: its job watched until it ends, then its words (by speaker, shaded by confidence,
// in sync with the audio), search, downloads and every other result.

import { call } from "./api.js";
import { audioUrl, rememberAudio } from "./media.js";
import { renderResults } from "./results.js";
import { $, clock, download, el } from "./util.js";

const POLL_MS = 1000;
const STEPS = ["queued", "processing", "completed"];
const SPEAKER_COLOURS = 8;

let generation = 0; // bumped on leave: a poll or render of a page left behind stops
let transcript = null;
let timeline = []; // {start, end, span} of every rendered word, by start
let spans = []; // the span of each word of transcript.words, by index (search hits)
let currentSpan = null;
let frame = null;

export function init() {
  const player = $("player");
  player.addEventListener("play", followPlayback);
  player.addEventListener("seeked", () => highlightAt(player.currentTime * 1000));
  player.addEventListener("timeupdate", () => highlightAt(player.currentTime * 1000));
  $("transcript-text").addEventListener("click", (event) => {
    const word = event.target.closest(".w[data-start]");
    if (word) seek(Number(word.dataset.start));
  });
  $("transcript-text").addEventListener("keydown", keyboard);
  $("search-form").addEventListener("submit", search);
  $("t-local-audio").addEventListener("change", () => {
    const file = $("t-local-audio").files[0];
    if (!file || !transcript) return;
    rememberAudio(transcript.id, file);
    showPlayer(transcript.id);
  });
  for (const button of document.querySelectorAll("[data-export]")) {
    button.addEventListener("click", () => exportAs(button.dataset.export));
  }
}

export function enter([id]) {
  generation += 1;
  transcript = null;
  $("t-id").textContent = id || "";
  $("t-body").hidden = true;
  $("t-job").hidden = false;
  $("t-error").textContent = "";
  $("t-status").textContent = "Loading…";
  $("search").value = "";
  $("search-results").replaceChildren();
  showStep(null);
  if (id) watch(id, generation, Date.now());
}

export function leave() {
  generation += 1;
  const player = $("player");
  player.pause();
  player.removeAttribute("src");
  player.load();
  cancelAnimationFrame(frame);
}

function showStep(status) {
  const reached = STEPS.indexOf(status);
  for (const item of document.querySelectorAll("#t-job .steps li")) {
    const index = STEPS.indexOf(item.dataset.step);
    item.classList.toggle("done", index < reached || status === "completed");
    item.classList.toggle("active", index === reached && status !== "completed");
    if (index === reached) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
}

async function watch(id, mine, since) {
  let body;
  try {
    body = await call(`/v2/transcript/${encodeURIComponent(id)}`);
  } catch (error) {
    if (mine !== generation) return;
    $("t-status").textContent = "";
    $("t-error").textContent = error.status === 404 ? "No such transcript for this key." : error.message;
    $("t-progress").hidden = true;
    if (error.status !== 404 && error.status !== 401) setTimeout(() => watch(id, mine, since), POLL_MS * 3);
    return;
  }
  if (mine !== generation) return;
  showStep(body.status);
  const waited = Math.round((Date.now() - since) / 1000);
  if (body.status === "queued" || body.status === "processing") {
    $("t-progress").hidden = false;
    $("t-status").textContent =
      body.status === "queued" ? `Queued, waiting for a worker (${waited} s)` : `Processing (${waited} s)`;
    setTimeout(() => watch(id, mine, since), POLL_MS);
    return;
  }
  $("t-progress").hidden = true;
  if (body.status === "error") {
    $("t-status").textContent = "";
    $("t-error").textContent = `The job failed: ${body.error || "no reason given"}`;
    return;
  }
  $("t-job").hidden = true;
  show(body);
}

function show(body) {
  transcript = body;
  $("t-status").textContent = "";
  renderSummary(body);
  showPlayer(body.id);
  renderWords(body);
  renderResults($("results"), body, seek);
  $("t-body").hidden = false;
}

// The player, with the audio this tab holds for the transcript; else a way to pick a local copy.
function showPlayer(id) {
  const player = $("player");
  const url = audioUrl(id);
  player.hidden = !url;
  $("t-no-audio").hidden = Boolean(url);
  $("t-local-audio").value = "";
  if (url) player.src = url;
  else player.removeAttribute("src");
}

function renderSummary(body) {
  const items = [
    ["Status", body.status],
    ["Model", body.speech_model_used],
    [
      "Language",
      body.language_code &&
        (typeof body.language_confidence === "number"
          ? `${body.language_code} (${Math.round(body.language_confidence * 100)}%)`
          : body.language_code),
    ],
    ["Confidence", typeof body.confidence === "number" ? `${Math.round(body.confidence * 100)}%` : null],
    ["Duration", typeof body.audio_duration === "number" ? `${body.audio_duration} s` : null],
    ["Words", Array.isArray(body.words) ? String(body.words.length) : null],
  ];
  if (Array.isArray(body.utterances)) {
    const speakers = new Set(body.utterances.map((u) => u.speaker).filter(Boolean));
    if (speakers.size) items.push(["Speakers", String(speakers.size)]);
  }
  $("t-summary").replaceChildren(
    ...items
      .filter(([, value]) => value !== null && value !== undefined && value !== "")
      .map(([name, value]) => el("div", {}, el("dt", { text: name }), el("dd", { text: value }))),
  );
}

function confidenceClass(confidence) {
  if (typeof confidence !== "number") return "c0";
  if (confidence >= 0.9) return "c0";
  if (confidence >= 0.75) return "c1";
  if (confidence >= 0.6) return "c2";
  if (confidence >= 0.4) return "c3";
  return "c4";
}

// Blocks of words: the utterances when there are some (one per speaker turn), else stretches of
// the text broken at pauses of 2 s or more.
function blocksOf(body) {
  const words = Array.isArray(body.words) ? body.words : [];
  const indexes = new Map(); // "start|end|channel|text" -> indexes in words, in order
  words.forEach((word, index) => {
    const key = `${word.start}|${word.end}|${word.channel}|${word.text}`;
    if (!indexes.has(key)) indexes.set(key, []);
    indexes.get(key).push(index);
  });
  const take = (word) => {
    const queue = indexes.get(`${word.start}|${word.end}|${word.channel}|${word.text}`);
    return queue && queue.length ? queue.shift() : -1;
  };
  if (Array.isArray(body.utterances) && body.utterances.length) {
    return body.utterances.map((utterance) => ({
      speaker: utterance.speaker,
      channel: utterance.channel,
      start: utterance.start,
      words: (utterance.words || []).map((word) => ({ word, index: take(word) })),
    }));
  }
  const blocks = [];
  let block = null;
  words.forEach((word, index) => {
    const previous = index > 0 ? words[index - 1] : null;
    const changed = previous && (word.start - previous.end >= 2000 || word.channel !== previous.channel);
    if (!block || changed) {
      block = { speaker: null, channel: word.channel, start: word.start, words: [] };
      blocks.push(block);
    }
    block.words.push({ word, index });
  });
  return blocks;
}

function renderWords(body) {
  const container = $("transcript-text");
  container.replaceChildren();
  timeline = [];
  spans = [];
  currentSpan = null;
  const blocks = blocksOf(body);
  const speakers = [];
  for (const block of blocks) {
    if (block.speaker && !speakers.includes(block.speaker)) speakers.push(block.speaker);
  }
  for (const block of blocks) {
    const paragraph = el("p", { class: "words" });
    block.words.forEach(({ word, index }, position) => {
      if (position) paragraph.append(" ");
      const confidence = typeof word.confidence === "number" ? word.confidence.toFixed(2) : "?";
      const span = el("span", {
        class: `w ${confidenceClass(word.confidence)}`,
        "data-start": word.start,
        "data-end": word.end,
        "data-index": index >= 0 ? index : null,
        title: `${clock(word.start)} · confidence ${confidence}`,
        text: word.text,
      });
      paragraph.append(span);
      timeline.push({ start: word.start, end: word.end, span });
      if (index >= 0) spans[index] = span;
    });
    const colour = block.speaker ? `spk-${speakers.indexOf(block.speaker) % SPEAKER_COLOURS}` : "spk-none";
    const label = block.speaker
      ? `Speaker ${block.speaker}`
      : block.channel && body.audio_channels > 1
        ? `Channel ${block.channel}`
        : null;
    container.append(
      el(
        "div",
        { class: `block ${colour}` },
        el(
          "div",
          { class: "block-head" },
          label && el("span", { class: "speaker", text: label }),
          el("button", {
            type: "button",
            class: "time",
            text: clock(block.start),
            "aria-label": `Play from ${clock(block.start)}`,
            onclick: () => seek(block.start),
          }),
        ),
        paragraph,
      ),
    );
  }
  if (!blocks.length) container.append(el("p", { class: "hint", text: "No speech was transcribed." }));
  timeline.sort((a, b) => a.start - b.start);
}

// Play from ``ms`` (when this tab has the audio).
export function seek(ms) {
  const player = $("player");
  if (!player.getAttribute("src")) return;
  player.currentTime = ms / 1000;
  highlightAt(ms);
}

// In the focused transcript: ← and → move word by word (and play from there), space plays or pauses.
function keyboard(event) {
  const player = $("player");
  if (!player.getAttribute("src") || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === " ") {
    event.preventDefault();
    if (player.paused) player.play();
    else player.pause();
    return;
  }
  if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
  event.preventDefault();
  const at = currentSpan ? timeline.findIndex((entry) => entry.span === currentSpan) : -1;
  let target;
  if (at >= 0) {
    target = at + (event.key === "ArrowRight" ? 1 : -1);
  } else {
    const ms = player.currentTime * 1000;
    const next = timeline.findIndex((entry) => entry.start > ms);
    target = event.key === "ArrowRight" ? next : (next < 0 ? timeline.length : next) - 1;
  }
  if (target >= 0 && target < timeline.length) {
    seek(timeline[target].start);
    keepInView(timeline[target].span);
  }
}

function followPlayback() {
  const player = $("player");
  cancelAnimationFrame(frame);
  const step = () => {
    highlightAt(player.currentTime * 1000, true);
    if (!player.paused && !player.ended) frame = requestAnimationFrame(step);
  };
  frame = requestAnimationFrame(step);
}

// The word being heard at ``ms``: the last to start at or before it, while it lasts (a little more).
function highlightAt(ms, follow = false) {
  let low = 0;
  let high = timeline.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (timeline[middle].start <= ms) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const entry = found >= 0 && ms <= timeline[found].end + 250 ? timeline[found] : null;
  const span = entry ? entry.span : null;
  if (span === currentSpan) return;
  if (currentSpan) currentSpan.classList.remove("now");
  currentSpan = span;
  if (span) {
    span.classList.add("now");
    if (follow) keepInView(span);
  }
}

function keepInView(span) {
  const box = $("transcript-text");
  const top = span.offsetTop - box.offsetTop;
  if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - span.offsetHeight) {
    box.scrollTop = Math.max(0, top - box.clientHeight / 3);
  }
}

async function search(event) {
  event.preventDefault();
  const results = $("search-results");
  for (const span of document.querySelectorAll("#transcript-text .hit")) span.classList.remove("hit");
  const terms = $("search").value.trim();
  if (!terms || !transcript) {
    results.replaceChildren();
    return;
  }
  let found;
  try {
    found = await call(
      `/v2/transcript/${encodeURIComponent(transcript.id)}/word-search?words=${encodeURIComponent(terms)}`,
    );
  } catch (error) {
    results.replaceChildren(el("p", { class: "error", text: error.message }));
    return;
  }
  for (const match of found.matches) {
    for (const index of match.indexes || []) if (spans[index]) spans[index].classList.add("hit");
  }
  results.replaceChildren(
    el("p", { text: found.total_count === 1 ? "1 match" : `${found.total_count} matches` }),
    el(
      "ul",
      { class: "matches" },
      found.matches.map((match) =>
        el(
          "li",
          {},
          el("strong", { text: match.text }),
          ` ×${match.count} `,
          match.timestamps.slice(0, 30).map(([start]) =>
            el("button", {
              type: "button",
              class: "time",
              text: clock(start),
              "aria-label": `Play “${match.text}” at ${clock(start)}`,
              onclick: () => seek(start),
            }),
          ),
        ),
      ),
    ),
  );
}

function plainText(body) {
  if (Array.isArray(body.utterances) && body.utterances.length && body.utterances[0].speaker) {
    return `${body.utterances.map((u) => `Speaker ${u.speaker}: ${u.text}`).join("\n\n")}\n`;
  }
  return `${body.text || ""}\n`;
}

async function exportAs(kind) {
  if (!transcript) return;
  const id = transcript.id;
  try {
    if (kind === "srt" || kind === "vtt") {
      const text = await call(`/v2/transcript/${encodeURIComponent(id)}/${kind}`, { as: "text" });
      download(`${id}.${kind}`, text, kind === "srt" ? "application/x-subrip" : "text/vtt");
    } else if (kind === "txt") {
      download(`${id}.txt`, plainText(transcript), "text/plain");
    } else {
      download(`${id}.json`, JSON.stringify(transcript, null, 2), "application/json");
    }
  } catch (error) {
    $("search-results").replaceChildren(el("p", { class: "error", text: `Download failed: ${error.message}` }));
  }
}
