"""The AssemblyAI wire format in one place: request models and checks, the mapping of requests to
pipeline options, transcript and export JSON, streaming messages and close codes, and AssemblyAI's
model names. No FastAPI and no SQL here: ``api/`` does the HTTP, ``store/`` the rows.
"""
