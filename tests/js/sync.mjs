// The Sync API through the official AssemblyAI JavaScript SDK (client.sync) against a live server.
// Usage: node sync.mjs BASE_URL API_KEY AUDIO_PATH ; prints one JSON line of what it saw.
import { readFileSync } from "node:fs";
import { AssemblyAI } from "assemblyai";

const [baseUrl, apiKey, audio] = process.argv.slice(2);
const client = new AssemblyAI({ apiKey, baseUrl, syncBaseUrl: baseUrl });
const warmed = await client.sync.warm({ model: "universal-2" });
const whole = await client.sync.transcribe(audio, { model: "universal-2", timestamps: true });
const bytes = readFileSync(audio);
async function* pieces() {
  for (let i = 0; i < bytes.length; i += 32000) yield bytes.subarray(i, i + 32000);
}
const live = await client.sync.transcribeLive(pieces(), { model: "universal-2" });
let error = null;
try {
  await client.sync.transcribe(audio, { model: "no-such-model" });
} catch (e) {
  error = { name: e.constructor.name, status: e.status ?? e.statusCode ?? null, message: e.message };
}
console.log(JSON.stringify({
  warmed,
  text: whole.text,
  first_word: whole.words[0],
  audio_duration_ms: whole.audio_duration_ms,
  live_text: live.text,
  error,
}));
