"""Where models run: ``auto`` uses a GPU only when a real operation on it works (a GPU whose CUDA 12
libraries are missing loads models but fails every encode), ``cuda`` says why it cannot run, and
``stenograph doctor`` reports it. The GPU probe is replaced here; the CPU runs these tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stenograph.config import Settings
from stenograph.doctor import check_device
from stenograph.pipeline import models
from stenograph.pipeline.models import CudaUnavailableError, ModelSettings, cuda_check, placement

MISSING = "Library libcublas.so.12 is not found or cannot be loaded"  # as CTranslate2 4.8.5 says it


class FakeGPU:
    """The machine's GPUs as the models module sees them; counts the real checks made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, devices: int, problem: str | None) -> None:
        self.devices, self.problem, self.counted, self.probed = devices, problem, 0, 0
        monkeypatch.setattr(models, "_cuda_device_count", self._count)
        monkeypatch.setattr(models, "_probe_cuda", self._probe)

    def _count(self) -> int:
        self.counted += 1
        return self.devices

    def _probe(self) -> str | None:
        self.probed += 1
        return self.problem


@pytest.fixture(autouse=True)
def fresh_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    models._cuda_check.cache_clear()
    models._warn_cpu_fallback.cache_clear()
    yield
    models._cuda_check.cache_clear()
    models._warn_cpu_fallback.cache_clear()


def test_auto_without_a_gpu_runs_on_the_cpu_unprobed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    gpu = FakeGPU(monkeypatch, devices=0, problem=None)
    where = placement(ModelSettings(device="auto"))
    assert (where.device, where.compute_type) == ("cpu", "int8")
    assert gpu.probed == 0 and not caplog.records


def test_auto_with_a_working_gpu_runs_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeGPU(monkeypatch, devices=1, problem=None)
    where = placement(ModelSettings(device="auto"))
    assert (where.device, where.compute_type) == ("cuda", "float16")
    assert cuda_check().usable


def test_auto_with_a_gpu_missing_cublas_falls_back_to_the_cpu_warning_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    gpu = FakeGPU(monkeypatch, devices=1, problem=MISSING)
    with caplog.at_level(logging.WARNING, logger="stenograph.pipeline.models"):
        first = placement(ModelSettings(device="auto"))
        second = placement(ModelSettings(device="auto", cpu_threads=2))
    assert (first.device, first.compute_type) == ("cpu", "int8")
    assert second.device == "cpu"
    assert gpu.counted == 1 and gpu.probed == 1  # checked once per process
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert "libcublas.so.12" in message and "run on the CPU" in message and "nvidia-cublas-cu12" in message


def test_cuda_with_a_gpu_missing_cublas_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeGPU(monkeypatch, devices=1, problem=MISSING)
    with pytest.raises(CudaUnavailableError) as raised:
        placement(ModelSettings(device="cuda"))
    message = str(raised.value)
    assert message.startswith(f"STENOGRAPH_DEVICE=cuda, but models cannot run on the GPU ({MISSING}). ")
    assert "cuBLAS for CUDA 12" in message and "nvidia-cublas-cu12" in message
    assert "LD_LIBRARY_PATH" in message
    assert message.endswith("or set STENOGRAPH_DEVICE=auto (the CPU when the GPU does not work) or cpu")


def test_cuda_without_a_gpu_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeGPU(monkeypatch, devices=0, problem=None)
    with pytest.raises(CudaUnavailableError, match=r"finds no CUDA device.*nvidia-smi"):
        placement(ModelSettings(device="cuda"))


def test_cpu_never_looks_at_the_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    gpu = FakeGPU(monkeypatch, devices=1, problem=MISSING)
    assert placement(ModelSettings(device="cpu")).device == "cpu"
    assert gpu.counted == 0 and gpu.probed == 0


def test_a_model_loads_on_the_cpu_when_the_gpu_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import faster_whisper

    FakeGPU(monkeypatch, devices=1, problem=MISSING)
    loaded: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, path: str, **kwargs: Any) -> None:
            loaded.append(kwargs)

    monkeypatch.setattr(faster_whisper, "WhisperModel", Recorder)
    monkeypatch.setattr(models, "_models", {})
    models.get_whisper_model("tiny.en", ModelSettings(device="auto", cache_dir=tmp_path))
    assert [(k["device"], k["compute_type"]) for k in loaded] == [("cpu", "int8")]


@pytest.mark.skipif(models._cuda_device_count() > 0, reason="a GPU is here: the probe may succeed")
def test_the_real_probe_reports_a_gpu_that_cannot_run() -> None:
    problem = models._probe_cuda()  # tiny.en on "cuda" on a machine without one
    assert problem and "\n" not in problem


def test_doctor_reports_a_gpu_that_does_not_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    FakeGPU(monkeypatch, devices=1, problem=MISSING)
    printed: list[str] = []

    auto = check_device(Settings(data_dir=tmp_path, device="auto"), printed.append)
    assert len(auto) == 1 and "runs on the CPU" in auto[0] and "libcublas.so.12" in auto[0]
    assert printed[0].startswith("device: cpu (int8") and "CUDA devices: 1" in printed[0]

    cuda = check_device(Settings(data_dir=tmp_path, device="cuda"), printed.append)
    assert len(cuda) == 1 and "STENOGRAPH_DEVICE=cuda" in cuda[0]
    assert printed[-1].startswith("device: UNUSABLE")

    assert check_device(Settings(data_dir=tmp_path, device="cpu"), printed.append) == []


def test_doctor_is_quiet_about_a_working_gpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    FakeGPU(monkeypatch, devices=1, problem=None)
    printed: list[str] = []
    assert check_device(Settings(data_dir=tmp_path, device="auto"), printed.append) == []
    assert printed == [
        "device: cuda (float16, CPU threads: all cores; STENOGRAPH_DEVICE=auto, CUDA devices: 1)"
    ]
