// The Transcribe page: a file or a recording, the options, POST /v2/upload then /v2/transcript.

import { call, upload } from "./api.js";
import { rememberAudio } from "./media.js";
import { $, clock } from "./util.js";

let recording = null; // the last recording (a Blob), used instead of a file when set
let recorder = null;
let recordTimer = null;

export function init() {
  $("transcribe-form").addEventListener("submit", submit);
  $("record").addEventListener("click", toggleRecording);
  $("audio-file").addEventListener("change", () => {
    if ($("audio-file").files.length) clearRecording();
  });
}

export function enter() {
  $("transcribe-error").textContent = "";
}

export function leave() {
  if (recorder && recorder.state === "recording") recorder.stop();
}

function clearRecording() {
  recording = null;
  const preview = $("record-preview");
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.removeAttribute("src");
  preview.hidden = true;
  $("record-status").textContent = "";
}

async function toggleRecording() {
  if (recorder && recorder.state === "recording") {
    recorder.stop();
    return;
  }
  $("transcribe-error").textContent = "";
  if (!navigator.mediaDevices || !window.MediaRecorder) {
    $("transcribe-error").textContent =
      "Recording needs a secure page (https:// or localhost) and a browser with MediaRecorder.";
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (error) {
    $("transcribe-error").textContent = `The microphone is not available: ${error.message}`;
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (event) => {
    if (event.data.size) chunks.push(event.data);
  };
  recorder.onstop = () => {
    clearInterval(recordTimer);
    for (const track of stream.getTracks()) track.stop();
    $("record").textContent = "Record again";
    $("record").setAttribute("aria-pressed", "false");
    recording = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
    const preview = $("record-preview");
    preview.src = URL.createObjectURL(recording);
    preview.hidden = false;
    $("audio-file").value = "";
    $("record-status").textContent = `Recorded ${clock(Date.now() - started, { whole: true })}; it will be sent.`;
  };
  const started = Date.now();
  recorder.start(250);
  $("record").textContent = "Stop recording";
  $("record").setAttribute("aria-pressed", "true");
  $("record-status").textContent = "Recording…";
  recordTimer = setInterval(() => {
    $("record-status").textContent = `Recording… ${clock(Date.now() - started, { whole: true })}`;
  }, 500);
}

function commaList(text) {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function integer(id) {
  const value = $(id).value.trim();
  return value === "" ? undefined : Number.parseInt(value, 10);
}

// The POST /v2/transcript body for the form (throws a message for a bad field).
export function requestBody(audioUrl) {
  const body = { audio_url: audioUrl };
  const model = $("speech-model").value;
  if (model) body.speech_models = [model];
  const language = $("language").value;
  if (language === "detect") body.language_detection = true;
  else if (language) body.language_code = language;
  if ($("speaker-labels").checked) {
    body.speaker_labels = true;
    const expected = integer("speakers-expected");
    if (expected) body.speakers_expected = expected;
  }
  for (const box of document.querySelectorAll("#transcribe-form input[data-option]")) {
    const defaultOn = box.defaultChecked && ["punctuate", "format_text"].includes(box.dataset.option);
    if (box.checked !== defaultOn) body[box.dataset.option] = box.checked;
  }
  if (body.redact_pii) {
    body.redact_pii_policies = commaList($("opt-policies").value);
    body.redact_pii_sub = $("opt-redact-sub").value;
  }
  const keyterms = commaList($("opt-keyterms").value);
  if (keyterms.length) body.keyterms_prompt = keyterms;
  const prompt = $("opt-prompt").value.trim();
  if (prompt) body.prompt = prompt;
  const start = integer("opt-start");
  if (start !== undefined) body.audio_start_from = start;
  const end = integer("opt-end");
  if (end !== undefined) body.audio_end_at = end;
  const extra = $("opt-extra").value.trim();
  if (extra) {
    let parsed;
    try {
      parsed = JSON.parse(extra);
    } catch (error) {
      throw new Error(`Other options: not JSON (${error.message})`);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error("Other options: expected a JSON object");
    }
    Object.assign(body, parsed);
  }
  return body;
}

async function submit(event) {
  event.preventDefault();
  const file = $("audio-file").files[0];
  const audio = recording || file;
  const status = $("transcribe-status");
  const progress = $("upload-progress");
  $("transcribe-error").textContent = "";
  if (!audio) {
    $("transcribe-error").textContent = "Choose a file or record something first.";
    $("audio-file").focus();
    return;
  }
  let body;
  try {
    body = requestBody("");
  } catch (error) {
    $("transcribe-error").textContent = error.message;
    return;
  }
  $("transcribe-submit").disabled = true;
  try {
    status.textContent = "Uploading…";
    progress.hidden = false;
    progress.value = 0;
    body.audio_url = await upload(audio, (fraction) => {
      progress.value = fraction;
      status.textContent = `Uploading… ${Math.round(fraction * 100)}%`;
    });
    status.textContent = "Submitting…";
    const created = await call("/v2/transcript", { method: "POST", body });
    rememberAudio(created.id, audio);
    status.textContent = "";
    location.hash = `#/transcript/${encodeURIComponent(created.id)}`;
  } catch (error) {
    status.textContent = "";
    $("transcribe-error").textContent = error.message;
  } finally {
    progress.hidden = true;
    $("transcribe-submit").disabled = false;
  }
}
