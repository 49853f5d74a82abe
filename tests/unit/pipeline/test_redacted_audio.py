"""The redacted-audio writer: a 1 kHz tone (or silence) in the spans, the rest of the audio kept,
and the duration, sample rate and channels of the source."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from stenograph.pipeline import redacted_audio
from stenograph.pipeline.redacted_audio import TONE_HZ, write_redacted_audio
from stenograph.pipeline.types import AudioDecodeError, Redaction

RATE = 44100


def write_wav(path: Path, samples: np.ndarray, rate: int, sample_format: str = "s16") -> Path:
    """``samples`` (channels, n) float in -1..1 as a WAV file of ``sample_format`` (s16 or flt)."""
    channels = samples.shape[0]
    layout = {1: "mono", 2: "stereo"}.get(channels, f"{channels}c")
    codec = {"s16": "pcm_s16le", "flt": "pcm_f32le"}[sample_format]
    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        if sample_format == "s16":
            packed = np.round(samples.T * 32767).astype(np.int16).reshape(1, -1)
        else:
            packed = samples.T.astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(packed, format=sample_format, layout=layout)
        frame.sample_rate = rate
        frame.pts = 0
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def read_native(path: Path) -> tuple[np.ndarray, int, str]:
    """The file's samples as (channels, n) float32 at its own rate, its rate and codec."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate, codec = stream.codec_context.sample_rate, stream.codec_context.name
        channels = stream.codec_context.channels
        resampler = av.AudioResampler(format="fltp", layout=stream.layout.name, rate=rate)
        chunks = [
            out.to_ndarray()
            for frame in container.decode(stream)
            for out in resampler.resample(frame)
            if out is not None
        ]
    samples = np.concatenate(chunks, axis=1) if chunks else np.zeros((channels, 0), np.float32)
    return samples, rate, codec


def music(seconds: float, channels: int, rate: int = RATE, seed: int = 0) -> np.ndarray:
    """A signal with no 1 kHz in it: tones at 220 and 330 Hz (a different pair per channel) and a
    little noise."""
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(seed)
    rows = [
        0.3 * np.sin(2 * np.pi * (220 + 40 * c) * t)
        + 0.2 * np.sin(2 * np.pi * (330 + 25 * c) * t)
        + 0.01 * rng.standard_normal(len(t))
        for c in range(channels)
    ]
    return np.array(rows, dtype=np.float64)


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def span(samples: np.ndarray, start_ms: int, end_ms: int, rate: int, margin_ms: int = 10) -> np.ndarray:
    """The inside of a span, less a margin each side (fades; codec smearing)."""
    return samples[..., (start_ms + margin_ms) * rate // 1000 : (end_ms - margin_ms) * rate // 1000]


@pytest.fixture()
def stereo_wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "source.wav", music(4.0, 2), RATE)


