// Runs the playground's AudioWorklet (stenograph/api/playground/static/pcm-worklet.js) outside a
// browser: node pcm_worklet_harness.mjs WORKLET INPUT_F32 RATE OUTPUT_S16
// INPUT_F32: mono float32 samples at RATE, fed in the 128-frame blocks a browser renders;
// OUTPUT_S16: the 16 kHz s16le PCM the worklet posted, its chunks joined; stdout: the chunk sizes.
import { readFileSync, writeFileSync } from "node:fs";
import vm from "node:vm";

const [worklet, inputPath, rate, outputPath] = process.argv.slice(2);
const posted = [];
let Processor = null;

class AudioWorkletProcessor {
  constructor() {
    this.port = { postMessage: (message) => posted.push(message) };
  }
}

const context = vm.createContext({
  AudioWorkletProcessor,
  sampleRate: Number(rate),
  registerProcessor: (_name, cls) => {
    Processor = cls;
  },
  Math,
  Float32Array,
  DataView,
  ArrayBuffer,
});
vm.runInContext(readFileSync(worklet, "utf8"), context);

const bytes = readFileSync(inputPath);
const samples = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const processor = new Processor();
for (let start = 0; start < samples.length; start += 128) {
  processor.process([[samples.subarray(start, Math.min(start + 128, samples.length))]]);
}
writeFileSync(outputPath, Buffer.concat(posted.map((m) => Buffer.from(m.pcm))));
console.log(JSON.stringify(posted.map((m) => m.pcm.byteLength)));
