// AudioWorklet: the microphone's samples (the context's rate, usually 48 kHz) averaged down to
// 16 kHz mono and posted as 100 ms chunks of signed 16-bit little-endian PCM, with the chunk's
// peak level for the meter.

const TARGET_RATE = 16000;
const CHUNK_SAMPLES = 1600; // 100 ms: the v3 API takes 50-1000 ms per message

class PcmDownsampler extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = sampleRate / TARGET_RATE; // sampleRate: the worklet scope's global
    this.sum = 0;
    this.count = 0;
    this.position = 0;
    this.out = new DataView(new ArrayBuffer(CHUNK_SAMPLES * 2));
    this.written = 0;
    this.peak = 0;
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

  process(inputs) {
    const input = inputs[0];
    if (!input || !input.length) return true;
    const channels = input.length;
    const frames = input[0].length;
    for (let i = 0; i < frames; i += 1) {
      let sample = 0;
      for (let c = 0; c < channels; c += 1) sample += input[c][i];
      this.sum += sample / channels;
      this.count += 1;
      this.position += 1;
      if (this.position >= this.ratio) {
        // The mean of the samples of this output period: a box filter against aliasing.
        this.emit(this.sum / this.count);
        this.sum = 0;
        this.count = 0;
        this.position -= this.ratio;
      }
    }
    return true;
  }
}

registerProcessor("pcm-downsampler", PcmDownsampler);
