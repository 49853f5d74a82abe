// The JS SDK's transcript methods against a live Stenograph server: files.upload, transcripts.submit,
// get, waitUntilReady, wordSearch, sentences, paragraphs, subtitles.
// Usage: node methods.mjs BASE_URL API_KEY AUDIO_PATH ; prints one JSON line of what it saw.
import { AssemblyAI } from "assemblyai";

const [baseUrl, apiKey, audio] = process.argv.slice(2);
const client = new AssemblyAI({ apiKey, baseUrl });
const uploadUrl = await client.files.upload(audio);
const submitted = await client.transcripts.submit({ audio: uploadUrl });
const ready = await client.transcripts.waitUntilReady(submitted.id, { pollingInterval: 200 });
const got = await client.transcripts.get(submitted.id);
const found = await client.transcripts.wordSearch(submitted.id, ["country", "americans"]);
const sentences = await client.transcripts.sentences(submitted.id);
const paragraphs = await client.transcripts.paragraphs(submitted.id);
const srt = await client.transcripts.subtitles(submitted.id, "srt", 32);
const vtt = await client.transcripts.subtitles(submitted.id, "vtt");
console.log(JSON.stringify({
  upload_url: uploadUrl,
  submitted_status: submitted.status,
  ready_status: ready.status,
  text: got.text,
  same_id: got.id === submitted.id,
  matches: found.matches.map((m) => [m.text, m.count]),
  total_count: found.total_count,
  sentences: sentences.sentences.map((s) => s.text),
  paragraphs: paragraphs.paragraphs.length,
  srt,
  vtt,
}));