def test_wav_beep_in_the_span_and_the_rest_sample_identical(stereo_wav: Path, tmp_path: Path) -> None:
    written = write_redacted_audio(
        stereo_wav, [Redaction(1000, 1600, "person_name")], tmp_path / "out", audio_format="wav"
    )
    assert written.path == tmp_path / "out.wav" and written.format == "wav"
    source, rate, _ = read_native(stereo_wav)
    redacted, out_rate, codec = read_native(written.path)
    assert (out_rate, codec, redacted.shape) == (RATE, "pcm_s16le", source.shape)
    for channel in range(2):
        inside = span(redacted[channel], 1000, 1600, rate)
        assert peak_hz(inside, rate) == pytest.approx(TONE_HZ, abs=5)
        # Nothing of the source is left: the span is the tone alone (its spectrum has one peak).
        spectrum = np.abs(np.fft.rfft(inside * np.hanning(len(inside))))
        freqs = np.fft.rfftfreq(len(inside), 1 / rate)
        assert spectrum[np.abs(freqs - 220 - 40 * channel) < 10].max() < spectrum.max() * 1e-3
    outside = np.ones(source.shape[1], dtype=bool)
    outside[1000 * rate // 1000 : 1600 * rate // 1000] = False
    assert np.array_equal(redacted[:, outside], source[:, outside])


def test_silence_override(stereo_wav: Path, tmp_path: Path) -> None:
    written = write_redacted_audio(
        stereo_wav,
        [Redaction(500, 900, "phone_number"), Redaction(2000, 2300, "email_address")],
        tmp_path / "out",
        audio_format="wav",
        method="silence",
    )
    redacted, rate, _ = read_native(written.path)
    for start, end in ((500, 900), (2000, 2300)):
        assert np.all(redacted[:, start * rate // 1000 : end * rate // 1000] == 0)
    assert float(np.abs(span(redacted, 1000, 1900, rate)).max()) > 0.3  # the rest is still there


def test_a_channel_redaction_hides_that_channel_only(stereo_wav: Path, tmp_path: Path) -> None:
    written = write_redacted_audio(
        stereo_wav, [Redaction(1000, 1500, "person_name", channel="2")], tmp_path / "out", audio_format="wav"
    )
    source, rate, _ = read_native(stereo_wav)
    redacted, _, _ = read_native(written.path)
    assert np.array_equal(redacted[0], source[0])
    assert peak_hz(span(redacted[1], 1000, 1500, rate), rate) == pytest.approx(TONE_HZ, abs=5)


def test_mp3_keeps_rate_channels_and_duration(stereo_wav: Path, tmp_path: Path) -> None:
    written = write_redacted_audio(stereo_wav, [Redaction(1000, 1600, "person_name")], tmp_path / "out")
    assert written.path.suffix == ".mp3" and written.format == "mp3"
    source, rate, _ = read_native(stereo_wav)
    redacted, out_rate, codec = read_native(written.path)
    assert (out_rate, codec, redacted.shape[0]) == (RATE, "mp3float", 2)
    assert abs(redacted.shape[1] - source.shape[1]) <= 1152  # within one MP3 frame
    for channel in range(2):
        assert peak_hz(span(redacted[channel], 1000, 1600, rate, 30), rate) == pytest.approx(TONE_HZ, abs=5)
        # Outside the span: the source, to the accuracy of a lossy codec.
        for start, end in ((100, 900), (1700, 3900)):
            kept, original = (
                span(redacted[channel], start, end, rate),
                span(source[channel], start, end, rate),
            )
            assert peak_hz(kept, rate) == pytest.approx(peak_hz(original, rate), abs=5)
            noise = np.sqrt(np.mean((kept - original) ** 2)) / np.sqrt(np.mean(original**2))
            assert noise < 0.1


def test_mp3_silence(stereo_wav: Path, tmp_path: Path) -> None:
    written = write_redacted_audio(
        stereo_wav, [Redaction(1000, 2000, "person_name")], tmp_path / "out", method="silence"
    )
    redacted, rate, _ = read_native(written.path)
    assert float(np.abs(span(redacted, 1000, 2000, rate, 40)).max()) < 1e-3


def test_mono_16k_float_source_and_no_redactions(tmp_path: Path) -> None:
    source_path = write_wav(tmp_path / "f32.wav", music(2.0, 1, rate=16000), 16000, sample_format="flt")
    written = write_redacted_audio(source_path, [], tmp_path / "out", audio_format="wav")
    source, _, _ = read_native(source_path)
    redacted, rate, codec = read_native(written.path)
    assert (rate, codec) == (16000, "pcm_f32le")
    assert np.array_equal(redacted, source)


def test_more_channels_than_mp3_holds_are_written_as_wav(tmp_path: Path) -> None:
    source_path = write_wav(tmp_path / "six.wav", music(1.0, 6, rate=16000), 16000)
    written = write_redacted_audio(source_path, [Redaction(200, 500, "person_name", "3")], tmp_path / "out")
    assert written.format == "wav" and written.path.suffix == ".wav" and written.channels == 6
    redacted, rate, _ = read_native(written.path)
    assert redacted.shape[0] == 6
    assert peak_hz(span(redacted[2], 200, 500, rate), rate) == pytest.approx(TONE_HZ, abs=10)
    assert peak_hz(span(redacted[3], 200, 500, rate), rate) != pytest.approx(TONE_HZ, abs=10)


def test_spans_past_the_end_and_overlapping_ones(stereo_wav: Path, tmp_path: Path) -> None:
    written = write_redacted_audio(
        stereo_wav,
        [Redaction(3500, 9000, "person_name"), Redaction(3000, 3600, "location"), Redaction(10, 5, "x")],
        tmp_path / "out",
        audio_format="wav",
    )
    source, rate, _ = read_native(stereo_wav)
    redacted, _, _ = read_native(written.path)
    assert redacted.shape == source.shape
    assert peak_hz(span(redacted[0], 3000, 4000, rate), rate) == pytest.approx(TONE_HZ, abs=5)
    assert np.array_equal(redacted[:, : 2900 * rate // 1000], source[:, : 2900 * rate // 1000])


def test_real_recordings_keep_their_shape(shared_audio: Path, tmp_path: Path) -> None:
    for name in ("jfk/jfk.wav", "jfk/jfk_44k_stereo.flac", "jfk/jfk_16k.mp3"):
        source_path = shared_audio / name
        source, rate, _ = read_native(source_path)
        for audio_format in ("mp3", "wav"):
            written = write_redacted_audio(
                source_path,
                [Redaction(2000, 2500, "x")],
                tmp_path / f"out-{audio_format}",
                audio_format=audio_format,
            )
            redacted, out_rate, _ = read_native(written.path)
            assert (out_rate, redacted.shape[0]) == (rate, source.shape[0]), name
            assert abs(redacted.shape[1] - source.shape[1]) <= (0 if audio_format == "wav" else 1152), name
            if audio_format == "wav" and name.endswith(".wav"):
                assert np.array_equal(redacted[:, : rate * 2], source[:, : rate * 2])


def test_not_audio(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not audio at all\n" * 100)
    with pytest.raises(AudioDecodeError):
        write_redacted_audio(text, [], tmp_path / "out")
    assert list(tmp_path.iterdir()) == [text]  # nothing half-written is left


@pytest.mark.parametrize(("rate", "channels"), [(44100, 2), (16000, 1)])  # MP3 frames of 1152 / 576
def test_mp3_segments_encoded_apart_join_without_a_seam(
    rate: int, channels: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_path = write_wav(tmp_path / "source.wav", music(4.5, channels, rate=rate), rate)
    monkeypatch.setattr(redacted_audio, "MP3_SEGMENT_SECONDS", 1)  # joins at about 1, 2, 3 and 4 s
    span_across_a_join = Redaction(900, 1200, "person_name")
    written = write_redacted_audio(source_path, [span_across_a_join], tmp_path / "joined")
    source, _, _ = read_native(source_path)
    redacted, out_rate, _ = read_native(written.path)
    assert out_rate == rate and redacted.shape == source.shape  # no frame lost or doubled
    assert peak_hz(span(redacted[0], 900, 1200, rate, 30), rate) == pytest.approx(TONE_HZ, abs=10)
    error = np.abs(redacted - source)
    frame = 1152
    for join_s in (2, 3):
        join = join_s * rate // frame * frame
        near = error[:, join - 2000 : join + 2000].max()
        away = error[:, join - 12000 : join - 4000].max()
        assert near < 2 * away + 0.01, (join_s, near, away)


def write_mp3(path: Path, samples: np.ndarray, rate: int) -> Path:
    """``samples`` as an MP3 the way LAME writes one by default (bit reservoir on, Info tag)."""
    layout = {1: "mono", 2: "stereo"}[samples.shape[0]]
    with av.open(str(path), "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(samples.astype(np.float32), format="fltp", layout=layout)
        frame.sample_rate, frame.pts = rate, 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return path


@pytest.mark.parametrize(("rate", "channels"), [(44100, 2), (16000, 1)])  # MP3 frames of 1152 / 576
def test_an_mp3_source_is_copied_and_only_windows_around_the_spans_re_encoded(
    rate: int, channels: int, tmp_path: Path
) -> None:
    source_path = write_mp3(tmp_path / "source.mp3", music(6.0, channels, rate=rate), rate)
    spans = [Redaction(1000, 1400, "person_name"), Redaction(4000, 4300, "phone_number", channel="1")]
    written = write_redacted_audio(source_path, spans, tmp_path / "out")
    source, _, _ = read_native(source_path)
    redacted, out_rate, codec = read_native(written.path)
    assert (out_rate, codec, written.format) == (rate, "mp3float", "mp3")
    assert redacted.shape == source.shape == (channels, written.samples)  # to the sample
    for start, end in ((1000, 1400), (4000, 4300)):
        assert peak_hz(span(redacted[0], start, end, rate, 30), rate) == pytest.approx(TONE_HZ, abs=10)
    if channels == 2:  # the second span is the first channel's only
        assert peak_hz(span(redacted[1], 4000, 4300, rate, 30), rate) != pytest.approx(TONE_HZ, abs=50)
    # Away from the windows (a span, two frames of margin, the frame that overlaps the last): the source's
    # frames, decoded bit for bit the same (so the bit reservoir after each window was carried over).
    frame = 1152 if rate >= 32000 else 576
    pad = 5 * frame
    touched = np.zeros(source.shape[1], dtype=bool)
    for start, end in ((1000, 1400), (4000, 4300)):
        touched[start * rate // 1000 - pad : end * rate // 1000 + pad] = True
    assert np.array_equal(redacted[:, ~touched], source[:, ~touched])
    assert touched.mean() < 0.5
    # In the windows, outside the spans (the joins among them): the codec's error, no click,
    # against a whole re-encode of the same audio.
    plain = write_redacted_audio(write_wav(tmp_path / "decoded.wav", source, rate), [], tmp_path / "plain")
    reencoded, _, _ = read_native(plain.path)
    codec_error = float(np.abs(reencoded - source).max())
    error = np.abs(redacted - source)
    smear = 30 * rate // 1000  # the tone's edges, spread by the codec
    for start, end in ((1000, 1400), (4000, 4300)):
        first, last = start * rate // 1000, end * rate // 1000
        for around in (
            error[:, first - pad - frame : first - smear],
            error[:, last + smear : last + pad + frame],
        ):
            assert float(around.max()) < 2 * codec_error + 0.01, (start, float(around.max()), codec_error)
