// The JS SDK's redacted-audio methods against a live Stenograph server: transcripts.redactedAudio,
// redactedAudioFile and the old name redactions, on a transcript made with redact_pii_audio.
// Usage: node redacted.mjs BASE_URL API_KEY AUDIO_PATH OUT_PATH ; prints one JSON line of what it saw.
import { writeFile } from "node:fs/promises";
import { AssemblyAI } from "assemblyai";

const [baseUrl, apiKey, audio, outPath] = process.argv.slice(2);
const client = new AssemblyAI({ apiKey, baseUrl });
const submitted = await client.transcripts.submit({
  audio,
  redact_pii: true,
  redact_pii_policies: ["nationality"],
  redact_pii_audio: true,
});
const early = await client.transcripts.redactedAudio(submitted.id); // 202 while the job runs
let earlyFileError = null;
if (early.status !== "redacted_audio_ready") {
  try {
    await client.transcripts.redactedAudioFile(submitted.id);
  } catch (error) {
    earlyFileError = error.message;
  }
}
const ready = await client.transcripts.waitUntilReady(submitted.id, { pollingInterval: 200 });
const redacted = await client.transcripts.redactedAudio(submitted.id);
const legacy = await client.transcripts.redactions(submitted.id);
const file = await client.transcripts.redactedAudioFile(submitted.id);
const bytes = Buffer.from(await file.arrayBuffer());
await writeFile(outPath, bytes);
let notAskedError = null;
const plain = await client.transcripts.transcribe({ audio }, { pollingInterval: 200 });
try {
  await client.transcripts.redactedAudio(plain.id);
} catch (error) {
  notAskedError = error.message;
}
console.log(JSON.stringify({
  early_status: early.status,
  early_file_error: earlyFileError,
  ready_status: ready.status,
  text: ready.text,
  status: redacted.status,
  url: redacted.redacted_audio_url,
  legacy_status: legacy.status,
  bytes: bytes.length,
  not_asked_error: notAskedError,
}));
