// Drives a live Stenograph server with the official AssemblyAI JavaScript SDK.
// Usage: node transcribe.mjs BASE_URL API_KEY AUDIO_PATH ; prints one JSON line of what it saw.
import { AssemblyAI } from "assemblyai";

const [baseUrl, apiKey, audio] = process.argv.slice(2);
const client = new AssemblyAI({ apiKey, baseUrl });
const transcript = await client.transcripts.transcribe({ audio }, { pollingInterval: 200 });
const page = await client.transcripts.list({ limit: 1 });
// An app's options object with unset filters: the SDK sends them empty (status=&after_id=...).
const unset = undefined;
const unsetFilters = await client.transcripts.list({
  limit: 1, status: unset, created_on: unset, before_id: unset, after_id: unset, throttled_only: unset,
});
const deleted = await client.transcripts.delete(transcript.id);
console.log(JSON.stringify({
  status: transcript.status,
  text: transcript.text,
  words: transcript.words.length,
  audio_duration: transcript.audio_duration,
  listed: page.transcripts.map((t) => t.id),
  listed_with_unset_filters: unsetFilters.transcripts.map((t) => t.id),
  current_url: page.page_details.current_url,
  deleted_text: deleted.text,
  deleted_audio_url: deleted.audio_url,
  id: transcript.id,
}));
