// The server's API from the browser: the key kept in sessionStorage, errors as messages.

const KEY = "stenograph.apiKey";

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === "string") message = body.error;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, message);
}

// fetch() with the key; a JSON answer parsed, a text one as text; any non-2xx status thrown.
export async function call(path, { method = "GET", body, key = apiKey(), as = "json" } = {}) {
  const headers = { Authorization: key || "" };
  if (body !== undefined && !(body instanceof Blob)) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined || body instanceof Blob ? body : JSON.stringify(body),
    cache: "no-store",
  });
  if (!response.ok) {
    if (response.status === 401 && key && key === apiKey()) {
      window.dispatchEvent(new Event("stenograph:unauthorised")); // the stored key was revoked
    }
    throw await failure(response);
  }
  return as === "text" ? response.text() : response.json();
}

// POST /v2/upload with upload progress (fetch() reports none): resolves to the upload_url.
export function upload(blob, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/v2/upload");
    request.setRequestHeader("Authorization", apiKey() || "");
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      const body = request.response || {};
      if (request.status >= 200 && request.status < 300 && body.upload_url) resolve(body.upload_url);
      else reject(new ApiError(request.status, body.error || `upload failed (${request.status})`));
    };
    request.onerror = () => reject(new ApiError(0, "upload failed: the server could not be reached"));
    request.send(blob);
  });
}
