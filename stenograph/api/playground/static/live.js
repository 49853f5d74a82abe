// The Live page: a temporary token (GET /v3/token), then the microphone streamed to /v3/ws as 16 kHz
// s16le PCM, and the turns drawn as they form (partial words grey, final words solid).

import { call } from "./api.js";
import { $, el } from "./util.js";

const TOKEN_SECONDS = 60; // only to connect: the session itself may last longer
const SPEAKER_COLOURS = 8;

let session = null; // {ws, stream, context, turns, speakers, formatTurns, stopping}

export function init() {
  $("live-form").addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  $("live-stop").addEventListener("click", stop);
}

export function enter() {}

export function leave() {
  if (session) stop();
}

function status(text) {
  $("live-status").textContent = text;
}

function fail(text) {
  $("live-error").textContent = text;
}

function setRunning(running) {
  $("live-start").disabled = running;
  $("live-stop").disabled = !running;
  for (const control of $("live-form").querySelectorAll("select, input")) control.disabled = running;
}

async function start() {
  fail("");
  if (!window.isSecureContext || !navigator.mediaDevices || !window.AudioWorkletNode) {
    fail("The microphone needs a secure page: open the playground on https:// (serve --ssl-certfile) or localhost.");
    return;
  }
  setRunning(true);
  const mine = {
    ws: null,
    stream: null,
    context: null,
    turns: new Map(),
    speakers: [],
    formatTurns: $("live-format").checked,
    stopping: false,
  };
  session = mine;
  $("live-turns").replaceChildren();
  try {
    status("Getting a temporary token…");
    const { token } = await call(`/v3/token?expires_in_seconds=${TOKEN_SECONDS}`);
    status("Opening the microphone…");
    mine.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } });
    mine.context = new AudioContext();
    if (mine.context.sampleRate < 16000) throw new Error(`the audio device runs at ${mine.context.sampleRate} Hz`);
    await mine.context.audioWorklet.addModule("/playground/pcm-worklet.js");
    if (session !== mine) return cleanup(mine);
    const source = mine.context.createMediaStreamSource(mine.stream);
    const worklet = new AudioWorkletNode(mine.context, "pcm-downsampler");
    const mute = mine.context.createGain();
    mute.gain.value = 0; // pulled by the destination, heard by no one
    source.connect(worklet).connect(mute).connect(mine.context.destination);

    const query = new URLSearchParams({
      token,
      sample_rate: "16000",
      encoding: "pcm_s16le",
      speech_model: $("live-model").value,
      format_turns: String(mine.formatTurns),
    });
    if ($("live-speakers").checked) query.set("speaker_labels", "true");
    if ($("live-detect").checked) query.set("language_detection", "true");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    mine.ws = new WebSocket(`${scheme}//${location.host}/v3/ws?${query}`);
    mine.ws.binaryType = "arraybuffer";
    worklet.port.onmessage = ({ data }) => {
      $("live-level").value = data.peak;
      if (mine.ws.readyState === WebSocket.OPEN && !mine.stopping) mine.ws.send(data.pcm);
    };
    mine.ws.onmessage = (event) => receive(mine, event.data);
    mine.ws.onclose = (event) => closed(mine, event);
    status("Connecting…");
  } catch (error) {
    fail(`Could not start: ${error.message}`);
    cleanup(mine);
  }
}

function stop() {
  const mine = session;
  if (!mine || mine.stopping) return;
  mine.stopping = true;
  stopCapture(mine);
  if (mine.ws && mine.ws.readyState === WebSocket.OPEN) {
    status("Finishing the last turn…");
    mine.ws.send(JSON.stringify({ type: "Terminate" }));
    setTimeout(() => {
      if (mine.ws.readyState !== WebSocket.CLOSED) mine.ws.close();
    }, 15_000);
  } else {
    cleanup(mine);
  }
}

function stopCapture(mine) {
  if (mine.stream) for (const track of mine.stream.getTracks()) track.stop();
  if (mine.context && mine.context.state !== "closed") mine.context.close();
  $("live-level").value = 0;
}

function cleanup(mine) {
  stopCapture(mine);
  if (mine.ws && mine.ws.readyState === WebSocket.OPEN) mine.ws.close();
  if (session === mine) {
    session = null;
    setRunning(false);
  }
}

function closed(mine, event) {
  if (event.code !== 1000 && event.code !== 1005) {
    fail(`The session closed: ${event.code}${event.reason ? ` ${event.reason}` : ""}`);
  }
  cleanup(mine);
}

function receive(mine, data) {
  let message;
  try {
    message = JSON.parse(data);
  } catch {
    return;
  }
  if (message.type === "Begin") {
    status("Listening: speak now.");
  } else if (message.type === "Turn") {
    drawTurn(mine, message);
  } else if (message.type === "SpeakerRevision") {
    for (const revision of message.revisions || []) drawTurn(mine, { ...revision, revised: true });
  } else if (message.type === "Termination") {
    const seconds = Math.round(message.audio_duration_seconds || 0);
    status(`Ended: ${seconds} s of audio transcribed.`);
  }
}

function speakerClass(mine, label) {
  if (!label || label === "UNKNOWN") return "spk-none";
  if (!mine.speakers.includes(label)) mine.speakers.push(label);
  return `spk-${mine.speakers.indexOf(label) % SPEAKER_COLOURS}`;
}

function drawTurn(mine, message) {
  let turn = mine.turns.get(message.turn_order);
  if (!turn) {
    turn = {
      box: el("div", { class: "turn block spk-none", "data-turn": message.turn_order }),
      label: el("span", { class: "speaker" }),
      words: el("p", { class: "words" }),
      announced: false,
    };
    turn.box.append(el("div", { class: "block-head" }, turn.label), turn.words);
    $("live-turns").append(turn.box);
    mine.turns.set(message.turn_order, turn);
  }
  if (message.revised && turn.box.classList.contains("ended") && !message.words.length) return;
  const speaker = message.speaker_label;
  if (speaker) {
    turn.box.className = `turn block ${speakerClass(mine, speaker)}${turn.box.classList.contains("ended") ? " ended" : ""}`;
    turn.label.textContent = speaker === "UNKNOWN" ? "Speaker ?" : `Speaker ${speaker}`;
  }
  if (message.language_code) {
    if (!turn.language) {
      turn.language = el("span", { class: "badge" });
      turn.box.querySelector(".block-head").append(turn.language);
    }
    const confidence = typeof message.language_confidence === "number" ? message.language_confidence : null;
    turn.language.textContent =
      confidence === null ? message.language_code : `${message.language_code} ${Math.round(confidence * 100)}%`;
  }
  const spans = [];
  (message.words || []).forEach((word, index) => {
    if (index) spans.push(" ");
    const final = message.revised || message.turn_is_formatted || word.word_is_final;
    spans.push(el("span", { class: final ? "w final" : "w partial", text: word.text }));
  });
  turn.words.replaceChildren(...spans);
  if (message.end_of_turn) {
    turn.box.classList.add("ended");
    const complete = !mine.formatTurns || message.turn_is_formatted;
    if (complete && !turn.announced) {
      turn.announced = true;
      $("live-announce").textContent = message.transcript || "";
    }
  }
  turn.box.scrollIntoView({ block: "nearest" });
}
