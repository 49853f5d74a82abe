"""The ``stenograph`` command: serve, worker, transcribe, doctor, keys."""

from __future__ import annotations

import json
import signal
import threading
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stenograph.config import Settings, SettingsError, get_settings

app = typer.Typer(
    help="Stenograph: self-hosted speech-to-text that speaks the AssemblyAI API.", no_args_is_help=True
)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _settings() -> Settings:
    """The settings, or a clear message and exit status 2 when one is invalid (before anything starts)."""
    try:
        return get_settings()
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _logging(settings: Settings) -> None:
    from stenograph.logs import configure

    configure(settings.log_format)


def _use_models(settings: Settings) -> None:
    """Register STENOGRAPH_MODELS' models, or say what is wrong and exit 2 (before anything starts)."""
    from stenograph.runtime import ModelConfigError, use_configured_models

    try:
        use_configured_models(settings)
    except ModelConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="Serve HTTPS and wss:// with this certificate (PEM)")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="Private key of --ssl-certfile (PEM)")] = None,
) -> None:
    """Run the HTTP API (with an in-process worker unless STENOGRAPH_EMBEDDED_WORKER=0)."""
    import uvicorn

    from stenograph.api.app import create_app
    from stenograph.api.streaming.session import MAX_FRAME_BYTES, MAX_QUEUED_FRAMES

    settings = _settings()
    _logging(settings)
    _use_models(settings)
    bind_host, bind_port = host or settings.host, port or settings.port
    certfile, keyfile = ssl_certfile or settings.ssl_certfile, ssl_keyfile or settings.ssl_keyfile
    if bool(certfile) != bool(keyfile):
        raise typer.BadParameter("--ssl-certfile and --ssl-keyfile go together", param_hint="--ssl-keyfile")
    for path in (certfile, keyfile):
        if path and not Path(path).is_file():
            raise typer.BadParameter(f"{path} is not a file", param_hint="--ssl-certfile/--ssl-keyfile")
    scheme = "https" if certfile else "http"
    typer.echo(f"Stenograph on {scheme}://{bind_host}:{bind_port} (data in {settings.data_dir})")
    uvicorn.run(
        create_app(settings),
        host=bind_host,
        port=bind_port,
        log_level="info",
        log_config=None,  # uvicorn's lines go through our handler (text or JSON) ...
        access_log=False,  # ... and api/observe.py logs each request (never its query string)
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        ws_max_size=MAX_FRAME_BYTES,  # larger frames close the WebSocket with 1009
        ws_max_queue=MAX_QUEUED_FRAMES,
    )


@app.command()
def worker(
    threads: Annotated[int | None, typer.Option(help="Concurrent jobs in this process")] = None,
) -> None:
    """Consume transcript jobs from the shared queue (for a worker fleet)."""
    from stenograph.runtime import Runtime

    settings = _settings()
    _logging(settings)
    _use_models(settings)
    if threads:
        settings = settings.model_copy(update={"workers": threads})
    runtime = Runtime(settings)
    runtime.start_worker()
    runtime.start_metrics_server()  # with STENOGRAPH_METRICS_PORT only
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    typer.echo(f"Stenograph worker running {settings.workers} job thread(s); Ctrl-C to stop")
    stop.wait()
    runtime.shutdown()


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    srt = "srt"
    vtt = "vtt"


