// The History page: GET /v2/transcript a page at a time (before_id / after_id cursors), and delete.

import { call } from "./api.js";
import { forgetAudio } from "./media.js";
import { $, el } from "./util.js";

const DELETED_AUDIO_URL = "http://deleted_by_user"; // a deleted transcript stays listed, as on AssemblyAI

let cursor = {}; // the query of the page shown: {} (newest), {before_id} or {after_id}
let older = null; // the query of the page before / after it, from page_details
let newer = null;
let generation = 0;

export function init() {
  $("history-older").addEventListener("click", () => older && load(older));
  $("history-newer").addEventListener("click", () => newer && load(newer));
  $("history-refresh").addEventListener("click", () => load(cursor));
  $("history-size").addEventListener("change", () => load({}));
}

export function enter() {
  load({});
}

export function leave() {
  generation += 1;
}

// The cursor of a page_details URL (its absolute host may not be the one the browser sees).
function cursorOf(url) {
  if (!url) return null;
  const query = new URL(url, location.href).searchParams;
  for (const name of ["before_id", "after_id"]) if (query.get(name)) return { [name]: query.get(name) };
  return null;
}

function when(iso) {
  if (!iso) return "";
  const date = new Date(`${iso}Z`);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

async function load(query) {
  const mine = ++generation;
  const params = new URLSearchParams({ limit: $("history-size").value, ...query });
  $("history-status").textContent = "Loading…";
  let page;
  try {
    page = await call(`/v2/transcript?${params}`);
  } catch (error) {
    if (mine === generation) $("history-status").textContent = error.message;
    return;
  }
  if (mine !== generation) return;
  cursor = query;
  older = cursorOf(page.page_details.prev_url);
  newer = cursorOf(page.page_details.next_url);
  $("history-older").disabled = !older;
  $("history-newer").disabled = !newer;
  const rows = page.transcripts.map(row);
  $("history-table").tBodies[0].replaceChildren(...rows);
  $("history-status").textContent = rows.length ? "" : "No transcripts yet.";
}

function audioName(url) {
  if (!url) return "";
  try {
    const parsed = new URL(url);
    return parsed.pathname.startsWith("/v2/upload/") ? "uploaded file" : url;
  } catch {
    return url;
  }
}

function row(item) {
  const deleted = item.audio_url === DELETED_AUDIO_URL;
  const deleteButton = el("button", {
    type: "button",
    class: "quiet danger",
    text: "Delete",
    "aria-label": `Delete transcript ${item.id}`,
  });
  deleteButton.addEventListener("click", () => remove(item.id, deleteButton));
  return el(
    "tr",
    { "data-id": item.id },
    el("td", { text: when(item.created) }),
    el("td", {}, el("span", { class: `badge status-${item.status}`, text: item.status })),
    el("td", {}, el("a", { href: `#/transcript/${encodeURIComponent(item.id)}`, text: item.id })),
    el("td", { class: "audio-url", text: deleted ? "deleted" : audioName(item.audio_url), title: item.audio_url || "" }),
    el("td", {}, deleted ? "" : deleteButton),
  );
}

async function remove(id, button) {
  if (!window.confirm(`Delete transcript ${id}? Its text and its uploaded audio are removed.`)) return;
  button.disabled = true;
  try {
    await call(`/v2/transcript/${encodeURIComponent(id)}`, { method: "DELETE" });
  } catch (error) {
    $("history-status").textContent = `Delete failed: ${error.message}`;
    button.disabled = false;
    return;
  }
  forgetAudio(id);
  await load(cursor);
  $("history-status").textContent = `Deleted ${id}.`;
}
