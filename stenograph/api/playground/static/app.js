// The playground's pages and their routes (#/transcribe, #/transcript/<id>, #/live, #/history).

import { apiKey, call, setApiKey } from "./api.js";
import * as history from "./history.js";
import * as live from "./live.js";
import * as transcribe from "./transcribe.js";
import * as transcript from "./transcript.js";

const $ = (id) => document.getElementById(id);

const pages = {
  signin: { module: null },
  transcribe: { module: transcribe },
  transcript: { module: transcript },
  live: { module: live },
  history: { module: history },
};
let current = null;

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const name = parts[0] in pages ? parts[0] : "transcribe";
  return { name, args: parts.slice(1) };
}

function route() {
  let { name, args } = parseRoute();
  if (!apiKey()) name = "signin";
  if (current && current.name !== name && current.module && current.module.leave) current.module.leave();
  for (const page of Object.keys(pages)) $(`page-${page}`).hidden = page !== name;
  const signedIn = Boolean(apiKey());
  $("nav").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  for (const link of document.querySelectorAll("#nav a")) {
    const here = link.dataset.page === name || (name === "transcript" && link.dataset.page === "transcribe");
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const page = pages[name];
  current = { name, module: page.module };
  const title = $(`page-${name}`).querySelector("h1");
  document.title = `${title ? title.textContent.trim() : "Playground"} · Stenograph`;
  if (page.module) page.module.enter(args);
  if (name === "signin") $("api-key").focus();
}

async function signIn(event) {
  event.preventDefault();
  const key = $("api-key").value.trim();
  $("signin-error").textContent = "";
  try {
    await call("/v2/transcript?limit=1", { key }); // any authenticated read proves the key
  } catch (error) {
    $("signin-error").textContent = error.status === 401 ? "That key is not valid on this server." : error.message;
    return;
  }
  setApiKey(key);
  $("api-key").value = "";
  if (!location.hash || location.hash === "#/signin") location.hash = "#/transcribe";
  else route();
  $("main").focus();
}

function signOut() {
  if (current && current.module && current.module.leave) current.module.leave();
  current = null;
  setApiKey(null);
  location.hash = "#/signin";
  route();
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  transcribe.init();
  transcript.init();
  live.init();
  history.init();
  window.addEventListener("hashchange", route);
  // A key refused later (revoked): back to sign-in.
  window.addEventListener("stenograph:unauthorised", signOut);
  route();
});
