// Streams raw 16 kHz PCM to a live Stenograph server with the official AssemblyAI JavaScript SDK,
// at real-time pace, and prints one JSON line of what it received.
// Usage: node streaming.mjs v3|v2 BASE_URL WSS_URL API_KEY PCM_PATH [key|token] [speakers]
// With "speakers" (v3): speakerLabels on, no forceEndpoint; the order of turn, speakerRevision and
// close events is recorded in `events` ("terminated": close() returned, Termination received).
import { readFileSync } from "node:fs";
import { AssemblyAI } from "assemblyai";

const [protocol, baseUrl, wssUrl, apiKey, pcmPath, auth = "key", mode = ""] = process.argv.slice(2);
const speakers = mode === "speakers";
const client = new AssemblyAI({ apiKey, baseUrl, streamingBaseUrl: baseUrl });
const pcm = readFileSync(pcmPath);
const CHUNK = 3200; // 100 ms of 16 kHz 16-bit mono
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function paced(send, at2s = () => {}) {
  const start = Date.now();
  for (let i = 0, n = 0; i < pcm.length; i += CHUNK, n++) {
    if (n === 20) at2s();
    let piece = pcm.subarray(i, i + CHUNK);
    if (piece.length < CHUNK) piece = Buffer.concat([piece, Buffer.alloc(CHUNK - piece.length)]);
    send(piece.buffer.slice(piece.byteOffset, piece.byteOffset + piece.length));
    const wait = start + (n + 1) * 100 - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

const seen = { protocol, auth, turns: [], partials: 0, errors: [], closes: [], revisions: [], events: [] };
if (protocol === "v3") {
  const params = { websocketBaseUrl: wssUrl, sampleRate: 16000, formatTurns: true };
  if (speakers) params.speakerLabels = true;
  if (auth === "token") params.token = await client.streaming.createTemporaryToken({ expires_in_seconds: 60 });
  const transcriber = client.streaming.transcriber(params);
  transcriber.on("turn", (turn) => {
    seen.events.push("turn");
    if (turn.end_of_turn) seen.turns.push(turn);
    else seen.partials += 1;
  });
  transcriber.on("speakerRevision", (revision) => {
    seen.events.push("speakerRevision");
    seen.revisions.push(revision);
  });
  transcriber.on("error", (error) => seen.errors.push(String(error)));
  transcriber.on("close", (code, reason) => {
    seen.events.push("close");
    seen.closes.push([code, reason]);
  });
  const begin = await transcriber.connect();
  seen.begin = begin;
  transcriber.keepAlive();
  transcriber.updateConfiguration({ max_turn_silence: 900 });
  // Two seconds in, mid-speech: the turn ends there and the rest is the next turn.
  await paced((data) => transcriber.sendAudio(data), () => speakers || transcriber.forceEndpoint());
  await transcriber.close(); // waits for Termination
  seen.events.push("terminated");
} else {
  const params = { realtimeUrl: wssUrl, sampleRate: 16000 };
  if (auth === "token") params.token = await client.realtime.createTemporaryToken({ expires_in: 60 });
  const transcriber = client.realtime.transcriber(params);
  transcriber.on("transcript.final", (t) => seen.turns.push(t));
  transcriber.on("transcript.partial", () => (seen.partials += 1));
  transcriber.on("session_information", (info) => (seen.session_information = info));
  transcriber.on("error", (error) => seen.errors.push(String(error)));
  transcriber.on("close", (code, reason) => seen.closes.push([code, reason]));
  seen.begin = await transcriber.connect();
  await paced((data) => transcriber.sendAudio(data));
  await transcriber.close();
}
console.log(JSON.stringify(seen));
