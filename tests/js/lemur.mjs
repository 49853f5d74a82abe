// Drives LeMUR with the last JavaScript SDK that has it (assemblyai 4.36, installed as
// "assemblyai-lemur"; the current SDK calls the LLM Gateway instead).
// Usage: node lemur.mjs BASE_URL API_KEY TRANSCRIPT_ID ; prints one JSON line of what it saw.
import { AssemblyAI } from "assemblyai-lemur";

const [baseUrl, apiKey, transcriptId] = process.argv.slice(2);
const { lemur } = new AssemblyAI({ apiKey, baseUrl });
const sources = { transcript_ids: [transcriptId], final_model: "anthropic/claude-3-5-sonnet" };
const task = await lemur.task({ ...sources, prompt: "Who is speaking? One sentence.", max_output_size: 40 });
const summary = await lemur.summary({ ...sources, context: "A speech", answer_format: "one sentence", max_output_size: 60 });
const items = await lemur.actionItems({ ...sources, max_output_size: 60 });
const qa = await lemur.questionAnswer({
  ...sources,
  questions: [
    { question: "Is this a speech?", answer_options: ["yes", "no"] },
    { question: "What country is mentioned?", answer_format: "one word" },
  ],
  max_output_size: 30,
});
const text = await lemur.task({ prompt: "Who is speaking? One sentence.", input_text: "hi", max_output_size: 10 });
const fetched = await lemur.getResponse(task.request_id);
const purged = await lemur.purgeRequestData(task.request_id);
let after = null;
try {
  await lemur.getResponse(task.request_id);
} catch (error) {
  after = error.message;
}
console.log(JSON.stringify({ task, summary, items, qa, text, fetched, purged, after }));
