// Every field of a transcript, rendered generically: a result that a later server version adds
// appears here without a change to the page. Arrays of objects become tables, objects become
// definition lists; a column of times in milliseconds ("start", "timestamps") becomes buttons that
// play the audio from there.

import { clock, el } from "./util.js";

// Shown elsewhere on the page (the text, the words and the summary at the top).
const SHOWN_ELSEWHERE = new Set([
  "id", "status", "text", "words", "utterances", "unredacted_words", "unredacted_utterances",
  "speech_model_used", "language_code", "language_confidence", "confidence", "audio_duration", "error",
]);

const TITLES = {
  sentiment_analysis_results: "Sentiment",
  auto_highlights_result: "Key phrases",
  entities: "Entities",
  iab_categories_result: "Topics",
  content_safety_labels: "Content safety",
  language_detection_results: "Language detection",
  speech_understanding: "Speech understanding",
  unredacted_text: "Unredacted text",
  redacted_spans: "Redacted stretches",
};

const MAX_ROWS = 500;
const TIME_COLUMNS = new Set(["start", "end", "audio_start_from", "audio_end_at"]);

export function title(key) {
  if (TITLES[key]) return TITLES[key];
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function isEmpty(value) {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.values(value).every(isEmpty);
  return false;
}

function scalar(value) {
  if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(3).replace(/0+$/, "");
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

// A stretch of time in ms: [start, end] (word search) or {start, end} (key phrases).
function isTimestampPair(value) {
  if (Array.isArray(value)) return value.length === 2 && value.every((v) => typeof v === "number");
  return (
    value !== null &&
    typeof value === "object" &&
    typeof value.start === "number" &&
    Object.keys(value).every((key) => ["start", "end"].includes(key))
  );
}

function startOf(stretch) {
  return Array.isArray(stretch) ? stretch[0] : stretch.start;
}

function seekButton(ms, seek) {
  return el("button", {
    type: "button",
    class: "time",
    text: clock(ms),
    "aria-label": `Play from ${clock(ms)}`,
    onclick: () => seek(ms),
  });
}

function cell(column, value, seek, depth) {
  if (value === null || value === undefined) return "";
  if (TIME_COLUMNS.has(column) && typeof value === "number") return seekButton(value, seek);
  if (Array.isArray(value) && value.length && value.every(isTimestampPair)) {
    return el("span", { class: "times" }, value.slice(0, 20).map((stretch) => seekButton(startOf(stretch), seek)));
  }
  if (column === "words" && Array.isArray(value)) return `${value.length} words`;
  if (column === "sentiment" && typeof value === "string") {
    return el("span", { class: `sentiment sentiment-${value.toLowerCase()}`, text: value });
  }
  if (typeof value === "object") return render(value, seek, depth + 1);
  return scalar(value);
}

function table(rows, seek, depth) {
  const columns = [];
  for (const row of rows.slice(0, 50)) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  const shown = rows.slice(0, MAX_ROWS);
  const body = shown.map((row) =>
    el("tr", {}, columns.map((column) => el("td", {}, cell(column, row[column], seek, depth)))),
  );
  const wrap = el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, columns.map((column) => el("th", { scope: "col", text: title(column) })))),
      el("tbody", {}, body),
    ),
  );
  if (rows.length > MAX_ROWS) {
    wrap.append(el("p", { class: "hint", text: `${rows.length - MAX_ROWS} more rows in the JSON download.` }));
  }
  return wrap;
}

// One value as DOM: a table, a definition list, a list or text.
export function render(value, seek, depth = 0) {
  if (Array.isArray(value)) {
    if (value.length && value.every(isTimestampPair)) return cell("timestamps", value, seek, depth);
    if (value.length && value.every((item) => item && typeof item === "object" && !Array.isArray(item))) {
      return table(value, seek, depth);
    }
    if (value.every((item) => item === null || typeof item !== "object")) return value.map(scalar).join(", ");
    return el("pre", { text: JSON.stringify(value, null, 2) });
  }
  if (value && typeof value === "object") {
    if (depth > 4) return el("pre", { text: JSON.stringify(value, null, 2) });
    const entries = Object.entries(value).filter(([, v]) => !isEmpty(v));
    return el(
      "dl",
      { class: "fields" },
      entries.map(([key, v]) => [el("dt", { text: title(key) }), el("dd", {}, cell(key, v, seek, depth))]),
    );
  }
  return scalar(value);
}

// The transcript's fields that hold something: results (objects, lists of objects, long text) first,
// each in its own section, then the rest (mostly the request's options as echoed: flags, names,
// lists of names) in a closed <details>.
export function renderResults(container, transcript, seek) {
  container.replaceChildren();
  const rest = [];
  for (const [key, value] of Object.entries(transcript)) {
    if (SHOWN_ELSEWHERE.has(key) || isEmpty(value) || value === false) continue;
    const long = typeof value === "string" && value.length > 80;
    const scalars = Array.isArray(value) && value.every((item) => item === null || typeof item !== "object");
    if ((typeof value === "object" && !scalars) || long) {
      container.append(
        el(
          "section",
          { class: "result", "data-field": key },
          el("h3", { text: title(key) }),
          long ? el("p", { text: value }) : render(value, seek),
        ),
      );
    } else {
      rest.push([key, value]);
    }
  }
  if (!container.children.length) {
    container.append(el("p", { class: "hint", text: "No other results: ask for more in the options." }));
  }
  container.append(
    el(
      "details",
      { class: "result" },
      el("summary", { text: "Every other field" }),
      el("dl", { class: "fields" }, rest.map(([key, v]) => [el("dt", { text: key }), el("dd", { text: Array.isArray(v) ? v.map(scalar).join(", ") : scalar(v) })])),
    ),
  );
}