@app.command()
def transcribe(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Audio or video file")],
    output: Annotated[OutputFormat, typer.Option("-o", "--output", help="Output format")] = OutputFormat.text,
    model: Annotated[
        str | None, typer.Option(help="Speech model (tiny.en, base, or an AssemblyAI name)")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Language code, e.g. en, de")] = None,
) -> None:
    """Transcribe a file directly with the pipeline (no server needed)."""
    from tqdm import tqdm

    from stenograph.assemblyai.models import resolve_speech_model
    from stenograph.pipeline import PipelineError, TranscribeOptions
    from stenograph.pipeline import transcribe as run_pipeline
    from stenograph.pipeline.languages import whisper_language
    from stenograph.pipeline.subtitles import to_srt, to_vtt
    from stenograph.runtime import model_settings

    settings = _settings()
    _use_models(settings)
    try:
        chosen = resolve_speech_model(None, model, settings.default_model)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--model") from exc
    try:
        options = TranscribeOptions(model=chosen, language_code=whisper_language(language))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--language") from exc
    failure: PipelineError | None = None
    with tqdm(total=100, unit="%", desc=file.name, leave=True, file=typer.get_text_stream("stderr")) as bar:

        def progress(fraction: float) -> None:
            bar.update(max(0, round(fraction * 100) - bar.n))

        try:
            result = run_pipeline(file, options, progress=progress, models=model_settings(settings))
            bar.update(100 - bar.n)
        except PipelineError as exc:
            failure = exc
    if failure is not None:  # after the bar has closed, so the message stands on its own line
        typer.echo(f"error: {failure}", err=True)
        raise typer.Exit(1)
    if output is OutputFormat.json:
        typer.echo(json.dumps(asdict(result), indent=2))
    elif output is OutputFormat.srt:
        typer.echo(to_srt(result.words))
    elif output is OutputFormat.vtt:
        typer.echo(to_vtt(result.words))
    else:
        typer.echo(result.text)


@app.command()
def doctor(
    min_free_gb: Annotated[
        float, typer.Option(help="Fail when the uploads directory has less free space than this")
    ] = 1.0,
) -> None:
    """Check what the server would use: device, models (sha256), database, queue, disk space.
    Exits 1 naming each problem."""
    from stenograph.doctor import run_checks

    settings = _settings()
    problems = run_checks(settings, typer.echo, min_free_bytes=int(min_free_gb * 1024**3))
    if problems:
        typer.echo("\nproblems:", err=True)
        for problem in problems:
            typer.echo(f"  - {problem}", err=True)
        raise typer.Exit(1)
    typer.echo("\nall checks passed")


def _database():
    from stenograph.store.db import Database

    db = Database(_settings().resolved_database_url)
    db.migrate()
    return db


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="A label for the key")] = "",
    project: Annotated[str | None, typer.Option(help="Existing project id (default: a new project)")] = None,
) -> None:
    """Create a key and print it (the only time it is shown)."""
    from stenograph.store import keys

    db = _database()
    new_key = keys.generate_key()
    with db.session() as session:
        try:
            row = keys.add_key(session, new_key, project_id=project, name=name)
        except LookupError as exc:
            raise typer.BadParameter(str(exc), param_hint="--project") from exc
        shared = "an existing project" if project else "a new project"
        typer.echo(f"{new_key}\t(id {row.id}, project {row.project_id})")
        typer.echo(
            f"The key belongs to {shared}, {row.project_id}. Keys of one project see the same "
            f"transcripts: `stenograph keys create --project {row.project_id}` adds another.",
            err=True,
        )


@keys_app.command("list")
def keys_list() -> None:
    """List keys (their first characters only)."""
    from stenograph.store import keys

    with _database().session() as session:
        listed = keys.list_keys(session)
    if not listed:
        typer.echo("No API keys yet: `stenograph keys create` makes one.", err=True)
        return
    typer.echo("ID\tKEY\tSTATE\tPROJECT\tNAME")
    for info in listed:
        state = "revoked" if info.revoked else "active"
        typer.echo(f"{info.id}\t{info.prefix}…\t{state}\tproject {info.project_id}\t{info.name}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="Key id from `stenograph keys list`")]) -> None:
    """Revoke a key; requests with it get 401 from then on."""
    from stenograph.store import keys

    with _database().session() as session:
        if not keys.revoke_key(session, key_id):
            typer.echo(f"no active key with id {key_id}", err=True)
            raise typer.Exit(1)
    typer.echo(f"revoked key {key_id}")


if __name__ == "__main__":
    app()
