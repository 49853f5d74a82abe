// AudioWorklet: the microphone's samples (the context's rate: 44.1 or 48 kHz, usually) resampled
// to 16 kHz mono and posted as 100 ms chunks of signed 16-bit little-endian PCM, with the chunk's
// peak level for the meter.
//
// Resampling: each output sample is the input under a windowed-sinc low-pass (cut at 7 kHz, below the
// 8 kHz Nyquist of 16 kHz; Blackman window, 128 taps at the input rate: about 2 MFLOP per second of
// audio), evaluated at the output sample's fractional input position from a table of 256 phases.
// A plain average of each output period's input samples (a box filter) lost the highs and let
// aliases through: the recogniser heard "ask not" as "s not". tests/unit/api/test_playground_worklet.py
// runs this file against SciPy's polyphase resampler.

const TARGET_RATE = 16000;
const CHUNK_SAMPLES = 1600; // 100 ms: the v3 API takes 50-1000 ms per message
const HALF_TAPS = 64;
const PHASES = 256;
const CUTOFF_HZ = 7000;

// kernel[phase * 2 * HALF_TAPS + tap]: the filter's weight for input sample (floor(t) - HALF_TAPS + 1
// + tap) when the output falls at t = floor(t) + phase / PHASES.
function makeKernel(inputRate) {
  const ratio = inputRate / TARGET_RATE;
  const cutoff = Math.min(CUTOFF_HZ / inputRate, 0.5 / Math.max(ratio, 1)); // cycles per input sample
  const kernel = new Float32Array(PHASES * 2 * HALF_TAPS);
  for (let phase = 0; phase < PHASES; phase += 1) {
    const fraction = phase / PHASES;
    let sum = 0;
    for (let tap = 0; tap < 2 * HALF_TAPS; tap += 1) {
      const distance = tap - HALF_TAPS + 1 - fraction; // input sample minus output position
      const x = 2 * cutoff * distance;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = (distance + HALF_TAPS) / (2 * HALF_TAPS); // 0..1 across the window
      const blackman = 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
      const weight = w <= 0 || w >= 1 ? 0 : 2 * cutoff * sinc * blackman;
      kernel[phase * 2 * HALF_TAPS + tap] = weight;
      sum += weight;
    }
    for (let tap = 0; tap < 2 * HALF_TAPS; tap += 1) kernel[phase * 2 * HALF_TAPS + tap] /= sum; // unit gain
  }
  return kernel;
}

class PcmResampler extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = sampleRate / TARGET_RATE; // sampleRate: the worklet scope's global
    this.kernel = makeKernel(sampleRate);
    this.input = new Float32Array(8192); // input samples not yet used up; input[0] is sample `base`
    this.length = 0;
    this.base = 0;
    this.next = 0; // the input position of the next output sample
    this.out = new DataView(new ArrayBuffer(CHUNK_SAMPLES * 2));
    this.written = 0;
    this.peak = 0;
  }

  append(samples) {
    if (this.length + samples.length > this.input.length) {
      const grown = new Float32Array(Math.max(this.input.length * 2, this.length + samples.length));
      grown.set(this.input.subarray(0, this.length));
      this.input = grown;
    }
    this.input.set(samples, this.length);
    this.length += samples.length;
  }

  emit(sample) {
    const clipped = Math.max(-1, Math.min(1, sample));
    this.peak = Math.max(this.peak, Math.abs(clipped));
    this.out.setInt16(this.written * 2, clipped < 0 ? clipped * 0x8000 : clipped * 0x7fff, true);
    this.written += 1;
    if (this.written === CHUNK_SAMPLES) {
      const buffer = this.out.buffer;
      this.port.postMessage({ pcm: buffer, peak: this.peak }, [buffer]);
      this.out = new DataView(new ArrayBuffer(CHUNK_SAMPLES * 2));
      this.written = 0;
      this.peak = 0;
    }
  }

  resample() {
    const taps = 2 * HALF_TAPS;
    // An output needs the input up to floor(next) + HALF_TAPS.
    while (Math.floor(this.next) + HALF_TAPS < this.base + this.length) {
      const whole = Math.floor(this.next);
      const phase = Math.min(PHASES - 1, Math.round((this.next - whole) * PHASES));
      const first = whole - HALF_TAPS + 1 - this.base; // may be < 0 at the very start: zeros there
      const weights = phase * taps;
      let sum = 0;
      for (let tap = 0; tap < taps; tap += 1) {
        const index = first + tap;
        if (index >= 0) sum += this.input[index] * this.kernel[weights + tap];
      }
      this.emit(sum);
      this.next += this.ratio;
    }
    // Drop what no later output needs.
    const keepFrom = Math.max(0, Math.floor(this.next) - HALF_TAPS + 1 - this.base);
    if (keepFrom > 0) {
      this.input.copyWithin(0, keepFrom, this.length);
      this.length -= keepFrom;
      this.base += keepFrom;
    }
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || !input.length) return true;
    const channels = input.length;
    const frames = input[0].length;
    const mono = new Float32Array(frames);
    for (let c = 0; c < channels; c += 1) {
      const channel = input[c];
      for (let i = 0; i < frames; i += 1) mono[i] += channel[i] / channels;
    }
    this.append(mono);
    this.resample();
    return true;
  }
}

registerProcessor("pcm-downsampler", PcmResampler);
